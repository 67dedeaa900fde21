// Secrets never reach the worker's log or the database in clear (API.md §2, README "Secrets"): after a full
// run of requests carrying user passwords (in JSON bodies, in Basic credentials, in the token endpoint's
// form), client secrets (in Basic and in the form), access and refresh tokens (Bearer, refresh and revoke
// forms, even a query string), the worker's log holds none of them, nor the base64 Basic forms that carried
// them; and the bytes of the SQLite file and its WAL hold none of them either, while the worker runs and
// after it stopped.

#include "ApiSteps.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "TestSuperuser.h"
#include "UserSteps.h"
#include "WorkerFixture.h"

#include <map>

using namespace appreg::test;

class SecretsNotLoggedTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(SecretsNotLoggedTest);
    CPPUNIT_TEST(testNoSecretInLogOrDatabase);
    CPPUNIT_TEST_SUITE_END();

public:
    void testNoSecretInLogOrDatabase() {
        const std::string socket = worker().socketPath();
        const long long org = api().createOrganization("Secrets");

        // Users: passwords in JSON bodies, then in Basic credentials, right and wrong.
        const std::string olgaPassword = "Olga-Pass-9a61f3c0e5";
        const std::string olgaNewPassword = "Olga-NewPass-27be44d1";
        const std::string paulPassword = "Paul-Pass-c81d02aa77";
        const std::string wrongPassword = "Wrong-Pass-5e3f0b9d12";
        const std::string strayPassword = "Stray-Pass-0d7c6e1a44";
        remember("olga's password", olgaPassword);
        remember("olga's new password", olgaNewPassword);
        remember("paul's password", paulPassword);
        remember("a wrong password", wrongPassword);
        remember("a refused user's password", strayPassword);
        remember("the test superuser's password", TestSuperuser::kPassword);
        const long long olga = UserSteps::createUser(api(), "olga", olgaPassword);
        UserSteps::createUser(api(), "paul", paulPassword);
        UserSteps::grant(api(), org, olga, "admins");
        ok(200, basicClient("olga", olgaPassword).get("/api/v2/me/"));
        ok(200, basicClient("paul", paulPassword).get("/api/v2/me/"));
        ok(401, basicClient("olga", wrongPassword).get("/api/v2/me/"));
        ok(401, basicClient("nobody", wrongPassword).get("/api/v2/me/"));
        // A refused create (bad username) and a body that is no JSON, both carrying a password.
        ok(400, api().post("/api/v2/users/", "{\"username\": \"bad name\", \"password\": " +
                                                 JsonAssert::quote(strayPassword) + "}"));
        ok(400, api().post("/api/v2/users/",
                           "{\"username\": \"broken\", \"password\": " + JsonAssert::quote(strayPassword)));
        // The password changes; old and new are used.
        ok(200, api().send("PATCH", "/api/v2/users/" + std::to_string(olga) + "/",
                           "{\"password\": " + JsonAssert::quote(olgaNewPassword) + "}"));
        ok(401, basicClient("olga", olgaPassword).get("/api/v2/me/"));
        ok(200, basicClient("olga", olgaNewPassword).get("/api/v2/me/"));

        // Applications: client secrets, shown once.
        const auto confidential = ApiSteps::createApplication(api(), org, "confidential");
        const std::string clientId = UserSteps::text(confidential, "client_id");
        const std::string clientSecret = UserSteps::text(confidential, "client_secret");
        remember("the client secret", clientSecret);
        const std::string wrongSecret = "WrongSecret" + std::string(117, 'q');
        remember("a wrong client secret", wrongSecret);
        const auto byOlga =
            ApiSteps::expect(basicClient("olga", olgaNewPassword)
                                 .post("/api/v2/applications/", ApiSteps::applicationBody(org, "olga's")),
                             201, "POST /api/v2/applications/ as olga");
        remember("the client secret of olga's app", UserSteps::text(byOlga, "client_secret"));

        // Tokens through the API.
        const auto personal =
            ApiSteps::expect(basicClient("paul", paulPassword).post("/api/v2/tokens/", "{}"), 201,
                             "POST /api/v2/tokens/ as paul");
        remember("paul's personal token", UserSteps::text(personal, "token"));
        const auto onApp = ApiSteps::createToken(api(), confidential->getValue<long long>("id"));
        remember("an application token", UserSteps::text(onApp, "token"));
        remember("an application token's refresh token", UserSteps::text(onApp, "refresh_token"));

        // The token endpoint: client credentials in Basic and in the form, the user's password in the form.
        const auto granted =
            UserSteps::passwordGrant(socket, clientId, clientSecret, "olga", olgaNewPassword);
        remember("a password grant's access token", UserSteps::text(granted, "access_token"));
        remember("a password grant's refresh token", UserSteps::text(granted, "refresh_token"));
        const FcgiResponse inForm = UserSteps::postForm(socket, "/api/o/token/",
                                                        {{"grant_type", "password"},
                                                         {"username", "paul"},
                                                         {"password", paulPassword},
                                                         {"client_id", clientId},
                                                         {"client_secret", clientSecret}},
                                                        std::nullopt);
        ok(200, inForm);
        const auto second = JsonAssert::parseObject(inForm.body);
        remember("a second access token", UserSteps::text(second, "access_token"));
        remember("a second refresh token", UserSteps::text(second, "refresh_token"));
        ok(401, UserSteps::postForm(socket, "/api/o/token/",
                                    {{"grant_type", "password"},
                                     {"username", "paul"},
                                     {"password", paulPassword},
                                     {"client_id", clientId},
                                     {"client_secret", wrongSecret}},
                                    std::nullopt));
        ok(400, UserSteps::postForm(
                    socket, "/api/o/token/",
                    {{"grant_type", "password"}, {"username", "paul"}, {"password", wrongPassword}},
                    UserSteps::basic(clientId, clientSecret)));
        // Refresh, then revoke the new pair.
        const FcgiResponse refreshed = UserSteps::postForm(
            socket, "/api/o/token/",
            {{"grant_type", "refresh_token"}, {"refresh_token", UserSteps::text(granted, "refresh_token")}},
            UserSteps::basic(clientId, clientSecret));
        ok(200, refreshed);
        const auto third = JsonAssert::parseObject(refreshed.body);
        remember("a refreshed access token", UserSteps::text(third, "access_token"));
        remember("a refreshed refresh token", UserSteps::text(third, "refresh_token"));
        ok(200, UserSteps::postForm(socket, "/api/o/revoke_token/",
                                    {{"token", UserSteps::text(third, "access_token")}},
                                    UserSteps::basic(clientId, clientSecret)));

        // Bearer use, good and revoked; a token in a query string and in a body that is refused.
        ok(200, bearerClient(UserSteps::text(personal, "token")).get("/api/v2/me/"));
        ok(200, bearerClient(UserSteps::text(second, "access_token")).get("/api/v2/applications/"));
        ok(401, bearerClient(UserSteps::text(third, "access_token")).get("/api/v2/me/"));
        ok(200, api().get("/api/v2/applications/?search=" + UserSteps::text(onApp, "token")));
        ok(200, api().get("/api/v2/tokens/?description=" + UserSteps::text(onApp, "refresh_token")));
        ok(403, bearerClient(UserSteps::text(personal, "token"))
                    .post("/api/v2/organizations/", "{\"name\": " + JsonAssert::quote(clientSecret) + "}"));

        // The Basic forms that carried the credentials, as they travelled.
        for (const auto& [user, password] : std::vector<std::pair<std::string, std::string>>{
                 {"olga", olgaPassword},
                 {"olga", olgaNewPassword},
                 {"paul", paulPassword},
                 {"olga", wrongPassword},
                 {"nobody", wrongPassword},
                 {clientId, clientSecret},
                 {TestSuperuser::kUsername, TestSuperuser::kPassword}}) {
            remember("Basic " + user + ":<password>", UserSteps::basic(user, password).substr(6));
        }
        // The test is meaningful only if everything above was answered and logged.
        CPPUNIT_ASSERT_MESSAGE(worker().log(), worker().waitForLog("/api/o/revoke_token/"));

        // The database while the worker runs (WAL included), then the log and the database after a clean
        // stop.
        const std::string running = database().rawBytes();
        // What is no secret is there in clear: the search below looks at the right bytes.
        CPPUNIT_ASSERT_MESSAGE(
            "the raw database bytes lack the user names",
            running.find("olga") != std::string::npos && running.find("paul") != std::string::npos);
        assertAbsent("the database file and its WAL while the worker runs", running);
        const WorkerProcess::StopResult stopped = worker().stop();
        CPPUNIT_ASSERT_MESSAGE(stopped.status.describe(), stopped.status.isExit(0));
        const std::string log = worker().log();
        CPPUNIT_ASSERT_MESSAGE("the worker logged no requests:\n" + log,
                               log.find("/api/o/token/") != std::string::npos &&
                                   log.find("/api/v2/users/") != std::string::npos);
        assertAbsent("the worker's log", log);
        assertAbsent("the database file after the worker stopped", database().rawBytes());
    }

protected:
    void prepare(const TempDir& dir) override { config_ = UserSteps::writeWorkerConfig(dir); }
    std::vector<std::string> workerArgs() const override { return {"--config", config_}; }

private:
    void remember(const std::string& what, const std::string& secret) {
        CPPUNIT_ASSERT_MESSAGE(what + " is too short to search for", secret.size() >= 12);
        secrets_.emplace(what, secret);
    }

    ApiClient basicClient(const std::string& user, const std::string& password) {
        return UserSteps::as(worker().socketPath(), UserSteps::basic(user, password));
    }

    ApiClient bearerClient(const std::string& token) {
        return UserSteps::as(worker().socketPath(), UserSteps::bearer(token));
    }

    static void ok(int status, const FcgiResponse& response) { APPREG_ASSERT_STATUS(status, response); }

    void assertAbsent(const std::string& where, const std::string& haystack) {
        for (const auto& [what, secret] : secrets_) {
            const auto at = haystack.find(secret);
            CPPUNIT_ASSERT_MESSAGE(
                where + " holds " + what + " (\"" + secret + "\") at byte " + std::to_string(at),
                at == std::string::npos);
        }
    }

    std::string config_;
    std::multimap<std::string, std::string> secrets_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(SecretsNotLoggedTest);
