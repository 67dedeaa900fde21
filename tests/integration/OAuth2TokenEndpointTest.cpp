// The OAuth2 token endpoints AWX serves through django-oauth-toolkit (oauthlib): POST /api/o/token/ with the
// resource-owner password grant and the refresh grant, POST /api/o/revoke_token/, and what their tokens do at
// the API: Bearer authentication as the right user, scopes, revocation and expiry at once, and the actor of
// the activity entries they leave. Client authentication by HTTP Basic (client_id:client_secret) or in the
// form.

#include "ApiSteps.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "TestSuperuser.h"
#include "UserSteps.h"
#include "WorkerFixture.h"

#include <algorithm>
#include <cctype>
#include <thread>

using namespace appreg::test;

namespace {

const char* const kAlicePassword = "alice-pw-Wonderland-7f2e";
const char* const kBobPassword = "bob-pw-Builder-31aa";
const char* const kNotAuthenticated = R"({"detail": "Authentication credentials were not provided."})";
const char* const kInvalidClient = R"({"error": "invalid_client"})";
const char* const kInvalidGrant =
    R"({"error": "invalid_grant", "error_description": "Invalid credentials given."})";

bool isToken(const std::string& s) {
    if (s.size() != 30) return false;
    for (char c : s) {
        if (!std::isalnum(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

/// The body of a token response, checked for the shape every client relies on (RFC 6749 §5.1, as DOT writes
/// it); returns the parsed object.
Poco::JSON::Object::Ptr checkIssued(const FcgiResponse& response, const std::string& scope,
                                    long long expiresIn, const std::string& what) {
    CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": " + response.describe(), 200, response.status);
    const auto body = JsonAssert::parseObject(response.body);
    APPREG_ASSERT_KEYS(
        (std::vector<std::string>{"access_token", "expires_in", "token_type", "scope", "refresh_token"}),
        body);
    CPPUNIT_ASSERT_MESSAGE(what + ": " + response.body, isToken(body->getValue<std::string>("access_token")));
    CPPUNIT_ASSERT_MESSAGE(what + ": " + response.body,
                           isToken(body->getValue<std::string>("refresh_token")));
    CPPUNIT_ASSERT_MESSAGE(what + ": " + response.body, body->getValue<std::string>("access_token") !=
                                                            body->getValue<std::string>("refresh_token"));
    CPPUNIT_ASSERT_EQUAL_MESSAGE(what, std::string("Bearer"), body->getValue<std::string>("token_type"));
    CPPUNIT_ASSERT_EQUAL_MESSAGE(what, scope, body->getValue<std::string>("scope"));
    CPPUNIT_ASSERT_MESSAGE(what + ": " + response.body, body->get("expires_in").isInteger());
    CPPUNIT_ASSERT_EQUAL_MESSAGE(what, expiresIn, body->getValue<long long>("expires_in"));
    // RFC 6749 §5.1: a response carrying tokens must not be cached.
    CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": " + response.describe(), std::string("no-store"),
                                 response.header("Cache-Control"));
    CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": " + response.describe(), std::string("no-cache"),
                                 response.header("Pragma"));
    return body;
}

}  // namespace

/// One worker with three clients (a confidential and a public password application, an authorization-code
/// one), and the users alice (admin of the clients' organization) and bob.
class OAuth2TokenEndpointTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(OAuth2TokenEndpointTest);
    CPPUNIT_TEST(testPasswordGrantWithBasicClientAuthentication);
    CPPUNIT_TEST(testClientCredentialsInTheForm);
    CPPUNIT_TEST(testPublicClientWithClientIdOnly);
    CPPUNIT_TEST(testConfidentialClientMustAuthenticate);
    CPPUNIT_TEST(testWrongUserCredentialsAreInvalidGrant);
    CPPUNIT_TEST(testAuthorizationCodeApplicationIsUnauthorizedClient);
    CPPUNIT_TEST(testMissingParameters);
    CPPUNIT_TEST(testMissingRefreshToken);
    CPPUNIT_TEST(testMissingGrantType);
    CPPUNIT_TEST(testUnsupportedGrantType);
    CPPUNIT_TEST(testScopes);
    CPPUNIT_TEST(testRefreshReplacesThePair);
    CPPUNIT_TEST(testRefreshWithNarrowerScope);
    CPPUNIT_TEST(testRefreshTokenIsBoundToItsClient);
    CPPUNIT_TEST(testRevokeAccessToken);
    CPPUNIT_TEST(testRevokeRefreshToken);
    CPPUNIT_TEST(testRevokeNeedsTheOwningClient);
    CPPUNIT_TEST(testBearerActsAsTheUser);
    CPPUNIT_TEST(testActivityStreamNamesTheActor);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        WorkerFixture::setUp();
        org_ = api().createOrganization("Clients");
        aliceId_ = UserSteps::createUser(api(), "alice", kAlicePassword,
                                         {{"first_name", R"("Alice")"}, {"last_name", R"("Liddell")"}});
        bobId_ = UserSteps::createUser(api(), "bob", kBobPassword);
        UserSteps::grant(api(), org_, aliceId_, "admins");
        const auto confidential = ApiSteps::createApplication(api(), org_, "confidential client");
        confId_ = confidential->getValue<long long>("id");
        clientId_ = UserSteps::text(confidential, "client_id");
        clientSecret_ = UserSteps::text(confidential, "client_secret");
        const auto pub =
            ApiSteps::createApplication(api(), org_, "public client", {{"client_type", R"("public")"}});
        publicId_ = UserSteps::text(pub, "client_id");
        const auto other = ApiSteps::createApplication(api(), org_, "other client");
        otherId_ = UserSteps::text(other, "client_id");
        otherSecret_ = UserSteps::text(other, "client_secret");
        const auto code =
            ApiSteps::createApplication(api(), org_, "code client",
                                        {{"authorization_grant_type", R"("authorization-code")"},
                                         {"redirect_uris", R"("https://example.com/cb")"}});
        codeId_ = UserSteps::text(code, "client_id");
        codeSecret_ = UserSteps::text(code, "client_secret");
    }

    void testPasswordGrantWithBasicClientAuthentication() {
        const FcgiResponse response = token(passwordForm("alice", kAlicePassword), clientBasic());
        const auto issued = checkIssued(response, "read write", 31536000000LL, "password grant");
        // The token authenticates as alice.
        assertMe(UserSteps::bearer(UserSteps::text(issued, "access_token")), "alice");
        // It is an ordinary token of the API: alice's, of this application, shown censored.
        const auto tokens = ApiSteps::getOk(api(), "/api/v2/tokens/?application=" + std::to_string(confId_));
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::count(tokens));
        const auto row = ApiSteps::results(tokens)->getObject(0);
        CPPUNIT_ASSERT_EQUAL(static_cast<long long>(aliceId_), row->getValue<long long>("user"));
        CPPUNIT_ASSERT_EQUAL(static_cast<long long>(confId_), row->getValue<long long>("application"));
        CPPUNIT_ASSERT_EQUAL(std::string("read write"), row->getValue<std::string>("scope"));
        CPPUNIT_ASSERT_EQUAL(std::string("************"), row->getValue<std::string>("token"));
        CPPUNIT_ASSERT_EQUAL(std::string("************"), row->getValue<std::string>("refresh_token"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("alice"),
            row->getObject("summary_fields")->getObject("user")->getValue<std::string>("username"));
        // Each grant issues a new pair.
        const auto second = checkIssued(token(passwordForm("alice", kAlicePassword), clientBasic()),
                                        "read write", 31536000000LL, "second password grant");
        CPPUNIT_ASSERT(UserSteps::text(second, "access_token") != UserSteps::text(issued, "access_token"));
        assertMe(UserSteps::bearer(UserSteps::text(issued, "access_token")), "alice");
        assertMe(UserSteps::bearer(UserSteps::text(second, "access_token")), "alice");
    }

    void testClientCredentialsInTheForm() {
        UserSteps::Form form = passwordForm("bob", kBobPassword);
        form.emplace_back("client_id", clientId_);
        form.emplace_back("client_secret", clientSecret_);
        const auto issued = checkIssued(token(form, std::nullopt), "read write", 31536000000LL,
                                        "password grant with client_id and client_secret in the form");
        assertMe(UserSteps::bearer(UserSteps::text(issued, "access_token")), "bob");
    }

    void testPublicClientWithClientIdOnly() {
        UserSteps::Form form = passwordForm("alice", kAlicePassword);
        form.emplace_back("client_id", publicId_);
        const auto issued = checkIssued(token(form, std::nullopt), "read write", 31536000000LL,
                                        "password grant of a public client with client_id in the form");
        assertMe(UserSteps::bearer(UserSteps::text(issued, "access_token")), "alice");
        // A public client may also name itself in Basic with an empty secret.
        const auto basic =
            checkIssued(token(passwordForm("alice", kAlicePassword), UserSteps::basic(publicId_, "")),
                        "read write", 31536000000LL, "public client in Basic");
        assertMe(UserSteps::bearer(UserSteps::text(basic, "access_token")), "alice");
    }

    void testConfidentialClientMustAuthenticate() {
        const long long before = database().count("tokens");
        const std::vector<std::pair<std::string, FcgiResponse>> attempts = {
            {"wrong secret in Basic",
             token(passwordForm("alice", kAlicePassword), UserSteps::basic(clientId_, clientSecret_ + "x"))},
            {"another client's secret in Basic",
             token(passwordForm("alice", kAlicePassword), UserSteps::basic(clientId_, otherSecret_))},
            {"empty secret in Basic",
             token(passwordForm("alice", kAlicePassword), UserSteps::basic(clientId_, ""))},
            {"unknown client in Basic", token(passwordForm("alice", kAlicePassword),
                                              UserSteps::basic(std::string(40, 'x'), clientSecret_))},
            {"wrong secret in the form", token(with(passwordForm("alice", kAlicePassword),
                                                    {{"client_id", clientId_}, {"client_secret", "nope"}}),
                                               std::nullopt)},
            {"client_id without client_secret in the form",
             token(with(passwordForm("alice", kAlicePassword), {{"client_id", clientId_}}), std::nullopt)},
            {"no client at all", token(passwordForm("alice", kAlicePassword), std::nullopt)},
            {"the user's own Basic credentials instead of the client's",
             token(passwordForm("alice", kAlicePassword), UserSteps::basic("alice", kAlicePassword))},
        };
        for (const auto& [what, response] : attempts) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": " + response.describe(), 401, response.status);
            APPREG_ASSERT_JSON_MESSAGE(what, kInvalidClient, response.body);
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE("a refused grant issued a token", before, database().count("tokens"));
    }

    void testWrongUserCredentialsAreInvalidGrant() {
        const long long before = database().count("tokens");
        for (const auto& [username, password] : std::vector<std::pair<std::string, std::string>>{
                 {"alice", "wrong"},
                 {"alice", kBobPassword},
                 {"Alice", kAlicePassword},
                 {"nobody", kAlicePassword},
                 {"admin", "not-the-admin-password"},
             }) {
            const FcgiResponse response = token(passwordForm(username, password), clientBasic());
            APPREG_ASSERT_RESPONSE(400, kInvalidGrant, response);
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE("a refused grant issued a token", before, database().count("tokens"));
    }

    void testAuthorizationCodeApplicationIsUnauthorizedClient() {
        const FcgiResponse response =
            token(passwordForm("alice", kAlicePassword), UserSteps::basic(codeId_, codeSecret_));
        APPREG_ASSERT_RESPONSE(400, R"({"error": "unauthorized_client"})", response);
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("tokens"));
    }

    void testMissingParameters() {
        // oauthlib's texts (ResourceOwnerPasswordCredentialsGrant).
        APPREG_ASSERT_RESPONSE(
            400,
            R"({"error": "invalid_request", "error_description": "Request is missing username parameter."})",
            token({{"grant_type", "password"}, {"password", kAlicePassword}}, clientBasic()));
        APPREG_ASSERT_RESPONSE(
            400,
            R"({"error": "invalid_request", "error_description": "Request is missing password parameter."})",
            token({{"grant_type", "password"}, {"username", "alice"}}, clientBasic()));
        // A parameter sent without a value counts as omitted (RFC 6749 §3.2).
        APPREG_ASSERT_RESPONSE(
            400,
            R"({"error": "invalid_request", "error_description": "Request is missing password parameter."})",
            token({{"grant_type", "password"}, {"username", "alice"}, {"password", ""}}, clientBasic()));
        // A JSON body is not a form: nothing of it is read.
        const FcgiResponse json =
            UserSteps::as(worker().socketPath(), clientBasic())
                .send("POST", "/api/o/token/",
                      R"({"grant_type": "password", "username": "alice", "password": "x"})");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(json.describe(), 400, json.status);
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("tokens"));
    }

