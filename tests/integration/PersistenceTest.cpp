// What survives a restart, and what never reaches the disk: committed rows survive SIGTERM and SIGKILL; the
// client secret is stored only as a digest (API.md §2).

#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <csignal>

using namespace appreg::test;

class PersistenceTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(PersistenceTest);
    CPPUNIT_TEST(testDataSurvivesRestart);
    CPPUNIT_TEST(testCommittedDataSurvivesSigkill);
    CPPUNIT_TEST(testClientSecretIsNotStoredInClear);
    CPPUNIT_TEST_SUITE_END();

public:
    void testDataSurvivesRestart() {
        const long long org = api().createOrganization("persistent-org", "kept across restarts");
        const auto app = api().createApplicationOk(ApiClient::seedApplication(org, "persistent app"));

        const WorkerProcess::StopResult stopped = worker().stop();
        CPPUNIT_ASSERT_MESSAGE("after SIGTERM: " + stopped.status.describe(), stopped.status.isExit(0));
        CPPUNIT_ASSERT_MESSAGE("took " + std::to_string(stopped.elapsedMs) + " ms to exit",
                               stopped.elapsedMs <= 1000);
        CPPUNIT_ASSERT_EQUAL(1LL, database().count("applications"));

        worker().start();
        const FcgiResponse response = api().get("/api/v2/organizations/" + std::to_string(org) + "/");
        APPREG_ASSERT_STATUS(200, response);
        const auto body = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(std::string("persistent-org"), body->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::string("kept across restarts"), body->getValue<std::string>("description"));
        CPPUNIT_ASSERT_EQUAL(1LL, database().count("applications"));
        // The unique (name, organization) pair is still enforced against the stored row.
        APPREG_ASSERT_RESPONSE(
            400, R"({"__all__": ["Application with this Name and Organization already exists."]})",
            api().createApplication(ApiClient::seedApplication(org, "persistent app")));
        // And ids go on from where they were.
        const auto next = api().createApplicationOk(ApiClient::seedApplication(org, "after restart"));
        CPPUNIT_ASSERT(next->getValue<long long>("id") > app->getValue<long long>("id"));
    }

    void testCommittedDataSurvivesSigkill() {
        const long long org = api().createOrganization("crash-org");
        api().createApplicationOk(ApiClient::seedApplication(org, "before the crash"));
        const ExitStatus killed = worker().kill();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(killed.describe(), SIGKILL, killed.signal);

        worker().start();
        APPREG_ASSERT_STATUS(200, api().get("/api/v2/organizations/" + std::to_string(org) + "/"));
        CPPUNIT_ASSERT_EQUAL(1LL, database().count("applications"));
    }

    void testClientSecretIsNotStoredInClear() {
        const long long org = organization();
        const auto app = api().createApplicationOk(ApiClient::seedApplication(org));
        const std::string secret = app->getValue<std::string>("client_secret");
        const std::string clientId = app->getValue<std::string>("client_id");
        CPPUNIT_ASSERT_EQUAL(std::size_t(128), secret.size());

        // While the worker runs (the row may still be in the -wal file) ...
        std::string bytes = database().rawBytes();
        // The search works: the client_id, which is stored as is, is found.
        CPPUNIT_ASSERT_MESSAGE("client_id not found in the database files",
                               bytes.find(clientId) != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE("the clear client_secret is in the database files",
                               bytes.find(secret) == std::string::npos);

        // ... and after a clean shutdown (checkpointed into the main file).
        const WorkerProcess::StopResult stopped = worker().stop();
        CPPUNIT_ASSERT_MESSAGE(stopped.status.describe(), stopped.status.isExit(0));
        bytes = database().rawBytes();
        CPPUNIT_ASSERT_MESSAGE("client_id not found in the database files",
                               bytes.find(clientId) != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE("the clear client_secret is in the database files",
                               bytes.find(secret) == std::string::npos);
        // Nor half of it (a secret split across pages or columns would still leak).
        CPPUNIT_ASSERT(bytes.find(secret.substr(0, 64)) == std::string::npos);
        CPPUNIT_ASSERT(bytes.find(secret.substr(64)) == std::string::npos);
        CPPUNIT_ASSERT_MESSAGE("the clear client_secret is in the worker log",
                               worker().log().find(secret) == std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PersistenceTest);
