#include "WorkerProcess.h"

#include "FcgiClient.h"
#include "SystemdUnit.h"
#include "TestSuperuser.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef APPREG_FCGI_BINARY
#error "APPREG_FCGI_BINARY must name the worker binary under test"
#endif

namespace appreg::test {

namespace {

bool acceptsConnections(const std::string& socketPath) {
    try {
        FcgiClient(socketPath).connectRaw();
        return true;
    } catch (const std::runtime_error&) {
        return false;
    }
}

/// What systemd/appreg.service's Environment= lines give the worker (glibc's malloc setting), so that the
/// tests run the worker as it is deployed: the soak test's memory bounds, for one, are about that setting.
const std::vector<std::string>& deployedEnvironment() {
    static const std::vector<std::string> environment =
        SystemdUnit::load(std::string(APPREG_SOURCE_DIR) + "/systemd/appreg.service").environment();
    return environment;
}

}  // namespace

WorkerProcess::WorkerProcess(const TempDir& dir, int threads, Superuser superuser,
                             ScratchDatabase::Engine engine)
    : dir_(dir),
      threads_(threads),
      superuserPending_(superuser == Superuser::kCreate),
      database_(dir.file("appreg.db"), engine),
      databasePath_(database_.location()),
      socketPath_(dir.file("appreg.sock")),
      logPath_(dir.file("worker.log")) {}

WorkerProcess::~WorkerProcess() {
    // SIGTERM first, so a test that forgot to stop it still gets a clean shutdown; ChildProcess's own
    // destructor SIGKILLs and reaps whatever is left.
    try {
        if (process_.pid() > 0) {
            process_.terminate(std::chrono::seconds(5));
        }
    } catch (const std::exception&) {
    }
}

std::string WorkerProcess::binary() {
    // scripts/test.sh runs the integration suites of build/ against the ThreadSanitizer build of the worker
    // this way, instead of compiling every test a third time.
    if (const char* other = std::getenv("APPREG_TEST_WORKER_BINARY"); other != nullptr && *other != '\0') {
        return other;
    }
    return APPREG_FCGI_BINARY;
}

void WorkerProcess::spawn(const std::vector<std::string>& extraArgs, Listen listen) {
    if (process_.pid() > 0 && process_.running()) {
        throw std::logic_error("WorkerProcess: already running");
    }
    if (superuserPending_) {
        TestSuperuser::create(dir_, databasePath_);
        superuserPending_ = false;
    }
    ChildProcess::Spec spec;
    spec.argv = {binary(), "--db", databasePath_};
    if (listen == Listen::kArgument) {
        spec.argv.insert(spec.argv.end(), {"--listen", listenAddress()});
    }
    spec.argv.insert(spec.argv.end(), {"--threads", std::to_string(threads_)});
    if (std::find(extraArgs.begin(), extraArgs.end(), "--config") == extraArgs.end()) {
        // Cheap hashes for what the worker hashes itself: passwords set through the API, and the stand-in
        // hash an unknown username costs (auth.password_iterations; 600 000 by default, seconds under ASan).
        spec.argv.insert(spec.argv.end(), {"--config", TestSuperuser::configFile(dir_)});
    }
    spec.argv.insert(spec.argv.end(), extraArgs.begin(), extraArgs.end());
    spec.stdoutPath = logPath_;
    spec.stderrPath = logPath_;
    spec.environment = {"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"};  // never the test runner's own
    if (listen != Listen::kArgument) {
        if (!inheritedSocket_.valid()) {
            inheritedSocket_ = createListeningSocket(socketPath_);
        }
        if (listen == Listen::kInheritFd0) {
            spec.passFds = {{inheritedSocket_.get(), 0}};
        } else {
            spec.passFds = {{inheritedSocket_.get(), 3}};
            spec.environment = {"LISTEN_FDS=1", "LISTEN_FDNAMES=appreg.socket"};
            spec.setListenPid = true;
        }
    }
    const auto& deployed = deployedEnvironment();
    spec.environment.insert(spec.environment.end(), deployed.begin(), deployed.end());
    process_ = ChildProcess(spec);
}

void WorkerProcess::start(const std::vector<std::string>& extraArgs, Listen listen,
                          std::chrono::milliseconds timeout) {
    spawn(extraArgs, listen);
    if (listen == Listen::kArgument) {
        waitUntilListening(timeout);
        return;
    }
    // The socket was listening before the worker existed, so only an answer proves the worker serves it.
    FcgiResponse ping =
        FcgiClient(socketPath_).request(FcgiClient::standardParams("GET", "/api/v2/ping/"), "", timeout);
    if (!ping.ended) {
        throw std::runtime_error(
            failureReport("did not answer a ping on its inherited socket (" + ping.transportError + ")"));
    }
}

void WorkerProcess::waitUntilListening(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::milliseconds(1);
    for (;;) {
        if (acceptsConnections(socketPath_)) {
            return;
        }
        // Returns at once (with the status) if the worker died, e.g. on a bad option.
        if (auto status = process_.waitFor(pause)) {
            throw std::runtime_error(failureReport("exited before listening: " + status->describe()));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error(failureReport("was not listening on " + socketPath_ + " after " +
                                                   std::to_string(timeout.count()) + " ms"));
        }
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
}

WorkerProcess::StopResult WorkerProcess::stop(std::chrono::milliseconds grace) {
    StopResult result;
    const auto begin = std::chrono::steady_clock::now();
    result.status = process_.terminate(grace, &result.killed);
    result.elapsedMs = static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin)
            .count());
    return result;
}

