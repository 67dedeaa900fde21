#include "appreg/fcgi/ListenSocket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <Poco/Logger.h>

namespace appreg::fcgi {

namespace {

std::string errnoText(int err) { return std::strerror(err); }

bool isListeningSocket(int fd) {
    int accepting = 0;
    socklen_t len = sizeof accepting;
    return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) == 0 && accepting == 1;
}

bool fillUnixAddress(const std::string& path, sockaddr_un& addr) {
    std::memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof addr.sun_path) return false;
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    return true;
}

}  // namespace

ListenSocket::ListenSocket(const std::string& listen, int backlog, const std::string& group) {
    if (listen.empty()) {
        openInherited();
    } else if (listen.compare(0, 5, "unix:") == 0) {
        openUnix(listen.substr(5), backlog, group);
    } else {
        openTcp(listen, backlog);
    }
    // Non-blocking, so that a thread that lost the race for a connection gets EAGAIN back from accept()
    // instead of blocking where it cannot see the shutdown signal. Accepted connections do not inherit it.
    int flags = fcntl(_fd, F_GETFL);
    if (flags < 0 || fcntl(_fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        throw ListenError(1, "cannot make the listening socket non-blocking: " + errnoText(errno));
    }
}

ListenSocket::~ListenSocket() {
    if (!_owned || _fd < 0) return;
    // Unlink only the socket file this process created (another worker may have replaced a stale one since).
    struct stat byFd {}, byPath {};
    bool same = !_unixPath.empty() && fstat(_fd, &byFd) == 0 && stat(_unixPath.c_str(), &byPath) == 0 &&
                byFd.st_ino == byPath.st_ino && byFd.st_dev == byPath.st_dev;
    close(_fd);
    if (same) unlink(_unixPath.c_str());
}

void ListenSocket::openInherited() {
    const char* fds = std::getenv("LISTEN_FDS");
    const char* pid = std::getenv("LISTEN_PID");
    if (fds && pid && std::atoi(fds) >= 1 && std::atol(pid) == static_cast<long>(getpid())) {
        if (!isListeningSocket(3)) throw ListenError(2, "LISTEN_FDS is set but fd 3 is not a listening socket");
        _fd = 3;
        _description = "inherited fd 3 (LISTEN_FDS)";
        return;
    }
    if (!isListeningSocket(0)) {
        throw ListenError(2,
                          "no listening socket: standard input is not a listening socket and --listen was not "
                          "given. Start appreg-fcgi from spawn-fcgi, mod_fcgid, systemd (StandardInput=socket) "
                          "or with --listen unix:PATH");
    }
    _fd = 0;
    _description = "inherited fd 0";
}

void ListenSocket::openUnix(const std::string& path, int backlog, const std::string& group) {
    sockaddr_un addr;
    if (!fillUnixAddress(path, addr)) throw ListenError(1, "unix socket path is empty or too long: " + path);

    struct stat st {};
    if (lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) throw ListenError(1, path + " exists and is not a socket; refusing to replace it");
        int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int rc = probe < 0 ? -1 : connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        int err = errno;
        if (probe >= 0) close(probe);
        if (rc == 0) throw ListenError(1, "another worker is serving " + path + "; refusing to replace its socket");
        if (err != ECONNREFUSED) throw ListenError(1, "cannot check the existing socket " + path + ": " + errnoText(err));
        if (unlink(path.c_str()) != 0) throw ListenError(1, "cannot remove the stale socket " + path + ": " + errnoText(errno));
    }

    _fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (_fd < 0) throw ListenError(1, "socket(): " + errnoText(errno));
    mode_t old = umask(0117);  // the socket file is born 0660: no window in which others may connect
    int rc = bind(_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    int err = errno;
    umask(old);
    if (rc != 0) throw ListenError(1, "cannot bind " + path + ": " + errnoText(err));
    _owned = true;
    _unixPath = path;
    if (chmod(path.c_str(), 0660) != 0) throw ListenError(1, "chmod " + path + ": " + errnoText(errno));
    if (!group.empty()) {
        struct group* g = getgrnam(group.c_str());
        if (!g) throw ListenError(1, "listen.group: no such group: " + group);
        if (chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0) {
            throw ListenError(1, "cannot give " + path + " to group " + group + ": " + errnoText(errno));
        }
    }
    if (::listen(_fd, backlog) != 0) throw ListenError(1, "listen on " + path + ": " + errnoText(errno));
    _description = "unix:" + path;
}

void ListenSocket::openTcp(const std::string& hostPort, int backlog) {
    auto colon = hostPort.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == hostPort.size()) {
        throw ListenError(1, "--listen wants unix:PATH or HOST:PORT with an explicit host (e.g. 127.0.0.1:9000), got: " +
                                 hostPort);
    }
    std::string host = hostPort.substr(0, colon);
    std::string port = hostPort.substr(colon + 1);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* res = nullptr;
    int gai = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
    if (gai != 0) throw ListenError(1, "cannot resolve " + hostPort + ": " + gai_strerror(gai));
    std::string lastError = "no address";
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, backlog) == 0) {
            bool loopback = (ai->ai_family == AF_INET &&
                             (ntohl(reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr.s_addr) >> 24) == 127) ||
                            (ai->ai_family == AF_INET6 &&
                             IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr));
            if (!loopback) {
                Poco::Logger::get("appreg").warning(
                    "FastCGI is listening on %s, which is not a loopback address: anyone who reaches it can send "
                    "raw FastCGI records. Prefer a unix socket.",
                    hostPort);
            }
            _fd = fd;
            break;
        }
        lastError = errnoText(errno);
        close(fd);
    }
    freeaddrinfo(res);
    if (_fd < 0) throw ListenError(1, "cannot listen on " + hostPort + ": " + lastError);
    _owned = true;
    _description = hostPort;
}

}  // namespace appreg::fcgi
