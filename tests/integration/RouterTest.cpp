// Routing (API.md §1, §2; awx-reference.md §4.1, §4.4): unknown routes, methods, trailing slashes, ping, and
// routing on the raw REQUEST_URI whatever SCRIPT_NAME/PATH_INFO the front server sends.

#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <regex>
#include <set>

using namespace appreg::test;

namespace {

const char* const kNotFound = R"({"detail": "The requested resource could not be found."})";

}  // namespace

class RouterTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(RouterTest);
    CPPUNIT_TEST(testUnknownPath);
    CPPUNIT_TEST(testNonNumericId);
    CPPUNIT_TEST(testIdsMustMatchTheIdPattern);
    CPPUNIT_TEST(testMethodNotAllowedOnApplicationList);
    CPPUNIT_TEST(testMethodNotAllowedOnOrganizationList);
    CPPUNIT_TEST(testMissingTrailingSlashRedirectsGet);
    CPPUNIT_TEST(testMissingTrailingSlashKeepsQuery);
    CPPUNIT_TEST(testMissingTrailingSlashRedirectsPostWith308);
    CPPUNIT_TEST(testPing);
    CPPUNIT_TEST(testRoutingUsesRequestUriNotScriptName);
    CPPUNIT_TEST(testEveryResponseIsJsonWithRequestId);
    CPPUNIT_TEST_SUITE_END();

