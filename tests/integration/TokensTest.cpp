// Access tokens: /api/v2/applications/{id}/tokens/ and /api/v2/tokens/ (API.md §5, awx-reference.md §5.1,
// docs/decisions.md "Tokens and history").

#include "ApiSteps.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <regex>
#include <string>
#include <vector>

using namespace appreg::test;

namespace {

const char* const kNoToken = R"({"detail": "No OAuth2AccessToken matches the given query."})";
const char* const kNoApplication = R"({"detail": "No OAuth2Application matches the given query."})";
const char* const kBadScope =
    R"({"scope": ["Must be a simple space-separated string with allowed scopes ['read', 'write']."]})";

const std::vector<std::string> kTokenKeys = {
    "id",          "type", "url",   "related",       "summary_fields", "created", "modified",
    "description", "user", "token", "refresh_token", "application",    "expires", "scope"};

/// The test superuser every request authenticates as: the database's first user.
constexpr long long kSuperuserId = 1;

std::string tokensOf(long long application) { return ApiSteps::applicationPath(application) + "tokens/"; }

bool isClearToken(const std::string& value) {
    static const std::regex pattern("^[A-Za-z0-9]{30}$");
    return std::regex_match(value, pattern);
}

}  // namespace

class TokensTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(TokensTest);
    CPPUNIT_TEST(testCreateOnAnApplication);
    CPPUNIT_TEST(testTokensAreCensoredAfterTheCreate);
    CPPUNIT_TEST(testEveryTokenIsNew);
    CPPUNIT_TEST(testValidScopes);
    CPPUNIT_TEST(testInvalidScopes);
    CPPUNIT_TEST(testApplicationInTheBodyIsIgnoredOnTheSubList);
    CPPUNIT_TEST(testReadOnlyFieldsAreIgnoredOnCreate);
    CPPUNIT_TEST(testPersonalToken);
    CPPUNIT_TEST(testCreateWithApplicationOnTheTokenList);
    CPPUNIT_TEST(testCreateWithAMissingApplication);
    CPPUNIT_TEST(testPostToTheTokensOfAMissingApplication);
    CPPUNIT_TEST(testTokensOfAMissingApplicationIs404);
    CPPUNIT_TEST(testSubListShowsOnlyThatApplicationsTokens);
    CPPUNIT_TEST(testTokenListPaginatesAndFilters);
    CPPUNIT_TEST(testTokensMayNotBeFilteredOrOrdered);
    CPPUNIT_TEST(testPatchDescriptionAndScope);
    CPPUNIT_TEST(testPutUpdatesDescriptionAndScope);
    CPPUNIT_TEST(testApplicationIsReadOnlyOnUpdate);
    CPPUNIT_TEST(testDelete);
    CPPUNIT_TEST(testMissingToken);
    CPPUNIT_TEST(testSummaryFieldsOfTheApplication);
    CPPUNIT_TEST(testClearTokensNeverReachTheDatabaseFile);
    CPPUNIT_TEST_SUITE_END();