ExitStatus WorkerProcess::kill() {
    process_.signal(SIGKILL);
    if (auto status = process_.waitFor(std::chrono::seconds(10))) {
        return *status;
    }
    throw std::runtime_error("worker survived SIGKILL");
}

std::optional<ExitStatus> WorkerProcess::waitForExit(std::chrono::milliseconds timeout) {
    return process_.waitFor(timeout);
}

bool WorkerProcess::running() { return process_.running(); }

int WorkerProcess::openSockets() const {
    int sockets = 0;
    std::error_code error;
    const std::string fdDir = "/proc/" + std::to_string(process_.pid()) + "/fd";
    for (const auto& entry : std::filesystem::directory_iterator(fdDir, error)) {
        const std::string target = std::filesystem::read_symlink(entry.path(), error).string();
        if (target.rfind("socket:", 0) == 0) {
            ++sockets;
        }
    }
    return sockets;
}

bool WorkerProcess::waitUntilSignalTaken(int sig, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const std::string statusPath = "/proc/" + std::to_string(process_.pid()) + "/status";
    for (;;) {
        // SigPnd (thread) and ShdPnd (process) are hex masks; bit sig-1 is set while the signal is pending.
        bool pending = false;
        std::istringstream lines(TempDir::readFile(statusPath));
        std::string line;
        while (std::getline(lines, line)) {
            if (line.rfind("SigPnd:", 0) == 0 || line.rfind("ShdPnd:", 0) == 0) {
                const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
                pending = pending || ((mask >> (sig - 1)) & 1ULL) != 0;
            }
        }
        if (!pending) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::string WorkerProcess::log() const { return TempDir::readFile(logPath_); }

bool WorkerProcess::waitForLog(const std::string& needle, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (log().find(needle) != std::string::npos) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

UniqueFd WorkerProcess::createListeningSocket(const std::string& path) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        throw std::runtime_error("socket path too long: " + path);
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd.get(), 64) != 0) {
        throw std::runtime_error("bind/listen(" + path + "): " + std::strerror(errno));
    }
    ::chmod(path.c_str(), 0660);
    return fd;
}

std::string WorkerProcess::failureReport(const std::string& what) {
    return "appreg-fcgi (" + binary() + ") " + what + "\n--- worker log (" + logPath_ + ") ---\n" + log() +
           "--- end of worker log ---";
}

}  // namespace appreg::test
