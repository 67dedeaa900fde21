#include "LighttpdFrontServer.h"

#include <regex>
#include <stdexcept>

namespace appreg::test {

LighttpdFrontServer::LighttpdFrontServer(const TempDir& dir, const std::string& workerSocket)
    : process_(dir, workerSocket) {}

bool LighttpdFrontServer::isRoutineLogLine(const std::string& line) const {
    static const std::regex routine(R"(.*\((server\.c\.[0-9]+)\) (server started|server stopped by) .*)");
    return std::regex_match(line, routine);
}

std::vector<std::string> LighttpdFrontServer::logLinesFor(Event event) const {
    switch (event) {
        case Event::kBodyOverLimit:
        case Event::kChunkedBodyOverLimit:
            return {"request-size too long"};
        case Event::kWorkerDown:
            return {"establishing connection failed", "all handlers for /api", "gw-server re-enabled"};
    }
    return {};
}

std::size_t LighttpdFrontServer::bodyLimitBytes() const {
    if (process_.maxRequestSizeKib() <= 0) {
        throw std::runtime_error(
            "conf/lighttpd.conf sets no server.max-request-size, so lighttpd accepts any body");
    }
    return static_cast<std::size_t>(process_.maxRequestSizeKib()) * 1024;
}

}  // namespace appreg::test
