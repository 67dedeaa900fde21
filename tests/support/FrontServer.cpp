#include "FrontServer.h"

#include "ApacheProcess.h"
#include "LighttpdFrontServer.h"
#include "NginxProcess.h"
#include "UniqueFd.h"

#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace appreg::test {

bool FrontServer::runningAsRoot() { return ::geteuid() == 0; }

std::string FrontServer::serverUser() {
    if (runningAsRoot()) {
        return "www-data";
    }
    const passwd* entry = ::getpwuid(::geteuid());
    if (entry == nullptr) {
        throw std::runtime_error("the current user (uid " + std::to_string(::geteuid()) + ") has no name");
    }
    return entry->pw_name;
}

std::string FrontServer::serverGroup() {
    if (runningAsRoot()) {
        return "www-data";
    }
    const group* entry = ::getgrgid(::getegid());
    if (entry == nullptr) {
        throw std::runtime_error("the current group (gid " + std::to_string(::getegid()) + ") has no name");
    }
    return entry->gr_name;
}

bool FrontServer::portAcceptsConnections(int port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return fd.valid() &&
           ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

void FrontServer::waitForPort(ChildProcess& process, int port, std::chrono::milliseconds timeout,
                              const std::string& what, const std::function<std::string()>& logs) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::milliseconds(1);
    while (!portAcceptsConnections(port)) {
        if (auto status = process.waitFor(pause)) {
            throw std::runtime_error(what + " exited during startup: " + status->describe() +
                                     "\n--- its log ---\n" + logs() + "--- end ---");
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error(
                what + " did not accept connections on 127.0.0.1:" + std::to_string(port) + " within " +
                std::to_string(timeout.count()) + " ms\n--- its log ---\n" + logs() + "--- end ---");
        }
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
}

void FrontServer::requireExecutable(const std::string& path, const std::string& what,
                                    const std::string& package) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode) || ::access(path.c_str(), R_OK) != 0) {
        throw std::runtime_error(what + " is required by this test but " + path + " is missing (" +
                                 std::strerror(errno) + "); install it with: apt-get install " + package +
                                 " (scripts/install-deps.sh --test does)");
    }
}

void FrontServer::requireReachableBy(const std::string& path, const std::string& user, bool executable) {
    const passwd* entry = ::getpwnam(user.c_str());
    if (entry == nullptr) {
        throw std::runtime_error("user " + user + " does not exist");
    }
    const uid_t uid = entry->pw_uid;
    const gid_t gid = entry->pw_gid;
    std::string prefix;
    std::size_t position = 0;
    while (position != std::string::npos) {
        const std::size_t next = path.find('/', position + 1);
        prefix = path.substr(0, next);
        if (prefix.empty()) {
            prefix = "/";
        }
        struct stat info {};
        if (::stat(prefix.c_str(), &info) != 0) {
            throw std::runtime_error("stat " + prefix + ": " + std::strerror(errno));
        }
        const bool last = next == std::string::npos;
        const bool wantRead = last && !executable;
        const mode_t other = wantRead ? S_IROTH : S_IXOTH;
        const mode_t owner = wantRead ? S_IRUSR : S_IXUSR;
        const mode_t group = wantRead ? S_IRGRP : S_IXGRP;
        const bool allowed = uid == 0 || (info.st_mode & other) != 0 ||
                             (info.st_uid == uid && (info.st_mode & owner) != 0) ||
                             (info.st_gid == gid && (info.st_mode & group) != 0);
        if (!allowed) {
            throw std::runtime_error(user + " cannot " + (wantRead ? "read " : "reach ") + path + ": " +
                                     prefix + " lacks the " + (wantRead ? "r" : "x") +
                                     " permission for it (the server runs "
                                     "the worker as " +
                                     user + ")");
        }
        position = next;
    }
}

std::string FrontServer::executableFor(const std::string& path, const std::string& user, const TempDir& dir) {
    try {
        requireReachableBy(path, user, true);
        return path;
    } catch (const std::runtime_error&) {
        const std::string copy = dir.file(std::filesystem::path(path).filename().string());
        std::filesystem::copy_file(path, copy, std::filesystem::copy_options::overwrite_existing);
        ::chmod(copy.c_str(), 0755);
        return copy;
    }
}

void FrontServer::makeDirectory(const std::string& path, const std::string& owner) {
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
        throw std::runtime_error("mkdir " + path + ": " + std::strerror(errno));
    }
    if (!owner.empty()) {
        changeOwner(path, owner);
    }
}

void FrontServer::changeOwner(const std::string& path, const std::string& owner) {
    if (!runningAsRoot()) {
        return;
    }
    const passwd* entry = ::getpwnam(owner.c_str());
    if (entry == nullptr || ::chown(path.c_str(), entry->pw_uid, entry->pw_gid) != 0) {
        throw std::runtime_error("chown " + owner + " " + path + " failed");
    }
}

std::unique_ptr<FrontServer> makeFrontServer(FrontServerKind kind, const TempDir& dir,
                                             const FrontServerBackend& backend) {
    switch (kind) {
        case FrontServerKind::kLighttpd:
            return std::make_unique<LighttpdFrontServer>(dir, backend.socketPath);
        case FrontServerKind::kApacheProxyFcgi:
            return std::make_unique<ApacheProcess>(dir, ApacheProcess::Mode::kProxyFcgi, backend);
        case FrontServerKind::kApacheFcgid:
            return std::make_unique<ApacheProcess>(dir, ApacheProcess::Mode::kFcgid, backend);
        case FrontServerKind::kNginx:
            return std::make_unique<NginxProcess>(dir, backend.socketPath);
    }
    throw std::logic_error("unknown front server kind");
}

}  // namespace appreg::test
