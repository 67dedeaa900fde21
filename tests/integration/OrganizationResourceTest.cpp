// /api/v2/organizations/ beyond create: list, detail, PUT, PATCH, DELETE with its cascade, and the
// organization's own applications list (API.md §1 and §6, awx-reference.md §4.1 and §6).

#include "ApiSteps.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <string>
#include <vector>

using namespace appreg::test;

namespace {

const char* const kNoOrganization = R"({"detail": "No Organization matches the given query."})";
const char* const kNoApplication = R"({"detail": "No OAuth2Application matches the given query."})";
const char* const kNoToken = R"({"detail": "No OAuth2AccessToken matches the given query."})";

std::string appsOf(long long organization) {
    return ApiSteps::organizationPath(organization) + "applications/";
}

}  // namespace

class OrganizationResourceTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(OrganizationResourceTest);
    CPPUNIT_TEST(testListIsOrderedByName);
    CPPUNIT_TEST(testListFiltersSearchAndPages);
    CPPUNIT_TEST(testListItemIsTheDetail);
    CPPUNIT_TEST(testPutIsAFullUpdate);
    CPPUNIT_TEST(testPutRequiresName);
    CPPUNIT_TEST(testPatchIsPartial);
    CPPUNIT_TEST(testDuplicateNameOnUpdate);
    CPPUNIT_TEST(testBlankNameOnUpdate);
    CPPUNIT_TEST(testRenameShowsInApplications);
    CPPUNIT_TEST(testMissingOrganization);
    CPPUNIT_TEST(testDeleteCascades);
    CPPUNIT_TEST(testDetailAllowsAndRefuses);
    CPPUNIT_TEST(testApplicationsOfAnOrganization);
    CPPUNIT_TEST(testApplicationsOfAnOrganizationPaginateAndFilter);
    CPPUNIT_TEST(testPostToOrganizationApplicationsForcesTheOrganization);
    CPPUNIT_TEST(testPostToOrganizationApplicationsValidates);
    CPPUNIT_TEST(testApplicationsOfAMissingOrganizationIs404);
    CPPUNIT_TEST_SUITE_END();

