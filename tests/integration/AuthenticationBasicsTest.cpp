// Authentication at its simplest (API.md §7, awx-reference §4.4): who gets 401 and with what, Basic
// credentials right and wrong, Authorization values no client should send, and the command that creates the
// users (`appreg-fcgi create-superuser`). Passwords never reach the worker's log or the command's output.

#include "DatabaseRows.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "TestSuperuser.h"
#include "UserSteps.h"
#include "WorkerFixture.h"

#include <algorithm>
#include <cctype>

using namespace appreg::test;

namespace {

const char* const kNotAuthenticated = R"({"detail": "Authentication credentials were not provided."})";
const char* const kInvalidCredentials = R"({"detail": "Invalid username/password."})";
const char* const kChallenge = "Bearer realm=api authorization_url=/api/o/authorize/";

const char* const kWrongPassword = "wrong-password-5d1e";
const char* const kOtherPassword = "second-password-8b2c";

}  // namespace

class AuthenticationBasicsTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(AuthenticationBasicsTest);
    CPPUNIT_TEST(testAnonymousRequestIsRefusedWithChallenge);
    CPPUNIT_TEST(testPingStaysAnonymous);
    CPPUNIT_TEST(testWrongPasswordIsRefused);
    CPPUNIT_TEST(testUnknownUserIsRefusedAlike);
    CPPUNIT_TEST(testGoodCredentialsAreServed);
    CPPUNIT_TEST(testChangesByAnotherProcessTakeEffectAtOnce);
    CPPUNIT_TEST(testRolesChangedByAnotherProcessTakeEffectAtOnce);
    CPPUNIT_TEST(testMalformedAuthorizationIs401);
    CPPUNIT_TEST(testCreateSuperuserAgainIsRefused);
    CPPUNIT_TEST(testCreateSuperuserWithoutPasswordIsRefused);
    CPPUNIT_TEST(testAnotherSuperuserCanAuthenticate);
    CPPUNIT_TEST(testDatabaseWithoutUsersLetsNobodyIn);
    CPPUNIT_TEST_SUITE_END();

