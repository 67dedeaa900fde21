#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "appreg/http/Request.h"
#include "appreg/http/Response.h"

namespace appreg::http {

/// Reads up to `n` body bytes into `buf`: the count read, 0 at the end of the body, or -1 when the body
/// cannot be read (the client went away, a protocol error).
using BodyReader = std::function<long(char* buf, std::size_t n)>;

/// The request (always with its method, path and id, for the log), and when its body or parameters are
/// unacceptable, the error response that replaces it (413, 400; without a body for HEAD). Nothing else may
/// run for a request that produced an error: in particular, no write.
struct CgiRequestResult {
    Request request;
    std::optional<Response> error;
};

/// The CGI parameters buildCgiRequest reads.
enum class CgiParam {
    Method,
    ContentType,
    Authorization,
    Uri,
    ScriptName,
    PathInfo,
    QueryString,
    ContentLength
};

/// The parameters buildCgiRequest reads, as views of the transport's own storage (libfcgi's environment of
/// the request), which must outlive them: a transport offers each parameter it got and nothing is copied.
class CgiParams {
public:
    /// Keeps `value` when buildCgiRequest reads `name` and it was not offered before (the first wins); false
    /// when buildCgiRequest does not read `name`.
    bool offer(std::string_view name, std::string_view value);
    /// The parameters of `all` that buildCgiRequest reads, viewing into `all`.
    static CgiParams of(const std::map<std::string, std::string>& all);
    /// The parameter's value; empty when it was not sent.
    std::string_view operator[](CgiParam which) const { return _values[static_cast<std::size_t>(which)]; }

private:
    std::array<std::string_view, static_cast<std::size_t>(CgiParam::ContentLength) + 1> _values{};
    unsigned _offered = 0;  ///< one bit per CgiParam
};

/// Turns the CGI/FastCGI parameters and the body stream of one request into a Request value, enforcing the
/// body rules of platform-notes §2.5: CONTENT_LENGTH must be digits; a body over `maxBodyBytes` is 413 even
/// without CONTENT_LENGTH (read at most limit+1 bytes); a body shorter or longer than CONTENT_LENGTH, or one
/// that breaks off, is refused. Routing uses the raw REQUEST_URI with `pathPrefix` stripped.
/// Independent of libfcgi, so tests and fuzzers drive it directly.
///
/// It reads only the CgiParam, so a transport need not copy the others.
CgiRequestResult buildCgiRequest(const CgiParams& params, const BodyReader& readBody,
                                 std::size_t maxBodyBytes, const std::string& pathPrefix);
/// The same from a name-value map (tests, fuzzers).
CgiRequestResult buildCgiRequest(const std::map<std::string, std::string>& params, const BodyReader& readBody,
                                 std::size_t maxBodyBytes, const std::string& pathPrefix);

}  // namespace appreg::http
