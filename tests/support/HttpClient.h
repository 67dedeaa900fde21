#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace appreg::test {

/// An HTTP response as a client sees it.
struct HttpResponse {
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    /// The first header with this name (case-insensitive), or "".
    std::string header(const std::string& name) const;
    bool hasHeader(const std::string& name) const;
    /// One line for assertion messages.
    std::string describe() const;
};

/// A tiny HTTP/1.1 client (Poco::Net::HTTPClientSession) to 127.0.0.1:port, one connection per request.
/// Redirects are returned, never followed. Every request carries `Authorization` with the test superuser's
/// Basic credentials unless told otherwise (setAuthorization, or an Authorization in a request's
/// extraHeaders, which wins).
class HttpClient {
public:
    using Headers = std::vector<std::pair<std::string, std::string>>;

    explicit HttpClient(int port, std::chrono::milliseconds timeout = std::chrono::seconds(10));

    /// Sends one request. Content-Type is set only when `contentType` is not empty; Content-Length whenever
    /// there is a body (or the method is POST/PUT/PATCH), unless `chunked`, which sends the body with
    /// Transfer-Encoding: chunked instead. Throws Poco::Exception on connection errors.
    HttpResponse send(const std::string& method, const std::string& path, const std::string& body = "",
                      const std::string& contentType = "", const Headers& extraHeaders = {},
                      bool chunked = false) const;

    /// The `Authorization` of every request: TestSuperuser::authorization() until changed; std::nullopt sends
    /// none (an anonymous client).
    void setAuthorization(std::optional<std::string> value) { authorization_ = std::move(value); }

    HttpResponse get(const std::string& path, const Headers& extraHeaders = {}) const;
    HttpResponse postJson(const std::string& path, const std::string& json,
                          const Headers& extraHeaders = {}) const;

private:
    int port_;
    std::chrono::milliseconds timeout_;
    std::optional<std::string> authorization_;
};

}  // namespace appreg::test
