// Users (API.md §7): create, read, change and delete through /api/v2/users/, their validation (Django's
// username rules, uniqueness, the password of a new user), passwords that change (the old Basic credentials
// stop working at once, whatever the worker remembered), what goes with a deleted user, and who may change
// whom: nobody deletes themself, an org admin makes no superuser, a user renames themself but does not
// promote themself. Also the organization membership lists that give users their roles.

#include "ApiSteps.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "TestSuperuser.h"
#include "UserSteps.h"
#include "WorkerFixture.h"

using namespace appreg::test;

namespace {

const char* const kForbidden = R"({"detail": "You do not have permission to perform this action."})";
const char* const kInvalidCredentials = R"({"detail": "Invalid username/password."})";
const char* const kNotAuthenticated = R"({"detail": "Authentication credentials were not provided."})";
const char* const kBadUsername =
    "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.";

std::string userPath(long long id) { return "/api/v2/users/" + std::to_string(id) + "/"; }

}  // namespace

class UsersTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(UsersTest);
    CPPUNIT_TEST(testCreateAndRead);
    CPPUNIT_TEST(testUpdate);
    CPPUNIT_TEST(testValidation);
    CPPUNIT_TEST(testUsernameMustBeUnique);
    CPPUNIT_TEST(testPasswordsOfAnyCharacters);
    CPPUNIT_TEST(testPasswordChangeEndsOldCredentialsAtOnce);
    CPPUNIT_TEST(testOwnPasswordChange);
    CPPUNIT_TEST(testPasswordKeptWhenNotSent);
    CPPUNIT_TEST(testRoleChangesApplyAtOnce);
    CPPUNIT_TEST(testDeleteTakesTokensAndCredentials);
    CPPUNIT_TEST(testDeletedUsersTokensLeaveDeleteEntries);
    CPPUNIT_TEST(testDeletedActorKeepsTheirNames);
    CPPUNIT_TEST(testNobodyDeletesThemself);
    CPPUNIT_TEST(testOrgAdminCreatesNoSuperuser);
    CPPUNIT_TEST(testOrgAdminChangesTheUsersOfTheirOrganization);
    CPPUNIT_TEST(testOrgAdminLeavesSystemAuditorsAlone);
    CPPUNIT_TEST(testOrgAdminChangesOnlyUsersWhollyInTheirOrganizations);
    CPPUNIT_TEST(testUserRenamesButDoesNotPromoteThemself);
    CPPUNIT_TEST(testUserActivityStream);
    CPPUNIT_TEST(testMembership);
    CPPUNIT_TEST_SUITE_END();

