#pragma once

#include "FrontServer.h"
#include "LighttpdProcess.h"

namespace appreg::test {

/// LighttpdProcess (conf/lighttpd.conf, only its var.appreg_* lines rewritten) as a FrontServer, so the
/// shared e2e scenarios run through lighttpd exactly as through Apache and nginx.
class LighttpdFrontServer : public FrontServer {
public:
    LighttpdFrontServer(const TempDir& dir, const std::string& workerSocket);

    std::string name() const override { return "lighttpd"; }
    std::string shippedConfigPath() const override { return LighttpdProcess::shippedConfigPath(); }
    std::string configPath() const override { return process_.configPath(); }
    void start(std::chrono::milliseconds timeout) override { process_.start(timeout); }
    ExitStatus stop() override { return process_.stop(); }
    int port() const override { return process_.port(); }
    std::string errorLog() const override { return process_.errorLog(); }
    bool isRoutineLogLine(const std::string& line) const override;
    std::vector<std::string> logLinesFor(Event event) const override;
    std::size_t bodyLimitBytes() const override;
    int chunkedOverLimitStatus() const override { return 413; }

private:
    LighttpdProcess process_;
};

}  // namespace appreg::test
