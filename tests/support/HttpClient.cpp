#include "HttpClient.h"

#include "TestSuperuser.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <sstream>

namespace appreg::test {

std::string HttpResponse::header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
        if (Poco::icompare(key, name) == 0) {
            return value;
        }
    }
    return {};
}

bool HttpResponse::hasHeader(const std::string& name) const {
    for (const auto& header : headers) {
        if (Poco::icompare(header.first, name) == 0) {
            return true;
        }
    }
    return false;
}

std::string HttpResponse::describe() const {
    std::string text = "[HTTP " + std::to_string(status) + " " + reason + ", headers {";
    for (const auto& [key, value] : headers) {
        text += key + ": " + value + "; ";
    }
    return text + "}, body " + (body.size() > 2000 ? body.substr(0, 2000) + "..." : body) + "]";
}

HttpClient::HttpClient(int port, std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout), authorization_(TestSuperuser::authorization()) {}

HttpResponse HttpClient::send(const std::string& method, const std::string& path, const std::string& body,
                              const std::string& contentType, const Headers& extraHeaders,
                              bool chunked) const {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port_));
    session.setTimeout(Poco::Timespan(static_cast<long>(timeout_.count() / 1000),
                                      static_cast<long>((timeout_.count() % 1000) * 1000)));
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(false);
    if (!contentType.empty()) {
        request.setContentType(contentType);
    }
    if (chunked) {
        request.setChunkedTransferEncoding(true);
    } else if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    if (authorization_) {
        request.set("Authorization", *authorization_);
    }
    for (const auto& [name, value] : extraHeaders) {
        request.set(name, value);  // replaces the default Authorization
    }
    std::ostream& out = session.sendRequest(request);
    out << body;

    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    HttpResponse result;
    result.status = static_cast<int>(response.getStatus());
    result.reason = response.getReason();
    for (const auto& [name, value] : response) {
        result.headers.emplace_back(name, value);
    }
    std::ostringstream bodyStream;
    Poco::StreamCopier::copyStream(in, bodyStream);
    result.body = bodyStream.str();
    return result;
}

HttpResponse HttpClient::get(const std::string& path, const Headers& extraHeaders) const {
    return send("GET", path, "", "", extraHeaders);
}

HttpResponse HttpClient::postJson(const std::string& path, const std::string& json,
                                  const Headers& extraHeaders) const {
    return send("POST", path, json, "application/json", extraHeaders);
}

}  // namespace appreg::test
