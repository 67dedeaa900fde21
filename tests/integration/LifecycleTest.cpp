// The lifecycle of an application as the AWX collection's `application` module (awx.awx.application)
// drives it: look the organization up by name, look the application up by name within it, create, compare
// and PATCH what differs, delete, create again. Each step checks what the module reads from the response.

#include "ApiSteps.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <regex>
#include <string>
#include <vector>

using namespace appreg::test;

namespace {

const char* const kRedirectUris = "https://app.example.com/callback http://localhost:8013/api/";

}  // namespace

class LifecycleTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(LifecycleTest);
    CPPUNIT_TEST(testCollectionLifecycle);
    CPPUNIT_TEST(testRerunFindsNothingToChange);
    CPPUNIT_TEST(testLookupIsExactAndScopedToTheOrganization);
    CPPUNIT_TEST_SUITE_END();

public:
    void testCollectionLifecycle() {
        api().createOrganization("Default");
        const long long org = resolveOrganization("Default");

        // state: present, nothing there yet: the lookup finds nothing and the module POSTs.
        CPPUNIT_ASSERT(lookup("lifecycle app", org).isNull());
        const FcgiResponse created =
            api().post(ApiClient::kApplications, moduleFields("lifecycle app", org, "confidential"));
        APPREG_ASSERT_STATUS(201, created);
        const auto first = JsonAssert::parseObject(created.body);
        const long long firstId = first->getValue<long long>("id");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(created.describe(), first->getValue<std::string>("url"),
                                     created.header("Location"));
        CPPUNIT_ASSERT_EQUAL(std::string("lifecycle app"), first->getValue<std::string>("name"));
        // The module hands client_id and client_secret back to the playbook: only this response has the
        // secret.
        static const std::regex clientId("^[A-Za-z0-9]{40}$");
        static const std::regex clientSecret("^[A-Za-z0-9]{128}$");
        const std::string firstClientId = first->getValue<std::string>("client_id");
        CPPUNIT_ASSERT_MESSAGE(firstClientId, std::regex_match(firstClientId, clientId));
        CPPUNIT_ASSERT_MESSAGE(created.body,
                               std::regex_match(first->getValue<std::string>("client_secret"), clientSecret));
        CPPUNIT_ASSERT_EQUAL(std::string(kRedirectUris), first->getValue<std::string>("redirect_uris"));
        CPPUNIT_ASSERT_EQUAL(std::string("authorization-code"),
                             first->getValue<std::string>("authorization_grant_type"));

        // The next run finds exactly that application.
        const auto found = lookup("lifecycle app", org);
        CPPUNIT_ASSERT(!found.isNull());
        CPPUNIT_ASSERT_EQUAL(firstId, found->getValue<long long>("id"));
        CPPUNIT_ASSERT_EQUAL(firstClientId, found->getValue<std::string>("client_id"));
        CPPUNIT_ASSERT_EQUAL(std::string("************"), found->getValue<std::string>("client_secret"));

        // new_name: the module PATCHes the item's url with its whole field set, the new name in it.
        const std::string url = found->getValue<std::string>("url");
        const FcgiResponse renamed =
            api().send("PATCH", url, moduleFields("renamed app", org, "confidential"));
        APPREG_ASSERT_STATUS(200, renamed);
        CPPUNIT_ASSERT_EQUAL(std::string("renamed app"),
                             JsonAssert::parseObject(renamed.body)->getValue<std::string>("name"));
        CPPUNIT_ASSERT(lookup("lifecycle app", org).isNull());
        CPPUNIT_ASSERT_EQUAL(firstId, lookup("renamed app", org)->getValue<long long>("id"));

        // client_type changed in the playbook: another PATCH; a public client has no secret to show.
        const FcgiResponse publicApp = api().send("PATCH", url, moduleFields("renamed app", org, "public"));
        APPREG_ASSERT_STATUS(200, publicApp);
        const auto publicBody = JsonAssert::parseObject(publicApp.body);
        CPPUNIT_ASSERT_EQUAL(std::string("public"), publicBody->getValue<std::string>("client_type"));
        CPPUNIT_ASSERT(!publicBody->has("client_secret"));
        CPPUNIT_ASSERT_EQUAL(firstClientId, publicBody->getValue<std::string>("client_id"));
        const auto afterType = lookup("renamed app", org);
        CPPUNIT_ASSERT_EQUAL(std::string("public"), afterType->getValue<std::string>("client_type"));
        CPPUNIT_ASSERT_EQUAL(std::string(kRedirectUris), afterType->getValue<std::string>("redirect_uris"));

        // state: absent: look up, DELETE the url, expect 204; a second run finds nothing.
        const FcgiResponse deleted =
            api().send("DELETE", lookup("renamed app", org)->getValue<std::string>("url"));
        APPREG_ASSERT_STATUS(204, deleted);
        CPPUNIT_ASSERT_EQUAL(std::string(), deleted.body);
        CPPUNIT_ASSERT(lookup("renamed app", org).isNull());
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "No OAuth2Application matches the given query."})",
                               api().get(url));

        // state: present again with the first name: a brand-new application.
        CPPUNIT_ASSERT(lookup("lifecycle app", org).isNull());
        const FcgiResponse again =
            api().post(ApiClient::kApplications, moduleFields("lifecycle app", org, "confidential"));
        APPREG_ASSERT_STATUS(201, again);
        const auto second = JsonAssert::parseObject(again.body);
        CPPUNIT_ASSERT(second->getValue<long long>("id") != firstId);
        CPPUNIT_ASSERT(second->getValue<long long>("id") > firstId);
        CPPUNIT_ASSERT(second->getValue<std::string>("client_id") != firstClientId);
        CPPUNIT_ASSERT(std::regex_match(second->getValue<std::string>("client_secret"), clientSecret));
        CPPUNIT_ASSERT_EQUAL(second->getValue<long long>("id"),
                             lookup("lifecycle app", org)->getValue<long long>("id"));
    }

    void testRerunFindsNothingToChange() {
        api().createOrganization("Default");
        const long long org = resolveOrganization("Default");
        const std::string fields = moduleFields("steady", org, "confidential");
        APPREG_ASSERT_STATUS(201, api().post(ApiClient::kApplications, fields));
        // The module compares each field it would send with the found item: all equal means "changed: false"
        // and no request at all.
        const auto found = lookup("steady", org);
        const auto wanted = JsonAssert::parseObject(fields);
        for (const std::string& key : JsonAssert::keys(wanted)) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(key, JsonAssert::toJson(wanted->get(key)),
                                         JsonAssert::toJson(found->get(key)));
        }
        // Sending the same fields anyway (an older module always PATCHes) keeps everything and writes no
        // history.
        const long long entries = ApiSteps::countOf(api(), "/api/v2/activity_stream/");
        const FcgiResponse patched = api().send("PATCH", found->getValue<std::string>("url"), fields);
        APPREG_ASSERT_STATUS(200, patched);
        CPPUNIT_ASSERT_EQUAL(entries, ApiSteps::countOf(api(), "/api/v2/activity_stream/"));
        CPPUNIT_ASSERT_EQUAL(found->getValue<std::string>("client_id"),
                             JsonAssert::parseObject(patched.body)->getValue<std::string>("client_id"));
    }

    void testLookupIsExactAndScopedToTheOrganization() {
        api().createOrganization("Default");
        api().createOrganization("Other");
        const long long org = resolveOrganization("Default");
        const long long other = resolveOrganization("Other");
        const long long mine = ApiSteps::createApplicationId(api(), org, "shared name");
        ApiSteps::createApplication(api(), other, "shared name");
        ApiSteps::createApplication(api(), org, "shared name 2");
        ApiSteps::createApplication(api(), org, "Shared Name");
        // Exactly one result, the one in the organization asked for; no prefix or case-insensitive matches.
        CPPUNIT_ASSERT_EQUAL(mine, lookup("shared name", org)->getValue<long long>("id"));
        CPPUNIT_ASSERT_EQUAL(2LL, ApiSteps::countOf(api(), "/api/v2/applications/?name=shared%20name"));
        CPPUNIT_ASSERT(lookup("shared", org).isNull());
        // An organization that is not there.
        CPPUNIT_ASSERT_EQUAL(0LL, ApiSteps::countOf(api(), "/api/v2/organizations/?name=Missing"));
    }

