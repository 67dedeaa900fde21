// The worker's startup contract: where its listening socket comes from (--listen, fd 0 as spawn-fcgi and
// mod_fcgid hand it over, fd 3 with LISTEN_FDS as systemd does), what happens to an existing socket path, and
// the command line.

#include "ApiClient.h"
#include "ChildProcess.h"
#include "JsonAssert.h"
#include "LighttpdProcess.h"
#include "ResponseAssert.h"
#include "TempDir.h"
#include "WorkerProcess.h"

#include <cppunit/extensions/HelperMacros.h>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>

using namespace appreg::test;

class StartupTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(StartupTest);
    CPPUNIT_TEST(testNoListeningSocketExitsWithStatus2);
    CPPUNIT_TEST(testListenCreatesSocketWithMode0660);
    CPPUNIT_TEST(testSecondWorkerRefusesALiveSocket);
    CPPUNIT_TEST(testStaleSocketFileIsReplaced);
    CPPUNIT_TEST(testInheritedSocketOnFd0);
    CPPUNIT_TEST(testSystemdSocketOnFd3);
    CPPUNIT_TEST(testListenPidOfAnotherProcessIsIgnored);
    CPPUNIT_TEST(testTcpListener);
    CPPUNIT_TEST(testMissingConfigFileIsRefused);
    CPPUNIT_TEST(testInvalidThreadCountIsRefused);
    CPPUNIT_TEST(testUnusableDatabasePathIsRefused);
    CPPUNIT_TEST(testHelp);
    CPPUNIT_TEST(testUnknownOptionIsRefused);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override { dir_ = std::make_unique<TempDir>(); }
    void tearDown() override { dir_.reset(); }

    void testNoListeningSocketExitsWithStatus2() {
        // Run by hand, with neither --listen nor a socket on fd 0: a usage error, not a hang.
        const ChildProcess::Result result = run({"--db", dir_->file("appreg.db")});
        CPPUNIT_ASSERT_MESSAGE("still running after 10 s", !result.timedOut);
        CPPUNIT_ASSERT_MESSAGE(result.status.describe() + "; stderr: " + result.err, result.status.isExit(2));
        CPPUNIT_ASSERT_MESSAGE("no explanation on stderr", !trimmed(result.err).empty());
    }

    void testListenCreatesSocketWithMode0660() {
        WorkerProcess worker(*dir_);
        worker.start();
        struct stat info {};
        CPPUNIT_ASSERT_EQUAL(0, ::stat(worker.socketPath().c_str(), &info));
        CPPUNIT_ASSERT_MESSAGE("not a socket", S_ISSOCK(info.st_mode));
        CPPUNIT_ASSERT_EQUAL_MESSAGE("socket mode (octal " + octal(info.st_mode & 07777) + ")", 0660,
                                     static_cast<int>(info.st_mode & 07777));
        APPREG_ASSERT_STATUS(200, ApiClient(worker.socketPath()).get("/api/v2/ping/"));
    }

    void testSecondWorkerRefusesALiveSocket() {
        WorkerProcess first(*dir_);
        first.start();
        struct stat before {};
        CPPUNIT_ASSERT_EQUAL(0, ::stat(first.socketPath().c_str(), &before));

        const ChildProcess::Result second =
            run({"--db", first.databasePath(), "--listen", first.listenAddress(), "--threads", "1"});
        CPPUNIT_ASSERT_MESSAGE("the second worker kept running (it took over the socket?)", !second.timedOut);
        CPPUNIT_ASSERT_MESSAGE("the second worker exited with 0", !second.status.isExit(0));
        CPPUNIT_ASSERT_MESSAGE("no explanation from the second worker",
                               !trimmed(second.err + second.out).empty());

        // The first one still owns the path and serves.
        struct stat after {};
        CPPUNIT_ASSERT_EQUAL(0, ::stat(first.socketPath().c_str(), &after));
        CPPUNIT_ASSERT_MESSAGE("the socket file was replaced", before.st_ino == after.st_ino);
        CPPUNIT_ASSERT(first.running());
        APPREG_ASSERT_STATUS(200, ApiClient(first.socketPath()).get("/api/v2/ping/"));
    }

    void testStaleSocketFileIsReplaced() {
        // What a crashed worker leaves behind: the socket file, with nobody listening.
        { UniqueFd stale = WorkerProcess::createListeningSocket(dir_->file("appreg.sock")); }
        struct stat info {};
        CPPUNIT_ASSERT_EQUAL(0, ::stat(dir_->file("appreg.sock").c_str(), &info));
        WorkerProcess worker(*dir_);
        worker.start();
        APPREG_ASSERT_STATUS(200, ApiClient(worker.socketPath()).get("/api/v2/ping/"));
    }

    void testInheritedSocketOnFd0() {
        WorkerProcess worker(*dir_);
        worker.start({}, WorkerProcess::Listen::kInheritFd0);
        assertServes(worker);
    }

    void testSystemdSocketOnFd3() {
        WorkerProcess worker(*dir_);
        worker.start({}, WorkerProcess::Listen::kSystemdFd3);
        assertServes(worker);
    }

    void testListenPidOfAnotherProcessIsIgnored() {
        // LISTEN_FDS is meant for the process LISTEN_PID names; anyone else must not take fd 3.
        UniqueFd socket = WorkerProcess::createListeningSocket(dir_->file("appreg.sock"));
        ChildProcess::Spec spec;
        spec.argv = {WorkerProcess::binary(), "--db", dir_->file("appreg.db")};
        spec.environment = {"LISTEN_FDS=1", "LISTEN_PID=1"};
        spec.passFds = {{socket.get(), 3}};
        const ChildProcess::Result result = ChildProcess::run(spec, std::chrono::seconds(10));
        CPPUNIT_ASSERT_MESSAGE("still running after 10 s: it took fd 3", !result.timedOut);
        CPPUNIT_ASSERT_MESSAGE(result.status.describe() + "; stderr: " + result.err, result.status.isExit(2));
    }

    void testTcpListener() {
        // --listen HOST:PORT, for a front server on another container; the raw client speaks TCP too.
        const std::string address = "127.0.0.1:" + std::to_string(LighttpdProcess::freePort());
        ChildProcess::Spec spec;
        spec.argv = {
            WorkerProcess::binary(), "--db", dir_->file("appreg.db"), "--listen", address, "--threads", "2"};
        spec.stderrPath = dir_->file("worker.log");
        ChildProcess worker(spec);
        const FcgiClient client(address);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        FcgiResponse ping;
        while (!ping.ended && std::chrono::steady_clock::now() < deadline &&
               !worker.waitFor(std::chrono::milliseconds(5))) {
            try {
                ping = client.request(FcgiClient::standardParams("GET", "/api/v2/ping/"), "");
            } catch (const std::runtime_error&) {
                // not listening yet
            }
        }
        APPREG_ASSERT_STATUS(200, ping);
        const ExitStatus stopped = worker.terminate(std::chrono::seconds(5));
        CPPUNIT_ASSERT_MESSAGE(stopped.describe() + "\n" + TempDir::readFile(dir_->file("worker.log")),
                               stopped.isExit(0));
    }

    void testMissingConfigFileIsRefused() {
        const std::string missing = dir_->file("no-such.properties");
        const ChildProcess::Result result = run({"--config", missing, "--db", dir_->file("appreg.db"),
                                                 "--listen", "unix:" + dir_->file("appreg.sock")});
        CPPUNIT_ASSERT_MESSAGE("still running after 10 s", !result.timedOut);
        CPPUNIT_ASSERT_MESSAGE(result.status.describe(), result.status.exited && result.status.code != 0);
        CPPUNIT_ASSERT_MESSAGE("the message does not name the file: " + result.err + result.out,
                               (result.err + result.out).find("no-such.properties") != std::string::npos);
    }

    void testInvalidThreadCountIsRefused() {
        for (const char* threads : {"0", "-1", "abc"}) {
            const ChildProcess::Result result =
                run({"--db", dir_->file("appreg.db"), "--listen", "unix:" + dir_->file("appreg.sock"),
                     "--threads", threads});
            CPPUNIT_ASSERT_MESSAGE(std::string("--threads ") + threads + ": still running after 10 s",
                                   !result.timedOut);
            CPPUNIT_ASSERT_MESSAGE(std::string("--threads ") + threads + ": " + result.status.describe(),
                                   result.status.exited && result.status.code != 0);
            CPPUNIT_ASSERT_MESSAGE(std::string("--threads ") + threads + ": no explanation",
                                   !trimmed(result.err + result.out).empty());
        }
    }

    void testUnusableDatabasePathIsRefused() {
        const ChildProcess::Result result = run(
            {"--db", dir_->file("missing-dir/appreg.db"), "--listen", "unix:" + dir_->file("appreg.sock")});
        CPPUNIT_ASSERT_MESSAGE("still running after 10 s", !result.timedOut);
        CPPUNIT_ASSERT_MESSAGE(result.status.describe(), result.status.exited && result.status.code != 0);
        CPPUNIT_ASSERT_MESSAGE("the message does not name the database: " + result.err + result.out,
                               (result.err + result.out).find("missing-dir/appreg.db") != std::string::npos);
    }

    void testHelp() {
        const ChildProcess::Result result = run({"--help"});
        CPPUNIT_ASSERT_MESSAGE("--help did not return", !result.timedOut);
        CPPUNIT_ASSERT_MESSAGE(result.status.describe() + "; stderr: " + result.err, result.status.isExit(0));
        const std::string text = lower(result.out + result.err);
        CPPUNIT_ASSERT_MESSAGE("no usage line:\n" + text, text.find("usage") != std::string::npos);
        for (const char* option : {"--listen", "--db", "--threads", "--config"}) {
            CPPUNIT_ASSERT_MESSAGE(std::string(option) + " is not documented by --help:\n" + text,
                                   text.find(option) != std::string::npos);
        }
    }

    void testUnknownOptionIsRefused() {
        const ChildProcess::Result result = run({"--db", dir_->file("appreg.db"), "--no-such-option"});
        CPPUNIT_ASSERT_MESSAGE("still running after 10 s", !result.timedOut);
        CPPUNIT_ASSERT_MESSAGE(result.status.describe(), result.status.exited && result.status.code != 0);
        CPPUNIT_ASSERT_MESSAGE("the message does not name the option: " + result.err + result.out,
                               (result.err + result.out).find("no-such-option") != std::string::npos);
    }

