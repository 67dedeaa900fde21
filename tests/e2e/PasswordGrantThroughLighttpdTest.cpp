// End to end: the OAuth2 password grant as a real client runs it, over HTTP through the real lighttpd (the
// project's conf/lighttpd.conf) in front of the real worker. The superuser creates a user, an organization
// and a password application; the client gets a token with its own credentials (HTTP Basic) and the user's
// password, calls /api/v2/me/ with it, refreshes it, revokes it; the old tokens are refused. What matters
// here is that lighttpd forwards `Authorization` both ways (client Basic credentials, Bearer tokens), the
// form bodies, and the 401 challenge.

#include "ApiSteps.h"
#include "HttpClient.h"
#include "JsonAssert.h"
#include "LighttpdProcess.h"
#include "ResponseAssert.h"
#include "TempDir.h"
#include "UserSteps.h"
#include "WorkerProcess.h"

#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <stdexcept>
#include <string>

using namespace appreg::test;

namespace {

const char* const kPassword = "through-lighttpd-8d0a";
const char* const kForm = "application/x-www-form-urlencoded";

Poco::JSON::Object::Ptr expectJson(const HttpResponse& response, int status, const std::string& what) {
    if (response.status != status) {
        throw std::runtime_error(what + " should answer " + std::to_string(status) + ": " +
                                 response.describe());
    }
    return JsonAssert::parseObject(response.body);
}

}  // namespace

class PasswordGrantThroughLighttpdTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PasswordGrantThroughLighttpdTest);
    CPPUNIT_TEST(testPasswordGrantRefreshRevoke);
    CPPUNIT_TEST(testClientCredentialsInTheFormAndErrors);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        dir_ = std::make_unique<TempDir>();
        worker_ = std::make_unique<WorkerProcess>(*dir_);
        worker_->start({"--config", UserSteps::writeWorkerConfig(*dir_)});
        lighttpd_ = std::make_unique<LighttpdProcess>(*dir_, worker_->socketPath());
        lighttpd_->start();
        admin_ = std::make_unique<HttpClient>(lighttpd_->port());
        anonymous_ = std::make_unique<HttpClient>(lighttpd_->port());
        anonymous_->setAuthorization(std::nullopt);

        // The superuser's part, over HTTP as well.
        const auto user =
            expectJson(admin_->postJson("/api/v2/users/",
                                        "{\"username\": \"walter\", \"first_name\": \"Walter\", "
                                        "\"password\": " +
                                            JsonAssert::quote(kPassword) + "}"),
                       201, "POST /api/v2/users/");
        userId_ = user->getValue<long long>("id");
        const long long org =
            expectJson(admin_->postJson("/api/v2/organizations/", R"({"name": "Through lighttpd"})"), 201,
                       "POST /api/v2/organizations/")
                ->getValue<long long>("id");
        const auto app = expectJson(
            admin_->postJson("/api/v2/applications/", ApiSteps::applicationBody(org, "password client")), 201,
            "POST /api/v2/applications/");
        clientId_ = UserSteps::text(app, "client_id");
        clientSecret_ = UserSteps::text(app, "client_secret");
    }

    void tearDown() override {
        // Only lighttpd's own start and stop lines may be in its errorlog; read it after it stopped.
        std::string unexpected;
        if (lighttpd_) {
            lighttpd_->stop();
            unexpected = lighttpd_->unexpectedErrorLogLines();
        }
        admin_.reset();
        anonymous_.reset();
        lighttpd_.reset();
        worker_.reset();
        dir_.reset();
        CPPUNIT_ASSERT_MESSAGE("lighttpd errorlog has unexpected lines:\n" + unexpected, unexpected.empty());
    }

    void testPasswordGrantRefreshRevoke() {
        // The token, with the client's credentials in Basic and the user's password in the form.
        const HttpResponse granted = postForm(
            "/api/o/token/",
            UserSteps::form({{"grant_type", "password"}, {"username", "walter"}, {"password", kPassword}}),
            clientBasic());
        APPREG_ASSERT_STATUS(200, granted);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(granted.describe(), std::string("no-store"),
                                     granted.header("Cache-Control"));
        const auto first = JsonAssert::parseObject(granted.body);
        CPPUNIT_ASSERT_EQUAL(std::string("Bearer"), UserSteps::text(first, "token_type"));
        CPPUNIT_ASSERT_EQUAL(std::string("read write"), UserSteps::text(first, "scope"));
        const std::string access = UserSteps::text(first, "access_token");
        const std::string refresh = UserSteps::text(first, "refresh_token");

        // /api/v2/me/ with it is walter.
        assertMe(access);
        // The token acts with walter's rights: he administers nothing, so he creates no organization.
        APPREG_ASSERT_RESPONSE(403, R"({"detail": "You do not have permission to perform this action."})",
                               anonymous_->send("POST", "/api/v2/organizations/", R"({"name": "walter's"})",
                                                "application/json", {{"Authorization", "Bearer " + access}}));

        // Refresh: a new pair; the old access token is refused from now on, with the challenge.
        const HttpResponse refreshedResponse = postForm(
            "/api/o/token/", UserSteps::form({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}),
            clientBasic());
        APPREG_ASSERT_STATUS(200, refreshedResponse);
        const auto refreshed = JsonAssert::parseObject(refreshedResponse.body);
        const std::string newAccess = UserSteps::text(refreshed, "access_token");
        CPPUNIT_ASSERT(newAccess != access);
        assertRefused(access);
        assertMe(newAccess);
        APPREG_ASSERT_RESPONSE(
            400, R"({"error": "invalid_grant"})",
            postForm("/api/o/token/",
                     UserSteps::form({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}),
                     clientBasic()));

        // Revoke: refused at once.
        const HttpResponse revoked =
            postForm("/api/o/revoke_token/", UserSteps::form({{"token", newAccess}}), clientBasic());
        APPREG_ASSERT_RESPONSE(200, "{}", revoked);
        assertRefused(newAccess);
        APPREG_ASSERT_RESPONSE(
            400, R"({"error": "invalid_grant"})",
            postForm("/api/o/token/",
                     UserSteps::form({{"grant_type", "refresh_token"},
                                      {"refresh_token", UserSteps::text(refreshed, "refresh_token")}}),
                     clientBasic()));
        // The user's own Basic credentials still work through lighttpd.
        APPREG_ASSERT_STATUS(
            200, anonymous_->get("/api/v2/me/", {{"Authorization", UserSteps::basic("walter", kPassword)}}));
    }

    void testClientCredentialsInTheFormAndErrors() {
        const HttpResponse granted = postForm("/api/o/token/",
                                              UserSteps::form({{"grant_type", "password"},
                                                               {"username", "walter"},
                                                               {"password", kPassword},
                                                               {"client_id", clientId_},
                                                               {"client_secret", clientSecret_},
                                                               {"scope", "read"}}),
                                              std::nullopt);
        APPREG_ASSERT_STATUS(200, granted);
        const auto body = JsonAssert::parseObject(granted.body);
        CPPUNIT_ASSERT_EQUAL(std::string("read"), UserSteps::text(body, "scope"));
        assertMe(UserSteps::text(body, "access_token"));
        // Wrong client secret, wrong user password, an anonymous API call.
        APPREG_ASSERT_RESPONSE(
            401, R"({"error": "invalid_client"})",
            postForm("/api/o/token/",
                     UserSteps::form(
                         {{"grant_type", "password"}, {"username", "walter"}, {"password", kPassword}}),
                     UserSteps::basic(clientId_, clientSecret_ + "x")));
        APPREG_ASSERT_RESPONSE(
            400, R"({"error": "invalid_grant", "error_description": "Invalid credentials given."})",
            postForm(
                "/api/o/token/",
                UserSteps::form({{"grant_type", "password"}, {"username", "walter"}, {"password", "wrong"}}),
                clientBasic()));
        const HttpResponse anonymous = anonymous_->get("/api/v2/me/");
        APPREG_ASSERT_RESPONSE(401, R"({"detail": "Authentication credentials were not provided."})",
                               anonymous);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(anonymous.describe(),
                                     std::string("Bearer realm=api authorization_url=/api/o/authorize/"),
                                     anonymous.header("WWW-Authenticate"));
    }

