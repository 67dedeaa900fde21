// End to end: the applications API over HTTP, through the real lighttpd with the project's
// conf/lighttpd.conf, in front of the real worker: a filtered and paginated list, PATCH, token creation,
// DELETE, OPTIONS. What matters here is what lighttpd passes through (query strings, methods, bodies, 204s,
// headers) and that its errorlog stays clean.

#include "HttpClient.h"
#include "JsonAssert.h"
#include "LighttpdProcess.h"
#include "ResponseAssert.h"
#include "TempDir.h"
#include "WorkerProcess.h"

#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

using namespace appreg::test;

namespace {

Poco::JSON::Object::Ptr expectJson(const HttpResponse& response, int status, const std::string& what) {
    if (response.status != status) {
        throw std::runtime_error(what + " should answer " + std::to_string(status) + ": " +
                                 response.describe());
    }
    return JsonAssert::parseObject(response.body);
}

std::vector<std::string> names(const Poco::JSON::Object::Ptr& list) {
    std::vector<std::string> values;
    const auto results = list->getArray("results");
    for (std::size_t i = 0; results && i < results->size(); ++i) {
        values.push_back(results->getObject(static_cast<unsigned>(i))->getValue<std::string>("name"));
    }
    return values;
}

}  // namespace

class ApiThroughLighttpdTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ApiThroughLighttpdTest);
    CPPUNIT_TEST(testFilteredListWithPaginationLinks);
    CPPUNIT_TEST(testPatch);
    CPPUNIT_TEST(testTokenCreate);
    CPPUNIT_TEST(testDelete);
    CPPUNIT_TEST(testOptions);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        dir_ = std::make_unique<TempDir>();
        worker_ = std::make_unique<WorkerProcess>(*dir_);
        worker_->start();
        lighttpd_ = std::make_unique<LighttpdProcess>(*dir_, worker_->socketPath());
        lighttpd_->start();
        http_ = std::make_unique<HttpClient>(lighttpd_->port());
    }

    void tearDown() override {
        // Only lighttpd's own start and stop lines may be in its errorlog; read it after it stopped.
        std::string unexpected;
        if (lighttpd_) {
            lighttpd_->stop();
            unexpected = lighttpd_->unexpectedErrorLogLines();
        }
        http_.reset();
        lighttpd_.reset();
        worker_.reset();
        dir_.reset();
        CPPUNIT_ASSERT_MESSAGE("lighttpd errorlog has unexpected lines:\n" + unexpected, unexpected.empty());
    }

    void testFilteredListWithPaginationLinks() {
        const long long org = createOrganization("Default");
        for (const char* name : {"svc b", "svc a", "tool", "svc c"}) {
            createApplication(org, name);
        }
        const HttpResponse response =
            http_->get("/api/v2/applications/?page_size=2&name__startswith=svc&order_by=name");
        APPREG_ASSERT_STATUS(200, response);
        CPPUNIT_ASSERT_MESSAGE(response.describe(),
                               response.header("Content-Type").rfind("application/json", 0) == 0);
        CPPUNIT_ASSERT_MESSAGE(response.describe(), !response.header("X-API-Request-Id").empty());
        const auto first = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(3LL, first->getValue<long long>("count"));
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"svc a", "svc b"}), JsonAssert::join(names(first)));
        CPPUNIT_ASSERT(first->isNull("previous"));
        const std::string next = first->getValue<std::string>("next");
        CPPUNIT_ASSERT_EQUAL(
            std::string("/api/v2/applications/?name__startswith=svc&order_by=name&page=2&page_size=2"), next);

        // The link works as it is, through lighttpd.
        const auto second = expectJson(http_->get(next), 200, "GET " + next);
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"svc c"}), JsonAssert::join(names(second)));
        CPPUNIT_ASSERT(second->isNull("next"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("/api/v2/applications/?name__startswith=svc&order_by=name&page_size=2"),
            second->getValue<std::string>("previous"));

        // An encoded space and a '+' in the query string reach the worker as the client sent them.
        const auto search =
            expectJson(http_->get("/api/v2/applications/?search=%22svc%20c%22"), 200, "search \"svc c\"");
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"svc c"}), JsonAssert::join(names(search)));
        const auto plus = expectJson(http_->get("/api/v2/applications/?name=svc+a"), 200, "name=svc+a");
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"svc a"}), JsonAssert::join(names(plus)));
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "Invalid page."})",
                               http_->get("/api/v2/applications/?page=9"));
        APPREG_ASSERT_RESPONSE(403, R"({"detail": "Filtering on client_id is not allowed."})",
                               http_->get("/api/v2/applications/?client_id=x"));
    }

    void testPatch() {
        const long long org = createOrganization("Default");
        const auto created = createApplication(org, "before");
        const std::string url = created->getValue<std::string>("url");
        const HttpResponse response = http_->send(
            "PATCH", url, R"({"name": "after", "description": "patched over HTTP"})", "application/json");
        APPREG_ASSERT_STATUS(200, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(),
                                     std::string("GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
                                     response.header("Allow"));
        const auto body = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(std::string("after"), body->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::string("patched over HTTP"), body->getValue<std::string>("description"));
        CPPUNIT_ASSERT_EQUAL(std::string("************"), body->getValue<std::string>("client_secret"));
        CPPUNIT_ASSERT_EQUAL(created->getValue<std::string>("client_id"),
                             body->getValue<std::string>("client_id"));
        APPREG_ASSERT_JSON(response.body, http_->get(url).body);
        APPREG_ASSERT_RESPONSE(400, R"({"client_type": ["\"x\" is not a valid choice."]})",
                               http_->send("PATCH", url, R"({"client_type": "x"})", "application/json"));
    }

    void testTokenCreate() {
        const long long org = createOrganization("Default");
        const auto app = createApplication(org, "issuer");
        const std::string tokens = app->getValue<std::string>("url") + "tokens/";
        const HttpResponse response = http_->postJson(tokens, R"({"description": "e2e", "scope": "read"})");
        APPREG_ASSERT_STATUS(201, response);
        const auto body = JsonAssert::parseObject(response.body);
        const std::string url = "/api/v2/tokens/" + std::to_string(body->getValue<long long>("id")) + "/";
        CPPUNIT_ASSERT_EQUAL(url, body->getValue<std::string>("url"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), url, response.header("Location"));
        static const std::regex token("^[A-Za-z0-9]{30}$");
        CPPUNIT_ASSERT_MESSAGE(response.body, std::regex_match(body->getValue<std::string>("token"), token));
        CPPUNIT_ASSERT_MESSAGE(response.body,
                               std::regex_match(body->getValue<std::string>("refresh_token"), token));
        CPPUNIT_ASSERT_EQUAL(std::string("read"), body->getValue<std::string>("scope"));

        const auto stored = expectJson(http_->get(url), 200, "GET " + url);
        CPPUNIT_ASSERT_EQUAL(std::string("************"), stored->getValue<std::string>("token"));
        CPPUNIT_ASSERT_EQUAL(std::string("************"), stored->getValue<std::string>("refresh_token"));
        const auto appAfter = expectJson(http_->get(app->getValue<std::string>("url")), 200, "GET app");
        APPREG_ASSERT_JSON(
            "{\"count\": 1, \"results\": [{\"id\": " + std::to_string(body->getValue<long long>("id")) +
                ", \"token\": \"************\", \"scope\": \"read\"}]}",
            JsonAssert::toJson(appAfter->getObject("summary_fields")->get("tokens")));
    }

    void testDelete() {
        const long long org = createOrganization("Default");
        const auto app = createApplication(org, "doomed");
        const std::string url = app->getValue<std::string>("url");
        const HttpResponse response = http_->send("DELETE", url);
        APPREG_ASSERT_STATUS(204, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string(), response.body);
        CPPUNIT_ASSERT_MESSAGE(response.describe(), !response.header("X-API-Request-Id").empty());
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "No OAuth2Application matches the given query."})",
                               http_->get(url));
        // The connection after a 204 is fine: the next request works.
        const auto list = expectJson(http_->get("/api/v2/applications/"), 200, "list after delete");
        CPPUNIT_ASSERT_EQUAL(0LL, list->getValue<long long>("count"));
    }

    void testOptions() {
        const HttpResponse response = http_->send("OPTIONS", "/api/v2/applications/");
        APPREG_ASSERT_STATUS(200, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string("GET, POST, HEAD, OPTIONS"),
                                     response.header("Allow"));
        const auto body = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(std::string("OAuth 2 Applications"), body->getValue<std::string>("name"));
        APPREG_ASSERT_KEYS((std::vector<std::string>{"GET", "POST"}), body->getObject("actions"));
        APPREG_ASSERT_JSON(
            R"([["authorization-code", "Authorization code"], ["password", "Resource owner password-based"]])",
            JsonAssert::toJson(body->getObject("actions")
                                   ->getObject("POST")
                                   ->getObject("authorization_grant_type")
                                   ->get("choices")));
        CPPUNIT_ASSERT_EQUAL(200, body->getValue<int>("max_page_size"));
    }

private:
    long long createOrganization(const std::string& name) {
        return expectJson(
                   http_->postJson("/api/v2/organizations/", "{\"name\": " + JsonAssert::quote(name) + "}"),
                   201, "POST /api/v2/organizations/")
            ->getValue<long long>("id");
    }

    Poco::JSON::Object::Ptr createApplication(long long organization, const std::string& name) {
        const std::string body =
            "{\"name\": " + JsonAssert::quote(name) +
            ", \"client_type\": \"confidential\", \"authorization_grant_type\": \"password\", "
            "\"organization\": " +
            std::to_string(organization) + "}";
        return expectJson(http_->postJson("/api/v2/applications/", body), 201,
                          "POST /api/v2/applications/ " + body);
    }

    std::unique_ptr<TempDir> dir_;
    std::unique_ptr<WorkerProcess> worker_;
    std::unique_ptr<LighttpdProcess> lighttpd_;
    std::unique_ptr<HttpClient> http_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(ApiThroughLighttpdTest);
