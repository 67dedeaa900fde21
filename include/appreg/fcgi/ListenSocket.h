#pragma once

#include <stdexcept>
#include <string>

namespace appreg::fcgi {

/// The worker cannot start listening; `exitCode` is what main returns (2: no listening socket at all).
class ListenError : public std::runtime_error {
public:
    ListenError(int exitCode, const std::string& message)
        : std::runtime_error(message), _exitCode(exitCode) {}
    int exitCode() const { return _exitCode; }

private:
    int _exitCode;
};

/// The FastCGI listening socket. Either inherited (fd 0 from spawn-fcgi, cgi-fcgi -start, mod_fcgid or
/// systemd's StandardInput=socket; fd 3 when LISTEN_FDS/LISTEN_PID name this process), or created from
/// `unix:PATH` (mode 0660, optional group; an existing socket is replaced only if no live worker answers on
/// it) or `HOST:PORT` (TCP). A socket the worker created is closed and unlinked on destruction; an inherited
/// one is left intact for its owner (systemd keeps it for the next start).
class ListenSocket {
public:
    /// Throws ListenError.
    ListenSocket(const std::string& listen, int backlog, const std::string& group);
    ~ListenSocket();
    ListenSocket(const ListenSocket&) = delete;
    ListenSocket& operator=(const ListenSocket&) = delete;

    int fd() const { return _fd; }
    /// Human description for the start-up log line ("unix:/run/appreg/appreg.sock", "inherited fd 0").
    const std::string& description() const { return _description; }

private:
    int _fd = -1;
    bool _owned = false;
    std::string _unixPath;
    std::string _description;

    void openInherited();
    void openUnix(const std::string& path, int backlog, const std::string& group);
    void openTcp(const std::string& hostPort, int backlog);
};

}  // namespace appreg::fcgi
