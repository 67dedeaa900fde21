#include "ChildProcess.h"

#include "TempDir.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace appreg::test {

namespace {

std::string nameOf(const std::string& entry) { return entry.substr(0, entry.find('=')); }

// Everything the child needs, prepared before fork: after fork only async-signal-safe calls are allowed.
struct ExecPlan {
    std::vector<std::string> argvStrings;
    std::vector<std::string> envStrings;
    std::vector<char*> argv;
    std::vector<char*> envp;
    char* listenPidEntry = nullptr;   // "LISTEN_PID=" followed by room for the digits
    std::vector<UniqueFd> stagedFds;  // copies of passFds above every target number
    std::vector<std::pair<int, int>> stagedMap;
    int highestTarget = 2;
};

constexpr const char kListenPidPrefix[] = "LISTEN_PID=";

ExecPlan makePlan(const ChildProcess::Spec& spec) {
    if (spec.argv.empty()) {
        throw std::invalid_argument("ChildProcess: empty argv");
    }
    ExecPlan plan;
    plan.argvStrings = spec.argv;
    if (spec.inheritEnvironment) {
        for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
            const std::string value(*entry);
            const bool overridden =
                std::any_of(spec.environment.begin(), spec.environment.end(),
                            [&](const std::string& e) { return nameOf(e) == nameOf(value); });
            if (!overridden && !(spec.setListenPid && nameOf(value) == "LISTEN_PID")) {
                plan.envStrings.push_back(value);
            }
        }
    }
    for (const std::string& entry : spec.environment) {
        if (entry.find('=') != std::string::npos) {
            plan.envStrings.push_back(entry);
        }
    }
    if (spec.setListenPid) {
        plan.envStrings.push_back(std::string(kListenPidPrefix) + std::string(24, '\0'));
    }
    for (std::string& s : plan.argvStrings) {
        plan.argv.push_back(s.data());
    }
    plan.argv.push_back(nullptr);
    for (std::string& s : plan.envStrings) {
        plan.envp.push_back(s.data());
    }
    plan.envp.push_back(nullptr);
    if (spec.setListenPid) {
        plan.listenPidEntry = plan.envStrings.back().data();
    }
    for (const auto& [source, target] : spec.passFds) {
        // A copy above 100 cannot collide with any target, whatever order the dup2 calls run in.
        const int staged = ::fcntl(source, F_DUPFD_CLOEXEC, 100);
        if (staged < 0) {
            throw std::runtime_error(std::string("ChildProcess: cannot duplicate fd: ") +
                                     std::strerror(errno));
        }
        plan.stagedFds.emplace_back(staged);
        plan.stagedMap.emplace_back(staged, target);
        plan.highestTarget = std::max(plan.highestTarget, target);
    }
    return plan;
}

[[noreturn]] void childFail(int reportFd) {
    const int error = errno;
    ssize_t ignored = ::write(reportFd, &error, sizeof error);
    (void)ignored;
    ::_exit(127);
}

void redirect(const char* path, int flags, int target, int reportFd) {
    const int fd = ::open(path, flags, 0644);
    if (fd < 0) {
        childFail(reportFd);
    }
    if (fd != target) {
        if (::dup2(fd, target) < 0) {
            childFail(reportFd);
        }
        ::close(fd);
    }
}

// Writes the decimal pid after "LISTEN_PID=" without any allocation.
void fillListenPid(char* entry) {
    char digits[24];
    int n = 0;
    for (long value = static_cast<long>(::getpid()); value > 0; value /= 10) {
        digits[n++] = static_cast<char>('0' + value % 10);
    }
    char* out = entry + sizeof(kListenPidPrefix) - 1;
    while (n > 0) {
        *out++ = digits[--n];
    }
    *out = '\0';
}

}  // namespace

std::string ExitStatus::describe() const {
    if (exited) {
        return "exit status " + std::to_string(code);
    }
    return "killed by signal " + std::to_string(signal) + " (" + ::strsignal(signal) + ")";
}

ExitStatus ExitStatus::fromWaitStatus(int waitStatus) {
    ExitStatus status;
    if (WIFEXITED(waitStatus)) {
        status.exited = true;
        status.code = WEXITSTATUS(waitStatus);
    } else if (WIFSIGNALED(waitStatus)) {
        status.signal = WTERMSIG(waitStatus);
    }
    return status;
}