    void testMissingRefreshToken() {
        // oauthlib's RefreshTokenGrant.validate_token_request words it this way.
        APPREG_ASSERT_RESPONSE(
            400, R"({"error": "invalid_request", "error_description": "Missing refresh token parameter."})",
            token({{"grant_type", "refresh_token"}}, clientBasic()));
    }

    void testMissingGrantType() {
        // Without grant_type oauthlib's TokenEndpoint hands the request to its default grant
        // (authorization_code), whose first check refuses the missing type as unsupported.
        APPREG_ASSERT_RESPONSE(400, R"({"error": "unsupported_grant_type"})",
                               token({{"username", "alice"}, {"password", kAlicePassword}}, clientBasic()));
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("tokens"));
    }

    void testUnsupportedGrantType() {
        for (const char* grant : {"foo", "implicit", "PASSWORD"}) {
            APPREG_ASSERT_RESPONSE(
                400, R"({"error": "unsupported_grant_type"})",
                token({{"grant_type", grant}, {"username", "alice"}, {"password", kAlicePassword}},
                      clientBasic()));
        }
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("tokens"));
    }

    void testScopes() {
        const auto read = checkIssued(
            token(with(passwordForm("alice", kAlicePassword), {{"scope", "read"}}), clientBasic()), "read",
            31536000000LL, "scope=read");
        const auto write = checkIssued(
            token(with(passwordForm("alice", kAlicePassword), {{"scope", "write"}}), clientBasic()), "write",
            31536000000LL, "scope=write");
        checkIssued(
            token(with(passwordForm("alice", kAlicePassword), {{"scope", "write read"}}), clientBasic()),
            "read write", 31536000000LL, "scope=write read");
        for (const char* bad : {"admin", "read admin", "READ", "read,write"}) {
            APPREG_ASSERT_RESPONSE(
                400, R"({"error": "invalid_scope"})",
                token(with(passwordForm("alice", kAlicePassword), {{"scope", bad}}), clientBasic()));
        }
        CPPUNIT_ASSERT_EQUAL(3LL, database().count("tokens"));
        // The read token reads, and writes nothing; the write token writes.
        const ApiClient reader =
            UserSteps::as(worker().socketPath(), UserSteps::bearer(UserSteps::text(read, "access_token")));
        APPREG_ASSERT_STATUS(200, reader.get("/api/v2/applications/"));
        APPREG_ASSERT_RESPONSE(
            403, R"({"detail": "You do not have permission to perform this action."})",
            reader.post("/api/v2/applications/", ApiSteps::applicationBody(org_, "by read token")));
        const ApiClient writer =
            UserSteps::as(worker().socketPath(), UserSteps::bearer(UserSteps::text(write, "access_token")));
        APPREG_ASSERT_STATUS(
            201, writer.post("/api/v2/applications/", ApiSteps::applicationBody(org_, "by write token")));
    }

    void testRefreshReplacesThePair() {
        const auto first = checkIssued(token(passwordForm("alice", kAlicePassword), clientBasic()),
                                       "read write", 31536000000LL, "password grant");
        const std::string oldAccess = UserSteps::text(first, "access_token");
        const std::string oldRefresh = UserSteps::text(first, "refresh_token");
        assertMe(UserSteps::bearer(oldAccess), "alice");

        const auto refreshed = checkIssued(
            token({{"grant_type", "refresh_token"}, {"refresh_token", oldRefresh}}, clientBasic()),
            "read write", 31536000000LL, "refresh grant");
        const std::string newAccess = UserSteps::text(refreshed, "access_token");
        const std::string newRefresh = UserSteps::text(refreshed, "refresh_token");
        CPPUNIT_ASSERT(newAccess != oldAccess);
        CPPUNIT_ASSERT(newRefresh != oldRefresh);
        // The new access token works, as the same user; the old one is refused at once.
        assertMe(UserSteps::bearer(newAccess), "alice");
        APPREG_ASSERT_RESPONSE(
            401, kNotAuthenticated,
            UserSteps::as(worker().socketPath(), UserSteps::bearer(oldAccess)).get("/api/v2/me/"));
        // The old refresh token was used up.
        APPREG_ASSERT_RESPONSE(
            400, R"({"error": "invalid_grant"})",
            token({{"grant_type", "refresh_token"}, {"refresh_token", oldRefresh}}, clientBasic()));
        // An access token is no refresh token.
        APPREG_ASSERT_RESPONSE(
            400, R"({"error": "invalid_grant"})",
            token({{"grant_type", "refresh_token"}, {"refresh_token", newAccess}}, clientBasic()));
        // One token row for alice: the new one.
        CPPUNIT_ASSERT_EQUAL(1LL, database().count("tokens"));
        // And the new refresh token refreshes in turn.
        checkIssued(token({{"grant_type", "refresh_token"}, {"refresh_token", newRefresh}}, clientBasic()),
                    "read write", 31536000000LL, "second refresh");
        APPREG_ASSERT_RESPONSE(
            401, kNotAuthenticated,
            UserSteps::as(worker().socketPath(), UserSteps::bearer(newAccess)).get("/api/v2/me/"));
    }

    void testRefreshWithNarrowerScope() {
        const auto first = checkIssued(token(passwordForm("alice", kAlicePassword), clientBasic()),
                                       "read write", 31536000000LL, "password grant");
        const auto narrowed = checkIssued(token({{"grant_type", "refresh_token"},
                                                 {"refresh_token", UserSteps::text(first, "refresh_token")},
                                                 {"scope", "read"}},
                                                clientBasic()),
                                          "read", 31536000000LL, "refresh with scope=read");
        const ApiClient reader = UserSteps::as(worker().socketPath(),
                                               UserSteps::bearer(UserSteps::text(narrowed, "access_token")));
        assertMe(UserSteps::bearer(UserSteps::text(narrowed, "access_token")), "alice");
        APPREG_ASSERT_STATUS(
            403, reader.post("/api/v2/applications/", ApiSteps::applicationBody(org_, "narrowed")));
        // A read token's refresh cannot widen it again: oauthlib refuses a scope beyond the original one with
        // 401 invalid_scope (RefreshTokenGrant), and the refresh token stays usable.
        const std::string readRefresh = UserSteps::text(narrowed, "refresh_token");
        APPREG_ASSERT_RESPONSE(
            401, R"({"error": "invalid_scope"})",
            token({{"grant_type", "refresh_token"}, {"refresh_token", readRefresh}, {"scope", "read write"}},
                  clientBasic()));
        APPREG_ASSERT_RESPONSE(
            401, R"({"error": "invalid_scope"})",
            token({{"grant_type", "refresh_token"}, {"refresh_token", readRefresh}, {"scope", "write"}},
                  clientBasic()));
        checkIssued(token({{"grant_type", "refresh_token"}, {"refresh_token", readRefresh}}, clientBasic()),
                    "read", 31536000000LL, "refresh of the read token without scope");
    }

    void testRefreshTokenIsBoundToItsClient() {
        const auto first = checkIssued(token(passwordForm("alice", kAlicePassword), clientBasic()),
                                       "read write", 31536000000LL, "password grant");
        const std::string refresh = UserSteps::text(first, "refresh_token");
        // Another client cannot use it; a wrong secret is refused before the token is looked at.
        APPREG_ASSERT_RESPONSE(400, R"({"error": "invalid_grant"})",
                               token({{"grant_type", "refresh_token"}, {"refresh_token", refresh}},
                                     UserSteps::basic(otherId_, otherSecret_)));
        APPREG_ASSERT_RESPONSE(401, kInvalidClient,
                               token({{"grant_type", "refresh_token"}, {"refresh_token", refresh}},
                                     UserSteps::basic(clientId_, "wrong")));
        // One character changed (a token that begins with 'x' gets a 'y': it failed 1 run in 62 before).
        const std::string altered = (refresh[0] == 'x' ? "y" : "x") + refresh.substr(1);
        APPREG_ASSERT_RESPONSE(
            400, R"({"error": "invalid_grant"})",
            token({{"grant_type", "refresh_token"}, {"refresh_token", altered}}, clientBasic()));
        // Still good with its own client.
        checkIssued(token({{"grant_type", "refresh_token"}, {"refresh_token", refresh}}, clientBasic()),
                    "read write", 31536000000LL, "refresh with the right client");
    }

    void testRevokeAccessToken() {
        const auto issued = checkIssued(token(passwordForm("alice", kAlicePassword), clientBasic()),
                                        "read write", 31536000000LL, "password grant");
        const std::string access = UserSteps::text(issued, "access_token");
        assertMe(UserSteps::bearer(access), "alice");
        const FcgiResponse revoked = UserSteps::postForm(worker().socketPath(), "/api/o/revoke_token/",
                                                         {{"token", access}}, clientBasic());
        APPREG_ASSERT_STATUS(200, revoked);
        APPREG_ASSERT_JSON("{}", revoked.body);
        APPREG_ASSERT_RESPONSE(
            401, kNotAuthenticated,
            UserSteps::as(worker().socketPath(), UserSteps::bearer(access)).get("/api/v2/me/"));
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("tokens"));
        // Its refresh token went with it.
        APPREG_ASSERT_RESPONSE(400, R"({"error": "invalid_grant"})",
                               token({{"grant_type", "refresh_token"},
                                      {"refresh_token", UserSteps::text(issued, "refresh_token")}},
                                     clientBasic()));
        // Revoking it again, or an unknown token, is still 200 (RFC 7009 §2.2).
        APPREG_ASSERT_STATUS(200, UserSteps::postForm(worker().socketPath(), "/api/o/revoke_token/",
                                                      {{"token", access}}, clientBasic()));
        APPREG_ASSERT_RESPONSE(
            400, R"({"error": "invalid_request", "error_description": "Missing token parameter."})",
            UserSteps::postForm(worker().socketPath(), "/api/o/revoke_token/", {}, clientBasic()));
    }

    void testRevokeRefreshToken() {
        const auto issued = checkIssued(token(passwordForm("bob", kBobPassword), clientBasic()), "read write",
                                        31536000000LL, "password grant");
        const FcgiResponse revoked = UserSteps::postForm(
            worker().socketPath(), "/api/o/revoke_token/",
            {{"token", UserSteps::text(issued, "refresh_token")}, {"token_type_hint", "refresh_token"}},
            clientBasic());
        APPREG_ASSERT_STATUS(200, revoked);
        APPREG_ASSERT_RESPONSE(400, R"({"error": "invalid_grant"})",
                               token({{"grant_type", "refresh_token"},
                                      {"refresh_token", UserSteps::text(issued, "refresh_token")}},
                                     clientBasic()));
        // DOT revokes the access token of a revoked refresh token as well.
        APPREG_ASSERT_RESPONSE(
            401, kNotAuthenticated,
            UserSteps::as(worker().socketPath(), UserSteps::bearer(UserSteps::text(issued, "access_token")))
                .get("/api/v2/me/"));
    }

    void testRevokeNeedsTheOwningClient() {
        const auto issued = checkIssued(token(passwordForm("alice", kAlicePassword), clientBasic()),
                                        "read write", 31536000000LL, "password grant");
        const std::string access = UserSteps::text(issued, "access_token");
        // A wrong secret: 401, nothing revoked.
        APPREG_ASSERT_RESPONSE(
            401, kInvalidClient,
            UserSteps::postForm(worker().socketPath(), "/api/o/revoke_token/", {{"token", access}},
                                UserSteps::basic(clientId_, "wrong")));
        // Another client: 200 (nothing to say), but the token is not its to revoke.
        APPREG_ASSERT_STATUS(
            200, UserSteps::postForm(worker().socketPath(), "/api/o/revoke_token/", {{"token", access}},
                                     UserSteps::basic(otherId_, otherSecret_)));
        assertMe(UserSteps::bearer(access), "alice");
        // The client credentials in the form work as well.
        APPREG_ASSERT_STATUS(
            200, UserSteps::postForm(
                     worker().socketPath(), "/api/o/revoke_token/",
                     {{"token", access}, {"client_id", clientId_}, {"client_secret", clientSecret_}},
                     std::nullopt));
        APPREG_ASSERT_RESPONSE(
            401, kNotAuthenticated,
            UserSteps::as(worker().socketPath(), UserSteps::bearer(access)).get("/api/v2/me/"));
    }

    void testBearerActsAsTheUser() {
        // alice (admin of Clients) and bob (no role) through their own tokens: each gets their own rights.
        const std::string alice = UserSteps::bearer(
            UserSteps::text(UserSteps::passwordGrant(worker().socketPath(), clientId_, clientSecret_, "alice",
                                                     kAlicePassword),
                            "access_token"));
        const std::string bob = UserSteps::bearer(UserSteps::text(
            UserSteps::passwordGrant(worker().socketPath(), clientId_, clientSecret_, "bob", kBobPassword),
            "access_token"));
        assertMe(alice, "alice");
        assertMe(bob, "bob");
        const ApiClient asAlice = UserSteps::as(worker().socketPath(), alice);
        const ApiClient asBob = UserSteps::as(worker().socketPath(), bob);
        CPPUNIT_ASSERT_EQUAL(4LL, ApiSteps::countOf(asAlice, "/api/v2/applications/"));
        CPPUNIT_ASSERT_EQUAL(0LL, ApiSteps::countOf(asBob, "/api/v2/applications/"));
        APPREG_ASSERT_STATUS(
            201, asAlice.post("/api/v2/applications/", ApiSteps::applicationBody(org_, "alice's")));
        APPREG_ASSERT_STATUS(403,
                             asBob.post("/api/v2/applications/", ApiSteps::applicationBody(org_, "bob's")));
        // A token created through the API by a Bearer caller belongs to that caller.
        const auto created =
            ApiSteps::expect(asBob.post("/api/v2/tokens/", "{}"), 201, "POST /api/v2/tokens/ as bob");
        CPPUNIT_ASSERT_EQUAL(static_cast<long long>(bobId_), created->getValue<long long>("user"));
        // Basic credentials of the user still work beside the token; the token is not a password.
        APPREG_ASSERT_STATUS(
            200,
            UserSteps::as(worker().socketPath(), UserSteps::basic("bob", kBobPassword)).get("/api/v2/me/"));
        APPREG_ASSERT_RESPONSE(
            401, R"({"detail": "Invalid username/password."})",
            UserSteps::as(worker().socketPath(), UserSteps::basic("bob", bob.substr(7))).get("/api/v2/me/"));
        // The Bearer scheme is case-insensitive (RFC 7235), the token is not.
        APPREG_ASSERT_STATUS(
            200, UserSteps::as(worker().socketPath(), "bearer " + bob.substr(7)).get("/api/v2/me/"));
        // (A 30-character token is all digits with a chance of (10/62)^30.)
        std::string changed = bob.substr(7);
        const auto letter = std::find_if(changed.begin(), changed.end(),
                                         [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
        CPPUNIT_ASSERT_MESSAGE("a token without a letter: " + changed, letter != changed.end());
        *letter = std::isupper(static_cast<unsigned char>(*letter))
                      ? static_cast<char>(std::tolower(*letter))
                      : static_cast<char>(std::toupper(*letter));
        APPREG_ASSERT_RESPONSE(
            401, kNotAuthenticated,
            UserSteps::as(worker().socketPath(), UserSteps::bearer(changed)).get("/api/v2/me/"));
    }

    void testActivityStreamNamesTheActor() {
        const auto issued = UserSteps::passwordGrant(worker().socketPath(), clientId_, clientSecret_, "alice",
                                                     kAlicePassword);
        const std::string alice = UserSteps::bearer(UserSteps::text(issued, "access_token"));
        // The token's creation is alice's doing.
        const auto created = latestEntry("o_auth2_access_token", "create");
        assertActor(created, aliceId_, "alice", "Alice", "Liddell", "password grant");
        // So is a change she makes through her token.
        const std::string app = ApiSteps::applicationPath(confId_);
        APPREG_ASSERT_STATUS(
            200,
            UserSteps::as(worker().socketPath(), alice).send("PATCH", app, R"({"description": "by alice"})"));
        assertActor(latestEntry("o_auth2_application", "update"), aliceId_, "alice", "Alice", "Liddell",
                    "PATCH by token");
        // The refresh replaces her token: a delete and a create, both hers.
        token({{"grant_type", "refresh_token"}, {"refresh_token", UserSteps::text(issued, "refresh_token")}},
              clientBasic());
        assertActor(latestEntry("o_auth2_access_token", "delete"), aliceId_, "alice", "Alice", "Liddell",
                    "refresh (delete)");
        assertActor(latestEntry("o_auth2_access_token", "create"), aliceId_, "alice", "Alice", "Liddell",
                    "refresh (create)");
        // And what the superuser does is the superuser's.
        APPREG_ASSERT_STATUS(200, api().send("PATCH", app, R"({"description": "by admin"})"));
        assertActor(latestEntry("o_auth2_application", "update"), 1, "admin", "", "", "PATCH by admin");
        // The token's secret is in no entry.
        const std::string all = api().get("/api/v2/activity_stream/?page_size=200").body;
        CPPUNIT_ASSERT(all.find(UserSteps::text(issued, "access_token")) == std::string::npos);
        CPPUNIT_ASSERT(all.find(UserSteps::text(issued, "refresh_token")) == std::string::npos);
    }

protected:
    void prepare(const TempDir& dir) override { config_ = UserSteps::writeWorkerConfig(dir); }
    std::vector<std::string> workerArgs() const override { return {"--config", config_}; }

private:
    static UserSteps::Form passwordForm(const std::string& username, const std::string& password) {
        return {{"grant_type", "password"}, {"username", username}, {"password", password}};
    }

    static UserSteps::Form with(UserSteps::Form form, const UserSteps::Form& more) {
        form.insert(form.end(), more.begin(), more.end());
        return form;
    }

    std::string clientBasic() const { return UserSteps::basic(clientId_, clientSecret_); }

    FcgiResponse token(const UserSteps::Form& form, std::optional<std::string> authorization) {
        return UserSteps::postForm(worker().socketPath(), "/api/o/token/", form, std::move(authorization));
    }

    /// GET /api/v2/me/ with `authorization` shows exactly `username`.
    void assertMe(const std::string& authorization, const std::string& username) {
        const FcgiResponse response = UserSteps::as(worker().socketPath(), authorization).get("/api/v2/me/");
        CPPUNIT_ASSERT_EQUAL_MESSAGE("GET /api/v2/me/: " + response.describe(), 200, response.status);
        const auto list = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.body, JsonAssert::join({username}),
                                     JsonAssert::join(ApiSteps::column(list, "username")));
    }

    Poco::JSON::Object::Ptr latestEntry(const std::string& object1, const std::string& operation) {
        const std::string uri =
            "/api/v2/activity_stream/?object1=" + object1 + "&operation=" + operation + "&order_by=-id";
        const auto list = ApiSteps::getOk(api(), uri);
        if (ApiSteps::count(list) == 0) throw std::runtime_error("no entry at " + uri);
        return ApiSteps::results(list)->getObject(0);
    }

    static void assertActor(const Poco::JSON::Object::Ptr& entry, long long id, const std::string& username,
                            const std::string& first, const std::string& last, const std::string& what) {
        const std::string context = what + ": " + JsonAssert::toJson(entry);
        const auto related = entry->getObject("related");
        CPPUNIT_ASSERT_MESSAGE(context, related && related->has("actor"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(context, "/api/v2/users/" + std::to_string(id) + "/",
                                     related->getValue<std::string>("actor"));
        const auto summary = entry->getObject("summary_fields");
        CPPUNIT_ASSERT_MESSAGE(context, summary && summary->has("actor"));
        APPREG_ASSERT_JSON_MESSAGE(context,
                                   "{\"id\": " + std::to_string(id) +
                                       ", \"username\": " + JsonAssert::quote(username) +
                                       ", \"first_name\": " + JsonAssert::quote(first) +
                                       ", \"last_name\": " + JsonAssert::quote(last) + "}",
                                   JsonAssert::toJson(summary->get("actor")));
    }

    std::string config_;
    long long org_ = 0, aliceId_ = 0, bobId_ = 0, confId_ = 0;
    std::string clientId_, clientSecret_, publicId_, otherId_, otherSecret_, codeId_, codeSecret_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(OAuth2TokenEndpointTest);

/// Access tokens with a lifetime of one second (oauth2.access_token_expire_seconds = 1).
class OAuth2TokenExpiryTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(OAuth2TokenExpiryTest);
    CPPUNIT_TEST(testExpiredTokenIsRefused);
    CPPUNIT_TEST_SUITE_END();

public:
    void testExpiredTokenIsRefused() {
        const long long org = api().createOrganization("Clients");
        UserSteps::createUser(api(), "carol", "carol-password");
        const auto app = ApiSteps::createApplication(api(), org, "short-lived");
        const auto issued =
            UserSteps::passwordGrant(worker().socketPath(), UserSteps::text(app, "client_id"),
                                     UserSteps::text(app, "client_secret"), "carol", "carol-password");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(JsonAssert::toJson(issued), 1LL,
                                     issued->getValue<long long>("expires_in"));
        const ApiClient carol =
            UserSteps::as(worker().socketPath(), UserSteps::bearer(UserSteps::text(issued, "access_token")));
        // Good at once (the lifetime runs from now: well over the few milliseconds this takes) ...
        APPREG_ASSERT_STATUS(200, carol.get("/api/v2/me/"));
        // A token created through the API gets the same lifetime.
        const auto personal =
            ApiSteps::expect(UserSteps::as(worker().socketPath(), UserSteps::basic("carol", "carol-password"))
                                 .post("/api/v2/tokens/", "{}"),
                             201, "POST /api/v2/tokens/ as carol");
        const ApiClient personalClient =
            UserSteps::as(worker().socketPath(), UserSteps::bearer(UserSteps::text(personal, "token")));
        // ... and refused once it has passed.
        std::this_thread::sleep_for(std::chrono::seconds(2));
        for (const ApiClient* client : {&carol, &personalClient}) {
            const FcgiResponse response = client->get("/api/v2/me/");
            APPREG_ASSERT_RESPONSE(401, kNotAuthenticated, response);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(),
                                         std::string("Bearer realm=api authorization_url=/api/o/authorize/"),
                                         response.header("WWW-Authenticate"));
        }
        // The refresh token still gets a fresh pair (refresh tokens do not expire with the access token).
        const FcgiResponse refreshed = UserSteps::postForm(
            worker().socketPath(), "/api/o/token/",
            {{"grant_type", "refresh_token"}, {"refresh_token", UserSteps::text(issued, "refresh_token")}},
            UserSteps::basic(UserSteps::text(app, "client_id"), UserSteps::text(app, "client_secret")));
        APPREG_ASSERT_STATUS(200, refreshed);
        const ApiClient renewed = UserSteps::as(
            worker().socketPath(),
            UserSteps::bearer(UserSteps::text(JsonAssert::parseObject(refreshed.body), "access_token")));
        APPREG_ASSERT_STATUS(200, renewed.get("/api/v2/me/"));
    }

protected:
    void prepare(const TempDir& dir) override {
        config_ = UserSteps::writeWorkerConfig(dir, "oauth2.access_token_expire_seconds = 1\n");
    }
    std::vector<std::string> workerArgs() const override { return {"--config", config_}; }

private:
    std::string config_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(OAuth2TokenExpiryTest);