private:
    std::string clientBasic() const { return UserSteps::basic(clientId_, clientSecret_); }

    HttpResponse postForm(const std::string& path, const std::string& body,
                          std::optional<std::string> authorization) {
        HttpClient::Headers headers;
        if (authorization) headers.emplace_back("Authorization", *authorization);
        return anonymous_->send("POST", path, body, kForm, headers);
    }

    void assertMe(const std::string& accessToken) {
        const HttpResponse me = anonymous_->get("/api/v2/me/", {{"Authorization", "Bearer " + accessToken}});
        APPREG_ASSERT_STATUS(200, me);
        const auto list = JsonAssert::parseObject(me.body);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(me.body, 1LL, ApiSteps::count(list));
        const auto user = ApiSteps::results(list)->getObject(0);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(me.body, userId_, user->getValue<long long>("id"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(me.body, std::string("walter"), user->getValue<std::string>("username"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(me.body, std::string("Walter"),
                                     user->getValue<std::string>("first_name"));
    }

    void assertRefused(const std::string& accessToken) {
        const HttpResponse me = anonymous_->get("/api/v2/me/", {{"Authorization", "Bearer " + accessToken}});
        APPREG_ASSERT_RESPONSE(401, R"({"detail": "Authentication credentials were not provided."})", me);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(me.describe(),
                                     std::string("Bearer realm=api authorization_url=/api/o/authorize/"),
                                     me.header("WWW-Authenticate"));
    }

    std::unique_ptr<TempDir> dir_;
    std::unique_ptr<WorkerProcess> worker_;
    std::unique_ptr<LighttpdProcess> lighttpd_;
    std::unique_ptr<HttpClient> admin_;
    std::unique_ptr<HttpClient> anonymous_;
    long long userId_ = 0;
    std::string clientId_, clientSecret_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PasswordGrantThroughLighttpdTest);