ChildProcess::ChildProcess(const Spec& spec) {
    ExecPlan plan = makePlan(spec);
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) {
        throw std::runtime_error(std::string("ChildProcess: pipe2: ") + std::strerror(errno));
    }
    UniqueFd reportRead(report[0]);
    UniqueFd reportWrite(report[1]);

    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error(std::string("ChildProcess: fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        const int reportFd = reportWrite.get();
        // A clean signal state: ignored dispositions and blocked masks would otherwise survive exec (libfcgi,
        // for one, only installs its SIGTERM handler when SIGTERM has the default disposition).
        struct sigaction defaults;
        std::memset(&defaults, 0, sizeof defaults);
        defaults.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; ++sig) {
            ::sigaction(sig, &defaults, nullptr);
        }
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);

        redirect(spec.stdinPath.c_str(), O_RDONLY, 0, reportFd);
        redirect(spec.stdoutPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 1, reportFd);
        redirect(spec.stderrPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 2, reportFd);
        for (const auto& [staged, target] : plan.stagedMap) {
            if (::dup2(staged, target) < 0) {
                childFail(reportFd);
            }
        }
        // Everything else is closed at exec; the report pipe stays usable until then.
        ::close_range(static_cast<unsigned>(plan.highestTarget) + 1, ~0U, CLOSE_RANGE_CLOEXEC);
        if (plan.listenPidEntry != nullptr) {
            fillListenPid(plan.listenPidEntry);
        }
        ::execve(plan.argv[0], plan.argv.data(), plan.envp.data());
        childFail(reportFd);
    }

    pid_ = pid;
    // A descriptor that becomes readable when the child exits (Linux 5.3+); without it waitFor() polls.
    pidFd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    reportWrite.reset();
    int childErrno = 0;
    ssize_t n;
    do {
        n = ::read(reportRead.get(), &childErrno, sizeof childErrno);
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        int waitStatus = 0;
        ::waitpid(pid_, &waitStatus, 0);
        pid_ = -1;
        throw std::runtime_error("cannot start " + spec.argv[0] + ": " + std::strerror(childErrno));
    }
}

ChildProcess::~ChildProcess() { reset(); }

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidFd_(std::move(other.pidFd_)),
      status_(std::move(other.status_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        reset();
        pid_ = std::exchange(other.pid_, -1);
        pidFd_ = std::move(other.pidFd_);
        status_ = std::move(other.status_);
    }
    return *this;
}

void ChildProcess::reset() {
    if (pid_ > 0 && !status_) {
        ::kill(pid_, SIGKILL);
        int waitStatus = 0;
        while (::waitpid(pid_, &waitStatus, 0) < 0 && errno == EINTR) {
        }
    }
    pid_ = -1;
    pidFd_.reset();
    status_.reset();
}

bool ChildProcess::running() { return pid_ > 0 && !waitFor(std::chrono::milliseconds(0)); }

std::optional<ExitStatus> ChildProcess::waitFor(std::chrono::milliseconds timeout) {
    if (status_ || pid_ <= 0) {
        return status_;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int waitStatus = 0;
        const pid_t reaped = ::waitpid(pid_, &waitStatus, WNOHANG);
        if (reaped == pid_) {
            status_ = ExitStatus::fromWaitStatus(waitStatus);
            return status_;
        }
        if (reaped < 0 && errno != EINTR) {
            throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return std::nullopt;
        }
        // The pidfd becomes readable when the child exits, so this wakes up exactly then.
        if (pidFd_.valid()) {
            pollfd pfd{pidFd_.get(), POLLIN, 0};
            ::poll(&pfd, 1, static_cast<int>(left.count()));
        } else {
            ::usleep(2000);
        }
    }
}

void ChildProcess::signal(int sig) {
    if (pid_ > 0 && !status_) {
        ::kill(pid_, sig);
    }
}

ExitStatus ChildProcess::terminate(std::chrono::milliseconds grace, bool* killed) {
    if (killed != nullptr) {
        *killed = false;
    }
    if (pid_ <= 0) {
        return status_.value_or(ExitStatus{});
    }
    signal(SIGTERM);
    if (auto status = waitFor(grace)) {
        return *status;
    }
    if (killed != nullptr) {
        *killed = true;
    }
    signal(SIGKILL);
    if (auto status = waitFor(std::chrono::seconds(10))) {
        return *status;
    }
    throw std::runtime_error("process " + std::to_string(pid_) + " survived SIGKILL for 10 s");
}

ChildProcess::Result ChildProcess::run(Spec spec, std::chrono::milliseconds timeout) {
    TempDir capture("appreg-run-");
    spec.stdoutPath = capture.file("stdout");
    spec.stderrPath = capture.file("stderr");
    ChildProcess child(spec);
    Result result;
    if (auto status = child.waitFor(timeout)) {
        result.status = *status;
    } else {
        result.timedOut = true;
        result.status = child.terminate(std::chrono::milliseconds(0));
    }
    result.out = TempDir::readFile(spec.stdoutPath);
    result.err = TempDir::readFile(spec.stderrPath);
    return result;
}

}  // namespace appreg::test
