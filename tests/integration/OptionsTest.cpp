// OPTIONS: the metadata AWX clients read to build forms and CLI arguments (awx-reference.md §4.5).

#include "ApiSteps.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <stdexcept>
#include <string>
#include <vector>

using namespace appreg::test;

namespace {

const std::vector<std::string> kAllFields = {"id",
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

const std::vector<std::string> kPostFields = {"name",
                                              "description",
                                              "client_type",
                                              "redirect_uris",
                                              "authorization_grant_type",
                                              "skip_authorization",
                                              "organization"};

const char* const kGrantChoices =
    R"([["authorization-code", "Authorization code"], ["password", "Resource owner password-based"]])";
const char* const kClientTypeChoices = R"([["confidential", "Confidential"], ["public", "Public"]])";

std::string value(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    if (!object->has(key)) {
        return "<absent>";
    }
    return JsonAssert::toJson(object->get(key));
}

}  // namespace

class OptionsTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(OptionsTest);
    CPPUNIT_TEST(testListMetadata);
    CPPUNIT_TEST(testListPostFields);
    CPPUNIT_TEST(testListGetFields);
    CPPUNIT_TEST(testDetailMetadata);
    CPPUNIT_TEST(testDetailPutHasNoGrantType);
    CPPUNIT_TEST(testOptionsWritesNothing);
    CPPUNIT_TEST(testOtherCollectionsAnswerOptions);
    CPPUNIT_TEST_SUITE_END();

public:
    void testListMetadata() {
        const FcgiResponse response = api().send("OPTIONS", ApiClient::kApplications);
        APPREG_ASSERT_STATUS(200, response);
        CPPUNIT_ASSERT_MESSAGE(response.describe(),
                               response.header("Content-Type").rfind("application/json", 0) == 0);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string("GET, POST, HEAD, OPTIONS"),
                                     response.header("Allow"));
        const auto body = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(std::string("OAuth 2 Applications"), body->getValue<std::string>("name"));
        CPPUNIT_ASSERT_MESSAGE(response.body,
                               body->has("description") && body->get("description").isString());
        APPREG_ASSERT_JSON(R"(["application/json", "text/html"])", value(body, "renders"));
        APPREG_ASSERT_JSON(R"(["application/json"])", value(body, "parses"));
        APPREG_ASSERT_KEYS((std::vector<std::string>{"GET", "POST"}), body->getObject("actions"));
        APPREG_ASSERT_JSON(R"(["o_auth2_application"])", value(body, "types"));
        APPREG_ASSERT_JSON(R"(["name", "description"])", value(body, "search_fields"));
        CPPUNIT_ASSERT_EQUAL(std::string("200"), value(body, "max_page_size"));
    }

    void testListPostFields() {
        const auto post = actions(ApiClient::kApplications)->getObject("POST");
        // Only what a client may write, in serializer order.
        APPREG_ASSERT_KEYS(kPostFields, post);

        const auto grant = post->getObject("authorization_grant_type");
        CPPUNIT_ASSERT_EQUAL(std::string("\"choice\""), value(grant, "type"));
        CPPUNIT_ASSERT_EQUAL(std::string("\"Authorization Grant Type\""), value(grant, "label"));
        CPPUNIT_ASSERT_EQUAL(std::string("true"), value(grant, "required"));
        APPREG_ASSERT_JSON(kGrantChoices, value(grant, "choices"));

        const auto clientType = post->getObject("client_type");
        CPPUNIT_ASSERT_EQUAL(std::string("\"choice\""), value(clientType, "type"));
        CPPUNIT_ASSERT_EQUAL(std::string("\"Client Type\""), value(clientType, "label"));
        CPPUNIT_ASSERT_EQUAL(std::string("true"), value(clientType, "required"));
        APPREG_ASSERT_JSON(kClientTypeChoices, value(clientType, "choices"));

        const auto redirect = post->getObject("redirect_uris");
        CPPUNIT_ASSERT_EQUAL(std::string("\"string\""), value(redirect, "type"));
        CPPUNIT_ASSERT_EQUAL(std::string("\"Redirect URIs\""), value(redirect, "label"));
        CPPUNIT_ASSERT_EQUAL(std::string("false"), value(redirect, "required"));

        const auto skip = post->getObject("skip_authorization");
        CPPUNIT_ASSERT_EQUAL(std::string("\"boolean\""), value(skip, "type"));
        CPPUNIT_ASSERT_EQUAL(std::string("\"Skip Authorization\""), value(skip, "label"));
        CPPUNIT_ASSERT_EQUAL(std::string("false"), value(skip, "required"));
        CPPUNIT_ASSERT_EQUAL(std::string("false"), value(skip, "default"));

        const auto organization = post->getObject("organization");
        CPPUNIT_ASSERT_EQUAL(std::string("\"id\""), value(organization, "type"));
        CPPUNIT_ASSERT_EQUAL(std::string("\"Organization\""), value(organization, "label"));
        CPPUNIT_ASSERT_EQUAL(std::string("true"), value(organization, "required"));

        const auto name = post->getObject("name");
        CPPUNIT_ASSERT_EQUAL(std::string("\"string\""), value(name, "type"));
        CPPUNIT_ASSERT_EQUAL(std::string("\"Name\""), value(name, "label"));
        CPPUNIT_ASSERT_EQUAL(std::string("true"), value(name, "required"));
        CPPUNIT_ASSERT_EQUAL(std::string("255"), value(name, "max_length"));
        CPPUNIT_ASSERT_EQUAL(std::string("\"Name of this application.\""), value(name, "help_text"));

        const auto description = post->getObject("description");
        CPPUNIT_ASSERT_EQUAL(std::string("false"), value(description, "required"));
        CPPUNIT_ASSERT_EQUAL(std::string("\"Optional description of this application.\""),
                             value(description, "help_text"));
    }

    void testListGetFields() {
        const auto get = actions(ApiClient::kApplications)->getObject("GET");
        // Every field of the representation, in its order; GET metadata says nothing about required-ness.
        APPREG_ASSERT_KEYS(kAllFields, get);
        for (const std::string& field : kAllFields) {
            CPPUNIT_ASSERT_MESSAGE(field + ": " + value(get, field), !get->getObject(field)->has("required"));
            CPPUNIT_ASSERT_MESSAGE(field + ": " + value(get, field), get->getObject(field)->has("type"));
        }
        APPREG_ASSERT_JSON(kGrantChoices, value(get->getObject("authorization_grant_type"), "choices"));
        CPPUNIT_ASSERT_EQUAL(std::string("\"integer\""), value(get->getObject("id"), "type"));
        CPPUNIT_ASSERT_EQUAL(std::string("\"datetime\""), value(get->getObject("created"), "type"));
    }

    void testDetailMetadata() {
        const long long id = ApiSteps::createApplicationId(api(), organization(), "described");
        const FcgiResponse response = api().send("OPTIONS", ApiSteps::applicationPath(id));
        APPREG_ASSERT_STATUS(200, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(),
                                     std::string("GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
                                     response.header("Allow"));
        const auto body = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(std::string("OAuth 2 Application Detail"), body->getValue<std::string>("name"));
        APPREG_ASSERT_JSON(R"(["application/json", "text/html"])", value(body, "renders"));
        APPREG_ASSERT_JSON(R"(["application/json"])", value(body, "parses"));
        APPREG_ASSERT_KEYS((std::vector<std::string>{"GET", "PUT"}), body->getObject("actions"));
        APPREG_ASSERT_JSON(R"(["o_auth2_application"])", value(body, "types"));
        APPREG_ASSERT_KEYS(kAllFields, body->getObject("actions")->getObject("GET"));
    }

    void testDetailPutHasNoGrantType() {
        const long long id = ApiSteps::createApplicationId(api(), organization(), "described");
        const auto put = actions(ApiSteps::applicationPath(id))->getObject("PUT");
        std::vector<std::string> expected = kPostFields;
        expected.erase(expected.begin() + 4);  // authorization_grant_type is read-only on update
        APPREG_ASSERT_KEYS(expected, put);
        CPPUNIT_ASSERT_EQUAL(std::string("true"), value(put->getObject("name"), "required"));
        CPPUNIT_ASSERT_EQUAL(std::string("true"), value(put->getObject("client_type"), "required"));
        CPPUNIT_ASSERT_EQUAL(std::string("true"), value(put->getObject("organization"), "required"));
        CPPUNIT_ASSERT_EQUAL(std::string("false"), value(put->getObject("redirect_uris"), "required"));
        APPREG_ASSERT_JSON(kClientTypeChoices, value(put->getObject("client_type"), "choices"));
    }

    void testOptionsWritesNothing() {
        const long long id = ApiSteps::createApplicationId(api(), organization(), "untouched");
        const FcgiResponse before = api().get(ApiSteps::applicationPath(id));
        const long long entries = ApiSteps::countOf(api(), "/api/v2/activity_stream/");
        // OPTIONS with a body is still only a question.
        APPREG_ASSERT_STATUS(200,
                             api().send("OPTIONS", ApiSteps::applicationPath(id), R"({"name": "changed"})"));
        APPREG_ASSERT_STATUS(200, api().send("OPTIONS", ApiClient::kApplications,
                                             ApiSteps::applicationBody(organization(), "new")));
        APPREG_ASSERT_JSON(before.body, api().get(ApiSteps::applicationPath(id)).body);
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::countOf(api(), ApiClient::kApplications));
        CPPUNIT_ASSERT_EQUAL(entries, ApiSteps::countOf(api(), "/api/v2/activity_stream/"));
    }

    void testOtherCollectionsAnswerOptions() {
        for (const char* uri : {"/api/v2/organizations/", "/api/v2/tokens/"}) {
            const FcgiResponse response = api().send("OPTIONS", uri);
            APPREG_ASSERT_STATUS(200, response);
            const auto body = JsonAssert::parseObject(response.body);
            CPPUNIT_ASSERT_MESSAGE(response.body, body->has("name") && body->get("name").isString());
            APPREG_ASSERT_KEYS((std::vector<std::string>{"GET", "POST"}), body->getObject("actions"));
            APPREG_ASSERT_JSON(R"(["application/json", "text/html"])", value(body, "renders"));
        }
        const auto orgPost = actions("/api/v2/organizations/")->getObject("POST");
        APPREG_ASSERT_KEYS((std::vector<std::string>{"name", "description"}), orgPost);
        CPPUNIT_ASSERT_EQUAL(std::string("true"), value(orgPost->getObject("name"), "required"));
        CPPUNIT_ASSERT_EQUAL(std::string("512"), value(orgPost->getObject("name"), "max_length"));
    }

private:
    Poco::JSON::Object::Ptr actions(const std::string& uri) {
        const auto body = ApiSteps::expect(api().send("OPTIONS", uri), 200, "OPTIONS " + uri);
        const auto result = body->getObject("actions");
        if (result.isNull()) {
            throw std::runtime_error("OPTIONS " + uri + " has no actions: " + JsonAssert::toJson(body));
        }
        return result;
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(OptionsTest);
