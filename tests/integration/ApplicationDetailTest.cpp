// /api/v2/applications/{id}/: GET, PUT, PATCH, DELETE, HEAD and the methods it refuses (API.md §4,
// awx-reference.md §2.2 and §4.3).

#include "ApiSteps.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

using namespace appreg::test;

namespace {

const char* const kNoApplication = R"({"detail": "No OAuth2Application matches the given query."})";
const char* const kNoToken = R"({"detail": "No OAuth2AccessToken matches the given query."})";

}  // namespace

class ApplicationDetailTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(ApplicationDetailTest);
    CPPUNIT_TEST(testGetIsTheCreateShapeWithTheSecretCensored);
    CPPUNIT_TEST(testGetOfAPublicApplicationHasNoSecret);
    CPPUNIT_TEST(testGetHeaders);
    CPPUNIT_TEST(testMissingApplicationIs404);
    CPPUNIT_TEST(testPutIsAFullUpdate);
    CPPUNIT_TEST(testPutRequiresNameClientTypeAndOrganization);
    CPPUNIT_TEST(testPatchIsPartial);
    CPPUNIT_TEST(testPatchValidatesTheFieldsSent);
    CPPUNIT_TEST(testGrantTypeIsIgnoredOnUpdate);
    CPPUNIT_TEST(testClientIdAndSecretWritesAreIgnored);
    CPPUNIT_TEST(testSwitchingClientTypeSwitchesTheSecret);
    CPPUNIT_TEST(testRedirectRuleAppliesToTheMergedObject);
    CPPUNIT_TEST(testUniquenessAppliesToTheMergedObject);
    CPPUNIT_TEST(testRacingRenamesHaveOneWinner);
    CPPUNIT_TEST(testMoveToAnotherOrganization);
    CPPUNIT_TEST(testModifiedChangesOnUpdate);
    CPPUNIT_TEST(testDeleteRemovesTheApplicationAndItsTokens);
    CPPUNIT_TEST(testHead);
    CPPUNIT_TEST(testPostOnDetailIs405);
    CPPUNIT_TEST_SUITE_END();

