#include "appreg/http/Router.h"

#include <cerrno>
#include <cstdlib>

#include <Poco/Exception.h>
#include <Poco/Logger.h>

#include "appreg/http/ApiError.h"

namespace appreg::http {

namespace {

std::vector<std::string> splitPath(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 1;
    while (start < path.size()) {
        auto slash = path.find('/', start);
        if (slash == std::string::npos) slash = path.size();
        parts.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return parts;
}

bool parseId(const std::string& s, long long& out) {
    if (s.empty() || s.size() > 19 || s[0] < '1' || s[0] > '9') return false;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
    }
    errno = 0;
    out = std::strtoll(s.c_str(), nullptr, 10);
    return errno != ERANGE;
}

/// A path is routable only in its plain form: '/'-separated non-empty segments of unreserved characters.
/// Percent-escapes, empty segments and dot segments never name a resource.
bool isPlainPath(const std::string& path) {
    if (path.empty() || path[0] != '/') return false;
    for (char c : path) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
                  c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return path.find("//") == std::string::npos && path.find("/./") == std::string::npos &&
           path.find("/../") == std::string::npos;
}

/// The raw query as it may appear in a Location header and a JSON text: bytes outside printable ASCII (raw
/// UTF-8, invalid bytes, controls, spaces) percent-encoded, everything else kept as the client sent it.
std::string safeQuery(const std::string& query) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : query) {
        if (c > 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

const char* const kMethodOrder[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};

}  // namespace

void Router::add(const std::string& method, const std::string& pattern, Handler handler) {
    auto segments = splitPath(pattern);
    for (auto& r : _routes) {
        if (r.segments == segments) {
            r.methods[method] = std::move(handler);
            return;
        }
    }
    Route r;
    r.segments = std::move(segments);
    r.pattern = pattern;
    r.methods[method] = std::move(handler);
    _routes.push_back(std::move(r));
}

std::string Router::allowHeader(const std::map<std::string, Handler>& methods) {
    std::string allow;
    for (const char* m : kMethodOrder) {
        bool present = methods.count(m) > 0 || (std::string(m) == "HEAD" && methods.count("GET") > 0);
        if (!present) continue;
        if (!allow.empty()) allow += ", ";
        allow += m;
    }
    return allow;
}

const Router::Route* Router::match(const std::string& path, PathParams& params) const {
    if (!isPlainPath(path) || path.back() != '/') return nullptr;
    auto parts = splitPath(path);
    for (const auto& r : _routes) {
        if (r.segments.size() != parts.size()) continue;
        PathParams captured;
        bool ok = true;
        for (std::size_t i = 0; i < parts.size() && ok; ++i) {
            if (r.segments[i] == "{id}") {
                long long id;
                ok = parseId(parts[i], id);
                if (ok) captured.push_back(id);
            } else {
                ok = r.segments[i] == parts[i];
            }
        }
        if (ok) {
            params = std::move(captured);
            return &r;
        }
    }
    return nullptr;
}

Response Router::route(const Request& request) const {
    PathParams params;
    const Route* r = match(request.path, params);
    if (r == nullptr) {
        // AWX (Django's APPEND_SLASH) redirects to the slashed path when that one exists.
        PathParams ignored;
        if (!request.path.empty() && request.path.back() != '/' && match(request.path + "/", ignored)) {
            std::string location = request.path + "/";
            if (!request.query.empty()) location += "?" + safeQuery(request.query);
            bool safe = request.method == "GET" || request.method == "HEAD";
            Response resp = Response::detail(safe ? 301 : 308, "Moved to " + location + ".");
            resp.setHeader("Location", location);
            return resp;
        }
        throw ApiError::detail(404, "The requested resource could not be found.");
    }
    if (_guard) _guard(request, r->pattern);
    const std::string allow = allowHeader(r->methods);
    const std::string& method = request.method == "HEAD" ? std::string("GET") : request.method;
    auto it = r->methods.find(method);
    if (it == r->methods.end()) {
        // The method is quoted back: only an HTTP token may be (a raw socket client can send any bytes).
        bool token = !request.method.empty() && request.method.size() <= 32 &&
                     request.method.find_first_not_of(
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~") == std::string::npos;
        std::string shown = token ? request.method : std::string("?");
        Response resp = ApiError::detail(405, "Method \"" + shown + "\" not allowed.").toResponse();
        resp.setHeader("Allow", allow);
        return resp;
    }
    Response resp;
    try {
        resp = it->second(request, params);
    } catch (const ApiError& e) {
        resp = e.toResponse();
    }
    resp.setHeader("Allow", allow);
    return resp;
}

Response Router::dispatch(const Request& request) const {
    Response resp;
    try {
        resp = route(request);
    } catch (const ApiError& e) {
        resp = e.toResponse();
    } catch (const Poco::Exception& e) {
        Poco::Logger::get("appreg").error("request %s failed: %s", request.requestId, e.displayText());
        resp = Response::detail(500, "A server error occurred.");
    } catch (const std::exception& e) {
        Poco::Logger::get("appreg").error("request %s failed: %s", request.requestId, std::string(e.what()));
        resp = Response::detail(500, "A server error occurred.");
    } catch (...) {
        Poco::Logger::get("appreg").error("request %s failed with an unknown exception", request.requestId);
        resp = Response::detail(500, "A server error occurred.");
    }
    if (request.method == "HEAD") resp.body.clear();
    return resp;
}

}  // namespace appreg::http