public:
    void testCreateAndRead() {
        const std::string body =
            R"({"username": "new.user+tag@x_y-z", "first_name": "Ada", "last_name": "Lovelace",
                "email": "ada@example.com", "is_superuser": false, "is_system_auditor": true,
                "password": "analytical-engine-1843"})";
        const FcgiResponse created = api().post("/api/v2/users/", body);
        APPREG_ASSERT_STATUS(201, created);
        const auto user = JsonAssert::parseObject(created.body);
        const long long id = user->getValue<long long>("id");
        CPPUNIT_ASSERT_EQUAL(userPath(id), created.header("Location"));
        APPREG_ASSERT_KEYS(
            (std::vector<std::string>{"id", "type", "url", "related", "summary_fields", "created", "modified",
                                      "username", "first_name", "last_name", "email", "is_superuser",
                                      "is_system_auditor", "password"}),
            user);
        const std::string created_at = user->getValue<std::string>("created");
        APPREG_ASSERT_JSON(
            "{\"id\": " + std::to_string(id) + ", \"type\": \"user\", \"url\": \"" + userPath(id) +
                "\", \"related\": {\"activity_stream\": \"" + userPath(id) +
                "activity_stream/\"}, \"summary_fields\": {\"user_capabilities\": {\"edit\": true, "
                "\"delete\": "
                "true}}, \"created\": \"" +
                created_at + "\", \"modified\": \"" + created_at +
                R"(", "username": "new.user+tag@x_y-z", "first_name": "Ada", "last_name": "Lovelace",
                "email": "ada@example.com", "is_superuser": false, "is_system_auditor": true,
                "password": "$encrypted$"})",
            created.body);
        // The detail reads the same; the password is never shown, and never stored in clear.
        const FcgiResponse detail = api().get(userPath(id));
        APPREG_ASSERT_STATUS(200, detail);
        APPREG_ASSERT_JSON(created.body, detail.body);
        CPPUNIT_ASSERT(database().rawBytes().find("analytical-engine-1843") == std::string::npos);
        // The new user authenticates with that password.
        const auto me =
            ApiSteps::getOk(UserSteps::as(worker().socketPath(),
                                          UserSteps::basic("new.user+tag@x_y-z", "analytical-engine-1843")),
                            "/api/v2/me/");
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"new.user+tag@x_y-z"}),
                             JsonAssert::join(ApiSteps::column(me, "username")));
        // It is in the list.
        const auto list = ApiSteps::getOk(api(), "/api/v2/users/?order_by=id");
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"admin", "new.user+tag@x_y-z"}),
                             JsonAssert::join(ApiSteps::column(list, "username")));
    }

    void testUpdate() {
        const long long id =
            UserSteps::createUser(api(), "dora", "dora-password",
                                  {{"first_name", R"("Dora")"}, {"email", R"("dora@example.com")"}});
        // PATCH changes what it names.
        const FcgiResponse patched = api().send("PATCH", userPath(id), R"({"last_name": "Explorer"})");
        APPREG_ASSERT_STATUS(200, patched);
        const auto after = JsonAssert::parseObject(patched.body);
        CPPUNIT_ASSERT_EQUAL(std::string("Dora"), after->getValue<std::string>("first_name"));
        CPPUNIT_ASSERT_EQUAL(std::string("Explorer"), after->getValue<std::string>("last_name"));
        CPPUNIT_ASSERT_EQUAL(std::string("dora@example.com"), after->getValue<std::string>("email"));
        CPPUNIT_ASSERT_EQUAL(std::string("$encrypted$"), after->getValue<std::string>("password"));
        // PUT replaces: omitted fields take their defaults.
        const FcgiResponse put =
            api().send("PUT", userPath(id), R"({"username": "dora2", "first_name": "D"})");
        APPREG_ASSERT_STATUS(200, put);
        const auto replaced = JsonAssert::parseObject(put.body);
        CPPUNIT_ASSERT_EQUAL(std::string("dora2"), replaced->getValue<std::string>("username"));
        CPPUNIT_ASSERT_EQUAL(std::string("D"), replaced->getValue<std::string>("first_name"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), replaced->getValue<std::string>("last_name"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), replaced->getValue<std::string>("email"));
        APPREG_ASSERT_JSON(put.body, api().get(userPath(id)).body);
        // The new name logs in with the old password; the old name is gone.
        APPREG_ASSERT_STATUS(200,
                             UserSteps::as(worker().socketPath(), UserSteps::basic("dora2", "dora-password"))
                                 .get("/api/v2/me/"));
        APPREG_ASSERT_RESPONSE(401, kInvalidCredentials,
                               UserSteps::as(worker().socketPath(), UserSteps::basic("dora", "dora-password"))
                                   .get("/api/v2/me/"));
        // A missing user.
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "No User matches the given query."})",
                               api().send("PATCH", userPath(9999), R"({"first_name": "x"})"));
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "No User matches the given query."})",
                               api().get(userPath(9999)));
    }

    void testValidation() {
        const long long before = database().count("users");
        for (const std::string username : {"bad name", "bad!", "slash/user", "colon:user", "tab\tuser",
                                           "semi;colon", "quote'd", "<script>", "percent%20"}) {
            const std::string body =
                "{\"username\": " + JsonAssert::quote(username) + ", \"password\": \"valid-password\"}";
            APPREG_ASSERT_RESPONSE(400, "{\"username\": [" + JsonAssert::quote(kBadUsername) + "]}",
                                   api().post("/api/v2/users/", body));
        }
        // Everything Django allows.
        for (const std::string& username :
             std::vector<std::string>{"a", "A.b-c_d+e@f", "0123", "üser", std::string(150, 'u')}) {
            const std::string body =
                "{\"username\": " + JsonAssert::quote(username) + ", \"password\": \"valid-password\"}";
            APPREG_ASSERT_STATUS(201, api().post("/api/v2/users/", body));
        }
        const long long allowed = before + 5;
        APPREG_ASSERT_RESPONSE(400, R"({"username": ["Ensure this field has no more than 150 characters."]})",
                               api().post("/api/v2/users/", "{\"username\": \"" + std::string(151, 'u') +
                                                                "\", \"password\": \"valid-password\"}"));
        // The password of a new user is required; all errors at once, in field order.
        APPREG_ASSERT_RESPONSE(400, R"({"password": ["Password required for new User."]})",
                               api().post("/api/v2/users/", R"({"username": "nopassword"})"));
        APPREG_ASSERT_RESPONSE(400, R"({"password": ["Password required for new User."]})",
                               api().post("/api/v2/users/", R"({"username": "nopassword", "password": ""})"));
        APPREG_ASSERT_RESPONSE(
            400,
            R"({"username": ["This field is required."], "password": ["Password required for new User."]})",
            api().post("/api/v2/users/", "{}"));
        APPREG_ASSERT_RESPONSE(
            400,
            "{\"username\": [" + JsonAssert::quote(kBadUsername) +
                "], \"email\": [\"Enter a valid email address.\"], \"password\": [\"Password required for "
                "new "
                "User.\"]}",
            api().post("/api/v2/users/", R"({"username": "bad name", "email": "not-an-address"})"));
        APPREG_ASSERT_RESPONSE(400, R"({"username": ["This field may not be blank."]})",
                               api().post("/api/v2/users/", R"({"username": "", "password": "x"})"));
        APPREG_ASSERT_RESPONSE(
            400, R"({"is_superuser": ["Must be a valid boolean."]})",
            api().post("/api/v2/users/",
                       R"({"username": "flag", "password": "x", "is_superuser": "maybe"})"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE("a refused user was written", allowed, database().count("users"));
    }

    void testUsernameMustBeUnique() {
        const long long erin = UserSteps::createUser(api(), "erin", "erin-password");
        const long long frank = UserSteps::createUser(api(), "frank", "frank-password");
        const char* const taken = R"({"username": ["A user with that username already exists."]})";
        APPREG_ASSERT_RESPONSE(400, taken,
                               api().post("/api/v2/users/", R"({"username": "erin", "password": "other"})"));
        APPREG_ASSERT_RESPONSE(400, taken,
                               api().post("/api/v2/users/", R"({"username": "admin", "password": "other"})"));
        APPREG_ASSERT_RESPONSE(400, taken, api().send("PATCH", userPath(frank), R"({"username": "erin"})"));
        APPREG_ASSERT_RESPONSE(400, taken, api().send("PUT", userPath(frank), R"({"username": "erin"})"));
        // Keeping one's own name is no collision.
        APPREG_ASSERT_STATUS(200, api().send("PATCH", userPath(erin), R"({"username": "erin"})"));
        CPPUNIT_ASSERT_EQUAL(3LL, database().count("users"));
        // Once erin is renamed, her old name is free.
        APPREG_ASSERT_STATUS(200, api().send("PATCH", userPath(erin), R"({"username": "erin-renamed"})"));
        APPREG_ASSERT_STATUS(200, api().send("PATCH", userPath(frank), R"({"username": "erin"})"));
    }

    void testPasswordsOfAnyCharacters() {
        // Basic splits at the first colon only (usernames cannot hold one); passwords are UTF-8.
        for (const std::string& password : std::vector<std::string>{"pa:ss:word", ":leading-colon",
                                                                    "pässwörd ñ 密码", "in ner space", "x"}) {
            const long long id = UserSteps::createUser(api(), "any", password);
            const std::string what = "password " + JsonAssert::quote(password);
            const FcgiResponse right =
                UserSteps::as(worker().socketPath(), UserSteps::basic("any", password)).get("/api/v2/me/");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": " + right.describe(), 200, right.status);
            const FcgiResponse wrong =
                UserSteps::as(worker().socketPath(), UserSteps::basic("any", password + "x"))
                    .get("/api/v2/me/");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what + " + x: " + wrong.describe(), 401, wrong.status);
            APPREG_ASSERT_STATUS(204, api().send("DELETE", userPath(id)));
        }
        // As AWX's serializer (a DRF CharField, trim_whitespace), the password is stored without its outer
        // blanks: the trimmed form logs in.
        UserSteps::createUser(api(), "blank", "  padded password\t ");
        APPREG_ASSERT_STATUS(
            200, UserSteps::as(worker().socketPath(), UserSteps::basic("blank", "padded password"))
                     .get("/api/v2/me/"));
    }

    void testPasswordChangeEndsOldCredentialsAtOnce() {
        const long long carol = UserSteps::createUser(api(), "carol", "carol-old-password");
        const ApiClient old =
            UserSteps::as(worker().socketPath(), UserSteps::basic("carol", "carol-old-password"));
        // Used a few times, so the worker has verified (and may remember) them.
        for (int i = 0; i < 3; ++i) APPREG_ASSERT_STATUS(200, old.get("/api/v2/me/"));

        const FcgiResponse changed =
            api().send("PATCH", userPath(carol), R"({"password": "carol-new-password"})");
        APPREG_ASSERT_STATUS(200, changed);
        CPPUNIT_ASSERT_EQUAL(std::string("$encrypted$"),
                             JsonAssert::parseObject(changed.body)->getValue<std::string>("password"));
        // The very next request with the old password is refused; the new one works.
        APPREG_ASSERT_RESPONSE(401, kInvalidCredentials, old.get("/api/v2/me/"));
        APPREG_ASSERT_RESPONSE(401, kInvalidCredentials, old.get("/api/v2/applications/"));
        const ApiClient fresh =
            UserSteps::as(worker().socketPath(), UserSteps::basic("carol", "carol-new-password"));
        APPREG_ASSERT_STATUS(200, fresh.get("/api/v2/me/"));
        // Back to the old password: it works again, the second one no longer.
        APPREG_ASSERT_STATUS(200,
                             api().send("PATCH", userPath(carol), R"({"password": "carol-old-password"})"));
        APPREG_ASSERT_RESPONSE(401, kInvalidCredentials, fresh.get("/api/v2/me/"));
        APPREG_ASSERT_STATUS(200, old.get("/api/v2/me/"));
        // Through PUT as well.
        APPREG_ASSERT_STATUS(200, api().send("PUT", userPath(carol),
                                             R"({"username": "carol", "password": "carol-put-password"})"));
        APPREG_ASSERT_RESPONSE(401, kInvalidCredentials, old.get("/api/v2/me/"));
        APPREG_ASSERT_STATUS(
            200, UserSteps::as(worker().socketPath(), UserSteps::basic("carol", "carol-put-password"))
                     .get("/api/v2/me/"));
    }

    void testOwnPasswordChange() {
        const long long dave = UserSteps::createUser(api(), "dave", "dave-first");
        const ApiClient first = UserSteps::as(worker().socketPath(), UserSteps::basic("dave", "dave-first"));
        APPREG_ASSERT_STATUS(200, first.get("/api/v2/me/"));
        APPREG_ASSERT_STATUS(200, first.send("PATCH", userPath(dave), R"({"password": "dave-second"})"));
        APPREG_ASSERT_RESPONSE(401, kInvalidCredentials, first.get("/api/v2/me/"));
        APPREG_ASSERT_STATUS(
            200,
            UserSteps::as(worker().socketPath(), UserSteps::basic("dave", "dave-second")).get("/api/v2/me/"));
    }

    void testPasswordKeptWhenNotSent() {
        const long long gina = UserSteps::createUser(api(), "gina", "gina-password");
        const ApiClient client =
            UserSteps::as(worker().socketPath(), UserSteps::basic("gina", "gina-password"));
        // Not sent, sent empty, or sent back as the placeholder the API shows: the password stays.
        APPREG_ASSERT_STATUS(200, api().send("PATCH", userPath(gina), R"({"first_name": "Gina"})"));
        APPREG_ASSERT_STATUS(200, client.get("/api/v2/me/"));
        APPREG_ASSERT_STATUS(200, api().send("PUT", userPath(gina), R"({"username": "gina"})"));
        APPREG_ASSERT_STATUS(200, client.get("/api/v2/me/"));
        APPREG_ASSERT_STATUS(200, api().send("PATCH", userPath(gina), R"({"password": ""})"));
        APPREG_ASSERT_STATUS(200, client.get("/api/v2/me/"));
        APPREG_ASSERT_STATUS(200, api().send("PATCH", userPath(gina), R"({"password": "$encrypted$"})"));
        APPREG_ASSERT_STATUS(200, client.get("/api/v2/me/"));
        APPREG_ASSERT_RESPONSE(
            401, kInvalidCredentials,
            UserSteps::as(worker().socketPath(), UserSteps::basic("gina", "$encrypted$")).get("/api/v2/me/"));
    }

    void testRoleChangesApplyAtOnce() {
        // Credentials the worker has seen do not carry the roles they had: a promotion or a demotion counts
        // from the next request.
        const long long hugo = UserSteps::createUser(api(), "hugo", "hugo-password");
        const ApiClient client =
            UserSteps::as(worker().socketPath(), UserSteps::basic("hugo", "hugo-password"));
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               client.post("/api/v2/organizations/", R"({"name": "by hugo 1"})"));
        APPREG_ASSERT_STATUS(200, api().send("PATCH", userPath(hugo), R"({"is_superuser": true})"));
        APPREG_ASSERT_STATUS(201, client.post("/api/v2/organizations/", R"({"name": "by hugo 2"})"));
        APPREG_ASSERT_STATUS(200, api().send("PATCH", userPath(hugo), R"({"is_superuser": false})"));
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               client.post("/api/v2/organizations/", R"({"name": "by hugo 3"})"));
        // The same for an organization role.
        const long long org = api().createOrganization("Hugo's");
        APPREG_ASSERT_RESPONSE(
            403, kForbidden, client.post("/api/v2/applications/", ApiSteps::applicationBody(org, "by hugo")));
        UserSteps::grant(api(), org, hugo, "admins");
        APPREG_ASSERT_STATUS(201,
                             client.post("/api/v2/applications/", ApiSteps::applicationBody(org, "by hugo")));
        UserSteps::revoke(api(), org, hugo, "admins");
        APPREG_ASSERT_RESPONSE(
            403, kForbidden,
            client.post("/api/v2/applications/", ApiSteps::applicationBody(org, "by hugo 2")));
    }

    void testDeleteTakesTokensAndCredentials() {
        const long long org = api().createOrganization("Ivy's");
        const long long ivy =
            UserSteps::createUser(api(), "ivy", "ivy-password", {{"first_name", R"("Ivy")"}});
        UserSteps::grant(api(), org, ivy, "users");
        const auto app = ApiSteps::createApplication(api(), org, "ivy's app");
        const long long appId = app->getValue<long long>("id");
        const ApiClient basic = UserSteps::as(worker().socketPath(), UserSteps::basic("ivy", "ivy-password"));
        // Three tokens of hers: a personal one, one on the app, one from the password grant; and one of the
        // admin.
        const auto personal =
            ApiSteps::expect(basic.post("/api/v2/tokens/", "{}"), 201, "POST /api/v2/tokens/ as ivy");
        const auto onApp = ApiSteps::createToken(basic, appId);
        const auto granted =
            UserSteps::passwordGrant(worker().socketPath(), UserSteps::text(app, "client_id"),
                                     UserSteps::text(app, "client_secret"), "ivy", "ivy-password");
        const auto admins = ApiSteps::createToken(api(), appId);
        CPPUNIT_ASSERT_EQUAL(
            3LL, database().queryInt("SELECT count(*) FROM tokens WHERE user_id = " + std::to_string(ivy)));
        APPREG_ASSERT_STATUS(204, api().send("DELETE", userPath(ivy)));
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "No User matches the given query."})",
                               api().get(userPath(ivy)));
        // Her tokens are gone with her, the admin's stays.
        CPPUNIT_ASSERT_EQUAL(
            0LL, database().queryInt("SELECT count(*) FROM tokens WHERE user_id = " + std::to_string(ivy)));
        CPPUNIT_ASSERT_EQUAL(std::to_string(admins->getValue<long long>("id")),
                             ApiSteps::joinIds(ApiSteps::ids(ApiSteps::getOk(api(), "/api/v2/tokens/"))));
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "No OAuth2AccessToken matches the given query."})",
                               api().get(ApiSteps::tokenPath(personal->getValue<long long>("id"))));
        // Neither her password nor any of her tokens authenticates any more.
        APPREG_ASSERT_RESPONSE(401, kInvalidCredentials, basic.get("/api/v2/me/"));
        for (const std::string& token : {UserSteps::text(personal, "token"), UserSteps::text(onApp, "token"),
                                         UserSteps::text(granted, "access_token")}) {
            APPREG_ASSERT_RESPONSE(
                401, kNotAuthenticated,
                UserSteps::as(worker().socketPath(), UserSteps::bearer(token)).get("/api/v2/me/"));
        }
        // Her refresh token refreshes nothing.
        APPREG_ASSERT_RESPONSE(
            400, R"({"error": "invalid_grant"})",
            UserSteps::postForm(
                worker().socketPath(), "/api/o/token/",
                {{"grant_type", "refresh_token"},
                 {"refresh_token", UserSteps::text(granted, "refresh_token")}},
                UserSteps::basic(UserSteps::text(app, "client_id"), UserSteps::text(app, "client_secret"))));
        // The name is free again, and a new ivy is someone else.
        const long long again = UserSteps::createUser(api(), "ivy", "new-ivy-password");
        CPPUNIT_ASSERT(again != ivy);
        APPREG_ASSERT_RESPONSE(401, kInvalidCredentials, basic.get("/api/v2/me/"));
    }

    void testDeletedUsersTokensLeaveDeleteEntries() {
        const long long org = api().createOrganization("Uma's");
        const long long uma = UserSteps::createUser(api(), "uma", "uma-password");
        UserSteps::grant(api(), org, uma, "users");
        const long long app = ApiSteps::createApplicationId(api(), org, "uma's app");
        const ApiClient basic = UserSteps::as(worker().socketPath(), UserSteps::basic("uma", "uma-password"));
        const long long personal =
            ApiSteps::expect(basic.post("/api/v2/tokens/", "{}"), 201, "POST /api/v2/tokens/ as uma")
                ->getValue<long long>("id");
        const long long onApp = ApiSteps::createToken(basic, app)->getValue<long long>("id");
        const std::string deletions =
            "/api/v2/activity_stream/?object1=o_auth2_access_token&operation=delete&order_by=id";
        CPPUNIT_ASSERT_EQUAL(0LL, ApiSteps::countOf(api(), deletions));
        APPREG_ASSERT_STATUS(204, api().send("DELETE", userPath(uma)));
        // Each token that goes with her leaves its delete entry, as tokens that go with their application do
        // (AWX's post_delete signal fires for every cascaded token).
        const auto list = ApiSteps::getOk(api(), deletions);
        std::vector<std::string> ids;
        for (const auto& item : *ApiSteps::results(list)) {
            ids.push_back(
                JsonAssert::toJson(item.extract<Poco::JSON::Object::Ptr>()->getObject("changes")->get("id")));
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE(JsonAssert::toJson(list),
                                     JsonAssert::join({std::to_string(personal), std::to_string(onApp)}),
                                     JsonAssert::join(ids));
        // And the user's own delete entry.
        CPPUNIT_ASSERT_EQUAL(
            1LL, ApiSteps::countOf(api(), "/api/v2/activity_stream/?object1=user&operation=delete"));
    }

    void testDeletedActorKeepsTheirNames() {
        const long long vera = UserSteps::createUser(
            api(), "vera", "vera-password", {{"first_name", R"("Vera")"}, {"last_name", R"("Lynn")"}});
        const ApiClient basic =
            UserSteps::as(worker().socketPath(), UserSteps::basic("vera", "vera-password"));
        APPREG_ASSERT_STATUS(201, basic.post("/api/v2/tokens/", R"({"description": "vera's"})"));
        const auto created =
            ApiSteps::getOk(api(), "/api/v2/activity_stream/?object1=o_auth2_access_token&operation=create");
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::count(created));
        const long long entryId = ApiSteps::results(created)->getObject(0)->getValue<long long>("id");
        const std::string entryPath = "/api/v2/activity_stream/" + std::to_string(entryId) + "/";
        const auto before = ApiSteps::getOk(api(), entryPath);
        APPREG_ASSERT_JSON_MESSAGE(JsonAssert::toJson(before),
                                   "{\"id\": " + std::to_string(vera) +
                                       R"(, "username": "vera", "first_name": "Vera", "last_name": "Lynn"})",
                                   JsonAssert::toJson(before->getObject("summary_fields")->get("actor")));
        APPREG_ASSERT_STATUS(204, api().send("DELETE", userPath(vera)));
        // Her history stays; the actor is AWX's denormalised deleted_actor, with id null (awx-reference.md
        // §5.2), and no related link.
        const auto entry = ApiSteps::getOk(api(), entryPath);
        APPREG_ASSERT_JSON_MESSAGE(
            JsonAssert::toJson(entry),
            R"({"id": null, "username": "vera", "first_name": "Vera", "last_name": "Lynn"})",
            JsonAssert::toJson(entry->getObject("summary_fields")->get("actor")));
        CPPUNIT_ASSERT_MESSAGE(JsonAssert::toJson(entry), !entry->getObject("related")->has("actor"));
    }

    void testOrgAdminLeavesSystemAuditorsAlone() {
        // AWX's UserAccess.can_admin: "must be superuser to admin users with system roles". An org admin who
        // could set an auditor's password would read everything as them.
        const long long org = api().createOrganization("Audited");
        const long long lee = UserSteps::createUser(api(), "lee", "lee-password");
        const long long aud =
            UserSteps::createUser(api(), "aud", "aud-password", {{"is_system_auditor", "true"}});
        UserSteps::grant(api(), org, lee, "admins");
        UserSteps::grant(api(), org, aud, "users");
        const ApiClient orgAdmin =
            UserSteps::as(worker().socketPath(), UserSteps::basic("lee", "lee-password"));
        const std::string before = api().get(userPath(aud)).body;
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               orgAdmin.send("PATCH", userPath(aud), R"({"password": "taken-over-by-lee"})"));
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               orgAdmin.send("PATCH", userPath(aud), R"({"first_name": "A"})"));
        APPREG_ASSERT_RESPONSE(403, kForbidden, orgAdmin.send("DELETE", userPath(aud)));
        APPREG_ASSERT_JSON(before, api().get(userPath(aud)).body);
        APPREG_ASSERT_STATUS(
            200,
            UserSteps::as(worker().socketPath(), UserSteps::basic("aud", "aud-password")).get("/api/v2/me/"));
    }

    void testOrgAdminChangesOnlyUsersWhollyInTheirOrganizations() {
        // AWX's UserAccess.is_all_org_admin: an org admin administers a user only if they admin every
        // organization the user belongs to; otherwise the admin of A could take over a member of B.
        const long long orgA = api().createOrganization("A");
        const long long orgB = api().createOrganization("B");
        const long long lee = UserSteps::createUser(api(), "lee", "lee-password");
        const long long both = UserSteps::createUser(api(), "both", "both-password");
        UserSteps::grant(api(), orgA, lee, "admins");
        UserSteps::grant(api(), orgA, both, "users");
        UserSteps::grant(api(), orgB, both, "users");
        const ApiClient orgAdmin =
            UserSteps::as(worker().socketPath(), UserSteps::basic("lee", "lee-password"));
        APPREG_ASSERT_STATUS(200, orgAdmin.get(userPath(both)));  // a user of A: visible
        APPREG_ASSERT_RESPONSE(
            403, kForbidden, orgAdmin.send("PATCH", userPath(both), R"({"password": "taken-over-by-lee"})"));
        APPREG_ASSERT_RESPONSE(403, kForbidden, orgAdmin.send("DELETE", userPath(both)));
        APPREG_ASSERT_STATUS(200,
                             UserSteps::as(worker().socketPath(), UserSteps::basic("both", "both-password"))
                                 .get("/api/v2/me/"));
        // Made admin of B as well, lee administers them.
        UserSteps::grant(api(), orgB, lee, "admins");
        APPREG_ASSERT_STATUS(200, orgAdmin.send("PATCH", userPath(both), R"({"first_name": "Both"})"));
    }

    void testNobodyDeletesThemself() {
        const long long org = api().createOrganization("Selves");
        const long long jane = UserSteps::createUser(api(), "jane", "jane-password");
        const long long kim = UserSteps::createUser(api(), "kim", "kim-password");
        UserSteps::grant(api(), org, jane, "admins");
        UserSteps::grant(api(), org, kim, "users");
        const long long before = database().count("users");
        APPREG_ASSERT_RESPONSE(403, kForbidden, api().send("DELETE", userPath(1)));
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               UserSteps::as(worker().socketPath(), UserSteps::basic("jane", "jane-password"))
                                   .send("DELETE", userPath(jane)));
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               UserSteps::as(worker().socketPath(), UserSteps::basic("kim", "kim-password"))
                                   .send("DELETE", userPath(kim)));
        CPPUNIT_ASSERT_EQUAL(before, database().count("users"));
        // user_capabilities says so.
        const auto me = ApiSteps::results(ApiSteps::getOk(api(), "/api/v2/me/"))->getObject(0);
        APPREG_ASSERT_JSON(R"({"edit": true, "delete": false})",
                           JsonAssert::toJson(me->getObject("summary_fields")->get("user_capabilities")));
        // Another superuser may delete the first one, though.
        const ChildProcess::Result second =
            TestSuperuser::runCreateSuperuser(dir(), worker().databasePath(), "root2", "root2-password\n");
        CPPUNIT_ASSERT_MESSAGE(second.out + second.err, second.status.isExit(0));
        APPREG_ASSERT_STATUS(204,
                             UserSteps::as(worker().socketPath(), UserSteps::basic("root2", "root2-password"))
                                 .send("DELETE", userPath(1)));
        APPREG_ASSERT_RESPONSE(401, kInvalidCredentials, api().get("/api/v2/me/"));
    }

    void testOrgAdminCreatesNoSuperuser() {
        const long long org = api().createOrganization("Admins'");
        const long long lee = UserSteps::createUser(api(), "lee", "lee-password");
        const long long mo = UserSteps::createUser(api(), "mo", "mo-password");
        UserSteps::grant(api(), org, lee, "admins");
        UserSteps::grant(api(), org, mo, "users");
        UserSteps::createUser(api(), "auditor", "auditor-password", {{"is_system_auditor", "true"}});
        const ApiClient orgAdmin =
            UserSteps::as(worker().socketPath(), UserSteps::basic("lee", "lee-password"));
        const long long before = database().count("users");
        APPREG_ASSERT_RESPONSE(
            403, kForbidden,
            orgAdmin.post("/api/v2/users/",
                          R"({"username": "boss", "password": "x", "is_superuser": true})"));
        APPREG_ASSERT_RESPONSE(
            403, kForbidden,
            orgAdmin.post("/api/v2/users/",
                          R"({"username": "boss", "password": "x", "is_system_auditor": true})"));
        CPPUNIT_ASSERT_EQUAL(before, database().count("users"));
        // A plain user is fine, and explicit false flags too.
        APPREG_ASSERT_STATUS(201,
                             orgAdmin.post("/api/v2/users/", R"({"username": "plain", "password": "x"})"));
        APPREG_ASSERT_STATUS(201,
                             orgAdmin.post("/api/v2/users/",
                                           R"({"username": "plain2", "password": "x", "is_superuser": false,
                                                    "is_system_auditor": false})"));
        // Members, auditors and users of no organization create nobody.
        for (const auto& [name, password] : std::vector<std::pair<std::string, std::string>>{
                 {"mo", "mo-password"}, {"auditor", "auditor-password"}, {"plain", "x"}}) {
            APPREG_ASSERT_RESPONSE(403, kForbidden,
                                   UserSteps::as(worker().socketPath(), UserSteps::basic(name, password))
                                       .post("/api/v2/users/", R"({"username": "nope", "password": "x"})"));
        }
        CPPUNIT_ASSERT_EQUAL(before + 2, database().count("users"));
        // Nor may the org admin promote their member.
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               orgAdmin.send("PATCH", userPath(mo), R"({"is_superuser": true})"));
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               orgAdmin.send("PATCH", userPath(mo), R"({"is_system_auditor": true})"));
        CPPUNIT_ASSERT(!ApiSteps::getOk(api(), userPath(mo))->getValue<bool>("is_superuser"));
    }

    void testOrgAdminChangesTheUsersOfTheirOrganization() {
        const long long orgA = api().createOrganization("A");
        const long long orgB = api().createOrganization("B");
        const long long lee = UserSteps::createUser(api(), "lee", "lee-password");
        const long long mo = UserSteps::createUser(api(), "mo", "mo-password");
        const long long ned = UserSteps::createUser(api(), "ned", "ned-password");
        const long long boss =
            UserSteps::createUser(api(), "boss", "boss-password", {{"is_superuser", "true"}});
        UserSteps::grant(api(), orgA, lee, "admins");
        UserSteps::grant(api(), orgA, mo, "users");
        UserSteps::grant(api(), orgA, boss, "users");
        UserSteps::grant(api(), orgB, ned, "users");
        const ApiClient orgAdmin =
            UserSteps::as(worker().socketPath(), UserSteps::basic("lee", "lee-password"));
        // Their member: changed, password included, and deleted.
        APPREG_ASSERT_STATUS(200, orgAdmin.send("PATCH", userPath(mo), R"({"first_name": "Mo"})"));
        APPREG_ASSERT_STATUS(200, orgAdmin.send("PATCH", userPath(mo), R"({"password": "set-by-lee"})"));
        APPREG_ASSERT_STATUS(
            200,
            UserSteps::as(worker().socketPath(), UserSteps::basic("mo", "set-by-lee")).get("/api/v2/me/"));
        // A superuser in their organization: neither.
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               orgAdmin.send("PATCH", userPath(boss), R"({"first_name": "B"})"));
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               orgAdmin.send("PATCH", userPath(boss), R"({"password": "taken-over"})"));
        APPREG_ASSERT_RESPONSE(403, kForbidden, orgAdmin.send("DELETE", userPath(boss)));
        APPREG_ASSERT_STATUS(200,
                             UserSteps::as(worker().socketPath(), UserSteps::basic("boss", "boss-password"))
                                 .get("/api/v2/me/"));
        // A user of another organization: visible (AWX's ORG_ADMINS_CAN_SEE_ALL_USERS), not theirs to change.
        APPREG_ASSERT_STATUS(200, orgAdmin.get(userPath(ned)));
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               orgAdmin.send("PATCH", userPath(ned), R"({"first_name": "N"})"));
        APPREG_ASSERT_RESPONSE(403, kForbidden, orgAdmin.send("DELETE", userPath(ned)));
        APPREG_ASSERT_STATUS(204, orgAdmin.send("DELETE", userPath(mo)));
        APPREG_ASSERT_RESPONSE(404, R"({"detail": "No User matches the given query."})",
                               api().get(userPath(mo)));
    }

    void testUserRenamesButDoesNotPromoteThemself() {
        const long long org = api().createOrganization("Team");
        const long long nina = UserSteps::createUser(api(), "nina", "nina-password");
        const long long otto = UserSteps::createUser(api(), "otto", "otto-password");
        const long long aud =
            UserSteps::createUser(api(), "aud", "aud-password", {{"is_system_auditor", "true"}});
        UserSteps::grant(api(), org, nina, "users");
        UserSteps::grant(api(), org, otto, "users");
        const ApiClient self =
            UserSteps::as(worker().socketPath(), UserSteps::basic("nina", "nina-password"));
        const FcgiResponse renamed =
            self.send("PATCH", userPath(nina), R"({"first_name": "Nina", "last_name": "Simone"})");
        APPREG_ASSERT_STATUS(200, renamed);
        CPPUNIT_ASSERT_EQUAL(std::string("Simone"),
                             JsonAssert::parseObject(renamed.body)->getValue<std::string>("last_name"));
        // Sending the flags she already has is no promotion.
        APPREG_ASSERT_STATUS(200, self.send("PATCH", userPath(nina),
                                            R"({"is_superuser": false, "is_system_auditor": false})"));
        const std::string before = api().get(userPath(nina)).body;
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               self.send("PATCH", userPath(nina), R"({"is_superuser": true})"));
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               self.send("PATCH", userPath(nina), R"({"is_system_auditor": true})"));
        APPREG_ASSERT_RESPONSE(
            403, kForbidden,
            self.send("PUT", userPath(nina),
                      R"({"username": "nina", "first_name": "Boss", "is_superuser": true})"));
        APPREG_ASSERT_JSON(before, api().get(userPath(nina)).body);
        APPREG_ASSERT_RESPONSE(403, kForbidden, self.post("/api/v2/organizations/", R"({"name": "nina's"})"));
        // Nor does she rename a fellow member.
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               self.send("PATCH", userPath(otto), R"({"first_name": "Renamed"})"));
        // An auditor does not make themself superuser either, but renames themself.
        const ApiClient auditor =
            UserSteps::as(worker().socketPath(), UserSteps::basic("aud", "aud-password"));
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               auditor.send("PATCH", userPath(aud), R"({"is_superuser": true})"));
        APPREG_ASSERT_STATUS(200, auditor.send("PATCH", userPath(aud), R"({"first_name": "Audrey"})"));
        // Her own capabilities: edit, not delete.
        const auto me = ApiSteps::results(ApiSteps::getOk(self, "/api/v2/me/"))->getObject(0);
        APPREG_ASSERT_JSON(R"({"edit": true, "delete": false})",
                           JsonAssert::toJson(me->getObject("summary_fields")->get("user_capabilities")));
    }

    void testUserActivityStream() {
        const long long pia = UserSteps::createUser(api(), "pia", "pia-secret-password");
        APPREG_ASSERT_STATUS(200, api().send("PATCH", userPath(pia), R"({"first_name": "Pia"})"));
        APPREG_ASSERT_STATUS(200, api().send("PATCH", userPath(pia), R"({"password": "pia-second-secret"})"));
        const auto history = ApiSteps::getOk(api(), userPath(pia) + "activity_stream/?order_by=id");
        const std::vector<std::string> operations = ApiSteps::column(history, "operation");
        CPPUNIT_ASSERT_MESSAGE(JsonAssert::toJson(history), operations.size() >= 2 &&
                                                                operations[0] == "create" &&
                                                                operations[1] == "update");
        const auto update = ApiSteps::results(history)->getObject(1);
        APPREG_ASSERT_JSON(R"({"first_name": ["", "Pia"]})", JsonAssert::toJson(update->get("changes")));
        const std::string all = api().get("/api/v2/activity_stream/?page_size=200").body;
        CPPUNIT_ASSERT(all.find("pia-secret-password") == std::string::npos);
        CPPUNIT_ASSERT(all.find("pia-second-secret") == std::string::npos);
        CPPUNIT_ASSERT(all.find("pbkdf2_sha256") == std::string::npos);
        // Pia reads her own history; a stranger does not.
        APPREG_ASSERT_STATUS(
            200, UserSteps::as(worker().socketPath(), UserSteps::basic("pia", "pia-second-secret"))
                     .get(userPath(pia) + "activity_stream/"));
        UserSteps::createUser(api(), "quinn", "quinn-password");
        APPREG_ASSERT_RESPONSE(
            403, kForbidden,
            UserSteps::as(worker().socketPath(), UserSteps::basic("quinn", "quinn-password"))
                .get(userPath(pia) + "activity_stream/"));
    }

    void testMembership() {
        const long long orgA = api().createOrganization("A");
        const long long orgB = api().createOrganization("B");
        const long long lee = UserSteps::createUser(api(), "lee", "lee-password");
        const long long mo = UserSteps::createUser(api(), "mo", "mo-password");
        const long long rex = UserSteps::createUser(api(), "rex", "rex-password");
        UserSteps::grant(api(), orgA, lee, "admins");
        UserSteps::grant(api(), orgA, mo, "users");
        ApiSteps::createApplicationId(api(), orgA, "app of A");
        const ApiClient orgAdmin =
            UserSteps::as(worker().socketPath(), UserSteps::basic("lee", "lee-password"));
        const ApiClient rexClient =
            UserSteps::as(worker().socketPath(), UserSteps::basic("rex", "rex-password"));
        const std::string members = ApiSteps::organizationPath(orgA) + "users/";
        CPPUNIT_ASSERT_EQUAL(0LL, ApiSteps::countOf(rexClient, "/api/v2/applications/"));
        // The org admin adds rex: he sees A's applications from the next request on; removed, no longer.
        APPREG_ASSERT_STATUS(204, orgAdmin.post(members, "{\"id\": " + std::to_string(rex) + "}"));
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::countOf(rexClient, "/api/v2/applications/"));
        CPPUNIT_ASSERT_EQUAL(JsonAssert::join({"mo", "rex"}),
                             JsonAssert::join(ApiSteps::column(
                                 ApiSteps::getOk(api(), members + "?order_by=username"), "username")));
        APPREG_ASSERT_STATUS(
            204, orgAdmin.post(members, "{\"id\": " + std::to_string(rex) + ", \"disassociate\": true}"));
        CPPUNIT_ASSERT_EQUAL(0LL, ApiSteps::countOf(rexClient, "/api/v2/applications/"));
        // Not in an organization they do not administer; not as a mere member.
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               orgAdmin.post(ApiSteps::organizationPath(orgB) + "users/",
                                             "{\"id\": " + std::to_string(rex) + "}"));
        APPREG_ASSERT_RESPONSE(403, kForbidden,
                               UserSteps::as(worker().socketPath(), UserSteps::basic("mo", "mo-password"))
                                   .post(members, "{\"id\": " + std::to_string(rex) + "}"));
        APPREG_ASSERT_RESPONSE(
            403, kForbidden,
            UserSteps::as(worker().socketPath(), UserSteps::basic("mo", "mo-password"))
                .post(ApiSteps::organizationPath(orgA) + "admins/", "{\"id\": " + std::to_string(mo) + "}"));
        // A user that does not exist.
        APPREG_ASSERT_STATUS(400, orgAdmin.post(members, R"({"id": 9999})"));
        CPPUNIT_ASSERT_EQUAL(0LL, ApiSteps::countOf(rexClient, "/api/v2/organizations/"));
    }

protected:
    void prepare(const TempDir& dir) override { config_ = UserSteps::writeWorkerConfig(dir); }
    std::vector<std::string> workerArgs() const override { return {"--config", config_}; }

private:
    std::string config_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(UsersTest);
