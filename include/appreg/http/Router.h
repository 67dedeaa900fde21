#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "appreg/http/Request.h"
#include "appreg/http/Response.h"

namespace appreg::http {

/// The values a route pattern captured: `{id}` segments, parsed as positive 64-bit integers.
using PathParams = std::vector<long long>;

using Handler = std::function<Response(const Request&, const PathParams&)>;

/// Runs for every request whose path is a route, before the method is looked at (so that, as in DRF, an
/// anonymous caller gets 401 even for a method the route does not allow). `pattern` is the route's pattern.
/// Throws ApiError to refuse the request.
using Guard = std::function<void(const Request&, const std::string& pattern)>;

/// Maps method + path to a handler. Patterns are literal segments and `{id}` (`[1-9][0-9]*` within 64 bits),
/// always ending in '/'. The router owns every request-level rule that precedes a handler:
/// 404 for unknown paths, 405 with `Allow` for known paths, 301/308 to the slashed path, HEAD as GET without
/// a body, and turning ApiError (or any other exception, as a 500) into a JSON response.
class Router {
public:
    /// Registers `handler` for `method` on `pattern`, e.g. ("POST", "/api/v2/applications/").
    void add(const std::string& method, const std::string& pattern, Handler handler);

    /// Sets the guard (authentication); none by default.
    void setGuard(Guard guard) { _guard = std::move(guard); }

    /// Answers one request. Never throws.
    Response dispatch(const Request& request) const;

    /// The `Allow` header value for a pattern's methods, in AWX's order (GET, POST, PUT, PATCH, DELETE, HEAD,
    /// OPTIONS).
    static std::string allowHeader(const std::map<std::string, Handler>& methods);

private:
    struct Route {
        std::vector<std::string> segments;  ///< "{id}" marks a parameter
        std::map<std::string, Handler> methods;
        std::string pattern;
    };
    std::vector<Route> _routes;
    Guard _guard;

    const Route* match(const std::string& path, PathParams& params) const;
    Response route(const Request& request) const;
};

}  // namespace appreg::http
