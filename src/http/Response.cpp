#include "appreg/http/Response.h"

#include <strings.h>

#include "appreg/http/Json.h"

namespace appreg::http {

Response Response::json(int status, const Poco::Dynamic::Var& body) {
    Response r;
    r.status = status;
    r.body = json::stringify(body);
    return r;
}

Response Response::json(int status, json::Raw body) {
    Response r;
    r.status = status;
    r.body = std::move(body.text);
    return r;
}

Response Response::detail(int status, const std::string& message) {
    auto obj = json::newObject();
    obj->set("detail", message);
    return json(status, obj);
}

Response Response::noContent() {
    Response r;
    r.status = 204;
    return r;
}

void Response::setHeader(const std::string& name, const std::string& value) {
    for (auto& h : headers) {
        if (strcasecmp(h.first.c_str(), name.c_str()) == 0) {
            h.second = value;
            return;
        }
    }
    headers.emplace_back(name, value);
}

std::string Response::header(const std::string& name) const {
    for (const auto& h : headers) {
        if (strcasecmp(h.first.c_str(), name.c_str()) == 0) return h.second;
    }
    return {};
}

const char* reasonPhrase(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 201:
            return "Created";
        case 204:
            return "No Content";
        case 301:
            return "Moved Permanently";
        case 308:
            return "Permanent Redirect";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 413:
            return "Payload Too Large";
        case 415:
            return "Unsupported Media Type";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        case 503:
            return "Service Unavailable";
        default:
            return "Unknown";
    }
}

}  // namespace appreg::http