public:
    void testGetIsTheCreateShapeWithTheSecretCensored() {
        const FcgiResponse created = api().post(
            ApiClient::kApplications,
            ApiSteps::applicationBody(organization(), "shape", {{"description", R"("some text")"}}));
        APPREG_ASSERT_STATUS(201, created);
        const long long id = JsonAssert::parseObject(created.body)->getValue<long long>("id");
        const FcgiResponse response = api().get(ApiSteps::applicationPath(id));
        APPREG_ASSERT_STATUS(200, response);
        // Every key, value and position of the 201, except that the secret is no longer shown.
        APPREG_ASSERT_JSON(JsonAssert::with(created.body, "client_secret", R"("************")"),
                           response.body);
    }

    void testGetOfAPublicApplicationHasNoSecret() {
        const FcgiResponse created =
            api().post(ApiClient::kApplications,
                       ApiSteps::applicationBody(organization(), "pub", {{"client_type", R"("public")"}}));
        APPREG_ASSERT_STATUS(201, created);
        const long long id = JsonAssert::parseObject(created.body)->getValue<long long>("id");
        const FcgiResponse response = api().get(ApiSteps::applicationPath(id));
        APPREG_ASSERT_STATUS(200, response);
        APPREG_ASSERT_JSON(created.body, response.body);
        CPPUNIT_ASSERT(!JsonAssert::parseObject(response.body)->has("client_secret"));
    }

    void testGetHeaders() {
        const long long id = ApiSteps::createApplicationId(api(), organization(), "headers");
        const FcgiResponse response = api().get(ApiSteps::applicationPath(id));
        APPREG_ASSERT_STATUS(200, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string("200 OK"), response.statusLine);
        CPPUNIT_ASSERT_MESSAGE(response.describe(),
                               response.header("Content-Type").rfind("application/json", 0) == 0);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(),
                                     std::string("GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
                                     response.header("Allow"));
        CPPUNIT_ASSERT_MESSAGE(response.describe(), !response.header("X-API-Request-Id").empty());
        CPPUNIT_ASSERT_MESSAGE(response.describe(), !response.hasHeader("Location"));
    }

    void testMissingApplicationIs404() {
        const long long id = ApiSteps::createApplicationId(api(), organization(), "exists");
        const std::string missing = ApiSteps::applicationPath(id + 100);
        APPREG_ASSERT_RESPONSE(404, kNoApplication, api().get(missing));
        APPREG_ASSERT_RESPONSE(404, kNoApplication,
                               api().send("PUT", missing, ApiSteps::applicationBody(organization(), "x")));
        APPREG_ASSERT_RESPONSE(404, kNoApplication, api().send("PATCH", missing, R"({"name": "x"})"));
        APPREG_ASSERT_RESPONSE(404, kNoApplication, api().send("DELETE", missing));
        APPREG_ASSERT_RESPONSE(404, kNoApplication, api().get("/api/v2/applications/9223372036854775807/"));
        CPPUNIT_ASSERT_EQUAL(1LL, database().count("applications"));
    }

    void testPutIsAFullUpdate() {
        const long long other = api().createOrganization("other");
        const auto created =
            ApiSteps::createApplication(api(), organization(), "before",
                                        {{"description", R"("old description")"},
                                         {"skip_authorization", "true"},
                                         {"authorization_grant_type", R"("authorization-code")"},
                                         {"redirect_uris", R"("https://example.com/cb")"}});
        const long long id = created->getValue<long long>("id");
        // Only the required fields: description and skip_authorization fall back to their defaults,
        // redirect_uris keeps its value.
        const std::string body =
            R"({"name": "after", "client_type": "public", "organization": )" + std::to_string(other) + "}";
        const FcgiResponse response = api().send("PUT", ApiSteps::applicationPath(id), body);
        APPREG_ASSERT_STATUS(200, response);
        const auto updated = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(std::string("after"), updated->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), updated->getValue<std::string>("description"));
        CPPUNIT_ASSERT_EQUAL(std::string("public"), updated->getValue<std::string>("client_type"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://example.com/cb"),
                             updated->getValue<std::string>("redirect_uris"));
        CPPUNIT_ASSERT_EQUAL(std::string("authorization-code"),
                             updated->getValue<std::string>("authorization_grant_type"));
        CPPUNIT_ASSERT(updated->get("skip_authorization").isBoolean());
        CPPUNIT_ASSERT(!updated->getValue<bool>("skip_authorization"));
        CPPUNIT_ASSERT_EQUAL(other, updated->getValue<long long>("organization"));
        CPPUNIT_ASSERT_EQUAL(created->getValue<std::string>("client_id"),
                             updated->getValue<std::string>("client_id"));
        CPPUNIT_ASSERT_EQUAL(created->getValue<std::string>("created"),
                             updated->getValue<std::string>("created"));
        CPPUNIT_ASSERT(!updated->has("client_secret"));
        // The 200 is what a GET shows afterwards.
        APPREG_ASSERT_JSON(response.body, api().get(ApiSteps::applicationPath(id)).body);

        // A PUT that gives every field stores every field.
        const std::string full = R"({"name": "full", "description": "d2", "client_type": "confidential",
            "redirect_uris": "http://localhost:8013/api/ https://example.org/", "skip_authorization": true,
            "organization": )" + std::to_string(organization()) +
                                 "}";
        const FcgiResponse second = api().send("PUT", ApiSteps::applicationPath(id), full);
        APPREG_ASSERT_STATUS(200, second);
        const auto stored = ApiSteps::getOk(api(), ApiSteps::applicationPath(id));
        CPPUNIT_ASSERT_EQUAL(std::string("full"), stored->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::string("d2"), stored->getValue<std::string>("description"));
        CPPUNIT_ASSERT_EQUAL(std::string("************"), stored->getValue<std::string>("client_secret"));
        CPPUNIT_ASSERT_EQUAL(std::string("http://localhost:8013/api/ https://example.org/"),
                             stored->getValue<std::string>("redirect_uris"));
        CPPUNIT_ASSERT(stored->getValue<bool>("skip_authorization"));
        CPPUNIT_ASSERT_EQUAL(organization(), stored->getValue<long long>("organization"));
    }

    void testPutRequiresNameClientTypeAndOrganization() {
        const long long id = ApiSteps::createApplicationId(api(), organization(), "keep");
        const FcgiResponse before = api().get(ApiSteps::applicationPath(id));
        APPREG_ASSERT_RESPONSE(
            400,
            R"({"name": ["This field is required."], "client_type": ["This field is required."],
                "organization": ["This field is required."]})",
            api().send("PUT", ApiSteps::applicationPath(id), "{}"));
        // authorization_grant_type is read-only on update, so giving it does not count.
        APPREG_ASSERT_RESPONSE(
            400,
            R"({"client_type": ["This field is required."], "organization": ["This field is required."]})",
            api().send("PUT", ApiSteps::applicationPath(id),
                       R"({"name": "x", "authorization_grant_type": "password"})"));
        APPREG_ASSERT_RESPONSE(400, R"({"organization": ["This field may not be null."]})",
                               api().send("PUT", ApiSteps::applicationPath(id),
                                          R"({"name": "x", "client_type": "public", "organization": null})"));
        // Nothing changed.
        APPREG_ASSERT_JSON(before.body, api().get(ApiSteps::applicationPath(id)).body);
    }

    void testPatchIsPartial() {
        const auto created = ApiSteps::createApplication(api(), organization(), "patched",
                                                         {{"description", R"("keep me")"},
                                                          {"skip_authorization", "true"},
                                                          {"redirect_uris", R"("https://example.com/cb")"}});
        const long long id = created->getValue<long long>("id");
        const FcgiResponse response =
            api().send("PATCH", ApiSteps::applicationPath(id), R"({"name": "renamed"})");
        APPREG_ASSERT_STATUS(200, response);
        const auto updated = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(std::string("renamed"), updated->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(std::string("keep me"), updated->getValue<std::string>("description"));
        CPPUNIT_ASSERT(updated->getValue<bool>("skip_authorization"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://example.com/cb"),
                             updated->getValue<std::string>("redirect_uris"));
        CPPUNIT_ASSERT_EQUAL(std::string("confidential"), updated->getValue<std::string>("client_type"));
        CPPUNIT_ASSERT_EQUAL(std::string("************"), updated->getValue<std::string>("client_secret"));
        CPPUNIT_ASSERT_EQUAL(organization(), updated->getValue<long long>("organization"));
        APPREG_ASSERT_JSON(response.body, api().get(ApiSteps::applicationPath(id)).body);

        // An empty PATCH changes nothing but is fine.
        const FcgiResponse empty = api().send("PATCH", ApiSteps::applicationPath(id), "{}");
        APPREG_ASSERT_STATUS(200, empty);
        CPPUNIT_ASSERT_EQUAL(std::string("renamed"),
                             JsonAssert::parseObject(empty.body)->getValue<std::string>("name"));

        // null for description and skip_authorization means their defaults (docs/decisions.md).
        const FcgiResponse nulls = api().send("PATCH", ApiSteps::applicationPath(id),
                                              R"({"description": null, "skip_authorization": null})");
        APPREG_ASSERT_STATUS(200, nulls);
        const auto reset = JsonAssert::parseObject(nulls.body);
        CPPUNIT_ASSERT_EQUAL(std::string(""), reset->getValue<std::string>("description"));
        CPPUNIT_ASSERT(!reset->getValue<bool>("skip_authorization"));
    }

    void testPatchValidatesTheFieldsSent() {
        const long long id = ApiSteps::createApplicationId(api(), organization(), "valid");
        const FcgiResponse before = api().get(ApiSteps::applicationPath(id));
        APPREG_ASSERT_RESPONSE(400, R"({"client_type": ["\"x\" is not a valid choice."]})",
                               api().send("PATCH", ApiSteps::applicationPath(id), R"({"client_type": "x"})"));
        APPREG_ASSERT_RESPONSE(400, R"({"organization": ["Invalid pk \"99\" - object does not exist."]})",
                               api().send("PATCH", ApiSteps::applicationPath(id), R"({"organization": 99})"));
        APPREG_ASSERT_RESPONSE(
            400, R"({"skip_authorization": ["Must be a valid boolean."]})",
            api().send("PATCH", ApiSteps::applicationPath(id), R"({"skip_authorization": "abc"})"));
        APPREG_ASSERT_RESPONSE(
            400, R"({"__all__": ["Unauthorized redirect scheme: ftp"]})",
            api().send("PATCH", ApiSteps::applicationPath(id), R"({"redirect_uris": "ftp://example.com/"})"));
        APPREG_ASSERT_RESPONSE(
            400,
            R"({"name": ["Ensure this field has no more than 255 characters."], "client_type": ["\"x\" is not a valid choice."]})",
            api().send(
                "PATCH", ApiSteps::applicationPath(id),
                "{\"client_type\": \"x\", \"name\": " + JsonAssert::quote(std::string(256, 'n')) + "}"));
        APPREG_ASSERT_JSON(before.body, api().get(ApiSteps::applicationPath(id)).body);
    }

    void testGrantTypeIsIgnoredOnUpdate() {
        const long long id = ApiSteps::createApplicationId(api(), organization(), "grant");
        const std::string path = ApiSteps::applicationPath(id);
        for (const char* value : {R"("authorization-code")", R"("junk")", "5", "null"}) {
            const FcgiResponse response =
                api().send("PATCH", path, std::string(R"({"authorization_grant_type": )") + value + "}");
            APPREG_ASSERT_STATUS(200, response);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                value, std::string("password"),
                JsonAssert::parseObject(response.body)->getValue<std::string>("authorization_grant_type"));
        }
        const FcgiResponse put = api().send(
            "PUT", path,
            R"({"name": "grant", "client_type": "confidential", "authorization_grant_type": "authorization-code",
                "organization": )" +
                std::to_string(organization()) + "}");
        APPREG_ASSERT_STATUS(200, put);
        CPPUNIT_ASSERT_EQUAL(
            std::string("password"),
            JsonAssert::parseObject(put.body)->getValue<std::string>("authorization_grant_type"));
        CPPUNIT_ASSERT_EQUAL(std::string("password"),
                             ApiSteps::getOk(api(), path)->getValue<std::string>("authorization_grant_type"));
    }

    void testClientIdAndSecretWritesAreIgnored() {
        const auto created = ApiSteps::createApplication(api(), organization(), "creds");
        const long long id = created->getValue<long long>("id");
        const std::string secret = created->getValue<std::string>("client_secret");
        const std::string digestSql =
            "SELECT client_secret_hash FROM applications WHERE id = " + std::to_string(id);
        const std::string digestBefore = ApiSteps::queryText(database().path(), digestSql);
        const FcgiResponse response = api().send(
            "PATCH", ApiSteps::applicationPath(id),
            R"({"client_id": "mine", "client_secret": "mysecret", "id": 77, "created": "2001-01-01T00:00:00Z"})");
        APPREG_ASSERT_STATUS(200, response);
        const auto body = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(id, body->getValue<long long>("id"));
        CPPUNIT_ASSERT_EQUAL(created->getValue<std::string>("client_id"),
                             body->getValue<std::string>("client_id"));
        CPPUNIT_ASSERT_EQUAL(std::string("************"), body->getValue<std::string>("client_secret"));
        CPPUNIT_ASSERT_EQUAL(created->getValue<std::string>("created"),
                             body->getValue<std::string>("created"));
        APPREG_ASSERT_RESPONSE(404, kNoApplication, api().get(ApiSteps::applicationPath(77)));

        // The stored digest is untouched and still the one of the secret the 201 showed
        // (sha256$<salt>$<hex SHA-256 of salt+secret>, docs/decisions.md).
        const std::string digest = ApiSteps::queryText(database().path(), digestSql);
        CPPUNIT_ASSERT_EQUAL(digestBefore, digest);
        const std::size_t dollar = digest.find('$', 7);
        CPPUNIT_ASSERT_MESSAGE(digest, digest.rfind("sha256$", 0) == 0 && dollar != std::string::npos);
        const std::string salt = digest.substr(7, dollar - 7);
        CPPUNIT_ASSERT_EQUAL(ApiSteps::sha256Hex(salt + secret), digest.substr(dollar + 1));
        // Neither the real secret nor the attempted one is on disk in clear.
        const std::string raw = database().rawBytes();
        CPPUNIT_ASSERT(raw.find(secret) == std::string::npos);
        CPPUNIT_ASSERT(raw.find("mysecret") == std::string::npos);
    }

    void testSwitchingClientTypeSwitchesTheSecret() {
        const long long id = ApiSteps::createApplicationId(api(), organization(), "switch");
        const std::string path = ApiSteps::applicationPath(id);
        const FcgiResponse toPublic = api().send("PATCH", path, R"({"client_type": "public"})");
        APPREG_ASSERT_STATUS(200, toPublic);
        const auto publicBody = JsonAssert::parseObject(toPublic.body);
        CPPUNIT_ASSERT_EQUAL(std::string("public"), publicBody->getValue<std::string>("client_type"));
        CPPUNIT_ASSERT_MESSAGE(toPublic.body, !publicBody->has("client_secret"));
        CPPUNIT_ASSERT(!ApiSteps::getOk(api(), path)->has("client_secret"));

        const FcgiResponse back = api().send("PATCH", path, R"({"client_type": "confidential"})");
        APPREG_ASSERT_STATUS(200, back);
        const auto confidentialBody = JsonAssert::parseObject(back.body);
        APPREG_ASSERT_KEYS(
            (std::vector<std::string>{"id", "type", "url", "related", "summary_fields", "created", "modified",
                                      "name", "description", "client_id", "client_secret", "client_type",
                                      "redirect_uris", "authorization_grant_type", "skip_authorization",
                                      "organization"}),
            confidentialBody);
        CPPUNIT_ASSERT_EQUAL(std::string("************"),
                             confidentialBody->getValue<std::string>("client_secret"));
    }

    void testRedirectRuleAppliesToTheMergedObject() {
        const long long id =
            ApiSteps::createApplicationId(api(), organization(), "code",
                                          {{"authorization_grant_type", R"("authorization-code")"},
                                           {"redirect_uris", R"("https://example.com/cb")"}});
        const std::string path = ApiSteps::applicationPath(id);
        const char* const empty =
            R"({"__all__": ["redirect_uris cannot be empty with grant_type authorization-code"]})";
        APPREG_ASSERT_RESPONSE(400, empty, api().send("PATCH", path, R"({"redirect_uris": ""})"));
        APPREG_ASSERT_RESPONSE(400, empty, api().send("PATCH", path, R"({"redirect_uris": "   "})"));
        APPREG_ASSERT_RESPONSE(
            400, empty,
            api().send("PUT", path,
                       R"({"name": "code", "client_type": "public", "redirect_uris": "", "organization": )" +
                           std::to_string(organization()) + "}"));
        CPPUNIT_ASSERT_EQUAL(std::string("https://example.com/cb"),
                             ApiSteps::getOk(api(), path)->getValue<std::string>("redirect_uris"));

        // A password application may blank its URIs.
        const long long password = ApiSteps::createApplicationId(
            api(), organization(), "pw", {{"redirect_uris", R"("https://example.com/cb")"}});
        const FcgiResponse blanked =
            api().send("PATCH", ApiSteps::applicationPath(password), R"({"redirect_uris": ""})");
        APPREG_ASSERT_STATUS(200, blanked);
        CPPUNIT_ASSERT_EQUAL(std::string(""),
                             JsonAssert::parseObject(blanked.body)->getValue<std::string>("redirect_uris"));
    }

    void testUniquenessAppliesToTheMergedObject() {
        const long long other = api().createOrganization("other");
        ApiSteps::createApplication(api(), organization(), "one");
        const long long two = ApiSteps::createApplicationId(api(), organization(), "two");
        const long long elsewhere = ApiSteps::createApplicationId(api(), other, "one");
        const char* const duplicate =
            R"({"__all__": ["Application with this Name and Organization already exists."]})";
        APPREG_ASSERT_RESPONSE(400, duplicate,
                               api().send("PATCH", ApiSteps::applicationPath(two), R"({"name": "one"})"));
        APPREG_ASSERT_RESPONSE(
            400, duplicate,
            api().send("PUT", ApiSteps::applicationPath(two),
                       R"({"name": "one", "client_type": "confidential", "organization": )" +
                           std::to_string(organization()) + "}"));
        // Moving "one" of the other organization into this one collides as well.
        APPREG_ASSERT_RESPONSE(400, duplicate,
                               api().send("PATCH", ApiSteps::applicationPath(elsewhere),
                                          R"({"organization": )" + std::to_string(organization()) + "}"));
        // Both rules at once: the redirect message first, then uniqueness.
        const long long code =
            ApiSteps::createApplicationId(api(), organization(), "code",
                                          {{"authorization_grant_type", R"("authorization-code")"},
                                           {"redirect_uris", R"("https://example.com/cb")"}});
        APPREG_ASSERT_RESPONSE(
            400,
            R"({"__all__": ["redirect_uris cannot be empty with grant_type authorization-code",
                                               "Application with this Name and Organization already exists."]})",
            api().send("PATCH", ApiSteps::applicationPath(code), R"({"name": "one", "redirect_uris": ""})"));
        // Keeping its own name is no collision.
        APPREG_ASSERT_STATUS(200, api().send("PATCH", ApiSteps::applicationPath(two), R"({"name": "two"})"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("two"),
            ApiSteps::getOk(api(), ApiSteps::applicationPath(two))->getValue<std::string>("name"));
    }

    void testRacingRenamesHaveOneWinner() {
        // The merged-object uniqueness check must hold when two PATCHes race for the same new name: the
        // database decides, one wins, the other gets the validation error (never a 500 or two winners).
        constexpr int kRounds = 10;
        for (int round = 0; round < kRounds; ++round) {
            const std::string target = "target-" + std::to_string(round);
            const long long first =
                ApiSteps::createApplicationId(api(), organization(), "first-" + std::to_string(round));
            const long long second =
                ApiSteps::createApplicationId(api(), organization(), "second-" + std::to_string(round));
            const std::string body = "{\"name\": " + JsonAssert::quote(target) + "}";
            std::atomic<int> ready{0};
            std::vector<FcgiResponse> responses(2);
            std::vector<std::thread> threads;
            const long long ids[2] = {first, second};
            for (int i = 0; i < 2; ++i) {
                threads.emplace_back([&, i] {
                    ++ready;
                    while (ready.load() < 2) {
                        std::this_thread::yield();
                    }
                    try {
                        responses[i] = api().send("PATCH", ApiSteps::applicationPath(ids[i]), body);
                    } catch (const std::exception& e) {
                        responses[i].transportError = e.what();
                    }
                });
            }
            for (auto& thread : threads) {
                thread.join();
            }
            int winners = 0;
            for (const FcgiResponse& response : responses) {
                if (response.status == 200) {
                    ++winners;
                } else {
                    APPREG_ASSERT_RESPONSE(
                        400,
                        R"({"__all__": ["Application with this Name and Organization already exists."]})",
                        response);
                }
            }
            CPPUNIT_ASSERT_EQUAL_MESSAGE("round " + std::to_string(round) + ": exactly one rename wins", 1,
                                         winners);
            CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::countOf(api(), "/api/v2/applications/?name=" + target));
        }
    }

    void testMoveToAnotherOrganization() {
        const long long other = api().createOrganization("Other", "elsewhere");
        const long long id = ApiSteps::createApplicationId(api(), organization(), "mover");
        const FcgiResponse response = api().send("PATCH", ApiSteps::applicationPath(id),
                                                 R"({"organization": )" + std::to_string(other) + "}");
        APPREG_ASSERT_STATUS(200, response);
        const auto body = JsonAssert::parseObject(response.body);
        CPPUNIT_ASSERT_EQUAL(other, body->getValue<long long>("organization"));
        CPPUNIT_ASSERT_EQUAL(ApiSteps::organizationPath(other),
                             body->getObject("related")->getValue<std::string>("organization"));
        APPREG_ASSERT_JSON(
            "{\"id\": " + std::to_string(other) + ", \"name\": \"Other\", \"description\": \"elsewhere\"}",
            JsonAssert::toJson(body->getObject("summary_fields")->get("organization")));
        CPPUNIT_ASSERT_EQUAL(
            1LL, ApiSteps::countOf(api(), "/api/v2/applications/?organization=" + std::to_string(other)));
        CPPUNIT_ASSERT_EQUAL(0LL, ApiSteps::countOf(api(), "/api/v2/applications/?organization=" +
                                                               std::to_string(organization())));
        // A numeric string names an organization too.
        const FcgiResponse back =
            api().send("PATCH", ApiSteps::applicationPath(id),
                       "{\"organization\": \"" + std::to_string(organization()) + "\"}");
        APPREG_ASSERT_STATUS(200, back);
        CPPUNIT_ASSERT_EQUAL(organization(),
                             JsonAssert::parseObject(back.body)->getValue<long long>("organization"));
    }

    void testModifiedChangesOnUpdate() {
        const auto created = ApiSteps::createApplication(api(), organization(), "timed");
        const long long id = created->getValue<long long>("id");
        const std::string createdAt = created->getValue<std::string>("created");
        const std::string modifiedAt = created->getValue<std::string>("modified");
        const FcgiResponse patched =
            api().send("PATCH", ApiSteps::applicationPath(id), R"({"description": "x"})");
        APPREG_ASSERT_STATUS(200, patched);
        const auto body = JsonAssert::parseObject(patched.body);
        CPPUNIT_ASSERT_EQUAL(createdAt, body->getValue<std::string>("created"));
        // Same fixed-width UTC format, so the strings order as the instants do.
        CPPUNIT_ASSERT_MESSAGE(modifiedAt + " -> " + body->getValue<std::string>("modified"),
                               body->getValue<std::string>("modified") > modifiedAt);
        CPPUNIT_ASSERT_EQUAL(
            body->getValue<std::string>("modified"),
            ApiSteps::getOk(api(), ApiSteps::applicationPath(id))->getValue<std::string>("modified"));

        // Django's auto_now: even a PATCH that changes nothing moves `modified` (docs/decisions.md).
        const FcgiResponse same =
            api().send("PATCH", ApiSteps::applicationPath(id), R"({"description": "x"})");
        APPREG_ASSERT_STATUS(200, same);
        CPPUNIT_ASSERT(JsonAssert::parseObject(same.body)->getValue<std::string>("modified") >
                       body->getValue<std::string>("modified"));
    }

    void testDeleteRemovesTheApplicationAndItsTokens() {
        const long long id = ApiSteps::createApplicationId(api(), organization(), "doomed");
        const long long keep = ApiSteps::createApplicationId(api(), organization(), "kept");
        const long long token1 = ApiSteps::createToken(api(), id)->getValue<long long>("id");
        const long long token2 = ApiSteps::createToken(api(), id)->getValue<long long>("id");
        const long long keptToken = ApiSteps::createToken(api(), keep)->getValue<long long>("id");

        const FcgiResponse response = api().send("DELETE", ApiSteps::applicationPath(id));
        APPREG_ASSERT_STATUS(204, response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string(), response.body);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(), std::string("204 No Content"), response.statusLine);

        APPREG_ASSERT_RESPONSE(404, kNoApplication, api().get(ApiSteps::applicationPath(id)));
        APPREG_ASSERT_RESPONSE(404, kNoApplication, api().send("DELETE", ApiSteps::applicationPath(id)));
        APPREG_ASSERT_RESPONSE(404, kNoToken, api().get(ApiSteps::tokenPath(token1)));
        APPREG_ASSERT_RESPONSE(404, kNoToken, api().get(ApiSteps::tokenPath(token2)));
        // The other application and its token are untouched.
        APPREG_ASSERT_STATUS(200, api().get(ApiSteps::applicationPath(keep)));
        APPREG_ASSERT_STATUS(200, api().get(ApiSteps::tokenPath(keptToken)));
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::countOf(api(), "/api/v2/tokens/"));
        CPPUNIT_ASSERT_EQUAL(1LL, ApiSteps::countOf(api(), ApiClient::kApplications));
        // Ids are never reused after a delete.
        const long long next = ApiSteps::createApplicationId(api(), organization(), "doomed");
        CPPUNIT_ASSERT(next > keep);
    }

    void testHead() {
        const long long id = ApiSteps::createApplicationId(api(), organization(), "head");
        const FcgiResponse head = api().send("HEAD", ApiSteps::applicationPath(id));
        APPREG_ASSERT_STATUS(200, head);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(head.describe(), std::string(), head.body);
        CPPUNIT_ASSERT_MESSAGE(head.describe(),
                               head.header("Content-Type").rfind("application/json", 0) == 0);
        CPPUNIT_ASSERT_MESSAGE(head.describe(), !head.header("X-API-Request-Id").empty());
        const FcgiResponse missing = api().send("HEAD", ApiSteps::applicationPath(id + 1));
        APPREG_ASSERT_STATUS(404, missing);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(missing.describe(), std::string(), missing.body);
    }

    void testPostOnDetailIs405() {
        const long long id = ApiSteps::createApplicationId(api(), organization(), "no-post");
        const FcgiResponse response =
            api().post(ApiSteps::applicationPath(id), ApiSteps::applicationBody(organization(), "x"));
        APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"POST\" not allowed."})", response);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(response.describe(),
                                     std::string("GET, PUT, PATCH, DELETE, HEAD, OPTIONS"),
                                     response.header("Allow"));
        CPPUNIT_ASSERT_EQUAL(1LL, database().count("applications"));
        // PUT and DELETE on the list are refused the same way.
        const FcgiResponse put = api().send("PUT", ApiClient::kApplications, "{}");
        APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"PUT\" not allowed."})", put);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(put.describe(), std::string("GET, POST, HEAD, OPTIONS"),
                                     put.header("Allow"));
        APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"DELETE\" not allowed."})",
                               api().send("DELETE", ApiClient::kApplications));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ApplicationDetailTest);
