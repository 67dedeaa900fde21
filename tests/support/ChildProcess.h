#pragma once

#include "UniqueFd.h"

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace appreg::test {

/// How a child process ended.
struct ExitStatus {
    bool exited = false;  ///< true: normal exit with `code`; false: killed by `signal`
    int code = -1;
    int signal = 0;

    bool isExit(int expected) const { return exited && code == expected; }
    /// "exit status 0" or "killed by signal 9 (Killed)", for assertion messages.
    std::string describe() const;

    static ExitStatus fromWaitStatus(int waitStatus);
};

/// A child process started with fork/exec, with its stdio redirected to files and chosen descriptors handed
/// over. The destructor kills (SIGKILL) and reaps a child that is still running, so no test leaves a process
/// behind.
class ChildProcess {
public:
    struct Spec {
        /// argv[0] is the absolute path of the program (no PATH lookup).
        std::vector<std::string> argv;
        /// true: the test's environment plus `environment` (which overrides); false: only `environment`.
        bool inheritEnvironment = true;
        std::vector<std::string> environment;  ///< "NAME=value" sets, a bare "NAME" removes
        std::string stdinPath = "/dev/null";
        std::string stdoutPath = "/dev/null";  ///< opened for appending (created 0644)
        std::string stderrPath = "/dev/null";  ///< opened for appending (created 0644)
        /// {descriptor in this process, descriptor number in the child}; applied after the stdio redirection,
        /// so a target of 0 replaces stdin. Every other descriptor is closed in the child.
        std::vector<std::pair<int, int>> passFds;
        /// Adds LISTEN_PID=<the child's own pid> (systemd socket activation); computed in the child before
        /// exec.
        bool setListenPid = false;
    };

    /// The result of run().
    struct Result {
        ExitStatus status;
        bool timedOut = false;  ///< the child was killed because it outlived the timeout
        std::string out;
        std::string err;
    };

    ChildProcess() = default;
    /// Starts the program. Throws std::runtime_error when fork or exec fails (an exec failure is reported
    /// from the child through a close-on-exec pipe, so a wrong path is an exception here, not a silent exit
    /// 127).
    explicit ChildProcess(const Spec& spec);
    ~ChildProcess();

    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&& other) noexcept;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    /// true between the start and the moment the child was reaped.
    bool running();

    /// Waits at most `timeout` for the child to end; std::nullopt if it is still running.
    std::optional<ExitStatus> waitFor(std::chrono::milliseconds timeout);

    /// Sends a signal (no-op once reaped).
    void signal(int sig);

    /// SIGTERM, then SIGKILL if it is still running after `grace`; always reaps. `killed` says whether
    /// SIGKILL was needed.
    ExitStatus terminate(std::chrono::milliseconds grace, bool* killed = nullptr);

    /// The exit status once reaped.
    const std::optional<ExitStatus>& exitStatus() const { return status_; }

    /// Runs a program to completion with stdout and stderr captured; killed after `timeout`.
    static Result run(Spec spec, std::chrono::milliseconds timeout);

private:
    void reset();

    pid_t pid_ = -1;
    UniqueFd pidFd_;
    std::optional<ExitStatus> status_;
};

}  // namespace appreg::test
