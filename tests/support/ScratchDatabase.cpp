#include "ScratchDatabase.h"

#include "DatabaseRows.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace appreg::test {

std::string ScratchDatabase::postgresServer() {
    const char* server = std::getenv("APPREG_TEST_POSTGRESQL");
    return server ? server : "";
}

std::string ScratchDatabase::withDatabase(const std::string& serverUrl, const std::string& name) {
    const auto authority = serverUrl.find("://");
    if (authority == std::string::npos) throw std::invalid_argument("not a URL: " + serverUrl);
    const auto path = serverUrl.find('/', authority + 3);
    const auto query = serverUrl.find('?', authority + 3);
    const std::string head = serverUrl.substr(0, std::min(path, query));
    const std::string tail = query == std::string::npos ? "" : serverUrl.substr(query);
    return head + "/" + name + tail;
}

void ScratchDatabase::runOnServer(const std::string& sql) { DatabaseRows(postgresServer()).query(sql); }

ScratchDatabase::ScratchDatabase(const std::string& sqlitePath, Engine engine) : location_(sqlitePath) {
    const std::string server = postgresServer();
    if (server.empty() || engine == Engine::kSQLite) return;
    static std::atomic<int> serial{0};
    name_ = "appreg_test_" + std::to_string(getpid()) + "_" + std::to_string(++serial);
    runOnServer("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    runOnServer("CREATE DATABASE " + name_);
    location_ = withDatabase(server, name_);
}

ScratchDatabase::~ScratchDatabase() {
    if (name_.empty()) return;
    try {
        runOnServer("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
        // The server is gone (a test stopped it); scripts/postgres-test-server.sh's data directory is
        // thrown away with it.
    }
}

}  // namespace appreg::test
