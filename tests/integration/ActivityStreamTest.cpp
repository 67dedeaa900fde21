// The activity stream: one entry per create, change and delete of an application, organization or token,
// and the endpoints that read it (API.md §5, awx-reference.md §5.2, docs/decisions.md "Tokens and history").
// Every request here is the test superuser's, so every entry it causes names them as the actor; the stream
// starts with the entry of create-superuser, which has none (the command line is nobody).

#include "ApiSteps.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "TestSuperuser.h"
#include "WorkerFixture.h"

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

using namespace appreg::test;

namespace {

const char* const kStream = "/api/v2/activity_stream/";

const std::vector<std::string> kEntryKeys = {
    "id",         "type",    "url",     "related", "summary_fields",     "timestamp",
    "operation",  "changes", "object1", "object2", "object_association", "action_node",
    "object_type"};

std::string streamQuery(const std::string& query) { return std::string(kStream) + "?" + query; }

std::string changesOf(const Poco::JSON::Object::Ptr& entry) {
    return JsonAssert::toJson(entry->get("changes"));
}

/// The actor of the entries the test's requests cause, as `related` and `summary_fields` show it: the test
/// superuser, the database's first user.
const std::string kActorRelated = R"("actor": "/api/v2/users/1/")";
const std::string kActorSummary = std::string(R"("actor": {"id": 1, "username": ")") +
                                  TestSuperuser::kUsername + R"(", "first_name": "", "last_name": ""})";

}  // namespace

class ActivityStreamTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(ActivityStreamTest);
    CPPUNIT_TEST(testEntryShape);
    CPPUNIT_TEST(testEntryDetail);
    CPPUNIT_TEST(testApplicationCreateUpdateDeleteWriteOneEntryEach);
    CPPUNIT_TEST(testUpdateOnlyWhenATrackedFieldChanged);
    CPPUNIT_TEST(testUpdateChangesAreOldNewPairs);
    CPPUNIT_TEST(testApplicationStream);
    CPPUNIT_TEST(testOrganizationEntries);
    CPPUNIT_TEST(testTokenEntries);
    CPPUNIT_TEST(testSecretsNeverAppear);
    CPPUNIT_TEST(testDeletingAnApplicationWritesEntriesForItsTokens);
    CPPUNIT_TEST(testDeletingAnOrganizationWritesEntriesForWhatItTakesAlong);
    CPPUNIT_TEST(testFailedRequestsWriteNothing);
    CPPUNIT_TEST(testStreamListPaginatesAndFilters);
    CPPUNIT_TEST_SUITE_END();

