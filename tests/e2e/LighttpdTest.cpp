// End to end: an HTTP client, the real lighttpd with the project's conf/lighttpd.conf, the real worker. What
// an AWX client sees over HTTP, and that lighttpd's errorlog stays clean while it does.

#include "HttpClient.h"
#include "JsonAssert.h"
#include "LighttpdProcess.h"
#include "ResponseAssert.h"
#include "TempDir.h"
#include "TestSuperuser.h"
#include "WorkerProcess.h"

#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <thread>

using namespace appreg::test;

namespace {

const char* const kSeedCreateErrors =
    R"({"client_type": ["This field is required."], "authorization_grant_type": ["This field is required."],
        "organization": ["This field is required."]})";

}  // namespace

class LighttpdTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LighttpdTest);
    CPPUNIT_TEST(testPing);
    CPPUNIT_TEST(testCreateOrganizationAndSeedApplication);
    CPPUNIT_TEST(testSeedErrorExample);
    CPPUNIT_TEST(testUnknownRouteIs404);
    CPPUNIT_TEST(testMethodNotAllowedWithAllow);
    CPPUNIT_TEST(testWrongContentTypeIs415);
    CPPUNIT_TEST(testMissingTrailingSlashRedirects);
    CPPUNIT_TEST(testBodyOverLighttpdLimitIs413);
    CPPUNIT_TEST(testChunkedBodyOverLighttpdLimitIs413);
    CPPUNIT_TEST(testChunkedBodyWithinLimitIsAccepted);
    CPPUNIT_TEST(testAuthorizationHeadersDoNotBreakAnything);
    CPPUNIT_TEST(testWorkerDownIs503);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        dir_ = std::make_unique<TempDir>();
        worker_ = std::make_unique<WorkerProcess>(*dir_);
        worker_->start();
        lighttpd_ = std::make_unique<LighttpdProcess>(*dir_, worker_->socketPath());
        lighttpd_->start();
        http_ = std::make_unique<HttpClient>(lighttpd_->port());
        allowedLogLines_.clear();
    }

    void tearDown() override {
        // Every test ends with a clean errorlog: only lighttpd's own start and stop lines, plus what the test
        // declared it expects. Read it after lighttpd stopped, so nothing is still buffered.
        std::string unexpected, log;
        if (lighttpd_) {
            lighttpd_->stop();
            unexpected = lighttpd_->unexpectedErrorLogLines(
                [this](const std::string& line) { return isAllowed(line); });
            log = lighttpd_->errorLog();
        }
        http_.reset();
        lighttpd_.reset();
        worker_.reset();
        dir_.reset();
        CPPUNIT_ASSERT_MESSAGE(
            "lighttpd errorlog has unexpected lines:\n" + unexpected + "--- whole log ---\n" + log,
            unexpected.empty());
    }

    void testPing() {
        const HttpResponse response = http_->get("/api/v2/ping/");
        APPREG_ASSERT_STATUS(200, response);
        CPPUNIT_ASSERT_EQUAL(std::string("ok"),
                             JsonAssert::parseObject(response.body)->getValue<std::string>("database"));
    }

    void testCreateOrganizationAndSeedApplication() {
        const HttpResponse org = http_->postJson("/api/v2/organizations/",
                                                 R"({"name": "test-org", "description": "test-org-desc"})");
        APPREG_ASSERT_STATUS(201, org);
        const long long orgId = JsonAssert::parseObject(org.body)->getValue<long long>("id");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(org.describe(), "/api/v2/organizations/" + std::to_string(orgId) + "/",
                                     org.header("Location"));

        // The documented request, byte for byte.
        const std::string seed =
            "{\n    \"authorization_grant_type\":\"password\",\n    \"client_type\":\"confidential\",\n"
            "    \"name\":\"test app\",\n    \"organization\":" +
            std::to_string(orgId) + "\n}";
        const HttpResponse response = http_->postJson("/api/v2/applications/", seed);
        APPREG_ASSERT_STATUS(201, response);
        const auto body = JsonAssert::parseObject(response.body);
        APPREG_ASSERT_KEYS(
            (std::vector<std::string>{"id", "type", "url", "related", "summary_fields", "created", "modified",
                                      "name", "description", "client_id", "client_secret", "client_type",
                                      "redirect_uris", "authorization_grant_type", "skip_authorization",
                                      "organization"}),
            body);
        const std::string url = "/api/v2/applications/" + body->getValue<std::string>("id") + "/";
        CPPUNIT_ASSERT_EQUAL(url, body->getValue<std::string>("url"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), url, response.header("Location"));
        CPPUNIT_ASSERT_MESSAGE(response.describe(),
                               response.header("Content-Type").rfind("application/json", 0) == 0);
        CPPUNIT_ASSERT_MESSAGE(response.describe(), !response.header("X-API-Request-Id").empty());
        CPPUNIT_ASSERT_EQUAL(std::string("o_auth2_application"), body->getValue<std::string>("type"));
        CPPUNIT_ASSERT_EQUAL(std::string("test app"), body->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(40), body->getValue<std::string>("client_id").size());
        CPPUNIT_ASSERT_EQUAL(std::size_t(128), body->getValue<std::string>("client_secret").size());
        APPREG_ASSERT_JSON("{\"id\": " + std::to_string(orgId) +
                               ", \"name\": \"test-org\", \"description\": \"test-org-desc\"}",
                           JsonAssert::toJson(body->getObject("summary_fields")->get("organization")));
        CPPUNIT_ASSERT_EQUAL(orgId, body->getValue<long long>("organization"));
    }

    void testSeedErrorExample() {
        APPREG_ASSERT_RESPONSE(400, kSeedCreateErrors,
                               http_->postJson("/api/v2/applications/", R"({"name": "x"})"));
    }

    void testUnknownRouteIs404() {
        const char* const notFound = R"({"detail": "The requested resource could not be found."})";
        APPREG_ASSERT_RESPONSE(404, notFound, http_->get("/api/v2/nothing/"));
        APPREG_ASSERT_RESPONSE(404, notFound, http_->get("/api/v2/applications/abc/"));
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "No Organization matches the given query."})",
                               http_->get("/api/v2/organizations/999/"));
    }

    void testMethodNotAllowedWithAllow() {
        const HttpResponse response = http_->send("PUT", "/api/v2/applications/", "{}", "application/json");
        APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"PUT\" not allowed."})", response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string("GET, POST, HEAD, OPTIONS"),
                                     response.header("Allow"));
    }

    void testWrongContentTypeIs415() {
        const char* const expected =
            R"({"detail": "You did not use correct Content-Type in your HTTP request. )"
            R"(If you are using our REST API, the Content-Type must be application/json"})";
        APPREG_ASSERT_RESPONSE(
            415, expected, http_->send("POST", "/api/v2/applications/", R"({"name": "x"})", "text/plain"));
        APPREG_ASSERT_RESPONSE(415, expected,
                               http_->send("POST", "/api/v2/applications/", R"({"name": "x"})"));
    }

    void testMissingTrailingSlashRedirects() {
        const HttpResponse response = http_->get("/api/v2/organizations?page=2");
        APPREG_ASSERT_STATUS(301, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string("/api/v2/organizations/?page=2"),
                                     response.header("Location"));
    }

    void testBodyOverLighttpdLimitIs413() {
        allowedLogLines_.push_back("request-size too long");
        const std::size_t limit = configuredLimitBytes();
        const HttpResponse response =
            http_->send("POST", "/api/v2/applications/", std::string(limit + 1, ' '), "application/json");
        APPREG_ASSERT_STATUS(413, response);
        assertWorkerNeverSawA("POST");
    }

    void testChunkedBodyOverLighttpdLimitIs413() {
        allowedLogLines_.push_back("request-size too long");
        const std::size_t limit = configuredLimitBytes();
        const HttpResponse response = http_->send("POST", "/api/v2/applications/",
                                                  std::string(limit + 1, ' '), "application/json", {}, true);
        APPREG_ASSERT_STATUS(413, response);
        assertWorkerNeverSawA("POST");
    }

    void testChunkedBodyWithinLimitIsAccepted() {
        // lighttpd de-chunks the body and gives the worker a CONTENT_LENGTH (platform-notes §4.1).
        const HttpResponse org = http_->postJson("/api/v2/organizations/", R"({"name": "chunked-org"})");
        APPREG_ASSERT_STATUS(201, org);
        const std::string body =
            R"({"name": "chunked", "client_type": "public", "authorization_grant_type": "password",
            "organization": )" +
            JsonAssert::parseObject(org.body)->getValue<std::string>("id") + "}";
        APPREG_ASSERT_STATUS(
            201, http_->send("POST", "/api/v2/applications/", body, "application/json", {}, true));
    }

    void testAuthorizationHeadersDoNotBreakAnything() {
        // Both schemes, with credentials the worker accepts: the superuser's password and a token of theirs.
        const HttpClient::Headers basic = {{"Authorization", TestSuperuser::authorization()}};
        const HttpResponse token = http_->postJson("/api/v2/tokens/", R"({"scope": "write"})", basic);
        APPREG_ASSERT_STATUS(201, token);
        const HttpClient::Headers bearer = {
            {"Authorization",
             "Bearer " + JsonAssert::parseObject(token.body)->getValue<std::string>("token")}};
        APPREG_ASSERT_STATUS(200, http_->get("/api/v2/ping/", bearer));
        const HttpResponse org = http_->postJson("/api/v2/organizations/", R"({"name": "auth-org"})", basic);
        APPREG_ASSERT_STATUS(201, org);
        const std::string orgId = JsonAssert::parseObject(org.body)->getValue<std::string>("id");
        const std::string app = R"({"name": "a", "client_type": "confidential", "authorization_grant_type": )"
                                R"("password", "organization": )" +
                                orgId + "}";
        APPREG_ASSERT_STATUS(201, http_->postJson("/api/v2/applications/", app, bearer));
        APPREG_ASSERT_RESPONSE(400, kSeedCreateErrors,
                               http_->postJson("/api/v2/applications/", R"({"name": "x"})", basic));

        // Without credentials the worker's 401 and its challenge reach the client as they are.
        HttpClient anonymous(lighttpd_->port());
        anonymous.setAuthorization(std::nullopt);
        const HttpResponse refused = anonymous.get("/api/v2/applications/");
        APPREG_ASSERT_RESPONSE(401, R"({"detail": "Authentication credentials were not provided."})",
                               refused);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(refused.describe(),
                                     std::string("Bearer realm=api authorization_url=/api/o/authorize/"),
                                     refused.header("WWW-Authenticate"));
    }

    void testWorkerDownIs503() {
        // conf/lighttpd.conf promises 503 when the worker is down; lighttpd logs why.
        allowedLogLines_.push_back("establishing connection failed");
        allowedLogLines_.push_back("all handlers for /api");
        allowedLogLines_.push_back("gw-server re-enabled");
        const WorkerProcess::StopResult stopped = worker_->stop();
        CPPUNIT_ASSERT_MESSAGE(stopped.status.describe(), stopped.status.isExit(0));
        APPREG_ASSERT_STATUS(503, http_->get("/api/v2/ping/"));
        // And it recovers once the worker is back.
        worker_->start();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        int status = 0;
        while (status != 200 && std::chrono::steady_clock::now() < deadline) {
            status = http_->get("/api/v2/ping/").status;
            if (status != 200) {
                // lighttpd disables a failed backend for a moment before it retries.
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE("lighttpd did not reconnect to the restarted worker", 200, status);
    }

private:
    std::size_t configuredLimitBytes() const {
        CPPUNIT_ASSERT_MESSAGE(
            "conf/lighttpd.conf sets no server.max-request-size, so lighttpd accepts any body",
            lighttpd_->maxRequestSizeKib() > 0);
        return static_cast<std::size_t>(lighttpd_->maxRequestSizeKib()) * 1024;
    }

    void assertWorkerNeverSawA(const std::string& method) const {
        const std::string log = worker_->log();
        CPPUNIT_ASSERT_MESSAGE("the worker received the oversized request:\n" + log,
                               log.find(" " + method + " /api/v2/applications/") == std::string::npos);
    }

    bool isAllowed(const std::string& line) const {
        for (const std::string& allowed : allowedLogLines_) {
            if (line.find(allowed) != std::string::npos) {
                return true;
            }
        }
        return false;
    }

    std::unique_ptr<TempDir> dir_;
    std::unique_ptr<WorkerProcess> worker_;
    std::unique_ptr<LighttpdProcess> lighttpd_;
    std::unique_ptr<HttpClient> http_;
    std::vector<std::string> allowedLogLines_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(LighttpdTest);
