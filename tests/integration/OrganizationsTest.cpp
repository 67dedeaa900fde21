// /api/v2/organizations/: the minimal organization resource applications hang off (API.md §6).

#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <regex>

using namespace appreg::test;

class OrganizationsTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(OrganizationsTest);
    CPPUNIT_TEST(testCreateReturnsTheOrganization);
    CPPUNIT_TEST(testGetReturnsTheSameShape);
    CPPUNIT_TEST(testDescriptionDefaultsToEmpty);
    CPPUNIT_TEST(testNameIsRequired);
    CPPUNIT_TEST(testNameMayNotBeBlank);
    CPPUNIT_TEST(testNameOfWrongTypeOrNull);
    CPPUNIT_TEST(testNameOf512CharactersIsAccepted);
    CPPUNIT_TEST(testNameOver512CharactersIsRejected);
    CPPUNIT_TEST(testDuplicateNameIsRejected);
    CPPUNIT_TEST(testMissingOrganizationIs404);
    CPPUNIT_TEST_SUITE_END();

public:
    void testCreateReturnsTheOrganization() {
        const FcgiResponse response =
            api().post(ApiClient::kOrganizations, R"({"name": "Default", "description": "the default org"})");
        APPREG_ASSERT_STATUS(201, response);
        const auto body = JsonAssert::parseObject(response.body);
        const long long id = body->getValue<long long>("id");
        CPPUNIT_ASSERT(id >= 1);
        assertOrganizationShape(body, id, "Default", "the default org");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), "/api/v2/organizations/" + std::to_string(id) + "/",
                                     response.header("Location"));
        CPPUNIT_ASSERT_MESSAGE(response.describe(),
                               response.header("Content-Type").rfind("application/json", 0) == 0);
    }

    void testGetReturnsTheSameShape() {
        const FcgiResponse created =
            api().post(ApiClient::kOrganizations, R"({"name": "Engineering", "description": "eng"})");
        APPREG_ASSERT_STATUS(201, created);
        const long long id = JsonAssert::parseObject(created.body)->getValue<long long>("id");

        const FcgiResponse response = api().get("/api/v2/organizations/" + std::to_string(id) + "/");
        APPREG_ASSERT_STATUS(200, response);
        assertOrganizationShape(JsonAssert::parseObject(response.body), id, "Engineering", "eng");
        // What was created is what is read back, timestamps included.
        const auto first = JsonAssert::parseObject(created.body);
        const auto second = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(first->getValue<std::string>("created"),
                             second->getValue<std::string>("created"));
    }

    void testDescriptionDefaultsToEmpty() {
        const FcgiResponse response = api().post(ApiClient::kOrganizations, R"({"name": "NoDescription"})");
        APPREG_ASSERT_STATUS(201, response);
        const auto body = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(std::string(""), body->getValue<std::string>("description"));
    }

    void testNameIsRequired() {
        APPREG_ASSERT_RESPONSE(400, R"({"name": ["This field is required."]})",
                               api().post(ApiClient::kOrganizations, R"({"description": "x"})"));
    }

    void testNameMayNotBeBlank() {
        APPREG_ASSERT_RESPONSE(400, R"({"name": ["This field may not be blank."]})",
                               api().post(ApiClient::kOrganizations, R"({"name": ""})"));
    }

    void testNameOfWrongTypeOrNull() {
        APPREG_ASSERT_RESPONSE(400, R"({"name": ["Not a valid string."]})",
                               api().post(ApiClient::kOrganizations, R"({"name": 123})"));
        APPREG_ASSERT_RESPONSE(400, R"({"name": ["This field may not be null."]})",
                               api().post(ApiClient::kOrganizations, R"({"name": null})"));
    }

    void testNameOf512CharactersIsAccepted() {
        const std::string name(512, 'n');
        const FcgiResponse response =
            api().post(ApiClient::kOrganizations, "{\"name\": " + JsonAssert::quote(name) + "}");
        APPREG_ASSERT_STATUS(201, response);
        CPPUNIT_ASSERT_EQUAL(name, JsonAssert::parseObject(response.body)->getValue<std::string>("name"));
    }

    void testNameOver512CharactersIsRejected() {
        const std::string name(513, 'n');
        APPREG_ASSERT_RESPONSE(
            400, R"({"name": ["Ensure this field has no more than 512 characters."]})",
            api().post(ApiClient::kOrganizations, "{\"name\": " + JsonAssert::quote(name) + "}"));
    }

    void testDuplicateNameIsRejected() {
        APPREG_ASSERT_STATUS(201, api().post(ApiClient::kOrganizations, R"({"name": "Twice"})"));
        APPREG_ASSERT_RESPONSE(400, R"({"name": ["Organization with this Name already exists."]})",
                               api().post(ApiClient::kOrganizations, R"({"name": "Twice"})"));
    }

    void testMissingOrganizationIs404() {
        for (const char* id : {"4242", "9223372036854775807"}) {
            APPREG_ASSERT_RESPONSE(404, R"({"detail": "No Organization matches the given query."})",
                                   api().get(std::string("/api/v2/organizations/") + id + "/"));
        }
    }

private:
    static void assertOrganizationShape(const Poco::JSON::Object::Ptr& body, long long id,
                                        const std::string& name, const std::string& description) {
        APPREG_ASSERT_KEYS((std::vector<std::string>{"id", "type", "url", "related", "summary_fields",
                                                     "created", "modified", "name", "description"}),
                           body);
        const std::string url = "/api/v2/organizations/" + std::to_string(id) + "/";
        CPPUNIT_ASSERT_MESSAGE("id must be a JSON integer", body->get("id").isInteger());
        CPPUNIT_ASSERT_EQUAL(id, body->getValue<long long>("id"));
        CPPUNIT_ASSERT_EQUAL(std::string("organization"), body->getValue<std::string>("type"));
        CPPUNIT_ASSERT_EQUAL(url, body->getValue<std::string>("url"));
        const auto related = body->getObject("related");
        CPPUNIT_ASSERT_MESSAGE("related must be an object", !related.isNull());
        CPPUNIT_ASSERT_EQUAL(url + "applications/", related->getValue<std::string>("applications"));
        CPPUNIT_ASSERT_EQUAL(url + "activity_stream/", related->getValue<std::string>("activity_stream"));
        CPPUNIT_ASSERT_MESSAGE("summary_fields must be an object",
                               !body->getObject("summary_fields").isNull());
        static const std::regex timestamp(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$)");
        CPPUNIT_ASSERT_MESSAGE(body->getValue<std::string>("created"),
                               std::regex_match(body->getValue<std::string>("created"), timestamp));
        CPPUNIT_ASSERT_MESSAGE(body->getValue<std::string>("modified"),
                               std::regex_match(body->getValue<std::string>("modified"), timestamp));
        CPPUNIT_ASSERT_EQUAL(name, body->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(description, body->getValue<std::string>("description"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(OrganizationsTest);
