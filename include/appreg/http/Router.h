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

/// Maps method + path to a handler. Patterns are literal segments and `{id}` (`[1-9][0-9]*` within 64 bits),
/// always ending in '/'. The router owns every request-level rule that precedes a handler:
/// 404 for unknown paths, 405 with `Allow` for known paths, 301/308 to the slashed path, HEAD as GET without
/// a body, and turning ApiError (or any other exception, as a 500) into a JSON response.
class Router {
public:
    /// Registers `handler` for `method` on `pattern`, e.g. ("POST", "/api/v2/applications/").
    void add(const std::string& method, const std::string& pattern, Handler handler);

    /// Answers one request. Never throws.
    Response dispatch(const Request& request) const;

    /// The `Allow` header value for a pattern's methods, in AWX's order (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS).
    static std::string allowHeader(const std::map<std::string, Handler>& methods);

private:
    struct Route {
        std::vector<std::string> segments;  ///< "{id}" marks a parameter
        std::map<std::string, Handler> methods;
    };
    std::vector<Route> _routes;

    const Route* match(const std::string& path, PathParams& params) const;
    Response route(const Request& request) const;
};

}  // namespace appreg::http