public:
    void testAnonymousRequestIsRefusedWithChallenge() {
        const FcgiResponse response = as(std::nullopt).get(ApiClient::kApplications);
        APPREG_ASSERT_RESPONSE(401, kNotAuthenticated, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string(kChallenge),
                                     response.header("WWW-Authenticate"));
        CPPUNIT_ASSERT_MESSAGE(response.describe(),
                               response.header("Content-Type").rfind("application/json", 0) == 0);
        // A write is refused before anything is written.
        APPREG_ASSERT_RESPONSE(401, kNotAuthenticated,
                               as(std::nullopt).post(ApiClient::kOrganizations, R"({"name": "anonymous"})"));
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("organizations"));
    }

    void testPingStaysAnonymous() {
        const FcgiResponse response = as(std::nullopt).get("/api/v2/ping/");
        APPREG_ASSERT_STATUS(200, response);
        CPPUNIT_ASSERT_EQUAL(std::string("ok"),
                             JsonAssert::parseObject(response.body)->getValue<std::string>("database"));
    }

    void testWrongPasswordIsRefused() {
        APPREG_ASSERT_RESPONSE(
            401, kInvalidCredentials,
            as(TestSuperuser::basic(TestSuperuser::kUsername, kWrongPassword)).get(ApiClient::kApplications));
        assertLogHasNo({kWrongPassword, TestSuperuser::kPassword});
    }

    void testUnknownUserIsRefusedAlike() {
        // The same answer as a wrong password: a client cannot tell which usernames exist.
        APPREG_ASSERT_RESPONSE(
            401, kInvalidCredentials,
            as(TestSuperuser::basic("nobody", TestSuperuser::kPassword)).get(ApiClient::kApplications));
        APPREG_ASSERT_RESPONSE(401, kInvalidCredentials,
                               as(TestSuperuser::basic("Admin", TestSuperuser::kPassword))  // case matters
                                   .get(ApiClient::kApplications));
        assertLogHasNo({TestSuperuser::kPassword});
    }

    void testGoodCredentialsAreServed() {
        const FcgiResponse list = as(TestSuperuser::authorization()).get(ApiClient::kApplications);
        APPREG_ASSERT_STATUS(200, list);
        CPPUNIT_ASSERT_MESSAGE(list.describe(), !list.hasHeader("WWW-Authenticate"));
        // A token of the superuser authenticates as them too.
        const FcgiResponse token = api().post("/api/v2/tokens/", R"({"scope": "write"})");
        APPREG_ASSERT_STATUS(201, token);
        const std::string bearer =
            "Bearer " + JsonAssert::parseObject(token.body)->getValue<std::string>("token");
        APPREG_ASSERT_STATUS(200, as(bearer).get(ApiClient::kApplications));
        APPREG_ASSERT_STATUS(201, as(bearer).post(ApiClient::kOrganizations, R"({"name": "by-token"})"));
        assertLogHasNo({TestSuperuser::kPassword, TestSuperuser::authorization().substr(6)});
    }

    /// Each worker thread remembers the callers it authenticated until the next commit of any process. A
    /// token deleted or a password changed by another process (here sqlite3 on the file) must be refused at
    /// once, by every thread: many requests first, so that every thread has remembered both callers.
    void testChangesByAnotherProcessTakeEffectAtOnce() {
        const FcgiResponse token = api().post("/api/v2/tokens/", R"({"scope": "write"})");
        APPREG_ASSERT_STATUS(201, token);
        const std::string bearer =
            "Bearer " + JsonAssert::parseObject(token.body)->getValue<std::string>("token");
        for (int i = 0; i < 20; ++i) {
            APPREG_ASSERT_STATUS(200, as(bearer).get("/api/v2/me/"));
            APPREG_ASSERT_STATUS(200, as(TestSuperuser::authorization()).get("/api/v2/me/"));
        }
        DatabaseRows(worker().databasePath()).query("DELETE FROM tokens");
        for (int i = 0; i < 20; ++i) {
            APPREG_ASSERT_RESPONSE(401, kNotAuthenticated, as(bearer).get("/api/v2/me/"));
            APPREG_ASSERT_STATUS(200, as(TestSuperuser::authorization()).get("/api/v2/me/"));
        }
        DatabaseRows(worker().databasePath())
            .query("UPDATE users SET password = '!' WHERE username = 'admin'");
        for (int i = 0; i < 20; ++i) {
            APPREG_ASSERT_RESPONSE(401, kInvalidCredentials,
                                   as(TestSuperuser::authorization()).get("/api/v2/me/"));
        }
    }

    /// The same for a user's roles (granted and removed by sqlite3 on the file) and a change of a superuser's
    /// own flags, while applications are written in between (writes that do not change who anyone is).
    void testRolesChangedByAnotherProcessTakeEffectAtOnce() {
        const long long org = api().createOrganization("roles-org");
        const long long user = UserSteps::createUser(api(), "carol", kOtherPassword);
        const std::string carol = UserSteps::basic("carol", kOtherPassword);
        const auto visibleOrganizations = [&] {
            const FcgiResponse response = as(carol).get(ApiClient::kOrganizations);
            APPREG_ASSERT_STATUS(200, response);
            return JsonAssert::parseObject(response.body)->getValue<long long>("count");
        };
        for (int i = 0; i < 20; ++i) CPPUNIT_ASSERT_EQUAL(0LL, visibleOrganizations());
        const std::string roles = "organization_roles (organization_id, user_id, role)";
        DatabaseRows(worker().databasePath())
            .query("INSERT INTO " + roles + " VALUES (" + std::to_string(org) + ", " + std::to_string(user) +
                   ", 'admin')");
        for (int i = 0; i < 20; ++i) {
            CPPUNIT_ASSERT_EQUAL(1LL, visibleOrganizations());
            APPREG_ASSERT_STATUS(201, as(carol).createApplication(
                                          ApiClient::seedApplication(org, "app-" + std::to_string(i))));
        }
        DatabaseRows(worker().databasePath()).query("DELETE FROM organization_roles");
        for (int i = 0; i < 20; ++i) {
            CPPUNIT_ASSERT_EQUAL(0LL, visibleOrganizations());
            APPREG_ASSERT_STATUS(403, as(carol).createApplication(
                                          ApiClient::seedApplication(org, "late-" + std::to_string(i))));
        }
        DatabaseRows(worker().databasePath())
            .query("UPDATE users SET is_superuser = 0 WHERE username = 'admin'");
        for (int i = 0; i < 20; ++i) {
            const FcgiResponse me = as(TestSuperuser::authorization()).get("/api/v2/me/");
            APPREG_ASSERT_STATUS(200, me);
            CPPUNIT_ASSERT_EQUAL(
                false, JsonAssert::parseObject(me.body)->getArray("results")->getObject(0)->getValue<bool>(
                           "is_superuser"));
        }
    }

    void testMalformedAuthorizationIs401() {
        const std::vector<std::string> values = {
            "Basic",                   // no payload
            "Basic ",                  // an empty one
            "Basic !!!not*base64!!!",  // not base64
            "Basic YWRtaW4",           // truncated base64 ("admin" without padding)
            "Basic " + TestSuperuser::basic("admin", "").substr(6, 4),  // a piece of one
            "Basic YWRtaW4tYWRtaW4tcGFzc3dvcmQ=",                       // "admin-admin-password": no colon
            "Basic " + TestSuperuser::basic("", "").substr(6),          // ":" alone
            "Basic " + TestSuperuser::basic("admin", TestSuperuser::kPassword).substr(6) + " extra",
            "Basic\t" + TestSuperuser::authorization().substr(6, 8),
            "Bearer",                                    // no token
            "Bearer ",                                   // an empty token
            "Bearer 0123456789abcdefghijklmnopqrst",     // nobody's token
            "Digest username=\"admin\", realm=\"api\"",  // a scheme nobody speaks here
            "Token abc",
            "admin:admin-password",             // no scheme at all
            std::string("Basic \0\0\0", 9),     // NUL bytes
            "Basic " + std::string(4000, 'A'),  // long
        };
        for (const std::string& value : values) {
            const FcgiResponse response = as(value).get(ApiClient::kApplications);
            const std::string what = "Authorization \"" + JsonAssert::quote(value).substr(0, 80) + "\": ";
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what + response.describe(), 401, response.status);
            const auto body = JsonAssert::parseObject(response.body);
            CPPUNIT_ASSERT_MESSAGE(what + response.describe(), body->size() == 1 && body->has("detail") &&
                                                                   body->get("detail").isString());
        }
        // And the worker is unharmed.
        CPPUNIT_ASSERT_MESSAGE(worker().log(), worker().running());
        APPREG_ASSERT_STATUS(200, api().get(ApiClient::kApplications));
    }

    void testCreateSuperuserAgainIsRefused() {
        const ChildProcess::Result again = TestSuperuser::runCreateSuperuser(
            dir(), worker().databasePath(), TestSuperuser::kUsername, std::string(kOtherPassword) + "\n");
        const std::string output = again.out + again.err;
        CPPUNIT_ASSERT_MESSAGE("create-superuser did not return within 60 s", !again.timedOut);
        CPPUNIT_ASSERT_MESSAGE("a second admin was accepted: " + again.status.describe() + "\n" + output,
                               again.status.exited && again.status.code != 0);
        const std::string message = lower(again.err);
        CPPUNIT_ASSERT_MESSAGE("no clear message on stderr: \"" + again.err + "\"",
                               message.find("admin") != std::string::npos ||
                                   message.find("exist") != std::string::npos ||
                                   message.find("taken") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE("the password is in the output:\n" + output,
                               output.find(kOtherPassword) == std::string::npos);
        // The first password still works, the second one never did.
        APPREG_ASSERT_STATUS(200, as(TestSuperuser::authorization()).get(ApiClient::kApplications));
        APPREG_ASSERT_RESPONSE(
            401, kInvalidCredentials,
            as(TestSuperuser::basic(TestSuperuser::kUsername, kOtherPassword)).get(ApiClient::kApplications));
    }

    void testCreateSuperuserWithoutPasswordIsRefused() {
        // An empty first line, and no input at all.
        for (const std::string& input : {std::string("\n"), std::string()}) {
            const ChildProcess::Result result =
                TestSuperuser::runCreateSuperuser(dir(), worker().databasePath(), "nopassword", input);
            const std::string what = "create-superuser with " + JsonAssert::quote(input) + " on stdin: ";
            CPPUNIT_ASSERT_MESSAGE(what + "did not return within 60 s", !result.timedOut);
            CPPUNIT_ASSERT_MESSAGE(what + result.status.describe() + "\n" + result.out + result.err,
                                   result.status.exited && result.status.code != 0);
            CPPUNIT_ASSERT_MESSAGE(what + "no message on stderr", !trimmed(result.err).empty());
        }
        APPREG_ASSERT_RESPONSE(401, kInvalidCredentials,
                               as(TestSuperuser::basic("nopassword", "")).get(ApiClient::kApplications));
    }

    void testAnotherSuperuserCanAuthenticate() {
        // Created while the worker runs: the next request sees it.
        const ChildProcess::Result created = TestSuperuser::runCreateSuperuser(
            dir(), worker().databasePath(), "second-admin", std::string(kOtherPassword) + "\n");
        const std::string output = created.out + created.err;
        CPPUNIT_ASSERT_MESSAGE(created.status.describe() + "\n" + output,
                               !created.timedOut && created.status.isExit(0));
        CPPUNIT_ASSERT_MESSAGE("the password is in the output:\n" + output,
                               output.find(kOtherPassword) == std::string::npos);
        APPREG_ASSERT_STATUS(201, as(TestSuperuser::basic("second-admin", kOtherPassword))
                                      .post(ApiClient::kOrganizations, R"({"name": "by-second"})"));
        // Each user has their own password.
        APPREG_ASSERT_RESPONSE(
            401, kInvalidCredentials,
            as(TestSuperuser::basic("second-admin", TestSuperuser::kPassword)).get(ApiClient::kApplications));
        assertLogHasNo({kOtherPassword, TestSuperuser::kPassword});
    }

    void testDatabaseWithoutUsersLetsNobodyIn() {
        // A worker on a database nobody ran create-superuser on: it serves, but only ping; no request can
        // create the first user.
        TempDir empty;
        WorkerProcess bare(empty, 2, WorkerProcess::Superuser::kNone);
        bare.start();
        ApiClient client(bare.socketPath());
        APPREG_ASSERT_STATUS(200, client.get("/api/v2/ping/"));
        APPREG_ASSERT_RESPONSE(401, kInvalidCredentials, client.get(ApiClient::kApplications));
        client.setAuthorization(std::nullopt);
        APPREG_ASSERT_RESPONSE(401, kNotAuthenticated,
                               client.post("/api/v2/users/", R"({"username": "first", "password": "x"})"));
        CPPUNIT_ASSERT_EQUAL(0LL, DatabaseFile(bare.databasePath()).count("users"));
        const WorkerProcess::StopResult stopped = bare.stop();
        CPPUNIT_ASSERT_MESSAGE(stopped.status.describe() + "\n" + bare.log(), stopped.status.isExit(0));
    }

private:
    /// A client of this test's worker sending `authorization` (std::nullopt: none).
    ApiClient as(std::optional<std::string> authorization) {
        ApiClient client(worker().socketPath());
        client.setAuthorization(std::move(authorization));
        return client;
    }

    /// Stops the worker (so everything is flushed) and fails if its log holds any of `secrets`.
    void assertLogHasNo(const std::vector<std::string>& secrets) {
        const WorkerProcess::StopResult stopped = worker().stop();
        CPPUNIT_ASSERT_MESSAGE(stopped.status.describe(), stopped.status.isExit(0));
        const std::string log = worker().log();
        for (const std::string& secret : secrets) {
            CPPUNIT_ASSERT_MESSAGE("the log holds \"" + secret + "\":\n" + log,
                                   log.find(secret) == std::string::npos);
        }
    }

    static std::string lower(std::string s) {
        std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
        return s;
    }

    static std::string trimmed(const std::string& s) {
        const auto begin = s.find_first_not_of(" \t\r\n");
        return begin == std::string::npos ? "" : s.substr(begin);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(AuthenticationBasicsTest);