private:
    ChildProcess::Result run(const std::vector<std::string>& args) {
        ChildProcess::Spec spec;
        spec.argv = {WorkerProcess::binary()};
        spec.argv.insert(spec.argv.end(), args.begin(), args.end());
        spec.environment = {"LISTEN_FDS", "LISTEN_PID"};
        return ChildProcess::run(spec, std::chrono::seconds(10));
    }

    static void assertServes(WorkerProcess& worker) {
        ApiClient api(worker.socketPath());
        APPREG_ASSERT_STATUS(200, api.get("/api/v2/ping/"));
        const long long org = api.createOrganization("inherited");
        APPREG_ASSERT_STATUS(201, api.createApplication(ApiClient::seedApplication(org)));
        // And it stops cleanly: the inherited socket is shut down like its own.
        const WorkerProcess::StopResult stopped = worker.stop();
        CPPUNIT_ASSERT_MESSAGE(stopped.status.describe() + "\n" + worker.log(), stopped.status.isExit(0));
        CPPUNIT_ASSERT_MESSAGE("took " + std::to_string(stopped.elapsedMs) + " ms",
                               stopped.elapsedMs <= 1000);
    }

    static std::string trimmed(const std::string& s) {
        const auto begin = s.find_first_not_of(" \t\r\n");
        return begin == std::string::npos ? "" : s.substr(begin);
    }

    static std::string lower(std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
        return s;
    }

    static std::string octal(unsigned mode) {
        char buffer[16];
        std::snprintf(buffer, sizeof buffer, "%04o", mode);
        return buffer;
    }

    std::unique_ptr<TempDir> dir_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(StartupTest);