public:
    void testListIsOrderedByName() {
        APPREG_ASSERT_RESPONSE(200, R"({"count": 0, "next": null, "previous": null, "results": []})",
                               api().get(ApiClient::kOrganizations));
        api().createOrganization("Charlie");
        api().createOrganization("alpha");
        api().createOrganization("Bravo");
        const auto list = ApiSteps::getOk(api(), ApiClient::kOrganizations);
        APPREG_ASSERT_KEYS((std::vector<std::string>{"count", "next", "previous", "results"}), list);
        CPPUNIT_ASSERT_EQUAL(3LL, ApiSteps::count(list));
        CPPUNIT_ASSERT(list->isNull("next"));
        CPPUNIT_ASSERT(list->isNull("previous"));
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"Bravo", "Charlie", "alpha"}),
                             JsonAssert::join(ApiSteps::column(list, "name")));
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"Bravo", "alpha", "Charlie"}),
                             JsonAssert::join(ApiSteps::column(
                                 ApiSteps::getOk(api(), "/api/v2/organizations/?order_by=-id"), "name")));
    }

    void testListFiltersSearchAndPages() {
        api().createOrganization("Engineering", "builds things");
        api().createOrganization("Sales", "sells things");
        api().createOrganization("Support", "fixes");
        const auto byName = ApiSteps::getOk(api(), "/api/v2/organizations/?name=Sales");
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"Sales"}), JsonAssert::join(ApiSteps::column(byName, "name")));
        const auto search = ApiSteps::getOk(api(), "/api/v2/organizations/?search=THINGS");
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"Engineering", "Sales"}),
                             JsonAssert::join(ApiSteps::column(search, "name")));
        const auto page = ApiSteps::getOk(api(), "/api/v2/organizations/?page_size=2");
        CPPUNIT_ASSERT_EQUAL(3LL, ApiSteps::count(page));
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/organizations/?page=2&page_size=2"),
                             page->getValue<std::string>("next"));
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "Invalid page."})",
                               api().get("/api/v2/organizations/?page=3&page_size=2"));
        APPREG_ASSERT_RESPONSE(400, R"({"detail": "Organization has no field named 'foo'"})",
                               api().get("/api/v2/organizations/?foo=1"));
    }

    void testListItemIsTheDetail() {
        const long long id = api().createOrganization("Only", "the one");
        const FcgiResponse detail = api().get(ApiSteps::organizationPath(id));
        APPREG_ASSERT_STATUS(200, detail);
        const auto list = ApiSteps::getOk(api(), ApiClient::kOrganizations);
        APPREG_ASSERT_JSON(detail.body, JsonAssert::toJson(ApiSteps::results(list)->get(0)));
    }

    void testPutIsAFullUpdate() {
        const FcgiResponse created =
            api().post(ApiClient::kOrganizations, R"({"name": "Before", "description": "old"})");
        APPREG_ASSERT_STATUS(201, created);
        const auto before = JsonAssert::parseObject(created.body);
        const long long id = before->getValue<long long>("id");
        const FcgiResponse response =
            api().send("PUT", ApiSteps::organizationPath(id), R"({"name": "After"})");
        APPREG_ASSERT_STATUS(200, response);
        const auto body = JsonAssert::parseObject(response.body);
        APPREG_ASSERT_KEYS((std::vector<std::string>{"id", "type", "url", "related", "summary_fields",
                                                     "created", "modified", "name", "description"}),
                           body);
        CPPUNIT_ASSERT_EQUAL(id, body->getValue<long long>("id"));
        CPPUNIT_ASSERT_EQUAL(std::string("organization"), body->getValue<std::string>("type"));
        CPPUNIT_ASSERT_EQUAL(std::string("After"), body->getValue<std::string>("name"));
        // An omitted description is reset to its default on a full update.
        CPPUNIT_ASSERT_EQUAL(std::string(""), body->getValue<std::string>("description"));
        CPPUNIT_ASSERT_EQUAL(before->getValue<std::string>("created"),
                             body->getValue<std::string>("created"));
        CPPUNIT_ASSERT(body->getValue<std::string>("modified") > before->getValue<std::string>("modified"));
        APPREG_ASSERT_JSON(response.body, api().get(ApiSteps::organizationPath(id)).body);

        const FcgiResponse full =
            api().send("PUT", ApiSteps::organizationPath(id), R"({"name": "After", "description": "new"})");
        APPREG_ASSERT_STATUS(200, full);
        CPPUNIT_ASSERT_EQUAL(std::string("new"),
                             JsonAssert::parseObject(full.body)->getValue<std::string>("description"));
    }

    void testPutRequiresName() {
        const long long id = api().createOrganization("Named");
        APPREG_ASSERT_RESPONSE(400, R"({"name": ["This field is required."]})",
                               api().send("PUT", ApiSteps::organizationPath(id), R"({"description": "x"})"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("Named"),
            ApiSteps::getOk(api(), ApiSteps::organizationPath(id))->getValue<std::string>("name"));
    }

    void testPatchIsPartial() {
        const long long id = api().createOrganization("Keep", "keep this");
        const FcgiResponse response =
            api().send("PATCH", ApiSteps::organizationPath(id), R"({"name": "Kept"})");
        APPREG_ASSERT_STATUS(200, response);
        const auto body = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(std::string("Kept"), body->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::string("keep this"), body->getValue<std::string>("description"));
        const FcgiResponse description =
            api().send("PATCH", ApiSteps::organizationPath(id), R"({"description": "changed"})");
        APPREG_ASSERT_STATUS(200, description);
        const auto stored = ApiSteps::getOk(api(), ApiSteps::organizationPath(id));
        CPPUNIT_ASSERT_EQUAL(std::string("Kept"), stored->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::string("changed"), stored->getValue<std::string>("description"));
    }

    void testDuplicateNameOnUpdate() {
        api().createOrganization("Taken");
        const long long id = api().createOrganization("Mine");
        const char* const duplicate = R"({"name": ["Organization with this Name already exists."]})";
        APPREG_ASSERT_RESPONSE(400, duplicate,
                               api().send("PUT", ApiSteps::organizationPath(id), R"({"name": "Taken"})"));
        APPREG_ASSERT_RESPONSE(400, duplicate,
                               api().send("PATCH", ApiSteps::organizationPath(id), R"({"name": "Taken"})"));
        // Its own name is no duplicate.
        APPREG_ASSERT_STATUS(200, api().send("PUT", ApiSteps::organizationPath(id), R"({"name": "Mine"})"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("Mine"),
            ApiSteps::getOk(api(), ApiSteps::organizationPath(id))->getValue<std::string>("name"));
    }

    void testBlankNameOnUpdate() {
        const long long id = api().createOrganization("NotBlank");
        const char* const blank = R"({"name": ["This field may not be blank."]})";
        APPREG_ASSERT_RESPONSE(400, blank,
                               api().send("PATCH", ApiSteps::organizationPath(id), R"({"name": ""})"));
        APPREG_ASSERT_RESPONSE(400, blank,
                               api().send("PATCH", ApiSteps::organizationPath(id), R"({"name": "   "})"));
        APPREG_ASSERT_RESPONSE(400, blank,
                               api().send("PUT", ApiSteps::organizationPath(id), R"({"name": ""})"));
        APPREG_ASSERT_RESPONSE(400, R"({"name": ["This field may not be null."]})",
                               api().send("PATCH", ApiSteps::organizationPath(id), R"({"name": null})"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("NotBlank"),
            ApiSteps::getOk(api(), ApiSteps::organizationPath(id))->getValue<std::string>("name"));
    }

    void testRenameShowsInApplications() {
        const long long org = api().createOrganization("OldName", "desc");
        const long long app = ApiSteps::createApplicationId(api(), org, "app");
        APPREG_ASSERT_STATUS(200,
                             api().send("PATCH", ApiSteps::organizationPath(org), R"({"name": "NewName"})"));
        APPREG_ASSERT_JSON(
            "{\"id\": " + std::to_string(org) + ", \"name\": \"NewName\", \"description\": \"desc\"}",
            JsonAssert::toJson(ApiSteps::getOk(api(), ApiSteps::applicationPath(app))
                                   ->getObject("summary_fields")
                                   ->get("organization")));
        CPPUNIT_ASSERT_EQUAL(1LL,
                             ApiSteps::countOf(api(), "/api/v2/applications/?organization__name=NewName"));
        CPPUNIT_ASSERT_EQUAL(0LL,
                             ApiSteps::countOf(api(), "/api/v2/applications/?organization__name=OldName"));
    }

    void testMissingOrganization() {
        const long long id = api().createOrganization("Exists");
        const std::string missing = ApiSteps::organizationPath(id + 10);
        APPREG_ASSERT_RESPONSE(404, kNoOrganization, api().get(missing));
        APPREG_ASSERT_RESPONSE(404, kNoOrganization, api().send("PUT", missing, R"({"name": "x"})"));
        APPREG_ASSERT_RESPONSE(404, kNoOrganization, api().send("PATCH", missing, R"({"name": "x"})"));
        APPREG_ASSERT_RESPONSE(404, kNoOrganization, api().send("DELETE", missing));
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::countOf(api(), ApiClient::kOrganizations));
    }

    void testDeleteCascades() {
        const long long doomed = api().createOrganization("Doomed");
        const long long kept = api().createOrganization("Kept");
        const long long app1 = ApiSteps::createApplicationId(api(), doomed, "one");
        const long long app2 = ApiSteps::createApplicationId(api(), doomed, "two");
        const long long keptApp = ApiSteps::createApplicationId(api(), kept, "one");
        const long long token1 = ApiSteps::createToken(api(), app1)->getValue<long long>("id");
        const long long token2 = ApiSteps::createToken(api(), app2)->getValue<long long>("id");
        const long long keptToken = ApiSteps::createToken(api(), keptApp)->getValue<long long>("id");

        const FcgiResponse response = api().send("DELETE", ApiSteps::organizationPath(doomed));
        APPREG_ASSERT_STATUS(204, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string(), response.body);

        APPREG_ASSERT_RESPONSE(404, kNoOrganization, api().get(ApiSteps::organizationPath(doomed)));
        APPREG_ASSERT_RESPONSE(404, kNoApplication, api().get(ApiSteps::applicationPath(app1)));
        APPREG_ASSERT_RESPONSE(404, kNoApplication, api().get(ApiSteps::applicationPath(app2)));
        APPREG_ASSERT_RESPONSE(404, kNoToken, api().get(ApiSteps::tokenPath(token1)));
        APPREG_ASSERT_RESPONSE(404, kNoToken, api().get(ApiSteps::tokenPath(token2)));
        APPREG_ASSERT_RESPONSE(404, kNoOrganization, api().get(appsOf(doomed)));

        const auto keptBody = ApiSteps::getOk(api(), ApiSteps::applicationPath(keptApp));
        CPPUNIT_ASSERT_EQUAL(
            1LL, keptBody->getObject("summary_fields")->getObject("tokens")->getValue<long long>("count"));
        APPREG_ASSERT_STATUS(200, api().get(ApiSteps::tokenPath(keptToken)));
        APPREG_ASSERT_STATUS(200, api().get(ApiSteps::organizationPath(kept)));
        CPPUNIT_ASSERT_EQUAL(
            ApiSteps::joinIds({keptApp}),
            ApiSteps::joinIds(ApiSteps::ids(ApiSteps::getOk(api(), ApiClient::kApplications))));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds({keptToken}),
                             ApiSteps::joinIds(ApiSteps::ids(ApiSteps::getOk(api(), "/api/v2/tokens/"))));
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::countOf(api(), ApiClient::kOrganizations));
        // The freed name can be used again.
        APPREG_ASSERT_STATUS(201, api().post(ApiClient::kOrganizations, R"({"name": "Doomed"})"));
    }

    void testDetailAllowsAndRefuses() {
        const long long id = api().createOrganization("Methods");
        const FcgiResponse get = api().get(ApiSteps::organizationPath(id));
        APPREG_ASSERT_STATUS(200, get);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(get.describe(), std::string("GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
                                     get.header("Allow"));
        const FcgiResponse post = api().post(ApiSteps::organizationPath(id), R"({"name": "x"})");
        APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"POST\" not allowed."})", post);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(post.describe(), std::string("GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
                                     post.header("Allow"));
        const FcgiResponse head = api().send("HEAD", ApiSteps::organizationPath(id));
        APPREG_ASSERT_STATUS(200, head);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(head.describe(), std::string(), head.body);
        APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"DELETE\" not allowed."})",
                               api().send("DELETE", ApiClient::kOrganizations));
    }

    void testApplicationsOfAnOrganization() {
        const long long mine = api().createOrganization("Mine");
        const long long other = api().createOrganization("Other");
        const long long b = ApiSteps::createApplicationId(api(), mine, "b");
        ApiSteps::createApplication(api(), other, "a");
        const long long a = ApiSteps::createApplicationId(api(), mine, "a", {{"client_type", R"("public")"}});
        const long long empty = api().createOrganization("Empty");

        const FcgiResponse response = api().get(appsOf(mine));
        APPREG_ASSERT_STATUS(200, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string("GET, POST, HEAD, OPTIONS"),
                                     response.header("Allow"));
        const auto list = JsonAssert::parseObject(response.body);
        APPREG_ASSERT_KEYS((std::vector<std::string>{"count", "next", "previous", "results"}), list);
        CPPUNIT_ASSERT_EQUAL(2LL, ApiSteps::count(list));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds({a, b}), ApiSteps::joinIds(ApiSteps::ids(list)));
        // The items are the applications' detail representation (secret censored or absent).
        APPREG_ASSERT_JSON(api().get(ApiSteps::applicationPath(a)).body,
                           JsonAssert::toJson(ApiSteps::results(list)->get(0)));
        APPREG_ASSERT_JSON(api().get(ApiSteps::applicationPath(b)).body,
                           JsonAssert::toJson(ApiSteps::results(list)->get(1)));

        APPREG_ASSERT_RESPONSE(200, R"({"count": 0, "next": null, "previous": null, "results": []})",
                               api().get(appsOf(empty)));
    }

    void testApplicationsOfAnOrganizationPaginateAndFilter() {
        const long long mine = api().createOrganization("Mine");
        const long long other = api().createOrganization("Other");
        for (const char* name : {"app-1", "app-2", "app-3", "tool"}) {
            ApiSteps::createApplication(api(), mine, name);
            ApiSteps::createApplication(api(), other, name);
        }
        const auto page = ApiSteps::getOk(api(), appsOf(mine) + "?name__startswith=app&page_size=2");
        CPPUNIT_ASSERT_EQUAL(3LL, ApiSteps::count(page));
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"app-1", "app-2"}),
                             JsonAssert::join(ApiSteps::column(page, "name")));
        CPPUNIT_ASSERT_EQUAL(appsOf(mine) + "?name__startswith=app&page=2&page_size=2",
                             page->getValue<std::string>("next"));
        const auto second = ApiSteps::getOk(api(), page->getValue<std::string>("next"));
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"app-3"}), JsonAssert::join(ApiSteps::column(second, "name")));
        CPPUNIT_ASSERT_EQUAL(appsOf(mine) + "?name__startswith=app&page_size=2",
                             second->getValue<std::string>("previous"));
        const auto ordered = ApiSteps::getOk(api(), appsOf(mine) + "?order_by=-name&search=o");
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"tool"}), JsonAssert::join(ApiSteps::column(ordered, "name")));
        APPREG_ASSERT_RESPONSE(403, R"({"detail": "Filtering on client_id is not allowed."})",
                               api().get(appsOf(mine) + "?client_id=x"));
    }

    void testPostToOrganizationApplicationsForcesTheOrganization() {
        const long long mine = api().createOrganization("Mine", "my org");
        const long long other = api().createOrganization("Other");
        // The body names another organization: the URL wins.
        const std::string body = ApiSteps::applicationBody(other, "forced");
        const FcgiResponse response = api().post(appsOf(mine), body);
        APPREG_ASSERT_STATUS(201, response);
        const auto created = JsonAssert::parseObject(response.body);
        const long long id = created->getValue<long long>("id");
        CPPUNIT_ASSERT_EQUAL(mine, created->getValue<long long>("organization"));
        APPREG_ASSERT_JSON(
            "{\"id\": " + std::to_string(mine) + ", \"name\": \"Mine\", \"description\": \"my org\"}",
            JsonAssert::toJson(created->getObject("summary_fields")->get("organization")));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), ApiSteps::applicationPath(id),
                                     response.header("Location"));
        // A POST shows the secret in clear, wherever it is posted.
        CPPUNIT_ASSERT_EQUAL(std::size_t(128), created->getValue<std::string>("client_secret").size());
        CPPUNIT_ASSERT(created->getValue<std::string>("client_secret") != "************");
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::countOf(api(), appsOf(mine)));
        CPPUNIT_ASSERT_EQUAL(0LL, ApiSteps::countOf(api(), appsOf(other)));

        // Without organization in the body: the URL supplies it.
        const FcgiResponse bare = api().post(
            appsOf(mine),
            R"({"name": "bare", "client_type": "public", "authorization_grant_type": "password"})");
        APPREG_ASSERT_STATUS(201, bare);
        const auto bareBody = JsonAssert::parseObject(bare.body);
        CPPUNIT_ASSERT_EQUAL(mine, bareBody->getValue<long long>("organization"));
        CPPUNIT_ASSERT(!bareBody->has("client_secret"));
        // A nonexistent organization in the body is ignored as well.
        APPREG_ASSERT_STATUS(201, api().post(appsOf(mine), ApiSteps::applicationBody(999, "ghost")));
        CPPUNIT_ASSERT_EQUAL(3LL, ApiSteps::countOf(api(), appsOf(mine)));
    }

    void testPostToOrganizationApplicationsValidates() {
        const long long mine = api().createOrganization("Mine");
        ApiSteps::createApplication(api(), mine, "taken");
        APPREG_ASSERT_RESPONSE(
            400,
            R"({"client_type": ["This field is required."], "authorization_grant_type": ["This field is required."]})",
            api().post(appsOf(mine), R"({"name": "x"})"));
        APPREG_ASSERT_RESPONSE(
            400, R"({"__all__": ["Application with this Name and Organization already exists."]})",
            api().post(appsOf(mine), ApiSteps::applicationBody(mine, "taken")));
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::countOf(api(), appsOf(mine)));
    }

    void testApplicationsOfAMissingOrganizationIs404() {
        const long long id = api().createOrganization("Exists");
        const std::string missing = appsOf(id + 10);
        APPREG_ASSERT_RESPONSE(404, kNoOrganization, api().get(missing));
        APPREG_ASSERT_RESPONSE(404, kNoOrganization, api().post(missing, ApiSteps::applicationBody(id, "x")));
        CPPUNIT_ASSERT_EQUAL(0LL, ApiSteps::countOf(api(), ApiClient::kApplications));
        APPREG_ASSERT_RESPONSE(404, kNoOrganization,
                               api().get(ApiSteps::organizationPath(id + 10) + "activity_stream/"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(OrganizationResourceTest);
