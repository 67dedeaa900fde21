// PostgreSQL's faults (issue 8), each produced for real under a running worker:
//   - the server restarted (fast shutdown, start): the worker, never restarted, serves the next requests on
//   new
//     connections, every kind of request, without a single 503 once the server is back;
//   - the server stopped: every request answers 503 {"detail": "The database is unavailable. Try again
//     later."} at once (a refused connection, well within db.connect_timeout_s), none hangs; started again,
//     the same worker serves;
//   - the writers' lock held by another session beyond db.busy_timeout_ms (PostgreSQL's lock_timeout): writes
//     answer 503 after the timeout, reads keep working, nothing is written; released, writes succeed;
//   - a statement waiting beyond db.statement_timeout_ms (a table locked by another session): 503, then 200.
// Each test runs its own PostgreSQL server (scripts/postgres-test-server.sh, port 55497, its own directory),
// so stopping it disturbs no other suite.

#include "ApiClient.h"
#include "DatabaseFile.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "ScratchDatabase.h"
#include "TempDir.h"
#include "TestSuperuser.h"
#include "WorkerProcess.h"

#include <cppunit/extensions/HelperMacros.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

using namespace appreg::test;

namespace {

const char* const kUnavailable = R"({"detail": "The database is unavailable. Try again later."})";
const char* const kPort = "55497";

/// A PostgreSQL server of the test's own, and $APPREG_TEST_POSTGRESQL pointing at it while it lives (so that
/// WorkerProcess puts its database there).
class OwnServer {
public:
    OwnServer() : dir_("/tmp/appreg-pg-fault-" + std::to_string(getpid())) {
        if (const char* old = std::getenv("APPREG_TEST_POSTGRESQL")) previous_ = old;
        control("start");
        ::setenv("APPREG_TEST_POSTGRESQL", url().c_str(), 1);
    }
    ~OwnServer() {
        if (previous_.empty()) {
            ::unsetenv("APPREG_TEST_POSTGRESQL");
        } else {
            ::setenv("APPREG_TEST_POSTGRESQL", previous_.c_str(), 1);
        }
        try {
            control("stop");
        } catch (const std::exception&) {
        }
        std::system(("rm -rf '" + dir_ + "'").c_str());
    }
    static std::string url() { return std::string("postgresql://postgres@127.0.0.1:") + kPort + "/postgres"; }

    void control(const std::string& command) const {
        const std::string line = std::string("APPREG_PG_PORT=") + kPort +
                                 " bash '" APPREG_SOURCE_DIR "/scripts/postgres-test-server.sh' " + command +
                                 " '" + dir_ + "' >/dev/null";
        if (std::system(line.c_str()) != 0) throw std::runtime_error("failed: " + line);
    }

private:
    std::string dir_;
    std::string previous_;
};

/// A libpq session of the test's own on the worker's database, holding whatever it took until destroyed.
class Session {
public:
    explicit Session(const std::string& url) : conn_(PQconnectdb(url.c_str()), &PQfinish) {
        if (PQstatus(conn_.get()) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_.get()));
    }
    void run(const std::string& sql) {
        std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn_.get(), sql.c_str()), &PQclear);
        const auto status = PQresultStatus(r.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
            throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
    }

private:
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

}  // namespace

class PostgresFaultTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PostgresFaultTest);
    CPPUNIT_TEST(testServerRestartIsSurvived);
    CPPUNIT_TEST(testServerStoppedAnswers503AtOnce);
    CPPUNIT_TEST(testWritersLockBeyondTheLockTimeout);
    CPPUNIT_TEST(testStatementBeyondTheStatementTimeout);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        server_ = std::make_unique<OwnServer>();
        dir_ = std::make_unique<TempDir>();
        config_ = dir_->writeFile("faults.properties",
                                  "db.busy_timeout_ms = 300\ndb.statement_timeout_ms = 400\n"
                                  "cache.list_bytes = 0\n" +
                                      TestSuperuser::configLines());
    }

    void tearDown() override {
        api_.reset();
        worker_.reset();
        dir_.reset();
        server_.reset();
    }

    void testServerRestartIsSurvived() {
        startWorker();
        server_->control("restart");
        // Every worker thread's connection is gone; each finds out with its next statement and reconnects.
        // More requests than threads, so that every connection meets the restart.
        for (int i = 0; i < 6; ++i) {
            APPREG_ASSERT_STATUS(200, api_->get(appUri()));
            APPREG_ASSERT_STATUS(200, api_->get(std::string(ApiClient::kApplications) +
                                                "?page_size=" + std::to_string(i + 1)));
        }
        // Writes: the writer's connection too. A write whose connection was lost before it began is not
        // refused either (its BEGIN runs again on a new connection).
        const auto created = api_->createApplicationOk(ApiClient::seedApplication(org_, "after the restart"));
        APPREG_ASSERT_STATUS(200, api_->send("PATCH", appUri(), R"({"description": "after the restart"})"));
        CPPUNIT_ASSERT_EQUAL(2LL, DatabaseFile(worker_->databasePath()).count("applications"));
        CPPUNIT_ASSERT_MESSAGE("the worker died:\n" + worker_->log(), worker_->running());
    }

    void testServerStoppedAnswers503AtOnce() {
        startWorker();
        server_->control("stop");
        for (const auto& [method, uri, body] :
             {std::tuple<std::string, std::string, std::string>{"GET", appUri(), ""},
              {"GET", ApiClient::kApplications, ""},
              {"POST", ApiClient::kApplications, ApiClient::seedApplication(org_, "while stopped")},
              {"PATCH", appUri(), R"({"description": "while stopped"})"},
              {"GET", "/api/v2/ping/", ""}}) {
            const auto begin = std::chrono::steady_clock::now();
            const FcgiResponse r = api_->send(method, uri, body);
            const auto took = std::chrono::steady_clock::now() - begin;
            if (uri == "/api/v2/ping/") {
                APPREG_ASSERT_STATUS(503, r);
            } else {
                APPREG_ASSERT_RESPONSE(503, kUnavailable, r);
            }
            CPPUNIT_ASSERT_MESSAGE(method + " " + uri + " took longer than 2 s",
                                   took < std::chrono::seconds(2));
        }
        CPPUNIT_ASSERT_MESSAGE("the worker died:\n" + worker_->log(), worker_->running());
        server_->control("start");
        APPREG_ASSERT_STATUS(200, api_->get(appUri()));
        api_->createApplicationOk(ApiClient::seedApplication(org_, "after the outage"));
        const DatabaseFile db(worker_->databasePath());
        CPPUNIT_ASSERT_EQUAL(2LL, db.count("applications"));
        CPPUNIT_ASSERT_EQUAL(0LL,
                             db.queryInt("SELECT count(*) FROM applications WHERE name = 'while stopped'"));
    }

    void testWritersLockBeyondTheLockTimeout() {
        startWorker();
        const DatabaseFile db(worker_->databasePath());
        const long long before = db.count("activity_stream");
        {
            Session other(worker_->databasePath());
            other.run("SELECT pg_advisory_lock(112101713)");  // the key of dialect::writeLock()
            const auto begin = std::chrono::steady_clock::now();
            const FcgiResponse r = api_->createApplication(ApiClient::seedApplication(org_, "while locked"));
            const auto took = std::chrono::steady_clock::now() - begin;
            APPREG_ASSERT_RESPONSE(503, kUnavailable, r);
            CPPUNIT_ASSERT_MESSAGE("answered before the lock timeout",
                                   took >= std::chrono::milliseconds(250));
            CPPUNIT_ASSERT_MESSAGE("took longer than 3 s", took < std::chrono::seconds(3));
            APPREG_ASSERT_STATUS(200, api_->get(appUri()));  // reads do not wait for writers
            CPPUNIT_ASSERT_MESSAGE("the log does not say why:\n" + worker_->log(),
                                   worker_->waitForLog("lock timeout"));
        }
        CPPUNIT_ASSERT_EQUAL(1LL, db.count("applications"));
        CPPUNIT_ASSERT_EQUAL(before, db.count("activity_stream"));
        api_->createApplicationOk(ApiClient::seedApplication(org_, "after the lock"));
        CPPUNIT_ASSERT_EQUAL(2LL, db.count("applications"));
    }

    void testStatementBeyondTheStatementTimeout() {
        startWorker();
        {
            Session other(worker_->databasePath());
            other.run("BEGIN");
            other.run("LOCK TABLE applications IN ACCESS EXCLUSIVE MODE");
            const auto begin = std::chrono::steady_clock::now();
            const FcgiResponse r = api_->get(std::string(ApiClient::kApplications) + "?name=x");
            const auto took = std::chrono::steady_clock::now() - begin;
            APPREG_ASSERT_RESPONSE(503, kUnavailable, r);
            CPPUNIT_ASSERT_MESSAGE("took longer than 3 s", took < std::chrono::seconds(3));
            CPPUNIT_ASSERT_MESSAGE("the log does not say why:\n" + worker_->log(),
                                   worker_->waitForLog("statement timeout"));
        }
        APPREG_ASSERT_STATUS(200, api_->get(std::string(ApiClient::kApplications) + "?name=x"));
    }

private:
    void startWorker() {
        worker_ = std::make_unique<WorkerProcess>(*dir_, 2);
        worker_->start({"--config", config_});
        api_ = std::make_unique<ApiClient>(worker_->socketPath());
        org_ = api_->createOrganization("fault-org");
        app_ = api_->createApplicationOk(ApiClient::seedApplication(org_, "before the fault"))
                   ->getValue<long long>("id");
    }

    std::string appUri() const { return "/api/v2/applications/" + std::to_string(app_) + "/"; }

    std::unique_ptr<OwnServer> server_;
    std::unique_ptr<TempDir> dir_;
    std::string config_;
    std::unique_ptr<WorkerProcess> worker_;
    std::unique_ptr<ApiClient> api_;
    long long org_ = 0;
    long long app_ = 0;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PostgresFaultTest);
