#pragma once

#include "UniqueFd.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace appreg::test {

/// What the worker answered to one FastCGI request, with its CGI output already split into status, headers
/// and body.
struct FcgiResponse {
    int status = 0;  ///< from "Status: 201 Created"; 200 when the worker sent no Status header (CGI rule)
    std::string statusLine;  ///< the value of the Status header, e.g. "201 Created"
    std::vector<std::pair<std::string, std::string>> headers;  ///< in the order sent, without Status
    std::string body;
    std::string stdoutRaw;   ///< everything received on FCGI_STDOUT
    std::string stderrText;  ///< everything received on FCGI_STDERR
    bool ended = false;      ///< FCGI_END_REQUEST was received
    std::uint32_t appStatus = 0;
    std::uint8_t protocolStatus = 0;
    std::string
        transportError;  ///< why the exchange stopped early (timeout, connection closed, ...); empty if ended

    /// The first header with this name (case-insensitive), or "" when absent.
    std::string header(const std::string& name) const;
    bool hasHeader(const std::string& name) const;
    /// How many headers carry this name (case-insensitive).
    std::size_t headerCount(const std::string& name) const;
    /// One line for assertion messages: status, headers and (shortened) body, or the transport error.
    std::string describe() const;
};

/// A small FastCGI client in the responder role (request id 1, no connection reuse), as a front server would
/// be, over a unix socket ("/path", "unix:/path") or TCP ("host:port"). Besides whole requests it offers the
/// record encoders and a raw connection, so hostile-client tests can send truncated or partial streams.
class FcgiClient {
public:
    using Params = std::vector<std::pair<std::string, std::string>>;

    enum RecordType : std::uint8_t {
        kBeginRequest = 1,
        kAbortRequest = 2,
        kEndRequest = 3,
        kParams = 4,
        kStdin = 5,
        kStdout = 6,
        kStderr = 7,
    };

    explicit FcgiClient(std::string address);

    /// Sends BEGIN_REQUEST, PARAMS (+ the empty PARAMS), STDIN in chunks of at most 65535 bytes (+ the empty
    /// STDIN) and reads STDOUT/STDERR until END_REQUEST, the connection closes or `timeout` passes. It keeps
    /// reading while it writes, so a worker that answers (e.g. 413) before consuming the whole body is seen
    /// as such.
    FcgiResponse request(const Params& params, const std::string& body,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    /// Sends exactly `bytes` on a new connection (then half-closes when `closeWrite`), and reads the answer.
    FcgiResponse requestRaw(const std::string& bytes, bool closeWrite = false,
                            std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

    /// A connected socket (blocking, close-on-exec). Throws std::runtime_error when the connection fails.
    UniqueFd connectRaw() const;

    /// Writes all of `bytes` to a connected socket (no SIGPIPE; waits at most 10 s for room); false when the
    /// peer is gone.
    static bool writeAll(int fd, const std::string& bytes);

    /// Reads records from a connected socket until END_REQUEST, end of stream or the deadline.
    static FcgiResponse readResponse(int fd, std::chrono::milliseconds timeout);

    /// One record per ≤ 65535-byte chunk of `content`, each padded to a multiple of 8; an empty content gives
    /// one empty record (the stream terminator).
    static std::string record(std::uint8_t type, const std::string& content, std::uint16_t requestId = 1);
    /// A record header claiming `contentLength` bytes, for tests that then send fewer.
    static std::string recordHeader(std::uint8_t type, std::uint16_t contentLength, std::uint8_t padding = 0,
                                    std::uint16_t requestId = 1);
    /// BEGIN_REQUEST for the responder role.
    static std::string beginRequest(std::uint16_t requestId = 1, bool keepConnection = false);
    /// The name-value pairs of a PARAMS stream (1- or 4-byte lengths), without record framing.
    static std::string encodeParams(const Params& params);
    /// Splits CGI output ("Status: ...\r\nHeader: v\r\n\r\nbody") into `response`.
    static void parseCgiOutput(FcgiResponse& response);

    /// The params lighttpd would send for this request: REQUEST_METHOD, REQUEST_URI, QUERY_STRING (after
    /// '?'), SCRIPT_NAME, PATH_INFO, CONTENT_TYPE and CONTENT_LENGTH (only when there is a body or a type),
    /// SERVER_PROTOCOL, SERVER_NAME, SERVER_PORT, SERVER_SOFTWARE, GATEWAY_INTERFACE, REMOTE_ADDR,
    /// REMOTE_PORT, and HTTP_AUTHORIZATION with the test superuser's Basic credentials
    /// (TestSuperuser::authorization()). An anonymous request: removeParam(params, kAuthorization); other
    /// credentials: setParam(params, kAuthorization, TestSuperuser::basic(user, password)).
    static Params standardParams(const std::string& method, const std::string& uri,
                                 const std::string& contentType = "", const std::string& body = "");
    /// Replaces (or adds) a param.
    static void setParam(Params& params, const std::string& name, const std::string& value);
    /// Removes a param.
    static void removeParam(Params& params, const std::string& name);

    /// The param that carries the client's `Authorization` header.
    static constexpr const char* kAuthorization = "HTTP_AUTHORIZATION";

private:
    std::string address_;
};

}  // namespace appreg::test
