// Each worker thread remembers the list pages it answered until the next commit (cache.list_bytes,
// docs/decisions.md "List responses remembered"). What a client sees must not show it: a list asked for again
// shows every write, through the API or by another process, on whichever thread answers, and a page
// remembered for one caller is never shown to another.

#include "ApiSteps.h"
#include "DatabaseRows.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "UserSteps.h"
#include "WorkerFixture.h"

#include <string>
#include <vector>

using namespace appreg::test;

class RememberedListsTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(RememberedListsTest);
    CPPUNIT_TEST(testListsFollowEveryWriteOnEveryThread);
    CPPUNIT_TEST(testPagesAreTheCallersOwn);
    CPPUNIT_TEST(testPagesAreTheTokenScopesOwn);
    CPPUNIT_TEST_SUITE_END();

    static constexpr int kThreads = 3;
    /// Enough requests that every thread answers some (the acceptor hands connections to any free thread).
    static constexpr int kAsks = 8 * kThreads;
    std::string config_;

protected:
    int workerThreads() const override { return kThreads; }
    void prepare(const TempDir& dir) override { config_ = UserSteps::writeWorkerConfig(dir, extraConfig()); }
    std::vector<std::string> workerArgs() const override { return {"--config", config_}; }
    virtual std::string extraConfig() const { return ""; }

    /// The names on the first page of `uri` as `client` sees it, asked kAsks times: they must agree every
    /// time.
    std::string namesEveryTime(const ApiClient& client, const std::string& uri) {
        std::string first;
        for (int i = 0; i < kAsks; ++i) {
            const FcgiResponse response = client.get(uri);
            APPREG_ASSERT_STATUS(200, response);
            const auto list = JsonAssert::parseObject(response.body);
            const std::string seen = std::to_string(ApiSteps::count(list)) + ": " +
                                     JsonAssert::join(ApiSteps::column(list, "name"));
            if (i == 0) first = seen;
            CPPUNIT_ASSERT_EQUAL_MESSAGE("answer " + std::to_string(i + 1) + " of " + uri, first, seen);
        }
        return first;
    }

public:
    void testListsFollowEveryWriteOnEveryThread() {
        const std::string apps = std::string(ApiClient::kApplications) + "?order_by=name";
        ApiSteps::createApplication(api(), organization(), "alpha");
        CPPUNIT_ASSERT_EQUAL(std::string("1: [alpha]"), namesEveryTime(api(), apps));

        // A create through the API (committed by the worker's writer, not the reading threads' connections).
        const long long beta = ApiSteps::createApplicationId(api(), organization(), "beta");
        CPPUNIT_ASSERT_EQUAL(std::string("2: [alpha, beta]"), namesEveryTime(api(), apps));

        // A change by another process, straight into the database file.
        DatabaseRows(worker().databasePath())
            .query("UPDATE applications SET name = 'gamma' WHERE id = " + std::to_string(beta));
        CPPUNIT_ASSERT_EQUAL(std::string("2: [alpha, gamma]"), namesEveryTime(api(), apps));

        // A delete through the API, and a filtered page and a related list that were remembered before it.
        const std::string filtered = std::string(ApiClient::kApplications) + "?name=gamma";
        const std::string orgApps =
            "/api/v2/organizations/" + std::to_string(organization()) + "/applications/?order_by=name";
        CPPUNIT_ASSERT_EQUAL(std::string("1: [gamma]"), namesEveryTime(api(), filtered));
        CPPUNIT_ASSERT_EQUAL(std::string("2: [alpha, gamma]"), namesEveryTime(api(), orgApps));
        APPREG_ASSERT_STATUS(
            204, api().send("DELETE", std::string(ApiClient::kApplications) + std::to_string(beta) + "/"));
        CPPUNIT_ASSERT_EQUAL(std::string("0: []"), namesEveryTime(api(), filtered));
        CPPUNIT_ASSERT_EQUAL(std::string("1: [alpha]"), namesEveryTime(api(), orgApps));
        CPPUNIT_ASSERT_EQUAL(std::string("1: [alpha]"), namesEveryTime(api(), apps));
    }

    void testPagesAreTheCallersOwn() {
        // The superuser sees both organizations' applications; a member of one sees that one's only, from the
        // same threads, at the same database version, for the same URI.
        const long long other = api().createOrganization("other");
        ApiSteps::createApplication(api(), organization(), "mine");
        ApiSteps::createApplication(api(), other, "theirs");
        const long long member = UserSteps::createUser(api(), "member", "member-password");
        UserSteps::grant(api(), organization(), member, "users");
        const ApiClient memberClient =
            UserSteps::as(worker().socketPath(), UserSteps::basic("member", "member-password"));
        const std::string apps = std::string(ApiClient::kApplications) + "?order_by=name";
        for (int round = 0; round < 2; ++round) {  // each caller's page remembered while the other asks
            CPPUNIT_ASSERT_EQUAL(std::string("2: [mine, theirs]"), namesEveryTime(api(), apps));
            CPPUNIT_ASSERT_EQUAL(std::string("1: [mine]"), namesEveryTime(memberClient, apps));
        }
        // Losing the role is a commit: the member's remembered page goes with it.
        UserSteps::revoke(api(), organization(), member, "users");
        CPPUNIT_ASSERT_EQUAL(std::string("0: []"), namesEveryTime(memberClient, apps));
        // An anonymous client still gets 401, not a page remembered for someone else.
        const ApiClient anonymous = UserSteps::as(worker().socketPath(), std::nullopt);
        for (int i = 0; i < kAsks; ++i) APPREG_ASSERT_STATUS(401, anonymous.get(apps));
    }

    void testPagesAreTheTokenScopesOwn() {
        // One user, two tokens: with a read-scope token the same list says the caller may not edit.
        const long long app = ApiSteps::createApplicationId(api(), organization(), "alpha");
        const ApiClient reader = UserSteps::as(
            worker().socketPath(), UserSteps::bearer(UserSteps::text(
                                       ApiSteps::createToken(api(), app, R"({"scope": "read"})"), "token")));
        const ApiClient writer = UserSteps::as(
            worker().socketPath(), UserSteps::bearer(UserSteps::text(
                                       ApiSteps::createToken(api(), app, R"({"scope": "write"})"), "token")));
        const auto mayEdit = [](const ApiClient& client) {
            const auto list = ApiSteps::getOk(client, ApiClient::kApplications);
            return ApiSteps::results(list)
                ->getObject(0)
                ->getObject("summary_fields")
                ->getObject("user_capabilities")
                ->getValue<bool>("edit");
        };
        for (int i = 0; i < kAsks; ++i) {
            CPPUNIT_ASSERT_MESSAGE("read-scope token, answer " + std::to_string(i + 1), !mayEdit(reader));
            CPPUNIT_ASSERT_MESSAGE("write-scope token, answer " + std::to_string(i + 1), mayEdit(writer));
        }
    }
};

/// The same with the cache off (`cache.list_bytes = 0`): the answers must be identical.
class RememberedListsOffTest : public RememberedListsTest {
    CPPUNIT_TEST_SUB_SUITE(RememberedListsOffTest, RememberedListsTest);
    CPPUNIT_TEST_SUITE_END();

protected:
    std::string extraConfig() const override { return "cache.list_bytes = 0\n"; }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RememberedListsTest);
CPPUNIT_TEST_SUITE_REGISTRATION(RememberedListsOffTest);