public:
    void testCreateOnAnApplication() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        const FcgiResponse response = api().post(tokensOf(app), "{}");
        APPREG_ASSERT_STATUS(201, response);
        const auto body = JsonAssert::parseObject(response.body);
        APPREG_ASSERT_KEYS(kTokenKeys, body);
        const long long id = body->getValue<long long>("id");
        CPPUNIT_ASSERT_MESSAGE("id must be a JSON integer", body->get("id").isInteger());
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), ApiSteps::tokenPath(id),
                                     response.header("Location"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string("201 Created"), response.statusLine);
        CPPUNIT_ASSERT_EQUAL(std::string("o_auth2_access_token"), body->getValue<std::string>("type"));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::tokenPath(id), body->getValue<std::string>("url"));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::applicationPath(app),
                             body->getObject("related")->getValue<std::string>("application"));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::tokenPath(id) + "activity_stream/",
                             body->getObject("related")->getValue<std::string>("activity_stream"));
        APPREG_ASSERT_JSON("{\"id\": " + std::to_string(app) + ", \"name\": \"issuer\"}",
                           JsonAssert::toJson(body->getObject("summary_fields")->get("application")));
        CPPUNIT_ASSERT_EQUAL(std::string(""), body->getValue<std::string>("description"));
        CPPUNIT_ASSERT_EQUAL(kSuperuserId, body->getValue<long long>("user"));  // who created it
        const std::string token = body->getValue<std::string>("token");
        const std::string refresh = body->getValue<std::string>("refresh_token");
        CPPUNIT_ASSERT_MESSAGE("token: " + token, isClearToken(token));
        CPPUNIT_ASSERT_MESSAGE("refresh_token: " + refresh, isClearToken(refresh));
        CPPUNIT_ASSERT(token != refresh);
        CPPUNIT_ASSERT_EQUAL(app, body->getValue<long long>("application"));
        CPPUNIT_ASSERT_EQUAL(std::string("write"), body->getValue<std::string>("scope"));

        static const std::regex timestamp(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$)");
        for (const char* key : {"created", "modified", "expires"}) {
            CPPUNIT_ASSERT_MESSAGE(body->getValue<std::string>(key),
                                   std::regex_match(body->getValue<std::string>(key), timestamp));
        }
        // AWX's default lifetime is 31536000000 s (about 1000 years): the year is ~1000 ahead.
        const int createdYear = std::stoi(body->getValue<std::string>("created").substr(0, 4));
        const int expiresYear = std::stoi(body->getValue<std::string>("expires").substr(0, 4));
        CPPUNIT_ASSERT_MESSAGE(body->getValue<std::string>("expires"),
                               expiresYear >= createdYear + 999 && expiresYear <= createdYear + 1000);
    }

    void testTokensAreCensoredAfterTheCreate() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        const FcgiResponse created = api().post(tokensOf(app), R"({"description": "ci", "scope": "read"})");
        APPREG_ASSERT_STATUS(201, created);
        const long long id = JsonAssert::parseObject(created.body)->getValue<long long>("id");

        const FcgiResponse detail = api().get(ApiSteps::tokenPath(id));
        APPREG_ASSERT_STATUS(200, detail);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(detail.describe(), std::string("GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
                                     detail.header("Allow"));
        // Everything as in the 201, except both tokens.
        std::string expected = JsonAssert::with(created.body, "token", R"("************")");
        expected = JsonAssert::with(expected, "refresh_token", R"("************")");
        APPREG_ASSERT_JSON(expected, detail.body);

        // The same item in both lists.
        const auto all = ApiSteps::getOk(api(), "/api/v2/tokens/");
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::count(all));
        APPREG_ASSERT_JSON(expected, JsonAssert::toJson(ApiSteps::results(all)->get(0)));
        const auto sub = ApiSteps::getOk(api(), tokensOf(app));
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::count(sub));
        APPREG_ASSERT_JSON(expected, JsonAssert::toJson(ApiSteps::results(sub)->get(0)));
    }

    void testEveryTokenIsNew() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        const auto first = ApiSteps::createToken(api(), app);
        const auto second = ApiSteps::createToken(api(), app);
        CPPUNIT_ASSERT(second->getValue<long long>("id") > first->getValue<long long>("id"));
        CPPUNIT_ASSERT(first->getValue<std::string>("token") != second->getValue<std::string>("token"));
        CPPUNIT_ASSERT(first->getValue<std::string>("refresh_token") !=
                       second->getValue<std::string>("refresh_token"));
    }

    void testValidScopes() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        for (const char* scope : {"read", "write", "read write", "write read"}) {
            const auto body =
                ApiSteps::createToken(api(), app, "{\"scope\": " + JsonAssert::quote(scope) + "}");
            CPPUNIT_ASSERT_EQUAL(std::string(scope), body->getValue<std::string>("scope"));
            CPPUNIT_ASSERT_EQUAL(
                std::string(scope),
                ApiSteps::getOk(api(), body->getValue<std::string>("url"))->getValue<std::string>("scope"));
        }
    }

    void testInvalidScopes() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        for (const char* scope : {R"("")", "null", R"("read read")", R"("read rainbow")", R"("READ")",
                                  R"("write write")", R"("admin")", R"("read,write")"}) {
            const std::string body = std::string(R"({"scope": )") + scope + "}";
            APPREG_ASSERT_RESPONSE(400, kBadScope, api().post(tokensOf(app), body));
            APPREG_ASSERT_RESPONSE(400, kBadScope, api().post("/api/v2/tokens/", body));
        }
        // A value that is not a string at all gets appreg's type error (API.md §2).
        for (const char* scope : {"5", "true", R"(["read"])"}) {
            const std::string body = std::string(R"({"scope": )") + scope + "}";
            APPREG_ASSERT_RESPONSE(400, R"({"scope": ["Not a valid string."]})",
                                   api().post(tokensOf(app), body));
        }
        CPPUNIT_ASSERT_EQUAL(0LL, ApiSteps::countOf(api(), "/api/v2/tokens/"));
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("tokens"));
    }

    void testApplicationInTheBodyIsIgnoredOnTheSubList() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "url-app");
        const long long other = ApiSteps::createApplicationId(api(), organization(), "body-app");
        const auto body =
            ApiSteps::createToken(api(), app, "{\"application\": " + std::to_string(other) + "}");
        CPPUNIT_ASSERT_EQUAL(app, body->getValue<long long>("application"));
        // Even an application that does not exist, or null.
        CPPUNIT_ASSERT_EQUAL(
            app,
            ApiSteps::createToken(api(), app, R"({"application": 999})")->getValue<long long>("application"));
        CPPUNIT_ASSERT_EQUAL(app, ApiSteps::createToken(api(), app, R"({"application": null})")
                                      ->getValue<long long>("application"));
        CPPUNIT_ASSERT_EQUAL(3LL, ApiSteps::countOf(api(), tokensOf(app)));
        CPPUNIT_ASSERT_EQUAL(0LL, ApiSteps::countOf(api(), tokensOf(other)));
    }

    void testReadOnlyFieldsAreIgnoredOnCreate() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        const auto body = ApiSteps::createToken(
            api(), app,
            R"({"token": "mytokenmytokenmytokenmytoken12", "refresh_token": "x", "user": 5,
                "expires": "2001-01-01T00:00:00Z", "id": 500, "created": "2001-01-01T00:00:00Z"})");
        CPPUNIT_ASSERT(body->getValue<std::string>("token") != "mytokenmytokenmytokenmytoken12");
        CPPUNIT_ASSERT(isClearToken(body->getValue<std::string>("refresh_token")));
        CPPUNIT_ASSERT_EQUAL(kSuperuserId, body->getValue<long long>("user"));  // the creator, not 5
        CPPUNIT_ASSERT(body->getValue<std::string>("expires").rfind("2001", 0) != 0);
        CPPUNIT_ASSERT(body->getValue<std::string>("created").rfind("2001", 0) != 0);
        CPPUNIT_ASSERT(body->getValue<long long>("id") != 500);
    }

    void testPersonalToken() {
        const FcgiResponse response = api().post("/api/v2/tokens/", R"({"description": "mine"})");
        APPREG_ASSERT_STATUS(201, response);
        const auto body = JsonAssert::parseObject(response.body);
        APPREG_ASSERT_KEYS(kTokenKeys, body);
        const long long id = body->getValue<long long>("id");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), ApiSteps::tokenPath(id),
                                     response.header("Location"));
        CPPUNIT_ASSERT_MESSAGE(body->getValue<std::string>("token"),
                               isClearToken(body->getValue<std::string>("token")));
        CPPUNIT_ASSERT_MESSAGE(response.body, body->isNull("refresh_token"));
        CPPUNIT_ASSERT_MESSAGE(response.body, body->isNull("application"));
        CPPUNIT_ASSERT_EQUAL(std::string("mine"), body->getValue<std::string>("description"));
        CPPUNIT_ASSERT_EQUAL(std::string("write"), body->getValue<std::string>("scope"));
        CPPUNIT_ASSERT_MESSAGE(response.body, !body->getObject("related")->has("application"));

        const auto stored = ApiSteps::getOk(api(), ApiSteps::tokenPath(id));
        CPPUNIT_ASSERT_EQUAL(std::string("************"), stored->getValue<std::string>("token"));
        CPPUNIT_ASSERT_MESSAGE("a personal token has no refresh token to censor",
                               stored->isNull("refresh_token"));
        CPPUNIT_ASSERT(stored->isNull("application"));
        // application: null is the same as leaving it out.
        const auto explicitNull = ApiSteps::expect(api().post("/api/v2/tokens/", R"({"application": null})"),
                                                   201, "POST /api/v2/tokens/ application null");
        CPPUNIT_ASSERT(explicitNull->isNull("application"));
        CPPUNIT_ASSERT(explicitNull->isNull("refresh_token"));
    }

    void testCreateWithApplicationOnTheTokenList() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        const FcgiResponse response = api().post(
            "/api/v2/tokens/", "{\"application\": " + std::to_string(app) + ", \"scope\": \"read\"}");
        APPREG_ASSERT_STATUS(201, response);
        const auto body = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(app, body->getValue<long long>("application"));
        CPPUNIT_ASSERT(isClearToken(body->getValue<std::string>("refresh_token")));
        CPPUNIT_ASSERT_EQUAL(std::string("read"), body->getValue<std::string>("scope"));
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::countOf(api(), tokensOf(app)));
    }

    void testCreateWithAMissingApplication() {
        APPREG_ASSERT_RESPONSE(400, R"({"application": ["Invalid pk \"999\" - object does not exist."]})",
                               api().post("/api/v2/tokens/", R"({"application": 999})"));
        APPREG_ASSERT_RESPONSE(400,
                               R"({"application": ["Incorrect type. Expected pk value, received str."]})",
                               api().post("/api/v2/tokens/", R"({"application": "abc"})"));
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("tokens"));
    }

    void testPostToTheTokensOfAMissingApplication() {
        // awx-reference.md §5.1: a superuser (every request is one, until authentication lands) skips the
        // parent permission check, and the pk from the URL is validated as data: 400, not 404.
        APPREG_ASSERT_RESPONSE(400, R"({"application": ["Invalid pk \"999\" - object does not exist."]})",
                               api().post(tokensOf(999), "{}"));
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("tokens"));
    }

    void testTokensOfAMissingApplicationIs404() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        APPREG_ASSERT_RESPONSE(404, kNoApplication, api().get(tokensOf(app + 1)));
        APPREG_ASSERT_RESPONSE(404, kNoApplication, api().get(tokensOf(999)));
    }

    void testSubListShowsOnlyThatApplicationsTokens() {
        const long long a = ApiSteps::createApplicationId(api(), organization(), "a");
        const long long b = ApiSteps::createApplicationId(api(), organization(), "b");
        const long long a1 = ApiSteps::createToken(api(), a)->getValue<long long>("id");
        const long long b1 = ApiSteps::createToken(api(), b)->getValue<long long>("id");
        const long long a2 = ApiSteps::createToken(api(), a)->getValue<long long>("id");
        const auto list = ApiSteps::getOk(api(), tokensOf(a));
        APPREG_ASSERT_KEYS((std::vector<std::string>{"count", "next", "previous", "results"}), list);
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds({a1, a2}), ApiSteps::joinIds(ApiSteps::ids(list)));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds({b1}),
                             ApiSteps::joinIds(ApiSteps::ids(ApiSteps::getOk(api(), tokensOf(b)))));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds({a1, b1, a2}),
                             ApiSteps::joinIds(ApiSteps::ids(ApiSteps::getOk(api(), "/api/v2/tokens/"))));
        const FcgiResponse put = api().send("PUT", tokensOf(a), "{}");
        APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"PUT\" not allowed."})", put);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(put.describe(), std::string("GET, POST, HEAD, OPTIONS"),
                                     put.header("Allow"));
    }

    void testTokenListPaginatesAndFilters() {
        const long long a = ApiSteps::createApplicationId(api(), organization(), "alpha");
        const long long b = ApiSteps::createApplicationId(api(), organization(), "beta");
        std::vector<long long> ids;
        for (int i = 0; i < 3; ++i) {
            ids.push_back(ApiSteps::createToken(api(), a, R"({"scope": "read"})")->getValue<long long>("id"));
            ids.push_back(ApiSteps::createToken(api(), b)->getValue<long long>("id"));
        }
        const auto page = ApiSteps::getOk(api(), "/api/v2/tokens/?page_size=4");
        CPPUNIT_ASSERT_EQUAL(6LL, ApiSteps::count(page));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds({ids[0], ids[1], ids[2], ids[3]}),
                             ApiSteps::joinIds(ApiSteps::ids(page)));
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/tokens/?page=2&page_size=4"),
                             page->getValue<std::string>("next"));
        CPPUNIT_ASSERT_EQUAL(
            ApiSteps::joinIds({ids[0], ids[2], ids[4]}),
            ApiSteps::joinIds(ApiSteps::ids(ApiSteps::getOk(api(), "/api/v2/tokens/?scope=read"))));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds({ids[1], ids[3], ids[5]}),
                             ApiSteps::joinIds(ApiSteps::ids(ApiSteps::getOk(
                                 api(), "/api/v2/tokens/?application=" + std::to_string(b)))));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds({ids[0], ids[2], ids[4]}),
                             ApiSteps::joinIds(ApiSteps::ids(
                                 ApiSteps::getOk(api(), "/api/v2/tokens/?application__name=alpha"))));
        CPPUNIT_ASSERT_EQUAL(
            ApiSteps::joinIds({ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]}),
            ApiSteps::joinIds(ApiSteps::ids(ApiSteps::getOk(api(), "/api/v2/tokens/?order_by=-id"))));
        APPREG_ASSERT_RESPONSE(400, R"({"detail": "OAuth2AccessToken has no field named 'foo'"})",
                               api().get("/api/v2/tokens/?foo=1"));
    }

    void testTokensMayNotBeFilteredOrOrdered() {
        // Filtering on a token (even on its digest) would let a caller probe for tokens: 403 as for the
        // client secret (AWX marks both token fields prevent_search).
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        const auto token = ApiSteps::createToken(api(), app);
        const std::string clear = token->getValue<std::string>("token");
        const char* const tokenForbidden = R"({"detail": "Filtering on token is not allowed."})";
        const char* const refreshForbidden = R"({"detail": "Filtering on refresh_token is not allowed."})";
        APPREG_ASSERT_RESPONSE(403, tokenForbidden, api().get("/api/v2/tokens/?token=" + clear));
        APPREG_ASSERT_RESPONSE(403, tokenForbidden,
                               api().get("/api/v2/tokens/?token__startswith=" + clear.substr(0, 1)));
        APPREG_ASSERT_RESPONSE(403, tokenForbidden, api().get("/api/v2/tokens/?order_by=token"));
        APPREG_ASSERT_RESPONSE(403, tokenForbidden, api().get(tokensOf(app) + "?token=" + clear));
        APPREG_ASSERT_RESPONSE(
            403, refreshForbidden,
            api().get("/api/v2/tokens/?refresh_token=" + token->getValue<std::string>("refresh_token")));
        APPREG_ASSERT_RESPONSE(403, R"({"detail": "Filtering on client_secret is not allowed."})",
                               api().get("/api/v2/tokens/?application__client_secret=x"));
    }

    void testPatchDescriptionAndScope() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        const auto created = ApiSteps::createToken(api(), app);
        const long long id = created->getValue<long long>("id");
        const FcgiResponse response =
            api().send("PATCH", ApiSteps::tokenPath(id), R"({"description": "renamed", "scope": "read"})");
        APPREG_ASSERT_STATUS(200, response);
        const auto body = JsonAssert::parseObject(response.body);
        APPREG_ASSERT_KEYS(kTokenKeys, body);
        CPPUNIT_ASSERT_EQUAL(std::string("renamed"), body->getValue<std::string>("description"));
        CPPUNIT_ASSERT_EQUAL(std::string("read"), body->getValue<std::string>("scope"));
        CPPUNIT_ASSERT_EQUAL(std::string("************"), body->getValue<std::string>("token"));
        CPPUNIT_ASSERT_EQUAL(std::string("************"), body->getValue<std::string>("refresh_token"));
        CPPUNIT_ASSERT_EQUAL(created->getValue<std::string>("expires"),
                             body->getValue<std::string>("expires"));
        CPPUNIT_ASSERT_EQUAL(created->getValue<std::string>("created"),
                             body->getValue<std::string>("created"));
        CPPUNIT_ASSERT(body->getValue<std::string>("modified") > created->getValue<std::string>("modified"));
        APPREG_ASSERT_JSON(response.body, api().get(ApiSteps::tokenPath(id)).body);

        // A partial update leaves the rest alone.
        const FcgiResponse scopeOnly =
            api().send("PATCH", ApiSteps::tokenPath(id), R"({"scope": "read write"})");
        APPREG_ASSERT_STATUS(200, scopeOnly);
        const auto after = JsonAssert::parseObject(scopeOnly.body);
        CPPUNIT_ASSERT_EQUAL(std::string("renamed"), after->getValue<std::string>("description"));
        CPPUNIT_ASSERT_EQUAL(std::string("read write"), after->getValue<std::string>("scope"));

        APPREG_ASSERT_RESPONSE(400, kBadScope,
                               api().send("PATCH", ApiSteps::tokenPath(id), R"({"scope": "READ"})"));
        APPREG_ASSERT_RESPONSE(400, kBadScope,
                               api().send("PATCH", ApiSteps::tokenPath(id), R"({"scope": ""})"));
        CPPUNIT_ASSERT_EQUAL(std::string("read write"),
                             ApiSteps::getOk(api(), ApiSteps::tokenPath(id))->getValue<std::string>("scope"));
    }

    void testPutUpdatesDescriptionAndScope() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        const long long id = ApiSteps::createToken(api(), app)->getValue<long long>("id");
        const FcgiResponse response =
            api().send("PUT", ApiSteps::tokenPath(id), R"({"description": "put", "scope": "read"})");
        APPREG_ASSERT_STATUS(200, response);
        const auto body = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(std::string("put"), body->getValue<std::string>("description"));
        CPPUNIT_ASSERT_EQUAL(std::string("read"), body->getValue<std::string>("scope"));
        CPPUNIT_ASSERT_EQUAL(app, body->getValue<long long>("application"));
        APPREG_ASSERT_RESPONSE(
            400, kBadScope,
            api().send("PUT", ApiSteps::tokenPath(id), R"({"description": "x", "scope": "read rainbow"})"));
    }

    void testApplicationIsReadOnlyOnUpdate() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        const long long other = ApiSteps::createApplicationId(api(), organization(), "other");
        const long long id = ApiSteps::createToken(api(), app)->getValue<long long>("id");
        const FcgiResponse response =
            api().send("PATCH", ApiSteps::tokenPath(id),
                       "{\"application\": " + std::to_string(other) + ", \"description\": \"d\"}");
        APPREG_ASSERT_STATUS(200, response);
        CPPUNIT_ASSERT_EQUAL(app, JsonAssert::parseObject(response.body)->getValue<long long>("application"));
        CPPUNIT_ASSERT_EQUAL(std::string("d"),
                             JsonAssert::parseObject(response.body)->getValue<std::string>("description"));
        APPREG_ASSERT_STATUS(200, api().send("PATCH", ApiSteps::tokenPath(id), R"({"application": 999})"));
        APPREG_ASSERT_STATUS(200, api().send("PATCH", ApiSteps::tokenPath(id), R"({"application": null})"));
        CPPUNIT_ASSERT_EQUAL(
            app, ApiSteps::getOk(api(), ApiSteps::tokenPath(id))->getValue<long long>("application"));
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::countOf(api(), tokensOf(app)));
        CPPUNIT_ASSERT_EQUAL(0LL, ApiSteps::countOf(api(), tokensOf(other)));
    }

    void testDelete() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "issuer");
        const long long doomed = ApiSteps::createToken(api(), app)->getValue<long long>("id");
        const long long kept = ApiSteps::createToken(api(), app)->getValue<long long>("id");
        const FcgiResponse response = api().send("DELETE", ApiSteps::tokenPath(doomed));
        APPREG_ASSERT_STATUS(204, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string(), response.body);
        APPREG_ASSERT_RESPONSE(404, kNoToken, api().get(ApiSteps::tokenPath(doomed)));
        APPREG_ASSERT_RESPONSE(404, kNoToken, api().send("DELETE", ApiSteps::tokenPath(doomed)));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::joinIds({kept}),
                             ApiSteps::joinIds(ApiSteps::ids(ApiSteps::getOk(api(), tokensOf(app)))));
        // The application itself stays.
        APPREG_ASSERT_STATUS(200, api().get(ApiSteps::applicationPath(app)));
    }

    void testMissingToken() {
        APPREG_ASSERT_RESPONSE(404, kNoToken, api().get(ApiSteps::tokenPath(42)));
        APPREG_ASSERT_RESPONSE(404, kNoToken,
                               api().send("PATCH", ApiSteps::tokenPath(42), R"({"description": "x"})"));
        APPREG_ASSERT_RESPONSE(404, kNoToken,
                               api().send("PUT", ApiSteps::tokenPath(42), R"({"description": "x"})"));
        APPREG_ASSERT_RESPONSE(404, kNoToken, api().send("DELETE", ApiSteps::tokenPath(42)));
        APPREG_ASSERT_RESPONSE(404, kNoToken, api().get(ApiSteps::tokenPath(42) + "activity_stream/"));
    }

    void testSummaryFieldsOfTheApplication() {
        const long long app = ApiSteps::createApplicationId(api(), organization(), "busy");
        const long long other = ApiSteps::createApplicationId(api(), organization(), "other");
        ApiSteps::createToken(api(), other);
        std::vector<std::pair<long long, std::string>> tokens;
        const char* const scopes[] = {"read", "write", "read write"};
        for (int i = 0; i < 12; ++i) {
            const std::string scope = scopes[i % 3];
            const auto body =
                ApiSteps::createToken(api(), app, "{\"scope\": " + JsonAssert::quote(scope) + "}");
            tokens.emplace_back(body->getValue<long long>("id"), scope);
        }
        CPPUNIT_ASSERT_EQUAL(expectedSummary(tokens), summaryTokens(app));

        // Deleting the third token: the count drops and the 11th token moves into the first ten.
        APPREG_ASSERT_STATUS(204, api().send("DELETE", ApiSteps::tokenPath(tokens[2].first)));
        tokens.erase(tokens.begin() + 2);
        CPPUNIT_ASSERT_EQUAL(expectedSummary(tokens), summaryTokens(app));
        // The same summary in the list.
        const auto list = ApiSteps::getOk(api(), "/api/v2/applications/?name=busy");
        CPPUNIT_ASSERT_EQUAL(
            expectedSummary(tokens),
            JsonAssert::toJson(
                ApiSteps::results(list)->getObject(0)->getObject("summary_fields")->get("tokens")));
        // A scope change shows too.
        APPREG_ASSERT_STATUS(
            200, api().send("PATCH", ApiSteps::tokenPath(tokens[0].first), R"({"scope": "write"})"));
        tokens[0].second = "write";
        CPPUNIT_ASSERT_EQUAL(expectedSummary(tokens), summaryTokens(app));
    }

    void testClearTokensNeverReachTheDatabaseFile() {
        const auto app = ApiSteps::createApplication(api(), organization(), "issuer");
        const long long appId = app->getValue<long long>("id");
        std::vector<std::string> secrets = {app->getValue<std::string>("client_secret")};
        for (int i = 0; i < 3; ++i) {
            const auto token = ApiSteps::createToken(api(), appId, R"({"description": "t"})");
            secrets.push_back(token->getValue<std::string>("token"));
            secrets.push_back(token->getValue<std::string>("refresh_token"));
        }
        const auto personal =
            ApiSteps::expect(api().post("/api/v2/tokens/", "{}"), 201, "POST /api/v2/tokens/");
        secrets.push_back(personal->getValue<std::string>("token"));
        // Updates and deletes write activity entries too.
        APPREG_ASSERT_STATUS(200,
                             api().send("PATCH", ApiSteps::tokenPath(personal->getValue<long long>("id")),
                                        R"({"scope": "read"})"));
        APPREG_ASSERT_STATUS(204,
                             api().send("DELETE", ApiSteps::tokenPath(personal->getValue<long long>("id"))));

        const std::string raw = database().rawBytes();
        CPPUNIT_ASSERT_MESSAGE("the database file is empty", raw.size() > 0);
        CPPUNIT_ASSERT_MESSAGE("the test data is not in the database file",
                               raw.find("issuer") != std::string::npos);
        for (const std::string& secret : secrets) {
            CPPUNIT_ASSERT_MESSAGE("clear secret " + secret + " found in the database files",
                                   raw.find(secret) == std::string::npos);
        }
        // The tokens are stored as SHA-256 digests (docs/decisions.md), which is how a Bearer token will be
        // looked up.
        const std::string digest = ApiSteps::sha256Hex(secrets[1]);
        CPPUNIT_ASSERT_EQUAL(
            1LL, database().queryInt("SELECT count(*) FROM tokens WHERE token_digest = '" + digest + "'"));
    }

private:
    std::string summaryTokens(long long app) {
        return JsonAssert::toJson(ApiSteps::getOk(api(), ApiSteps::applicationPath(app))
                                      ->getObject("summary_fields")
                                      ->get("tokens"));
    }

    static std::string expectedSummary(const std::vector<std::pair<long long, std::string>>& tokens) {
        std::string results;
        for (std::size_t i = 0; i < tokens.size() && i < 10; ++i) {
            results += std::string(i == 0 ? "" : ", ") + "{\"id\": " + std::to_string(tokens[i].first) +
                       ", \"token\": \"************\", \"scope\": " + JsonAssert::quote(tokens[i].second) +
                       "}";
        }
        return JsonAssert::canonical("{\"count\": " + std::to_string(tokens.size()) + ", \"results\": [" +
                                     results + "]}");
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TokensTest);
