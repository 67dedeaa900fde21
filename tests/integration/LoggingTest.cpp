// The worker's log (stderr): one access line per request that an operator can match with the client's
// X-API-Request-Id, and never a secret or a request body.

#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <sstream>

using namespace appreg::test;

class LoggingTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(LoggingTest);
    CPPUNIT_TEST(testCreateIsLoggedWithRequestId);
    CPPUNIT_TEST(testRefusedRequestIsLogged);
    CPPUNIT_TEST(testSecretAndBodyAreNotLogged);
    CPPUNIT_TEST(testRequestCannotForgeLogLines);
    CPPUNIT_TEST(testGroupCommitsAreSummedUpAtStop);
    CPPUNIT_TEST_SUITE_END();

public:
    void testCreateIsLoggedWithRequestId() {
        const FcgiResponse response = api().createApplication(ApiClient::seedApplication(organization()));
        APPREG_ASSERT_STATUS(201, response);
        const std::string line = accessLine(response);
        for (const char* part : {"POST", "/api/v2/applications/", "201"}) {
            CPPUNIT_ASSERT_MESSAGE(std::string("'") + part + "' missing from the log line: " + line,
                                   line.find(part) != std::string::npos);
        }
    }

    void testRefusedRequestIsLogged() {
        const FcgiResponse response = api().send("DELETE", "/api/v2/organizations/");
        APPREG_ASSERT_STATUS(405, response);
        const std::string line = accessLine(response);
        for (const char* part : {"DELETE", "/api/v2/organizations/", "405"}) {
            CPPUNIT_ASSERT_MESSAGE(std::string("'") + part + "' missing from the log line: " + line,
                                   line.find(part) != std::string::npos);
        }
    }

    void testSecretAndBodyAreNotLogged() {
        const std::string marker = "body-marker-3f9a1c";
        const std::string body = JsonAssert::with(ApiClient::seedApplication(organization()), "description",
                                                  JsonAssert::quote(marker));
        const FcgiResponse response = api().createApplication(body);
        APPREG_ASSERT_STATUS(201, response);
        const std::string secret =
            JsonAssert::parseObject(response.body)->getValue<std::string>("client_secret");
        accessLine(response);                                       // wait until the request is logged
        const WorkerProcess::StopResult stopped = worker().stop();  // and flush everything else
        CPPUNIT_ASSERT_MESSAGE(stopped.status.describe(), stopped.status.isExit(0));
        const std::string log = worker().log();
        CPPUNIT_ASSERT_MESSAGE("the client_secret is in the log:\n" + log,
                               log.find(secret) == std::string::npos);
        CPPUNIT_ASSERT_MESSAGE("the request body is in the log:\n" + log,
                               log.find(marker) == std::string::npos);
    }

    void testGroupCommitsAreSummedUpAtStop() {
        // How many writes shared a commit is what an operator sizes `threads` by: said once, at stop. Here
        // one write at a time (organization, then three applications), so each had a commit of its own.
        const long long org = organization();
        for (const char* name : {"one", "two", "three"}) {
            APPREG_ASSERT_STATUS(201, api().createApplication(ApiClient::seedApplication(org, name)));
        }
        const WorkerProcess::StopResult stopped = worker().stop();
        CPPUNIT_ASSERT_MESSAGE(stopped.status.describe(), stopped.status.isExit(0));
        const std::string log = worker().log();
        CPPUNIT_ASSERT_MESSAGE(log, log.find("group commit: 4 writes in 4 transactions (1.00 per transaction, "
                                             "at most 1)") != std::string::npos);
    }

    void testRequestCannotForgeLogLines() {
        // A path with a line break must not start a line of its own in the log.
        const FcgiResponse response = api().get("/api/v2/x\nFORGED GET /api/v2/ping/ 200\r\n");
        APPREG_ASSERT_STATUS(404, response);
        accessLine(response);
        std::istringstream lines(worker().log());
        std::string line;
        while (std::getline(lines, line)) {
            CPPUNIT_ASSERT_MESSAGE("forged log line: " + line, line.rfind("FORGED", 0) != 0);
        }
    }

private:
    /// The log line that carries the response's X-API-Request-Id (waits for it to be written).
    std::string accessLine(const FcgiResponse& response) {
        const std::string requestId = response.header("X-API-Request-Id");
        CPPUNIT_ASSERT_MESSAGE("no X-API-Request-Id: " + response.describe(), !requestId.empty());
        CPPUNIT_ASSERT_MESSAGE("request id " + requestId + " never appeared in the log:\n" + worker().log(),
                               worker().waitForLog(requestId));
        std::istringstream lines(worker().log());
        std::string line;
        while (std::getline(lines, line)) {
            if (line.find(requestId) != std::string::npos) {
                return line;
            }
        }
        return {};
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LoggingTest);
