#include "FcgiClient.h"

#include "TestSuperuser.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace appreg::test {

namespace {

constexpr std::size_t kMaxRecordContent = 65535;
constexpr std::uint8_t kVersion = 1;
constexpr std::uint16_t kRoleResponder = 1;

bool equalsIgnoreCase(const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string trim(const std::string& s) {
    const auto begin = s.find_first_not_of(" \t");
    if (begin == std::string::npos) {
        return {};
    }
    const auto end = s.find_last_not_of(" \t\r");
    return s.substr(begin, end - begin + 1);
}

void appendLength(std::string& out, std::size_t length) {
    if (length < 128) {
        out.push_back(static_cast<char>(length));
        return;
    }
    out.push_back(static_cast<char>(((length >> 24) & 0x7f) | 0x80));
    out.push_back(static_cast<char>((length >> 16) & 0xff));
    out.push_back(static_cast<char>((length >> 8) & 0xff));
    out.push_back(static_cast<char>(length & 0xff));
}

int remainingMs(std::chrono::steady_clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count();
    return left > 0 ? static_cast<int>(left) : 0;
}

// Consumes the complete records at the front of `buffer`; returns true once END_REQUEST was seen.
bool consumeRecords(std::string& buffer, FcgiResponse& response) {
    std::size_t offset = 0;
    bool ended = false;
    while (!ended && buffer.size() - offset >= 8) {
        const auto* header = reinterpret_cast<const unsigned char*>(buffer.data() + offset);
        const std::uint8_t type = header[1];
        const std::size_t contentLength = (static_cast<std::size_t>(header[4]) << 8) | header[5];
        const std::size_t padding = header[6];
        if (buffer.size() - offset < 8 + contentLength + padding) {
            break;
        }
        const std::string content = buffer.substr(offset + 8, contentLength);
        switch (type) {
            case FcgiClient::kStdout:
                response.stdoutRaw += content;
                break;
            case FcgiClient::kStderr:
                response.stderrText += content;
                break;
            case FcgiClient::kEndRequest:
                if (content.size() >= 5) {
                    const auto* c = reinterpret_cast<const unsigned char*>(content.data());
                    response.appStatus = (static_cast<std::uint32_t>(c[0]) << 24) |
                                         (static_cast<std::uint32_t>(c[1]) << 16) |
                                         (static_cast<std::uint32_t>(c[2]) << 8) | c[3];
                    response.protocolStatus = c[4];
                }
                ended = true;
                break;
            default:
                break;
        }
        offset += 8 + contentLength + padding;
    }
    buffer.erase(0, offset);
    return ended;
}

// Writes `out` while reading the answer, until END_REQUEST, end of stream or the deadline.
FcgiResponse exchange(int fd, const std::string& out, bool closeWrite, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    FcgiResponse response;
    std::size_t written = 0;
    bool writing = !out.empty();
    bool halfClosed = false;
    std::string buffer;
    for (;;) {
        if (!writing && closeWrite && !halfClosed) {
            ::shutdown(fd, SHUT_WR);
            halfClosed = true;
        }
        const int waitMs = remainingMs(deadline);
        if (waitMs == 0) {
            response.transportError = "timed out after " + std::to_string(timeout.count()) + " ms";
            break;
        }
        pollfd pfd{fd, static_cast<short>(POLLIN | (writing ? POLLOUT : 0)), 0};
        const int ready = ::poll(&pfd, 1, waitMs);
        if (ready < 0 && errno != EINTR) {
            response.transportError = std::string("poll: ") + std::strerror(errno);
            break;
        }
        if (ready <= 0) {
            continue;
        }
        if (writing && (pfd.revents & POLLOUT) != 0) {
            const ssize_t n = ::send(fd, out.data() + written, out.size() - written, MSG_NOSIGNAL);
            if (n > 0) {
                written += static_cast<std::size_t>(n);
                writing = written < out.size();
            } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
                // The worker stopped reading and closed (e.g. it answered 413 early): read what it sent.
                writing = false;
            }
        }
        if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            char chunk[65536];
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n > 0) {
                buffer.append(chunk, static_cast<std::size_t>(n));
                if (consumeRecords(buffer, response)) {
                    response.ended = true;
                    break;
                }
            } else if (n == 0) {
                response.transportError = "connection closed before FCGI_END_REQUEST";
                break;
            } else if (errno != EAGAIN && errno != EINTR) {
                response.transportError = std::string("recv: ") + std::strerror(errno);
                break;
            }
        }
    }
    FcgiClient::parseCgiOutput(response);
    return response;
}

}  // namespace

