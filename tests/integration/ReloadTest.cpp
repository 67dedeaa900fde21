// SIGHUP, as an operator (or logrotate's postrotate) sends it: the log file is reopened, and the keys that
// can change without a restart (request.max_body_bytes, log.requests, request.read_timeout_ms) are re-read
// from the
// --config file and apply to the requests that follow. A file with a bad value changes nothing. The worker
// keeps serving throughout.

#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

using namespace appreg::test;

class ReloadTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(ReloadTest);
    CPPUNIT_TEST(testSighupReopensTheLogFile);
    CPPUNIT_TEST(testSighupAppliesTheReloadableKeys);
    CPPUNIT_TEST(testAnInvalidFileKeepsTheCurrentSettings);
    CPPUNIT_TEST_SUITE_END();

public:
    void testSighupReopensTheLogFile() {
        APPREG_ASSERT_STATUS(200, api().get("/api/v2/ping/"));
        waitForLine(logFile_, "GET /api/v2/ping/ 200");
        // What logrotate does: move the file away, then tell the worker.
        const std::string rotated = logFile_ + ".1";
        std::filesystem::rename(logFile_, rotated);
        hangUp();
        waitForLine(logFile_, "SIGHUP: reloaded");
        APPREG_ASSERT_STATUS(404, api().get("/api/v2/nothing/"));
        waitForLine(logFile_, "GET /api/v2/nothing/ 404");
        const std::string old = TempDir::readFile(rotated);
        CPPUNIT_ASSERT_MESSAGE("the request after SIGHUP went to the rotated file:\n" + old,
                               old.find("/api/v2/nothing/") == std::string::npos);
        CPPUNIT_ASSERT_MESSAGE("the rotated file lost its lines:\n" + old,
                               old.find("GET /api/v2/ping/ 200") != std::string::npos);
    }

    void testSighupAppliesTheReloadableKeys() {
        const std::string body = R"({"name": "a name that makes this body longer than 64 bytes in all"})";
        APPREG_ASSERT_STATUS(201, api().post(ApiClient::kOrganizations, body));
        writeConfig("request.max_body_bytes = 64\nlog.requests = false\n");
        hangUp();
        waitForLine(logFile_, "SIGHUP: reloaded request.max_body_bytes=64 log.requests=false");
        APPREG_ASSERT_RESPONSE(413, R"({"detail": "Request body exceeds the limit of 64 bytes."})",
                               api().post(ApiClient::kOrganizations, body));
        APPREG_ASSERT_STATUS(200, api().get("/api/v2/organizations/"));
        // log.requests = false: the worker stops writing access lines (give it time to prove it).
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const std::string log = TempDir::readFile(logFile_);
        CPPUNIT_ASSERT_MESSAGE("an access line after log.requests = false:\n" + log,
                               log.find("POST /api/v2/organizations/ 413") == std::string::npos);
        // And back.
        writeConfig("request.max_body_bytes = 1048576\n");
        hangUp();
        waitForLine(logFile_, "SIGHUP: reloaded request.max_body_bytes=1048576 log.requests=true");
        APPREG_ASSERT_STATUS(400, api().post(ApiClient::kOrganizations, body));  // the name is taken now
        waitForLine(logFile_, "POST /api/v2/organizations/ 400");
    }

    void testAnInvalidFileKeepsTheCurrentSettings() {
        writeConfig("request.max_body_bytes = 64\n");
        hangUp();
        waitForLine(logFile_, "SIGHUP: reloaded request.max_body_bytes=64");
        writeConfig("request.max_body_bytes = 32\nthreads = many\n");
        hangUp();
        waitForLine(logFile_,
                    "has an invalid setting threads: not an integer: many; keeping the current settings");
        const std::string body =
            R"({"name": "forty bytes of organization name.."})";  // 48 bytes: over 32, not 64
        APPREG_ASSERT_STATUS(201, api().post(ApiClient::kOrganizations, body));
        CPPUNIT_ASSERT(worker().running());
    }

protected:
    std::vector<std::string> workerArgs() const override { return {"--config", configFile_}; }

    void prepare(const TempDir& dir) override {
        logFile_ = dir.file("worker-file.log");
        configFile_ = dir.file("reload.properties");
        writeConfig("");
    }

private:
    std::string logFile_;
    std::string configFile_;

    void writeConfig(const std::string& keys) const {
        // Written whole and renamed into place, as a configuration manager would.
        const std::string next = configFile_ + ".next";
        std::FILE* f = std::fopen(next.c_str(), "w");
        CPPUNIT_ASSERT(f != nullptr);
        const std::string content = "log.file = " + logFile_ + "\n" + keys;
        std::fwrite(content.data(), 1, content.size(), f);
        std::fclose(f);
        std::filesystem::rename(next, configFile_);
    }

    void hangUp() { worker().sendSignal(SIGHUP); }

    static void waitForLine(const std::string& path, const std::string& text) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        std::string content;
        while (std::chrono::steady_clock::now() < deadline) {
            std::error_code ignored;
            if (std::filesystem::exists(path, ignored)) {
                content = TempDir::readFile(path);
                if (content.find(text) != std::string::npos) return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        CPPUNIT_FAIL("'" + text + "' did not appear in " + path + " within 10 s:\n" + content);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ReloadTest);
