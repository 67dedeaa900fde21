#include "appreg/http/CgiRequest.h"

#include <array>

#include "appreg/domain/Secrets.h"

namespace appreg::http {

namespace {

/// The parameters buildCgiRequest reads, each named once (kParamNames), and nothing else (readsCgiParam).
enum class Param {
    Method,
    ContentType,
    Authorization,
    Uri,
    ScriptName,
    PathInfo,
    QueryString,
    ContentLength
};
constexpr std::array<std::string_view, 8> kParamNames{"REQUEST_METHOD", "CONTENT_TYPE",  "HTTP_AUTHORIZATION",
                                                      "REQUEST_URI",    "SCRIPT_NAME",   "PATH_INFO",
                                                      "QUERY_STRING",   "CONTENT_LENGTH"};
static_assert(kParamNames.size() == static_cast<std::size_t>(Param::ContentLength) + 1, "one name per Param");

/// The parameter's value; empty when it was not sent.
std::string param(const std::map<std::string, std::string>& params, Param which) {
    auto it = params.find(std::string(kParamNames[static_cast<std::size_t>(which)]));
    return it == params.end() ? std::string() : it->second;
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

CgiRequestResult buildCgiRequest(const std::map<std::string, std::string>& params, const BodyReader& readBody,
                                 std::size_t maxBodyBytes, const std::string& pathPrefix) {
    Request request;
    request.requestId = domain::randomHex32();
    request.method = param(params, Param::Method);
    for (auto& c : request.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    request.contentType = param(params, Param::ContentType);
    request.authorization = param(params, Param::Authorization);

    std::string uri = param(params, Param::Uri);
    if (uri.empty()) {
        // Not every FastCGI client sends REQUEST_URI (cgi-fcgi by hand); rebuild it the CGI way.
        uri = param(params, Param::ScriptName) + param(params, Param::PathInfo);
        std::string qs = param(params, Param::QueryString);
        if (!qs.empty()) uri += "?" + qs;
    }
    Request::splitUri(uri, request.path, request.query);
    if (!pathPrefix.empty() && request.path.compare(0, pathPrefix.size(), pathPrefix) == 0 &&
        request.path.size() > pathPrefix.size() && request.path[pathPrefix.size()] == '/') {
        request.path.erase(0, pathPrefix.size());
    }
    if (request.method.empty()) return fail(request, 400, "Request method is missing.");

    std::optional<std::size_t> declared;
    const std::string v = param(params, Param::ContentLength);
    if (!v.empty()) {
        if (v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) {
            return fail(request, 400, "Invalid Content-Length.");
        }
        declared = static_cast<std::size_t>(std::stoull(v));
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

bool readsCgiParam(std::string_view name) {
    for (std::string_view p : kParamNames) {
        if (p == name) return true;
    }
    return false;
}

}  // namespace appreg::http
