#pragma once

#include "FrontServer.h"

#include <map>
#include <string>
#include <vector>

namespace appreg::test {

/// The real nginx (/usr/sbin/nginx -c <generated> -g 'daemon off;') with the project's conf/nginx.conf, in
/// front of a worker's unix socket. nginx has no variables for these, so the shipped file marks the lines an
/// operator changes with a trailing "# appreg:NAME" comment, and only those are rewritten:
///   appreg:user    the directive's whole value (www-data when the test runs as root, else the current user)
///   appreg:listen  the whole value (127.0.0.1:<free port>)
///   appreg:socket  the whole value (unix:<worker socket>)
///   appreg:state   only the directory kShippedStateDir inside the value (pid, error log, temp paths)
class NginxProcess : public FrontServer {
public:
    static constexpr const char* kBinary = "/usr/sbin/nginx";
    /// The state directory conf/nginx.conf ships with; "appreg:state" lines must contain it.
    static constexpr const char* kShippedStateDir = "/var/lib/appreg/nginx";

    /// Throws std::runtime_error when nginx is not installed or the configuration lacks a marked line.
    NginxProcess(const TempDir& dir, const std::string& workerSocket);
    ~NginxProcess() override;

    NginxProcess(const NginxProcess&) = delete;
    NginxProcess& operator=(const NginxProcess&) = delete;

    /// Rewrites the marked lines (see the class comment): `values` maps a marker name to the new value
    /// ("state" to the new directory). Throws std::runtime_error for a marker of `values` that marks no line,
    /// a marked line it cannot parse, or a state line without kShippedStateDir.
    static std::string renderConfig(const std::string& shipped,
                                    const std::map<std::string, std::string>& values);
    /// "1m" -> 1048576 ("k", "m", "g" suffixes, case-insensitive; none: bytes). Throws on anything else.
    static std::size_t parseSize(const std::string& value);

    std::string name() const override { return "nginx"; }
    std::string shippedConfigPath() const override;
    std::string configPath() const override { return configPath_; }
    void start(std::chrono::milliseconds timeout) override;
    ExitStatus stop() override;
    int port() const override { return port_; }
    std::string errorLog() const override;
    bool isRoutineLogLine(const std::string& line) const override;
    std::vector<std::string> logLinesFor(Event event) const override;
    std::size_t bodyLimitBytes() const override { return bodyLimit_; }
    int chunkedOverLimitStatus() const override { return 413; }

private:
    int port_;
    std::string stateDir_;
    std::string configPath_;
    std::string stderrPath_;
    std::size_t bodyLimit_ = 0;
    ChildProcess process_;
};

}  // namespace appreg::test
