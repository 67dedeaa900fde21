#include "appreg/http/CgiRequest.h"

#include <array>
#include <charconv>

#include "appreg/domain/Secrets.h"

namespace appreg::http {

namespace {

/// The name of each CgiParam, in its order, and nothing else (CgiParams::offer refuses the others).
constexpr std::array<std::string_view, 8> kParamNames{"REQUEST_METHOD", "CONTENT_TYPE",  "HTTP_AUTHORIZATION",
                                                      "REQUEST_URI",    "SCRIPT_NAME",   "PATH_INFO",
                                                      "QUERY_STRING",   "CONTENT_LENGTH"};
static_assert(kParamNames.size() == static_cast<std::size_t>(CgiParam::ContentLength) + 1,
              "one name per CgiParam");

/// The index of `name` in kParamNames, or kParamNames.size() when buildCgiRequest does not read it.
std::size_t paramIndex(std::string_view name) {
    std::size_t i = 0;
    while (i < kParamNames.size() && kParamNames[i] != name) ++i;
    return i;
}

CgiRequestResult fail(Request& request, int status, const std::string& message) {
    CgiRequestResult r;
    Response resp = Response::detail(status, message);
    resp.setHeader("X-API-Request-Id", request.requestId);
    if (request.method == "HEAD") resp.body.clear();  // a HEAD answer never has a body, errors included
    r.error = std::move(resp);
    r.request = std::move(request);
    return r;
}

}  // namespace

bool CgiParams::offer(std::string_view name, std::string_view value) {
    const std::size_t i = paramIndex(name);
    if (i == kParamNames.size()) return false;
    const unsigned bit = 1u << i;
    if ((_offered & bit) == 0) {
        _offered |= bit;
        _values[i] = value;
    }
    return true;
}

CgiParams CgiParams::of(const std::map<std::string, std::string>& all) {
    CgiParams params;
    for (const auto& [name, value] : all) params.offer(name, value);
    return params;
}

CgiRequestResult buildCgiRequest(const std::map<std::string, std::string>& params, const BodyReader& readBody,
                                 std::size_t maxBodyBytes, const std::string& pathPrefix) {
    return buildCgiRequest(CgiParams::of(params), readBody, maxBodyBytes, pathPrefix);
}

CgiRequestResult buildCgiRequest(const CgiParams& params, const BodyReader& readBody,
                                 std::size_t maxBodyBytes, const std::string& pathPrefix) {
    Request request;
    request.requestId = domain::randomHex32();
    request.method = params[CgiParam::Method];
    for (auto& c : request.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    request.contentType = params[CgiParam::ContentType];
    request.authorization = params[CgiParam::Authorization];

    std::string uri(params[CgiParam::Uri]);
    if (uri.empty()) {
        // Not every FastCGI client sends REQUEST_URI (cgi-fcgi by hand); rebuild it the CGI way.
        uri = params[CgiParam::ScriptName];
        uri += params[CgiParam::PathInfo];
        const std::string_view qs = params[CgiParam::QueryString];
        if (!qs.empty()) {
            uri += '?';
            uri += qs;
        }
    }
    Request::splitUri(uri, request.path, request.query);
    if (!pathPrefix.empty() && request.path.compare(0, pathPrefix.size(), pathPrefix) == 0 &&
        request.path.size() > pathPrefix.size() && request.path[pathPrefix.size()] == '/') {
        request.path.erase(0, pathPrefix.size());
    }
    if (request.method.empty()) return fail(request, 400, "Request method is missing.");

    std::optional<std::size_t> declared;
    const std::string_view v = params[CgiParam::ContentLength];
    if (!v.empty()) {
        if (v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) {
            return fail(request, 400, "Invalid Content-Length.");
        }
        std::size_t length = 0;
        std::from_chars(v.data(), v.data() + v.size(), length);  // at most 18 digits: no overflow
        declared = length;
        if (*declared > maxBodyBytes) {
            return fail(request, 413,
                        "Request body exceeds the limit of " + std::to_string(maxBodyBytes) + " bytes.");
        }
    }

    // Read at most limit+1 bytes: enough to tell "over the limit" without buffering an unbounded body.
    std::string body;
    char buf[16384];
    for (;;) {
        std::size_t room = maxBodyBytes + 1 - body.size();
        if (room == 0) break;
        long n = readBody(buf, room < sizeof buf ? room : sizeof buf);
        if (n < 0) return fail(request, 400, "Request body could not be read.");
        if (n == 0) break;
        body.append(buf, static_cast<std::size_t>(n));
    }
    if (body.size() > maxBodyBytes) {
        return fail(request, 413,
                    "Request body exceeds the limit of " + std::to_string(maxBodyBytes) + " bytes.");
    }
    if (declared && body.size() < *declared)
        return fail(request, 400, "Request body is shorter than its Content-Length.");
    if (declared && body.size() > *declared)
        return fail(request, 400, "Request body is longer than its Content-Length.");
    request.body = std::move(body);

    CgiRequestResult r;
    r.request = std::move(request);
    return r;
}

}  // namespace appreg::http