private:
    /// The field set the module sends on create and update (only the options the playbook gave; here all).
    static std::string moduleFields(const std::string& name, long long organization,
                                    const std::string& clientType) {
        return "{\"name\": " + JsonAssert::quote(name) +
               ", \"organization\": " + std::to_string(organization) +
               ", \"authorization_grant_type\": \"authorization-code\", \"client_type\": " +
               JsonAssert::quote(clientType) +
               ", \"description\": \"managed by ansible\", \"redirect_uris\": " +
               JsonAssert::quote(kRedirectUris) + ", \"skip_authorization\": false}";
    }

    /// resolve_name_to_id('organizations', name): GET ?name=<name>, exactly one result.
    long long resolveOrganization(const std::string& name) {
        const auto list = ApiSteps::getOk(api(), "/api/v2/organizations/?name=" + ApiSteps::encode(name));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(JsonAssert::toJson(list), 1LL, ApiSteps::count(list));
        return ApiSteps::results(list)->getObject(0)->getValue<long long>("id");
    }

    /// get_one('applications', name_or_id=name, data={'organization': org}): GET ?name=&organization=; null
    /// for no result, fails for more than one.
    Poco::JSON::Object::Ptr lookup(const std::string& name, long long organization) {
        const auto list = ApiSteps::getOk(api(), "/api/v2/applications/?name=" + ApiSteps::encode(name) +
                                                     "&organization=" + std::to_string(organization));
        const long long count = ApiSteps::count(list);
        CPPUNIT_ASSERT_MESSAGE("lookup of " + name + " found more than one: " + JsonAssert::toJson(list),
                               count <= 1);
        CPPUNIT_ASSERT_EQUAL(static_cast<std::size_t>(count), ApiSteps::results(list)->size());
        if (count == 0) {
            return nullptr;
        }
        const auto item = ApiSteps::results(list)->getObject(0);
        CPPUNIT_ASSERT_EQUAL(name, item->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(organization, item->getValue<long long>("organization"));
        return item;
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LifecycleTest);
