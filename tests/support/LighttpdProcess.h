#pragma once

#include "ChildProcess.h"
#include "TempDir.h"

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace appreg::test {

/// The real lighttpd (/usr/sbin/lighttpd -D) with the project's own conf/lighttpd.conf, in front of a worker.
///
/// Only the `var.appreg_*` lines at the top of the configuration are rewritten (everything else is exactly
/// what the project ships): bind 127.0.0.1, a free port, the worker's socket, a state directory (errorlog,
/// pid file) in the test's temporary directory, and an empty user so lighttpd keeps the test's own user.
class LighttpdProcess {
public:
    static constexpr const char* kBinary = "/usr/sbin/lighttpd";

    /// Generates <dir>/lighttpd.conf from the shipped one; throws std::runtime_error when lighttpd is not
    /// installed or the shipped configuration lacks one of the var.appreg_* lines.
    LighttpdProcess(const TempDir& dir, const std::string& workerSocket);
    ~LighttpdProcess();

    LighttpdProcess(const LighttpdProcess&) = delete;
    LighttpdProcess& operator=(const LighttpdProcess&) = delete;

    /// The shipped configuration: APPREG_SOURCE_DIR/conf/lighttpd.conf.
    static std::string shippedConfigPath();

    /// Rewrites every `var.NAME = ...` line whose NAME is in `values` to `var.NAME = <value>` (value
    /// verbatim, so strings must carry their quotes). Throws std::runtime_error naming any key that had no
    /// line.
    static std::string renderConfig(const std::string& shipped,
                                    const std::map<std::string, std::string>& values);

    /// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close).
    static int freePort();

    /// Starts lighttpd and waits until its port accepts connections; throws with its error output otherwise.
    void start(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    /// SIGTERM and reap.
    ExitStatus stop();

    int port() const { return port_; }
    const std::string& configPath() const { return configPath_; }
    const std::string& stateDir() const { return stateDir_; }
    /// server.errorlog as configured (evaluated from the var.* values), or "" when the configuration sets
    /// none.
    const std::string& errorLogPath() const { return errorLogPath_; }
    /// The errorlog file plus whatever lighttpd wrote to its own stderr.
    std::string errorLog() const;
    /// The lines of errorLog() other than lighttpd's own start and stop lines and those `allowed` accepts:
    /// what an end-to-end test must not leave behind. Read it after stop(), so nothing is still buffered.
    std::string unexpectedErrorLogLines(const std::function<bool(const std::string&)>& allowed = {}) const;
    /// The configured server.max-request-size in KiB, or 0 when the configuration sets none.
    long maxRequestSizeKib() const { return maxRequestSizeKib_; }

private:
    std::string report(const std::string& what) const;

    int port_;
    std::string stateDir_;
    std::string configPath_;
    std::string stderrPath_;
    std::string errorLogPath_;
    long maxRequestSizeKib_ = 0;
    ChildProcess process_;
};

}  // namespace appreg::test
