// POST /api/v2/applications/ that succeeds: the 201 of create-application.txt, field by field (API.md §4,
// awx-reference.md §2.1).

#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <time.h>

#include <algorithm>
#include <ctime>
#include <regex>
#include <set>

using namespace appreg::test;

class ApplicationCreateTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(ApplicationCreateTest);
    CPPUNIT_TEST(testSeedCreateReturns201WithTheDocumentedShape);
    CPPUNIT_TEST(testSeedCreateHeaders);
    CPPUNIT_TEST(testGeneratedCredentials);
    CPPUNIT_TEST(testCredentialsDifferBetweenApplications);
    CPPUNIT_TEST(testPublicClientHasNoSecretKey);
    CPPUNIT_TEST(testAllWritableFieldsAreStored);
    CPPUNIT_TEST(testIdsIncrease);
    CPPUNIT_TEST(testTimestampsAreCurrentUtc);
    CPPUNIT_TEST(testStringsRoundTripExactly);
    CPPUNIT_TEST(testReadOnlyAndUnknownKeysAreIgnored);
    CPPUNIT_TEST_SUITE_END();

public:
    void testSeedCreateReturns201WithTheDocumentedShape() {
        const long long org = api().createOrganization("test-org", "test-org-desc");
        const FcgiResponse response = api().createApplication(ApiClient::seedApplication(org));
        APPREG_ASSERT_STATUS(201, response);
        const auto body = JsonAssert::parseObject(response.body);
        APPREG_ASSERT_KEYS(kConfidentialKeys, body);

        CPPUNIT_ASSERT_MESSAGE("id must be a JSON integer", body->get("id").isInteger());
        const long long id = body->getValue<long long>("id");
        CPPUNIT_ASSERT(id >= 1);
        const std::string url = "/api/v2/applications/" + std::to_string(id) + "/";
        CPPUNIT_ASSERT_EQUAL(std::string("o_auth2_application"), body->getValue<std::string>("type"));
        CPPUNIT_ASSERT_EQUAL(url, body->getValue<std::string>("url"));

        const auto related = body->getObject("related");
        CPPUNIT_ASSERT_MESSAGE("related must be an object", !related.isNull());
        // The seed lists related in alphabetical order, AWX in its own: only the set is part of the contract.
        const std::vector<std::string> relatedKeys = JsonAssert::keys(related);
        CPPUNIT_ASSERT_MESSAGE("related keys: " + JsonAssert::join(relatedKeys),
                               (std::set<std::string>(relatedKeys.begin(), relatedKeys.end()) ==
                                std::set<std::string>{"tokens", "activity_stream", "organization"}));
        CPPUNIT_ASSERT_EQUAL(url + "tokens/", related->getValue<std::string>("tokens"));
        CPPUNIT_ASSERT_EQUAL(url + "activity_stream/", related->getValue<std::string>("activity_stream"));
        CPPUNIT_ASSERT_EQUAL("/api/v2/organizations/" + std::to_string(org) + "/",
                             related->getValue<std::string>("organization"));

        const auto summary = body->getObject("summary_fields");
        CPPUNIT_ASSERT_MESSAGE("summary_fields must be an object", !summary.isNull());
        const std::vector<std::string> summaryKeys = JsonAssert::keys(summary);
        CPPUNIT_ASSERT_MESSAGE("summary_fields keys: " + JsonAssert::join(summaryKeys),
                               (std::set<std::string>(summaryKeys.begin(), summaryKeys.end()) ==
                                std::set<std::string>{"organization", "user_capabilities", "tokens"}));
        APPREG_ASSERT_JSON("{\"id\": " + std::to_string(org) +
                               ", \"name\": \"test-org\", \"description\": \"test-org-desc\"}",
                           JsonAssert::toJson(summary->get("organization")));
        APPREG_ASSERT_JSON(R"({"edit": true, "delete": true})",
                           JsonAssert::toJson(summary->get("user_capabilities")));
        APPREG_ASSERT_JSON(R"({"count": 0, "results": []})", JsonAssert::toJson(summary->get("tokens")));

        static const std::regex timestamp(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$)");
        const std::string created = body->getValue<std::string>("created");
        const std::string modified = body->getValue<std::string>("modified");
        CPPUNIT_ASSERT_MESSAGE("created: " + created, std::regex_match(created, timestamp));
        CPPUNIT_ASSERT_MESSAGE("modified: " + modified, std::regex_match(modified, timestamp));
        CPPUNIT_ASSERT_MESSAGE("modified " + modified + " precedes created " + created, created <= modified);

        CPPUNIT_ASSERT_EQUAL(std::string("test app"), body->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), body->getValue<std::string>("description"));
        CPPUNIT_ASSERT_EQUAL(std::string("confidential"), body->getValue<std::string>("client_type"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), body->getValue<std::string>("redirect_uris"));
        CPPUNIT_ASSERT_EQUAL(std::string("password"),
                             body->getValue<std::string>("authorization_grant_type"));
        CPPUNIT_ASSERT_MESSAGE(
            "skip_authorization must be the JSON false",
            body->get("skip_authorization").isBoolean() && !body->getValue<bool>("skip_authorization"));
        CPPUNIT_ASSERT_MESSAGE("organization must be a JSON integer", body->get("organization").isInteger());
        CPPUNIT_ASSERT_EQUAL(org, body->getValue<long long>("organization"));
    }

    void testSeedCreateHeaders() {
        const FcgiResponse response = api().createApplication(ApiClient::seedApplication(organization()));
        APPREG_ASSERT_STATUS(201, response);
        const long long id = JsonAssert::parseObject(response.body)->getValue<long long>("id");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), "/api/v2/applications/" + std::to_string(id) + "/",
                                     response.header("Location"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::size_t(1),
                                     response.headerCount("Content-Type"));
        CPPUNIT_ASSERT_MESSAGE(response.describe(),
                               response.header("Content-Type").rfind("application/json", 0) == 0);
        CPPUNIT_ASSERT_MESSAGE(response.describe(), !response.header("X-API-Request-Id").empty());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string("201 Created"), response.statusLine);
    }

    void testGeneratedCredentials() {
        const auto body = api().createApplicationOk(ApiClient::seedApplication(organization()));
        static const std::regex clientId("^[A-Za-z0-9]{40}$");
        static const std::regex clientSecret("^[A-Za-z0-9]{128}$");
        CPPUNIT_ASSERT_MESSAGE("client_id: " + body->getValue<std::string>("client_id"),
                               std::regex_match(body->getValue<std::string>("client_id"), clientId));
        CPPUNIT_ASSERT_MESSAGE("client_secret: " + body->getValue<std::string>("client_secret"),
                               std::regex_match(body->getValue<std::string>("client_secret"), clientSecret));
    }

    void testCredentialsDifferBetweenApplications() {
        const auto first = api().createApplicationOk(ApiClient::seedApplication(organization(), "first"));
        const auto second = api().createApplicationOk(ApiClient::seedApplication(organization(), "second"));
        CPPUNIT_ASSERT(first->getValue<std::string>("client_id") !=
                       second->getValue<std::string>("client_id"));
        CPPUNIT_ASSERT(first->getValue<std::string>("client_secret") !=
                       second->getValue<std::string>("client_secret"));
    }

    void testPublicClientHasNoSecretKey() {
        const std::string request =
            JsonAssert::with(ApiClient::seedApplication(organization()), "client_type", R"("public")");
        const FcgiResponse response = api().createApplication(request);
        APPREG_ASSERT_STATUS(201, response);
        const auto body = JsonAssert::parseObject(response.body);
        std::vector<std::string> expected = kConfidentialKeys;
        expected.erase(std::find(expected.begin(), expected.end(), "client_secret"));
        APPREG_ASSERT_KEYS(expected, body);
        CPPUNIT_ASSERT_EQUAL(std::string("public"), body->getValue<std::string>("client_type"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(40), body->getValue<std::string>("client_id").size());
    }

    void testAllWritableFieldsAreStored() {
        const std::string request = R"({"name": "full", "description": "all fields", "client_type": "public",
            "redirect_uris": "https://example.com/cb http://localhost:8013/api/",
            "authorization_grant_type": "authorization-code", "skip_authorization": true, "organization": )" +
                                    std::to_string(organization()) + "}";
        const auto body = api().createApplicationOk(request);
        CPPUNIT_ASSERT_EQUAL(std::string("full"), body->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::string("all fields"), body->getValue<std::string>("description"));
        CPPUNIT_ASSERT_EQUAL(std::string("public"), body->getValue<std::string>("client_type"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://example.com/cb http://localhost:8013/api/"),
                             body->getValue<std::string>("redirect_uris"));
        CPPUNIT_ASSERT_EQUAL(std::string("authorization-code"),
                             body->getValue<std::string>("authorization_grant_type"));
        CPPUNIT_ASSERT(body->get("skip_authorization").isBoolean());
        CPPUNIT_ASSERT(body->getValue<bool>("skip_authorization"));
    }

    void testIdsIncrease() {
        const auto first = api().createApplicationOk(ApiClient::seedApplication(organization(), "a"));
        const auto second = api().createApplicationOk(ApiClient::seedApplication(organization(), "b"));
        CPPUNIT_ASSERT(second->getValue<long long>("id") > first->getValue<long long>("id"));
    }

    void testTimestampsAreCurrentUtc() {
        const std::time_t before = std::time(nullptr);
        const auto body = api().createApplicationOk(ApiClient::seedApplication(organization()));
        const std::time_t after = std::time(nullptr);
        for (const char* key : {"created", "modified"}) {
            const std::string text = body->getValue<std::string>(key);
            std::tm parts{};
            CPPUNIT_ASSERT_MESSAGE(text, ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &parts) != nullptr);
            const std::time_t stamp = ::timegm(&parts);
            CPPUNIT_ASSERT_MESSAGE(std::string(key) + " " + text + " is not the current UTC time",
                                   stamp >= before - 1 && stamp <= after + 1);
        }
    }

    void testStringsRoundTripExactly() {
        // Quotes, backslashes, control characters, HTML and non-ASCII come back as sent (JSON-escaped).
        const std::string name = R"(q\"uote\\ back <script>\u0001 \u00e9 \ud83d\ude00 \/slash)";  // JSON text
        const std::string description(20000, 'd');
        std::string request =
            JsonAssert::with(ApiClient::seedApplication(organization()), "name", "\"" + name + "\"");
        request = JsonAssert::with(request, "description", JsonAssert::quote(description));
        const auto body = api().createApplicationOk(request);
        CPPUNIT_ASSERT_EQUAL(JsonAssert::parseObject("{\"v\": \"" + name + "\"}")->getValue<std::string>("v"),
                             body->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(description, body->getValue<std::string>("description"));
    }

    void testReadOnlyAndUnknownKeysAreIgnored() {
        std::string request = ApiClient::seedApplication(organization());
        request = JsonAssert::with(request, "id", "777");
        request = JsonAssert::with(request, "type", R"("something")");
        request = JsonAssert::with(request, "client_id", R"("mine")");
        request = JsonAssert::with(request, "client_secret", R"("mysecret")");
        request = JsonAssert::with(request, "created", R"("2001-01-01T00:00:00.000000Z")");
        request = JsonAssert::with(request, "foo", R"({"bar": 1})");
        const auto body = api().createApplicationOk(request);
        APPREG_ASSERT_KEYS(kConfidentialKeys, body);
        CPPUNIT_ASSERT(body->getValue<long long>("id") != 777);
        CPPUNIT_ASSERT_EQUAL(std::string("o_auth2_application"), body->getValue<std::string>("type"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(40), body->getValue<std::string>("client_id").size());
        CPPUNIT_ASSERT_EQUAL(std::size_t(128), body->getValue<std::string>("client_secret").size());
        CPPUNIT_ASSERT(body->getValue<std::string>("created") != "2001-01-01T00:00:00.000000Z");
    }

private:
    inline static const std::vector<std::string> kConfidentialKeys = {"id",
                                                                      "type",
                                                                      "url",
                                                                      "related",
                                                                      "summary_fields",
                                                                      "created",
                                                                      "modified",
                                                                      "name",
                                                                      "description",
                                                                      "client_id",
                                                                      "client_secret",
                                                                      "client_type",
                                                                      "redirect_uris",
                                                                      "authorization_grant_type",
                                                                      "skip_authorization",
                                                                      "organization"};
};

CPPUNIT_TEST_SUITE_REGISTRATION(ApplicationCreateTest);