std::string FcgiResponse::header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
        if (equalsIgnoreCase(key, name)) {
            return value;
        }
    }
    return {};
}

bool FcgiResponse::hasHeader(const std::string& name) const { return headerCount(name) > 0; }

std::size_t FcgiResponse::headerCount(const std::string& name) const {
    return static_cast<std::size_t>(std::count_if(headers.begin(), headers.end(), [&](const auto& header) {
        return equalsIgnoreCase(header.first, name);
    }));
}

std::string FcgiResponse::describe() const {
    std::string text = "[FastCGI response: status " + std::to_string(status);
    if (!ended) {
        text += ", NOT ENDED (" + transportError + ")";
    }
    text += ", headers {";
    for (const auto& [key, value] : headers) {
        text += key + ": " + value + "; ";
    }
    text += "}, body " + (body.size() > 2000 ? body.substr(0, 2000) + "..." : body);
    if (!stderrText.empty()) {
        text += ", stderr " + stderrText.substr(0, 500);
    }
    return text + "]";
}

FcgiClient::FcgiClient(std::string address) : address_(std::move(address)) {}

UniqueFd FcgiClient::connectRaw() const {
    std::string path = address_;
    if (path.rfind("unix:", 0) == 0) {
        path = path.substr(5);
    }
    if (!path.empty() && path[0] == '/') {
        UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (!fd.valid()) {
            throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
        }
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (path.size() >= sizeof address.sun_path) {
            throw std::runtime_error("unix socket path too long: " + path);
        }
        std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
        if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
            throw std::runtime_error("connect(" + path + "): " + std::strerror(errno));
        }
        return fd;
    }
    const auto colon = address_.rfind(':');
    if (colon == std::string::npos) {
        throw std::invalid_argument("FcgiClient: address is neither a socket path nor host:port: " +
                                    address_);
    }
    const std::string host = address_.substr(0, colon);
    const std::string port = address_.substr(colon + 1);
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
        throw std::runtime_error("getaddrinfo(" + address_ + "): " + ::gai_strerror(rc));
    }
    std::string lastError = "no address";
    for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
        UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
        if (fd.valid() && ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0) {
            ::freeaddrinfo(found);
            return fd;
        }
        lastError = std::strerror(errno);
    }
    ::freeaddrinfo(found);
    throw std::runtime_error("connect(" + address_ + "): " + lastError);
}

FcgiResponse FcgiClient::request(const Params& params, const std::string& body,
                                 std::chrono::milliseconds timeout) const {
    std::string bytes = beginRequest();
    bytes += record(kParams, encodeParams(params));
    bytes += record(kParams, "");
    if (!body.empty()) {
        bytes += record(kStdin, body);
    }
    bytes += record(kStdin, "");
    UniqueFd fd = connectRaw();
    return exchange(fd.get(), bytes, false, timeout);
}

FcgiResponse FcgiClient::requestRaw(const std::string& bytes, bool closeWrite,
                                    std::chrono::milliseconds timeout) const {
    UniqueFd fd = connectRaw();
    return exchange(fd.get(), bytes, closeWrite, timeout);
}

bool FcgiClient::writeAll(int fd, const std::string& bytes) {
    std::size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + written, bytes.size() - written, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            // The socket may be non-blocking after readResponse(): wait (bounded) until it takes more.
            pollfd pfd{fd, POLLOUT, 0};
            if ((errno == EAGAIN || errno == EWOULDBLOCK) && ::poll(&pfd, 1, 10000) > 0) {
                continue;
            }
            return false;
        }
        written += static_cast<std::size_t>(n);
    }
    return true;
}

FcgiResponse FcgiClient::readResponse(int fd, std::chrono::milliseconds timeout) {
    return exchange(fd, "", false, timeout);
}

std::string FcgiClient::recordHeader(std::uint8_t type, std::uint16_t contentLength, std::uint8_t padding,
                                     std::uint16_t requestId) {
    std::string header(8, '\0');
    header[0] = static_cast<char>(kVersion);
    header[1] = static_cast<char>(type);
    header[2] = static_cast<char>(requestId >> 8);
    header[3] = static_cast<char>(requestId & 0xff);
    header[4] = static_cast<char>(contentLength >> 8);
    header[5] = static_cast<char>(contentLength & 0xff);
    header[6] = static_cast<char>(padding);
    return header;
}