public:
    void testUnknownPath() {
        for (const char* uri : {"/", "/api/", "/api/v2/nothing/", "/api/v1/applications/",
                                "/api/v2/applicationsx/", "/api/v2/organizations/1/nothing/"}) {
            APPREG_ASSERT_RESPONSE(404, kNotFound, api().get(uri));
        }
    }

    void testNonNumericId() {
        APPREG_ASSERT_RESPONSE(404, kNotFound, api().get("/api/v2/applications/abc/"));
        APPREG_ASSERT_RESPONSE(404, kNotFound, api().get("/api/v2/organizations/abc/"));
    }

    void testIdsMustMatchTheIdPattern() {
        // {id} is [1-9][0-9]* within 64-bit range; anything else is no route.
        for (const char* uri :
             {"/api/v2/organizations/0/", "/api/v2/organizations/01/", "/api/v2/organizations/-1/",
              "/api/v2/organizations/1.0/", "/api/v2/organizations/99999999999999999999/"}) {
            APPREG_ASSERT_RESPONSE(404, kNotFound, api().get(uri));
        }
    }

    void testMethodNotAllowedOnApplicationList() {
        const FcgiResponse put = api().send("PUT", ApiClient::kApplications, "{}");
        APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"PUT\" not allowed."})", put);
        assertAllowed(put);

        const FcgiResponse remove = api().send("DELETE", ApiClient::kApplications);
        APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"DELETE\" not allowed."})", remove);
        assertAllowed(remove);
    }

    void testMethodNotAllowedOnOrganizationList() {
        const FcgiResponse patch = api().send("PATCH", ApiClient::kOrganizations, "{}");
        APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"PATCH\" not allowed."})", patch);
        assertAllowed(patch);
    }

    void testMissingTrailingSlashRedirectsGet() {
        const FcgiResponse response = api().get("/api/v2/organizations");
        APPREG_ASSERT_STATUS(301, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string("/api/v2/organizations/"),
                                     response.header("Location"));
    }

    void testMissingTrailingSlashKeepsQuery() {
        const FcgiResponse response = api().get("/api/v2/organizations?page=2&search=a%20b");
        APPREG_ASSERT_STATUS(301, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(),
                                     std::string("/api/v2/organizations/?page=2&search=a%20b"),
                                     response.header("Location"));
    }

    void testMissingTrailingSlashRedirectsPostWith308() {
        // 308 keeps the method and the body, so a client that follows it still creates.
        const FcgiResponse response = api().post("/api/v2/organizations", R"({"name": "redirected"})");
        APPREG_ASSERT_STATUS(308, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string("/api/v2/organizations/"),
                                     response.header("Location"));
        const FcgiResponse app = api().post("/api/v2/applications", "{}");
        APPREG_ASSERT_STATUS(308, app);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(app.describe(), std::string("/api/v2/applications/"),
                                     app.header("Location"));
    }

    void testPing() {
        const FcgiResponse response = api().get("/api/v2/ping/");
        APPREG_ASSERT_STATUS(200, response);
        const auto body = JsonAssert::parseObject(response.body);
        APPREG_ASSERT_KEYS((std::vector<std::string>{"version", "active_node", "database"}), body);
        CPPUNIT_ASSERT_MESSAGE(response.describe(), body->get("version").isString());
        CPPUNIT_ASSERT_MESSAGE(response.describe(), !body->getValue<std::string>("version").empty());
        CPPUNIT_ASSERT_MESSAGE(response.describe(), body->get("active_node").isString());
        CPPUNIT_ASSERT_MESSAGE(response.describe(), !body->getValue<std::string>("active_node").empty());
        CPPUNIT_ASSERT_EQUAL(std::string("ok"), body->getValue<std::string>("database"));
    }

    void testRoutingUsesRequestUriNotScriptName() {
        // lighttpd with "/api/" gives SCRIPT_NAME=/api/v2; Apache mod_proxy_fcgi gives the whole path as
        // SCRIPT_NAME and no PATH_INFO (platform-notes §4.1, §4.2). Only REQUEST_URI is the same everywhere.
        FcgiClient::Params lighttpd = FcgiClient::standardParams("GET", "/api/v2/ping/");
        FcgiClient::setParam(lighttpd, "SCRIPT_NAME", "/api/v2");
        FcgiClient::setParam(lighttpd, "PATH_INFO", "/ping/");
        APPREG_ASSERT_STATUS(200, api().fcgi().request(lighttpd, ""));

        const std::string body = ApiClient::seedApplication(organization());
        FcgiClient::Params apache =
            FcgiClient::standardParams("POST", "/api/v2/applications/", "application/json", body);
        FcgiClient::setParam(apache, "SCRIPT_NAME", "/api/v2/applications/");
        FcgiClient::removeParam(apache, "PATH_INFO");
        FcgiClient::setParam(apache, "SCRIPT_FILENAME", "proxy:fcgi://localhost/api/v2/applications/");
        APPREG_ASSERT_STATUS(201, api().fcgi().request(apache, body));

        // And a misleading PATH_INFO does not win over REQUEST_URI.
        FcgiClient::Params misleading = FcgiClient::standardParams("GET", "/api/v2/nothing/");
        FcgiClient::setParam(misleading, "PATH_INFO", "/v2/ping/");
        APPREG_ASSERT_RESPONSE(404, kNotFound, api().fcgi().request(misleading, ""));
    }

    void testEveryResponseIsJsonWithRequestId() {
        const std::vector<FcgiResponse> responses = {
            api().get("/api/v2/ping/"),
            api().get("/api/v2/nothing/"),
            api().send("PUT", ApiClient::kApplications, "{}"),
            api().createApplication("{"),
            api().createApplication("{}"),
            api().send("POST", ApiClient::kApplications, "{}", "text/plain"),
        };
        std::set<std::string> ids;
        for (const FcgiResponse& response : responses) {
            CPPUNIT_ASSERT_MESSAGE(response.describe(),
                                   response.header("Content-Type").rfind("application/json", 0) == 0);
            // django-guid's uuid4().hex and AWX's "0.012s".
            CPPUNIT_ASSERT_MESSAGE(response.describe(), std::regex_match(response.header("X-API-Request-Id"),
                                                                         std::regex("^[0-9a-f]{32}$")));
            CPPUNIT_ASSERT_MESSAGE(
                response.describe(),
                std::regex_match(response.header("X-API-Time"), std::regex(R"(^[0-9]+\.[0-9]{3}s$)")));
            JsonAssert::parseObject(response.body);  // throws unless the body is one JSON object
            ids.insert(response.header("X-API-Request-Id"));
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE("request ids must be unique", responses.size(), ids.size());
    }

private:
    /// The Allow header of a 405 on a list: what AWX sends (awx-reference §4.1).
    static void assertAllowed(const FcgiResponse& response) {
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string("GET, POST, HEAD, OPTIONS"),
                                     response.header("Allow"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RouterTest);
