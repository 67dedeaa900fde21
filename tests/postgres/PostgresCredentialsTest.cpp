// Where the PostgreSQL password comes from (issue 8: "from a file or the environment, never only from the
// command line"), and that it is never written anywhere. The test server trusts every role on loopback except
// appreg_password, which must give its password (scram-sha-256; scripts/postgres-test-server.sh).
//   - db.password_file: the worker connects with the file's first line;
//   - PGPASSWORD in the worker's environment (libpq's own), with no password in the configuration;
//   - a wrong password: the worker refuses to start, says why, and does not echo the password it was given;
//   - a password in the URL works but never reaches the log (the URL is logged as appreg_password:***@).

#include "ApiClient.h"
#include "ChildProcess.h"
#include "ScratchDatabase.h"
#include "TempDir.h"
#include "WorkerProcess.h"

#include <cppunit/extensions/HelperMacros.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

using namespace appreg::test;

namespace {

const char* const kRole = "appreg_password";
const char* const kPassword = "Corr3ct-horse-battery";

}  // namespace

class PostgresCredentialsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PostgresCredentialsTest);
    CPPUNIT_TEST(testPasswordFile);
    CPPUNIT_TEST(testPasswordFromTheEnvironment);
    CPPUNIT_TEST(testWrongPasswordRefusesToStartWithoutEchoingIt);
    CPPUNIT_TEST(testPasswordInTheUrlIsNeverLogged);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        CPPUNIT_ASSERT_MESSAGE("APPREG_TEST_POSTGRESQL is not set",
                               !ScratchDatabase::postgresServer().empty());
        dir_ = std::make_unique<TempDir>();
        name_ = "appreg_credentials_" + std::to_string(getpid());
        ScratchDatabase::runOnServer("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" +
                                     std::string(kRole) + "') THEN CREATE ROLE " + kRole +
                                     " LOGIN; END IF; END $$");
        ScratchDatabase::runOnServer("ALTER ROLE " + std::string(kRole) + " PASSWORD '" + kPassword + "'");
        ScratchDatabase::runOnServer("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
        ScratchDatabase::runOnServer("CREATE DATABASE " + name_ + " OWNER " + kRole);
    }

    void tearDown() override {
        worker_.reset();
        ScratchDatabase::runOnServer("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
        dir_.reset();
    }

    void testPasswordFile() {
        const std::string file = dir_->writeFile("pgpassword", std::string(kPassword) + "\n");
        startWorker(url(), "db.password_file = " + file + "\n");
        assertConnected();
    }

    void testPasswordFromTheEnvironment() {
        startWorker(url(), "", {"PGPASSWORD=" + std::string(kPassword)});
        assertConnected();
    }

    void testWrongPasswordRefusesToStartWithoutEchoingIt() {
        const std::string file = dir_->writeFile("pgpassword", "not-the-password\n");
        ChildProcess::Spec spec = workerSpec(url(), "db.password_file = " + file + "\n");
        const auto result = ChildProcess::run(spec, std::chrono::seconds(20));
        CPPUNIT_ASSERT_MESSAGE("the worker did not exit", !result.timedOut);
        CPPUNIT_ASSERT_MESSAGE("exit: " + result.status.describe(), !result.status.isExit(0));
        const std::string log = result.out + result.err;
        CPPUNIT_ASSERT_MESSAGE("the log does not say why:\n" + log,
                               log.find("password authentication failed") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE("the log shows the password:\n" + log,
                               log.find("not-the-password") == std::string::npos);
    }

    void testPasswordInTheUrlIsNeverLogged() {
        const std::string withPassword = ScratchDatabase::withDatabase(
            "postgresql://" + std::string(kRole) + ":" + kPassword + "@127.0.0.1:55432/postgres", name_);
        startWorker(withPassword + "?port=" + port(), "");
        assertConnected();
        // Informational lines reach the file within 100 ms (BufferedChannel).
        std::string log;
        for (int i = 0; i < 50 && log.find("***@") == std::string::npos; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            log = TempDir::readFile(log_);
        }
        CPPUNIT_ASSERT_MESSAGE("the log shows the password:\n" + log,
                               log.find(kPassword) == std::string::npos);
        CPPUNIT_ASSERT_MESSAGE("the log does not name the database:\n" + log,
                               log.find(std::string(kRole) + ":***@") != std::string::npos);
    }

private:
    /// The database as appreg_password, on the test server's host and port, without a password.
    std::string url() const {
        return ScratchDatabase::withDatabase("postgresql://" + std::string(kRole) + "@127.0.0.1/postgres",
                                             name_) +
               "?port=" + port();
    }

    /// The port of $APPREG_TEST_POSTGRESQL ("5432" if it names none).
    static std::string port() {
        const std::string server = ScratchDatabase::postgresServer();
        const auto at = server.find('@');
        const auto colon = server.find(':', at == std::string::npos ? server.find("://") + 3 : at);
        const auto slash = server.find('/', server.find("://") + 3);
        if (colon == std::string::npos || colon > slash) return "5432";
        return server.substr(colon + 1, slash - colon - 1);
    }

    ChildProcess::Spec workerSpec(const std::string& db, const std::string& config,
                                  const std::vector<std::string>& environment = {}) {
        const std::string configFile = dir_->writeFile("credentials.properties", config);
        log_ = dir_->file("worker.log");
        socket_ = dir_->file("appreg.sock");
        ChildProcess::Spec spec;
        spec.argv = {WorkerProcess::binary(),
                     "--db",
                     db,
                     "--listen",
                     "unix:" + socket_,
                     "--threads",
                     "1",
                     "--config",
                     configFile};
        spec.stdoutPath = log_;
        spec.stderrPath = log_;
        spec.environment = {"PGPASSWORD", "PGPASSFILE"};  // only what the test gives
        spec.environment.insert(spec.environment.end(), environment.begin(), environment.end());
        return spec;
    }

    void startWorker(const std::string& db, const std::string& config,
                     const std::vector<std::string>& environment = {}) {
        worker_ = std::make_unique<ChildProcess>(workerSpec(db, config, environment));
        for (int i = 0; i < 100 && ::access(socket_.c_str(), F_OK) != 0; ++i) {
            CPPUNIT_ASSERT_MESSAGE("the worker exited:\n" + TempDir::readFile(log_), worker_->running());
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    /// ping says the database answers (it reads from it on every call).
    void assertConnected() {
        const FcgiResponse ping = ApiClient(socket_).get("/api/v2/ping/");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(ping.body + "\n" + TempDir::readFile(log_), 200, ping.status);
        CPPUNIT_ASSERT_MESSAGE(ping.body, ping.body.find("\"database\":\"ok\"") != std::string::npos);
    }

    std::unique_ptr<TempDir> dir_;
    std::string name_;
    std::string log_;
    std::string socket_;
    std::unique_ptr<ChildProcess> worker_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PostgresCredentialsTest);