public:
    void testEntryShape() {
        const long long org = api().createOrganization("Default");
        const long long app = ApiSteps::createApplicationId(api(), org, "test app");
        const FcgiResponse response = api().get(kStream);
        APPREG_ASSERT_STATUS(200, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string("GET, HEAD, OPTIONS"),
                                     response.header("Allow"));
        const auto list = JsonAssert::parseObject(response.body);
        APPREG_ASSERT_KEYS((std::vector<std::string>{"count", "next", "previous", "results"}), list);
        CPPUNIT_ASSERT_EQUAL(3LL, ApiSteps::count(list));

        // First the superuser's own creation, by nobody.
        const auto userEntry = ApiSteps::results(list)->getObject(0);
        APPREG_ASSERT_KEYS(kEntryKeys, userEntry);
        CPPUNIT_ASSERT_EQUAL(std::string("user"), userEntry->getValue<std::string>("object1"));
        CPPUNIT_ASSERT_EQUAL(std::string("create"), userEntry->getValue<std::string>("operation"));
        CPPUNIT_ASSERT_MESSAGE(JsonAssert::toJson(userEntry),
                               !userEntry->getObject("related")->has("actor") &&
                                   !userEntry->getObject("summary_fields")->has("actor"));

        const auto orgEntry = ApiSteps::results(list)->getObject(1);
        const auto entry = ApiSteps::results(list)->getObject(2);
        APPREG_ASSERT_KEYS(kEntryKeys, orgEntry);
        APPREG_ASSERT_KEYS(kEntryKeys, entry);
        const long long id = entry->getValue<long long>("id");
        CPPUNIT_ASSERT(id > orgEntry->getValue<long long>("id"));
        CPPUNIT_ASSERT_EQUAL(std::string("activity_stream"), entry->getValue<std::string>("type"));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::path("activity_stream", id), entry->getValue<std::string>("url"));
        APPREG_ASSERT_JSON(
            "{" + kActorRelated + ", \"o_auth2_application\": [\"" + ApiSteps::applicationPath(app) + "\"]}",
            JsonAssert::toJson(entry->get("related")));
        APPREG_ASSERT_JSON("{\"o_auth2_application\": [{\"id\": " + std::to_string(app) +
                               ", \"name\": \"test app\", \"description\": \"\"}], " + kActorSummary + "}",
                           JsonAssert::toJson(entry->get("summary_fields")));
        static const std::regex timestamp(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$)");
        CPPUNIT_ASSERT_MESSAGE(entry->getValue<std::string>("timestamp"),
                               std::regex_match(entry->getValue<std::string>("timestamp"), timestamp));
        CPPUNIT_ASSERT(entry->getValue<std::string>("timestamp") >=
                       orgEntry->getValue<std::string>("timestamp"));
        CPPUNIT_ASSERT_EQUAL(std::string("create"), entry->getValue<std::string>("operation"));
        // Every writable field plus id, the organization as "<name>-<id>", never the secret (the order of
        // awx-reference.md §5.2).
        APPREG_ASSERT_JSON(R"({"name": "test app", "description": "", "client_type": "confidential",
                               "redirect_uris": "", "authorization_grant_type": "password",
                               "skip_authorization": false, "organization": "Default-)" +
                               std::to_string(org) + R"(", "id": )" + std::to_string(app) + "}",
                           changesOf(entry));
        CPPUNIT_ASSERT_EQUAL(std::string("o_auth2_application"), entry->getValue<std::string>("object1"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), entry->getValue<std::string>("object2"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), entry->getValue<std::string>("object_association"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), entry->getValue<std::string>("object_type"));
        // node.name defaults to the host name.
        char host[HOST_NAME_MAX + 1] = {};
        CPPUNIT_ASSERT_EQUAL(0, ::gethostname(host, sizeof host - 1));
        CPPUNIT_ASSERT_EQUAL(std::string(host), entry->getValue<std::string>("action_node"));

        CPPUNIT_ASSERT_EQUAL(std::string("organization"), orgEntry->getValue<std::string>("object1"));
        APPREG_ASSERT_JSON(
            "{\"name\": \"Default\", \"description\": \"\", \"id\": " + std::to_string(org) + "}",
            changesOf(orgEntry));
        APPREG_ASSERT_JSON(
            "{" + kActorRelated + ", \"organization\": [\"" + ApiSteps::organizationPath(org) + "\"]}",
            JsonAssert::toJson(orgEntry->get("related")));
        APPREG_ASSERT_JSON("{\"organization\": [{\"id\": " + std::to_string(org) +
                               ", \"name\": \"Default\", \"description\": \"\"}], " + kActorSummary + "}",
                           JsonAssert::toJson(orgEntry->get("summary_fields")));
    }

    void testEntryDetail() {
        ApiSteps::createApplication(api(), organization(), "app");
        const auto list = ApiSteps::getOk(api(), kStream);
        for (std::size_t i = 0; i < ApiSteps::results(list)->size(); ++i) {
            const auto item = ApiSteps::results(list)->getObject(static_cast<unsigned>(i));
            const FcgiResponse detail = api().get(item->getValue<std::string>("url"));
            APPREG_ASSERT_STATUS(200, detail);
            APPREG_ASSERT_JSON(JsonAssert::toJson(item), detail.body);
        }
        const long long last = ApiSteps::ids(list).back();
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "No ActivityStream matches the given query."})",
                               api().get(ApiSteps::path("activity_stream", last + 100)));
        const FcgiResponse post = api().post(kStream, "{}");
        APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"POST\" not allowed."})", post);
        APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"PUT\" not allowed."})",
                               api().send("PUT", ApiSteps::path("activity_stream", last), "{}"));
        APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"DELETE\" not allowed."})",
                               api().send("DELETE", ApiSteps::path("activity_stream", last)));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::count(list), ApiSteps::countOf(api(), kStream));
    }

    void testApplicationCreateUpdateDeleteWriteOneEntryEach() {
        organization();
        const long long before = ApiSteps::countOf(api(), kStream);
        const long long app = ApiSteps::createApplicationId(api(), organization(), "counted");
        CPPUNIT_ASSERT_EQUAL(before + 1, ApiSteps::countOf(api(), kStream));
        CPPUNIT_ASSERT_EQUAL(1LL, appCount("create"));

        APPREG_ASSERT_STATUS(200,
                             api().send("PATCH", ApiSteps::applicationPath(app), R"({"description": "x"})"));
        CPPUNIT_ASSERT_EQUAL(before + 2, ApiSteps::countOf(api(), kStream));
        CPPUNIT_ASSERT_EQUAL(1LL, appCount("update"));

        APPREG_ASSERT_STATUS(200,
                             api().send("PUT", ApiSteps::applicationPath(app),
                                        R"({"name": "counted", "client_type": "public", "organization": )" +
                                            std::to_string(organization()) + "}"));
        CPPUNIT_ASSERT_EQUAL(before + 3, ApiSteps::countOf(api(), kStream));
        CPPUNIT_ASSERT_EQUAL(2LL, appCount("update"));

        APPREG_ASSERT_STATUS(204, api().send("DELETE", ApiSteps::applicationPath(app)));
        CPPUNIT_ASSERT_EQUAL(before + 4, ApiSteps::countOf(api(), kStream));
        CPPUNIT_ASSERT_EQUAL(1LL, appCount("delete"));
        CPPUNIT_ASSERT_EQUAL(1LL, appCount("create"));

        const auto deleted =
            ApiSteps::results(
                ApiSteps::getOk(api(), streamQuery("object1=o_auth2_application&operation=delete")))
                ->getObject(0);
        // A delete entry holds the whole last state, and is not linked to the object that is gone.
        APPREG_ASSERT_JSON(R"({"name": "counted", "description": "", "client_type": "public",
                               "redirect_uris": "", "authorization_grant_type": "password",
                               "skip_authorization": false, "organization": "test-org-)" +
                               std::to_string(organization()) + R"(", "id": )" + std::to_string(app) + "}",
                           changesOf(deleted));
        APPREG_ASSERT_JSON("{" + kActorRelated + "}", JsonAssert::toJson(deleted->get("related")));
        APPREG_ASSERT_JSON("{" + kActorSummary + "}", JsonAssert::toJson(deleted->get("summary_fields")));
    }

    void testUpdateOnlyWhenATrackedFieldChanged() {
        const long long app = ApiSteps::createApplicationId(
            api(), organization(), "steady", {{"description", R"("same")"}, {"skip_authorization", "true"}});
        const std::string path = ApiSteps::applicationPath(app);
        const long long before = ApiSteps::countOf(api(), kStream);
        // Same values, an empty PATCH, a PUT with every value as it is, ignored read-only fields.
        APPREG_ASSERT_STATUS(200, api().send("PATCH", path, R"({"name": "steady", "description": "same"})"));
        APPREG_ASSERT_STATUS(200, api().send("PATCH", path, "{}"));
        APPREG_ASSERT_STATUS(200, api().send("PATCH", path, R"({"skip_authorization": "yes"})"));
        APPREG_ASSERT_STATUS(
            200,
            api().send(
                "PATCH", path,
                R"({"client_id": "x", "client_secret": "y", "authorization_grant_type": "authorization-code"})"));
        APPREG_ASSERT_STATUS(
            200, api().send("PUT", path,
                            R"({"name": "steady", "description": "same", "skip_authorization": true,
                                                 "client_type": "confidential", "organization": )" +
                                std::to_string(organization()) + "}"));
        CPPUNIT_ASSERT_EQUAL(before, ApiSteps::countOf(api(), kStream));
        // The same holds for organizations and tokens.
        APPREG_ASSERT_STATUS(
            200, api().send("PATCH", ApiSteps::organizationPath(organization()), R"({"name": "test-org"})"));
        const long long token =
            ApiSteps::createToken(api(), app, R"({"scope": "read"})")->getValue<long long>("id");
        APPREG_ASSERT_STATUS(
            200, api().send("PATCH", ApiSteps::tokenPath(token), R"({"scope": "read", "description": ""})"));
        CPPUNIT_ASSERT_EQUAL(before + 1, ApiSteps::countOf(api(), kStream));
    }

    void testUpdateChangesAreOldNewPairs() {
        const long long other = api().createOrganization("Other");
        const long long app = ApiSteps::createApplicationId(api(), organization(), "old");
        const std::string path = ApiSteps::applicationPath(app);
        APPREG_ASSERT_STATUS(200, api().send("PATCH", path, R"({"name": "new"})"));
        APPREG_ASSERT_JSON(R"({"name": ["old", "new"]})", changesOf(lastEntry()));
        CPPUNIT_ASSERT_EQUAL(std::string("update"), lastEntry()->getValue<std::string>("operation"));

        APPREG_ASSERT_STATUS(200,
                             api().send("PATCH", path, "{\"organization\": " + std::to_string(other) + "}"));
        APPREG_ASSERT_JSON("{\"organization\": [\"test-org-" + std::to_string(organization()) +
                               "\", \"Other-" + std::to_string(other) + "\"]}",
                           changesOf(lastEntry()));

        // Booleans keep their JSON type.
        APPREG_ASSERT_STATUS(200, api().send("PATCH", path, R"({"skip_authorization": true})"));
        APPREG_ASSERT_JSON(R"({"skip_authorization": [false, true]})", changesOf(lastEntry()));

        APPREG_ASSERT_STATUS(200, api().send("PATCH", path, R"({"client_type": "public"})"));
        APPREG_ASSERT_JSON(R"({"client_type": ["confidential", "public"]})", changesOf(lastEntry()));

        // Several fields in one request: one entry with a pair for each changed field only.
        const long long before = ApiSteps::countOf(api(), kStream);
        APPREG_ASSERT_STATUS(200, api().send("PATCH", path,
                                             R"({"name": "new", "description": "d",
                                                 "redirect_uris": "https://example.com/cb"})"));
        CPPUNIT_ASSERT_EQUAL(before + 1, ApiSteps::countOf(api(), kStream));
        const auto changes = lastEntry()->getObject("changes");
        const std::vector<std::string> keys = JsonAssert::keys(changes);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(JsonAssert::toJson(changes), std::size_t(2), keys.size());
        APPREG_ASSERT_JSON(R"(["", "d"])", JsonAssert::toJson(changes->get("description")));
        APPREG_ASSERT_JSON(R"(["", "https://example.com/cb"])",
                           JsonAssert::toJson(changes->get("redirect_uris")));
    }

    void testApplicationStream() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "watched");
        const long long unrelated = ApiSteps::createApplicationId(api(), organization(), "unrelated");
        const std::string stream = ApiSteps::applicationPath(app) + "activity_stream/";
        const auto afterCreate = ApiSteps::getOk(api(), stream);
        APPREG_ASSERT_KEYS((std::vector<std::string>{"count", "next", "previous", "results"}), afterCreate);
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::count(afterCreate));
        CPPUNIT_ASSERT_EQUAL(
            std::string("create"),
            ApiSteps::results(afterCreate)->getObject(0)->getValue<std::string>("operation"));

        APPREG_ASSERT_STATUS(
            200, api().send("PUT", ApiSteps::applicationPath(app),
                            R"({"name": "watched", "description": "changed", "client_type": "confidential",
                                                 "organization": )" +
                                std::to_string(organization()) + "}"));
        const auto afterPut = ApiSteps::getOk(api(), stream);
        CPPUNIT_ASSERT_EQUAL(2LL, ApiSteps::count(afterPut));
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"create", "update"}),
                             JsonAssert::join(ApiSteps::column(afterPut, "operation")));
        APPREG_ASSERT_JSON(R"({"description": ["", "changed"]})",
                           changesOf(ApiSteps::results(afterPut)->getObject(1)));

        // A token's entries are linked to the token, not to the application; other apps' entries are not
        // here either.
        ApiSteps::createToken(api(), app);
        APPREG_ASSERT_STATUS(
            200, api().send("PATCH", ApiSteps::applicationPath(unrelated), R"({"description": "x"})"));
        CPPUNIT_ASSERT_EQUAL(2LL, ApiSteps::countOf(api(), stream));
        // A list like any other.
        const auto page = ApiSteps::getOk(api(), stream + "?page_size=1");
        CPPUNIT_ASSERT_EQUAL(stream + "?page=2&page_size=1", page->getValue<std::string>("next"));

        // Once the application is gone, so is its stream; the delete entry is in the global one.
        APPREG_ASSERT_STATUS(204, api().send("DELETE", ApiSteps::applicationPath(app)));
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "No OAuth2Application matches the given query."})",
                               api().get(stream));
        CPPUNIT_ASSERT_EQUAL(1LL, appCount("delete"));
    }

    void testOrganizationEntries() {
        const long long before = ApiSteps::countOf(api(), kStream);
        const long long org = api().createOrganization("Org", "first");
        CPPUNIT_ASSERT_EQUAL(before + 1, ApiSteps::countOf(api(), kStream));
        APPREG_ASSERT_JSON(
            "{\"name\": \"Org\", \"description\": \"first\", \"id\": " + std::to_string(org) + "}",
            changesOf(lastEntry()));

        APPREG_ASSERT_STATUS(200,
                             api().send("PATCH", ApiSteps::organizationPath(org), R"({"name": "Renamed"})"));
        CPPUNIT_ASSERT_EQUAL(before + 2, ApiSteps::countOf(api(), kStream));
        APPREG_ASSERT_JSON(R"({"name": ["Org", "Renamed"]})", changesOf(lastEntry()));
        CPPUNIT_ASSERT_EQUAL(std::string("organization"), lastEntry()->getValue<std::string>("object1"));

        const auto orgStream = ApiSteps::getOk(api(), ApiSteps::organizationPath(org) + "activity_stream/");
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"create", "update"}),
                             JsonAssert::join(ApiSteps::column(orgStream, "operation")));
        // The organization's stream shows the organization's own entries, not its applications'.
        ApiSteps::createApplication(api(), org, "inside");
        CPPUNIT_ASSERT_EQUAL(2LL,
                             ApiSteps::countOf(api(), ApiSteps::organizationPath(org) + "activity_stream/"));

        APPREG_ASSERT_STATUS(204, api().send("DELETE", ApiSteps::organizationPath(org)));
        CPPUNIT_ASSERT_EQUAL(1LL,
                             ApiSteps::countOf(api(), streamQuery("object1=organization&operation=delete")));
        CPPUNIT_ASSERT_EQUAL(1LL,
                             ApiSteps::countOf(api(), streamQuery("object1=organization&operation=create")));
        CPPUNIT_ASSERT_EQUAL(1LL,
                             ApiSteps::countOf(api(), streamQuery("object1=organization&operation=update")));
        APPREG_ASSERT_JSON(
            "{\"name\": \"Renamed\", \"description\": \"first\", \"id\": " + std::to_string(org) + "}",
            changesOf(lastEntry()));
    }

    void testTokenEntries() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        const long long before = ApiSteps::countOf(api(), kStream);
        const auto token = ApiSteps::createToken(api(), app, R"({"description": "ci"})");
        const long long id = token->getValue<long long>("id");
        CPPUNIT_ASSERT_EQUAL(before + 1, ApiSteps::countOf(api(), kStream));
        const auto created = lastEntry();
        CPPUNIT_ASSERT_EQUAL(std::string("o_auth2_access_token"), created->getValue<std::string>("object1"));
        CPPUNIT_ASSERT_EQUAL(std::string("create"), created->getValue<std::string>("operation"));
        APPREG_ASSERT_JSON(
            "{\"description\": \"ci\", \"application\": \"issuer\", \"expires\": " +
                JsonAssert::quote(token->getValue<std::string>("expires")) +
                ", \"scope\": \"write\", \"token\": \"************\", \"id\": " + std::to_string(id) + "}",
            changesOf(created));
        APPREG_ASSERT_JSON(
            "{" + kActorRelated + ", \"o_auth2_access_token\": [\"" + ApiSteps::tokenPath(id) + "\"]}",
            JsonAssert::toJson(created->get("related")));
        APPREG_ASSERT_JSON(
            "{\"o_auth2_access_token\": [{\"id\": " + std::to_string(id) + "}], " + kActorSummary + "}",
            JsonAssert::toJson(created->get("summary_fields")));

        APPREG_ASSERT_STATUS(200, api().send("PATCH", ApiSteps::tokenPath(id), R"({"scope": "read"})"));
        CPPUNIT_ASSERT_EQUAL(before + 2, ApiSteps::countOf(api(), kStream));
        APPREG_ASSERT_JSON(R"({"scope": ["write", "read"]})", changesOf(lastEntry()));

        const auto tokenStream = ApiSteps::getOk(api(), ApiSteps::tokenPath(id) + "activity_stream/");
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"create", "update"}),
                             JsonAssert::join(ApiSteps::column(tokenStream, "operation")));

        APPREG_ASSERT_STATUS(204, api().send("DELETE", ApiSteps::tokenPath(id)));
        CPPUNIT_ASSERT_EQUAL(before + 3, ApiSteps::countOf(api(), kStream));
        const auto deleted = lastEntry();
        CPPUNIT_ASSERT_EQUAL(std::string("delete"), deleted->getValue<std::string>("operation"));
        CPPUNIT_ASSERT_EQUAL(std::string("o_auth2_access_token"), deleted->getValue<std::string>("object1"));
        CPPUNIT_ASSERT_EQUAL(std::string("************"),
                             deleted->getObject("changes")->getValue<std::string>("token"));
        CPPUNIT_ASSERT_EQUAL(std::string("read"),
                             deleted->getObject("changes")->getValue<std::string>("scope"));

        // A personal token is tracked as well, with no application to name.
        const auto personal =
            ApiSteps::expect(api().post("/api/v2/tokens/", "{}"), 201, "POST /api/v2/tokens/");
        CPPUNIT_ASSERT_EQUAL(before + 4, ApiSteps::countOf(api(), kStream));
        CPPUNIT_ASSERT_EQUAL(std::string("o_auth2_access_token"),
                             lastEntry()->getValue<std::string>("object1"));
        APPREG_ASSERT_JSON("{\"description\": \"\", \"application\": null, \"expires\": " +
                               JsonAssert::quote(personal->getValue<std::string>("expires")) +
                               ", \"scope\": \"write\", \"token\": \"************\", \"id\": " +
                               std::to_string(personal->getValue<long long>("id")) + "}",
                           changesOf(lastEntry()));
    }

    void testSecretsNeverAppear() {
        const auto app = ApiSteps::createApplication(api(), organization(), "secretive");
        const long long id = app->getValue<long long>("id");
        std::vector<std::string> secrets = {app->getValue<std::string>("client_secret")};
        const auto token = ApiSteps::createToken(api(), id);
        secrets.push_back(token->getValue<std::string>("token"));
        secrets.push_back(token->getValue<std::string>("refresh_token"));
        APPREG_ASSERT_STATUS(
            200, api().send("PATCH", ApiSteps::applicationPath(id), R"({"client_type": "public"})"));
        APPREG_ASSERT_STATUS(
            200, api().send("PATCH", ApiSteps::applicationPath(id), R"({"client_type": "confidential"})"));
        APPREG_ASSERT_STATUS(200, api().send("PATCH", ApiSteps::tokenPath(token->getValue<long long>("id")),
                                             R"({"description": "changed"})"));
        APPREG_ASSERT_STATUS(204, api().send("DELETE", ApiSteps::applicationPath(id)));

        const FcgiResponse all = api().get(streamQuery("page_size=200"));
        APPREG_ASSERT_STATUS(200, all);
        for (const std::string& secret : secrets) {
            CPPUNIT_ASSERT_MESSAGE("secret " + secret + " in the activity stream: " + all.body,
                                   all.body.find(secret) == std::string::npos);
        }
        const auto list = JsonAssert::parseObject(all.body);
        CPPUNIT_ASSERT(ApiSteps::count(list) >= 7);
        for (std::size_t i = 0; i < ApiSteps::results(list)->size(); ++i) {
            const auto changes =
                ApiSteps::results(list)->getObject(static_cast<unsigned>(i))->getObject("changes");
            CPPUNIT_ASSERT_MESSAGE(JsonAssert::toJson(changes), !changes->has("client_secret"));
            CPPUNIT_ASSERT_MESSAGE(JsonAssert::toJson(changes), !changes->has("refresh_token"));
            if (changes->has("token")) {
                CPPUNIT_ASSERT_EQUAL(std::string("************"), changes->getValue<std::string>("token"));
            }
        }
        // Nor do they reach the stored entries.
        const std::string raw = database().rawBytes();
        for (const std::string& secret : secrets) {
            CPPUNIT_ASSERT_MESSAGE("secret " + secret + " in the database file",
                                   raw.find(secret) == std::string::npos);
        }
    }

    void testDeletingAnApplicationWritesEntriesForItsTokens() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "parent");
        const long long t1 = ApiSteps::createToken(api(), app)->getValue<long long>("id");
        const long long t2 =
            ApiSteps::createToken(api(), app, R"({"scope": "read"})")->getValue<long long>("id");
        const long long before = ApiSteps::countOf(api(), kStream);
        APPREG_ASSERT_STATUS(204, api().send("DELETE", ApiSteps::applicationPath(app)));
        CPPUNIT_ASSERT_EQUAL(before + 3, ApiSteps::countOf(api(), kStream));
        // The tokens' entries come first, then the application's, each a delete with the object's id.
        const auto tail = ApiSteps::getOk(api(), streamQuery("operation=delete"));
        CPPUNIT_ASSERT_EQUAL(3LL, ApiSteps::count(tail));
        CPPUNIT_ASSERT_EQUAL(
            JsonAssert::join({"o_auth2_access_token", "o_auth2_access_token", "o_auth2_application"}),
            JsonAssert::join(ApiSteps::column(tail, "object1")));
        const auto results = ApiSteps::results(tail);
        std::vector<long long> tokenIds;
        for (unsigned i = 0; i < 2; ++i) {
            const auto changes = results->getObject(i)->getObject("changes");
            tokenIds.push_back(changes->getValue<long long>("id"));
            CPPUNIT_ASSERT_EQUAL(std::string("parent"), changes->getValue<std::string>("application"));
        }
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds({t1, t2}), ApiSteps::joinIds(tokenIds));
        CPPUNIT_ASSERT_EQUAL(app, results->getObject(2)->getObject("changes")->getValue<long long>("id"));
    }

    void testDeletingAnOrganizationWritesEntriesForWhatItTakesAlong() {
        const long long org = api().createOrganization("Doomed");
        const long long a = ApiSteps::createApplicationId(api(), org, "a");
        const long long b = ApiSteps::createApplicationId(api(), org, "b");
        ApiSteps::createToken(api(), a);
        const long long keptOrg = api().createOrganization("Kept");
        ApiSteps::createApplication(api(), keptOrg, "kept");
        const long long before = ApiSteps::countOf(api(), kStream);
        APPREG_ASSERT_STATUS(204, api().send("DELETE", ApiSteps::organizationPath(org)));
        CPPUNIT_ASSERT_EQUAL(before + 4, ApiSteps::countOf(api(), kStream));
        const auto deletes = ApiSteps::getOk(api(), streamQuery("operation=delete"));
        const std::vector<std::string> objects = ApiSteps::column(deletes, "object1");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(JsonAssert::join(objects), std::size_t(4), objects.size());
        // Each application's tokens before the application, the organization last.
        CPPUNIT_ASSERT_EQUAL(std::string("organization"), objects.back());
        std::vector<long long> apps;
        for (std::size_t i = 0; i < objects.size(); ++i) {
            const auto changes =
                ApiSteps::results(deletes)->getObject(static_cast<unsigned>(i))->getObject("changes");
            if (objects[i] == "o_auth2_application") {
                apps.push_back(changes->getValue<long long>("id"));
            }
            if (objects[i] == "o_auth2_access_token") {
                CPPUNIT_ASSERT_EQUAL_MESSAGE("the token's entry precedes its application's", std::size_t(0),
                                             apps.size());
            }
        }
        std::sort(apps.begin(), apps.end());
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds({a, b}), ApiSteps::joinIds(apps));
    }

    void testFailedRequestsWriteNothing() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "app");
        ApiSteps::createApplication(api(), organization(), "taken");
        const long long before = ApiSteps::countOf(api(), kStream);
        APPREG_ASSERT_STATUS(400, api().post(ApiClient::kApplications, R"({"name": "x"})"));
        APPREG_ASSERT_STATUS(400,
                             api().send("PATCH", ApiSteps::applicationPath(app), R"({"name": "taken"})"));
        APPREG_ASSERT_STATUS(400,
                             api().post(ApiSteps::applicationPath(app) + "tokens/", R"({"scope": "nope"})"));
        APPREG_ASSERT_STATUS(400, api().post(ApiClient::kOrganizations, R"({"name": "test-org"})"));
        APPREG_ASSERT_STATUS(404, api().send("DELETE", ApiSteps::applicationPath(app + 100)));
        CPPUNIT_ASSERT_EQUAL(before, ApiSteps::countOf(api(), kStream));
    }

    void testStreamListPaginatesAndFilters() {
        for (int i = 0; i < 4; ++i) {
            ApiSteps::createApplication(api(), organization(), "app-" + std::to_string(i));
        }
        const auto all = ApiSteps::getOk(api(), kStream);
        CPPUNIT_ASSERT_EQUAL(6LL, ApiSteps::count(all));  // the superuser, the organization, 4 applications
        std::vector<long long> ids = ApiSteps::ids(all);
        CPPUNIT_ASSERT_MESSAGE("entries are ordered by id", std::is_sorted(ids.begin(), ids.end()));
        const auto page = ApiSteps::getOk(api(), streamQuery("page_size=2&page=2"));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds({ids[2], ids[3]}), ApiSteps::joinIds(ApiSteps::ids(page)));
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/activity_stream/?page=3&page_size=2"),
                             page->getValue<std::string>("next"));
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/activity_stream/?page_size=2"),
                             page->getValue<std::string>("previous"));
        CPPUNIT_ASSERT_EQUAL(4LL, ApiSteps::countOf(api(), streamQuery("object1=o_auth2_application")));
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::countOf(api(), streamQuery("object1=organization")));
        CPPUNIT_ASSERT_EQUAL(0LL, ApiSteps::countOf(api(), streamQuery("operation=update")));
        const auto reversed = ApiSteps::getOk(api(), streamQuery("order_by=-id"));
        std::reverse(ids.begin(), ids.end());
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds(ids), ApiSteps::joinIds(ApiSteps::ids(reversed)));
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "Invalid page."})", api().get(streamQuery("page=9")));
    }

private:
    long long appCount(const std::string& operation) {
        return ApiSteps::countOf(api(), streamQuery("object1=o_auth2_application&operation=" + operation));
    }

    /// The newest entry of the global stream.
    Poco::JSON::Object::Ptr lastEntry() {
        const auto list = ApiSteps::getOk(api(), streamQuery("order_by=-id&page_size=1"));
        if (ApiSteps::results(list)->size() != 1) {
            throw std::runtime_error("the activity stream is empty");
        }
        return ApiSteps::results(list)->getObject(0);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ActivityStreamTest);