std::string FcgiClient::record(std::uint8_t type, const std::string& content, std::uint16_t requestId) {
    if (content.empty()) {
        return recordHeader(type, 0, 0, requestId);
    }
    std::string out;
    for (std::size_t offset = 0; offset < content.size(); offset += kMaxRecordContent) {
        const std::size_t length = std::min(kMaxRecordContent, content.size() - offset);
        const auto padding = static_cast<std::uint8_t>((8 - length % 8) % 8);
        out += recordHeader(type, static_cast<std::uint16_t>(length), padding, requestId);
        out.append(content, offset, length);
        out.append(padding, '\0');
    }
    return out;
}

std::string FcgiClient::beginRequest(std::uint16_t requestId, bool keepConnection) {
    std::string body(8, '\0');
    body[0] = static_cast<char>(kRoleResponder >> 8);
    body[1] = static_cast<char>(kRoleResponder & 0xff);
    body[2] = static_cast<char>(keepConnection ? 1 : 0);
    return record(kBeginRequest, body, requestId);
}

std::string FcgiClient::encodeParams(const Params& params) {
    std::string out;
    for (const auto& [name, value] : params) {
        appendLength(out, name.size());
        appendLength(out, value.size());
        out += name;
        out += value;
    }
    return out;
}

void FcgiClient::parseCgiOutput(FcgiResponse& response) {
    const std::string& raw = response.stdoutRaw;
    std::size_t headerEnd = raw.find("\r\n\r\n");
    std::size_t bodyStart = headerEnd + 4;
    const std::size_t lfOnly = raw.find("\n\n");
    if (headerEnd == std::string::npos || (lfOnly != std::string::npos && lfOnly < headerEnd)) {
        headerEnd = lfOnly;
        bodyStart = lfOnly + 2;
    }
    if (headerEnd == std::string::npos) {
        // No complete header block: nothing a front server could forward.
        response.body.clear();
        return;
    }
    response.status = 200;
    std::size_t lineStart = 0;
    while (lineStart < headerEnd) {
        std::size_t lineEnd = raw.find('\n', lineStart);
        if (lineEnd == std::string::npos || lineEnd > headerEnd) {
            lineEnd = headerEnd;
        }
        std::string line = raw.substr(lineStart, lineEnd - lineStart);
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        lineStart = lineEnd + 1;
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        const std::string name = line.substr(0, colon);
        const std::string value = trim(line.substr(colon + 1));
        if (equalsIgnoreCase(name, "Status")) {
            response.statusLine = value;
            response.status = std::atoi(value.c_str());
        } else {
            response.headers.emplace_back(name, value);
        }
    }
    response.body = raw.substr(bodyStart);
}

FcgiClient::Params FcgiClient::standardParams(const std::string& method, const std::string& uri,
                                              const std::string& contentType, const std::string& body) {
    const auto question = uri.find('?');
    const std::string path = uri.substr(0, question);
    const std::string query = question == std::string::npos ? "" : uri.substr(question + 1);
    // lighttpd with fastcgi.server = ("/api" => ...) splits the path like this.
    const bool underApi = path.rfind("/api", 0) == 0;
    Params params = {
        {"GATEWAY_INTERFACE", "CGI/1.1"},
        {"SERVER_SOFTWARE", "appreg-tests"},
        {"SERVER_PROTOCOL", "HTTP/1.1"},
        {"SERVER_NAME", "localhost"},
        {"SERVER_ADDR", "127.0.0.1"},
        {"SERVER_PORT", "8080"},
        {"REMOTE_ADDR", "127.0.0.1"},
        {"REMOTE_PORT", "54321"},
        {"REQUEST_METHOD", method},
        {"REQUEST_URI", uri},
        {"QUERY_STRING", query},
        {"SCRIPT_NAME", underApi ? "/api" : ""},
        {"PATH_INFO", underApi ? path.substr(4) : path},
        {"HTTP_HOST", "localhost:8080"},
        {"HTTP_ACCEPT", "application/json"},
        {kAuthorization, TestSuperuser::authorization()},
    };
    if (!contentType.empty()) {
        params.emplace_back("CONTENT_TYPE", contentType);
    }
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        params.emplace_back("CONTENT_LENGTH", std::to_string(body.size()));
    }
    return params;
}

void FcgiClient::setParam(Params& params, const std::string& name, const std::string& value) {
    for (auto& [key, current] : params) {
        if (key == name) {
            current = value;
            return;
        }
    }
    params.emplace_back(name, value);
}

void FcgiClient::removeParam(Params& params, const std::string& name) {
    params.erase(std::remove_if(params.begin(), params.end(), [&](const auto& p) { return p.first == name; }),
                 params.end());
}

}  // namespace appreg::test
