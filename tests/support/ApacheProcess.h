#pragma once

#include "FrontServer.h"

#include <map>
#include <string>
#include <vector>

namespace appreg::test {

/// The real Apache (/usr/sbin/apache2 -DFOREGROUND -f <generated>) with one of the project's configurations:
///   kProxyFcgi  conf/apache-proxy-fcgi.conf: mod_proxy_fcgi to a running worker's unix socket
///   kFcgid      conf/apache-fcgid.conf: mod_fcgid starts the worker itself (fd 0), as the server's user
/// Only the `Define APPREG_*` lines at the top are rewritten: 127.0.0.1, a free port, the state directory in
/// the test's directory, the user (www-data when the test runs as root, since Apache refuses to serve as
/// root), and the worker's socket (proxy) or binary, --config and --db (fcgid).
class ApacheProcess : public FrontServer {
public:
    enum class Mode { kProxyFcgi, kFcgid };

    static constexpr const char* kBinary = "/usr/sbin/apache2";

    /// Throws std::runtime_error when Apache or one of the modules the configuration loads is not installed,
    /// or the configuration lacks one of the Define lines.
    ApacheProcess(const TempDir& dir, Mode mode, const FrontServerBackend& backend);
    ~ApacheProcess() override;

    ApacheProcess(const ApacheProcess&) = delete;
    ApacheProcess& operator=(const ApacheProcess&) = delete;

    /// APPREG_SOURCE_DIR/conf/apache-proxy-fcgi.conf or conf/apache-fcgid.conf.
    static std::string shippedConfigPath(Mode mode);

    /// Rewrites every `Define NAME value` line whose NAME is in `values` to `Define NAME <value>`; throws
    /// std::runtime_error naming any NAME that had no line.
    static std::string renderConfig(const std::string& shipped,
                                    const std::map<std::string, std::string>& values);
    /// The `Define NAME value` lines of a configuration.
    static std::map<std::string, std::string> defines(const std::string& config);

    std::string name() const override;
    std::string shippedConfigPath() const override { return shippedConfigPath(mode_); }
    std::string configPath() const override { return configPath_; }
    void start(std::chrono::milliseconds timeout) override;
    /// Graceful stop (SIGWINCH to the parent; SIGTERM after 10 s), which stops its children (and, with
    /// mod_fcgid, the worker processes); then checks that no worker process of this instance survived: throws
    /// std::runtime_error (after killing them) if one did.
    ExitStatus stop() override;
    int port() const override { return port_; }
    /// The error log and stderr; the lines logged after stop() began start with kStoppingMark.
    std::string errorLog() const override;
    bool isRoutineLogLine(const std::string& line) const override;
    std::vector<std::string> logLinesFor(Event event) const override;
    std::size_t bodyLimitBytes() const override { return bodyLimit_; }
    int chunkedOverLimitStatus() const override { return mode_ == Mode::kFcgid ? 500 : 0; }
    bool spawnsWorker() const override { return mode_ == Mode::kFcgid; }

    /// The pids of running processes whose command line contains this instance's worker database path
    /// (mod_fcgid's worker processes).
    std::vector<int> workerPids() const;
    /// The pids of running processes whose command line (arguments joined by spaces, plus a trailing space)
    /// contains `needle`.
    static std::vector<int> pidsWithArguments(const std::string& needle);

private:
    Mode mode_;
    int port_;
    std::string stateDir_;
    std::string configPath_;
    std::string stderrPath_;
    std::string errorLogPath_;
    std::string workerDatabase_;
    std::size_t bodyLimit_ = 0;
    std::size_t stopLogOffset_ = std::string::npos;
    ChildProcess process_;

    static constexpr const char* kStoppingMark = "[while stopping] ";
};

}  // namespace appreg::test
