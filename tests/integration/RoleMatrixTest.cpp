// Who may do what (API.md §7, awx-reference.md §3.6, §4.4, §5.1, §7), as a table: seven callers (the
// superuser, a system auditor, the admin of org A, a member of org A, a user of no organization, an anonymous
// client, and a read-scope token of the org admin) against the application, token, organization, user and
// activity-stream routes. Each cell is the status the caller gets; for a list, the exact rows it shows and
// the `user_capabilities` of each. The world is built through the API by the superuser before every test.

#include "ApiSteps.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "TestSuperuser.h"
#include "UserSteps.h"
#include "WorkerFixture.h"

#include <map>
#include <set>

using namespace appreg::test;

namespace {

const char* const kPassword = "matrix-password-4c1d";
const char* const kNotAuthenticated = R"({"detail": "Authentication credentials were not provided."})";
const char* const kForbidden = R"({"detail": "You do not have permission to perform this action."})";

/// The callers of the matrix, in table column order.
enum Who { kSuper, kAuditor, kAdmin, kMember, kStranger, kAnonymous, kReadToken, kWhoCount };

struct Actor {
    std::string name;
    std::optional<std::string> authorization;
};

/// One cell: a caller and what it must get.
struct Cell {
    Who who;
    int status;
};

/// One cell of a list: the status and, for 200, the rows as "<label> <edit><delete>" (1/0) or bare labels.
struct ListCell {
    Who who;
    int status;
    std::vector<std::string> rows;
};

}  // namespace

class RoleMatrixTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(RoleMatrixTest);
    CPPUNIT_TEST(testApplicationReads);
    CPPUNIT_TEST(testApplicationCreate);
    CPPUNIT_TEST(testApplicationChange);
    CPPUNIT_TEST(testApplicationDelete);
    CPPUNIT_TEST(testTokenReads);
    CPPUNIT_TEST(testTokenWrites);
    CPPUNIT_TEST(testOrganizationReads);
    CPPUNIT_TEST(testOrganizationWrites);
    CPPUNIT_TEST(testUsersList);
    CPPUNIT_TEST(testMe);
    CPPUNIT_TEST(testActivityStreamList);
    CPPUNIT_TEST(testPreValidationForNonSuperusers);
    CPPUNIT_TEST(testReadScopeTokenOnlyReads);
    CPPUNIT_TEST(testOptionsOfferWhatTheCallerMayDo);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        WorkerFixture::setUp();
        buildWorld();
    }

    void testApplicationReads() {
        // Default order: organization name, then name. Capabilities: edit and delete for the superuser and
        // the admins of the app's organization, never through a read-scope token.
        checkList("/api/v2/applications/", "name",
                  {{kSuper, 200, {"a-one 11", "a-two 11", "b-one 11"}},
                   {kAuditor, 200, {"a-one 00", "a-two 00", "b-one 00"}},
                   {kAdmin, 200, {"a-one 11", "a-two 11"}},
                   {kMember, 200, {"a-one 00", "a-two 00"}},
                   {kStranger, 200, {}},
                   {kAnonymous, 401, {}},
                   {kReadToken, 200, {"a-one 00", "a-two 00"}}});
        checkDetail(ApiSteps::applicationPath(a1_), "name",
                    {{kSuper, 200, {"a-one 11"}},
                     {kAuditor, 200, {"a-one 00"}},
                     {kAdmin, 200, {"a-one 11"}},
                     {kMember, 200, {"a-one 00"}},
                     {kStranger, 403, {}},
                     {kAnonymous, 401, {}},
                     {kReadToken, 200, {"a-one 00"}}});
        checkDetail(ApiSteps::applicationPath(b1_), "name",
                    {{kSuper, 200, {"b-one 11"}},
                     {kAuditor, 200, {"b-one 00"}},
                     {kAdmin, 403, {}},
                     {kMember, 403, {}},
                     {kStranger, 403, {}},
                     {kAnonymous, 401, {}},
                     {kReadToken, 403, {}}});
        // The applications of one organization: its members see them, others are refused the parent.
        checkList(ApiSteps::organizationPath(orgA_) + "applications/", "name",
                  {{kSuper, 200, {"a-one 11", "a-two 11"}},
                   {kAuditor, 200, {"a-one 00", "a-two 00"}},
                   {kAdmin, 200, {"a-one 11", "a-two 11"}},
                   {kMember, 200, {"a-one 00", "a-two 00"}},
                   {kStranger, 403, {}},
                   {kAnonymous, 401, {}},
                   {kReadToken, 200, {"a-one 00", "a-two 00"}}});
        checkList(ApiSteps::organizationPath(orgB_) + "applications/", "name",
                  {{kSuper, 200, {"b-one 11"}},
                   {kAuditor, 200, {"b-one 00"}},
                   {kAdmin, 403, {}},
                   {kMember, 403, {}},
                   {kStranger, 403, {}},
                   {kAnonymous, 401, {}},
                   {kReadToken, 403, {}}});
        // The history of an application: whoever reads the application.
        const std::string history = ApiSteps::applicationPath(a1_) + "activity_stream/";
        for (const Cell& cell : std::vector<Cell>{{kSuper, 200},
                                                  {kAuditor, 200},
                                                  {kAdmin, 200},
                                                  {kMember, 200},
                                                  {kStranger, 403},
                                                  {kAnonymous, 401},
                                                  {kReadToken, 200}}) {
            expect(cell.who, "GET", history, "", cell.status);
        }
    }

    void testApplicationCreate() {
        for (const auto& [org, orgName] :
             {std::pair{orgA_, std::string("A")}, std::pair{orgB_, std::string("B")}}) {
            const bool inA = org == orgA_;
            const std::vector<Cell> cells = {{kSuper, 201},    {kAuditor, 403},  {kAdmin, inA ? 201 : 403},
                                             {kMember, 403},   {kStranger, 403}, {kAnonymous, 401},
                                             {kReadToken, 403}};
            for (const Cell& cell : cells) {
                const std::string name = "new in " + orgName + " by " + actors_[cell.who].name;
                const std::string body = ApiSteps::applicationBody(org, name);
                const long long before = database().count("applications");
                const FcgiResponse response =
                    expect(cell.who, "POST", "/api/v2/applications/", body, cell.status);
                const std::string what = describeCall(cell.who, "POST", "/api/v2/applications/", body);
                if (cell.status == 201) {
                    const auto created = JsonAssert::parseObject(response.body);
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(what, name, created->getValue<std::string>("name"));
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(what, static_cast<long long>(org),
                                                 created->getValue<long long>("organization"));
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": user_capabilities of the creator",
                                                 std::string("11"), capabilities(created));
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(what, before + 1, database().count("applications"));
                } else {
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": a refused create wrote a row", before,
                                                 database().count("applications"));
                }
            }
        }
    }

    void testApplicationChange() {
        for (const auto& [app, org, label] :
             {std::tuple{a1_, orgA_, std::string("a-one")}, std::tuple{b1_, orgB_, std::string("b-one")}}) {
            const bool inA = org == orgA_;
            const std::vector<Cell> cells = {{kSuper, 200},    {kAuditor, 403},  {kAdmin, inA ? 200 : 403},
                                             {kMember, 403},   {kStranger, 403}, {kAnonymous, 401},
                                             {kReadToken, 403}};
            const std::string path = ApiSteps::applicationPath(app);
            for (const Cell& cell : cells) {
                const std::string by = actors_[cell.who].name;
                const std::string put = ApiSteps::applicationBody(
                    org, label, {{"description", JsonAssert::quote("put by " + by)}});
                const std::string patch = "{\"description\": " + JsonAssert::quote("patched by " + by) + "}";
                for (const auto& [method, body, description] :
                     {std::tuple{std::string("PUT"), put, "put by " + by},
                      std::tuple{std::string("PATCH"), patch, "patched by " + by}}) {
                    const std::string before = superuserView(path);
                    const FcgiResponse response = expect(cell.who, method, path, body, cell.status);
                    const std::string what = describeCall(cell.who, method, path, body);
                    if (cell.status == 200) {
                        const auto changed = JsonAssert::parseObject(response.body);
                        CPPUNIT_ASSERT_EQUAL_MESSAGE(what, description,
                                                     changed->getValue<std::string>("description"));
                        CPPUNIT_ASSERT_EQUAL_MESSAGE(what, std::string("11"), capabilities(changed));
                    } else {
                        CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": a refused change changed the application",
                                                     before, superuserView(path));
                    }
                }
            }
        }
    }

    void testApplicationDelete() {
        for (const auto& [org, orgName] :
             {std::pair{orgA_, std::string("A")}, std::pair{orgB_, std::string("B")}}) {
            const bool inA = org == orgA_;
            const std::vector<Cell> cells = {{kSuper, 204},    {kAuditor, 403},  {kAdmin, inA ? 204 : 403},
                                             {kMember, 403},   {kStranger, 403}, {kAnonymous, 401},
                                             {kReadToken, 403}};
            for (const Cell& cell : cells) {
                // A fresh application for each caller, so that one deletion does not hide the next refusal.
                const long long doomed = ApiSteps::createApplicationId(
                    api(), org, "doomed in " + orgName + " for " + actors_[cell.who].name);
                const std::string path = ApiSteps::applicationPath(doomed);
                expect(cell.who, "DELETE", path, "", cell.status);
                const int after = api().get(path).status;
                CPPUNIT_ASSERT_EQUAL_MESSAGE(
                    describeCall(cell.who, "DELETE", path, "") + ": the superuser's GET afterwards",
                    cell.status == 204 ? 404 : 200, after);
            }
        }
    }

    void testTokenReads() {
        // Tokens: the owner, the superuser and the admins of the app's organization see them; auditors see
        // all.
        checkList("/api/v2/tokens/?order_by=id", "id",
                  {{kSuper, 200,
                    tokenLabels({tSuperA1_, tAdminA1_, tMemberA1_, tSuperB1_, tMemberBB1_, tStranger_, tRead_,
                                 tSuperRead_})},
                   {kAuditor, 200,
                    tokenLabels({tSuperA1_, tAdminA1_, tMemberA1_, tSuperB1_, tMemberBB1_, tStranger_, tRead_,
                                 tSuperRead_})},
                   {kAdmin, 200, tokenLabels({tSuperA1_, tAdminA1_, tMemberA1_, tRead_})},
                   {kMember, 200, tokenLabels({tMemberA1_})},
                   {kStranger, 200, tokenLabels({tStranger_})},
                   {kAnonymous, 401, {}},
                   {kReadToken, 200, tokenLabels({tSuperA1_, tAdminA1_, tMemberA1_, tRead_})}},
                  false);
        checkList(ApiSteps::applicationPath(a1_) + "tokens/?order_by=id", "id",
                  {{kSuper, 200, tokenLabels({tSuperA1_, tAdminA1_, tMemberA1_})},
                   {kAuditor, 200, tokenLabels({tSuperA1_, tAdminA1_, tMemberA1_})},
                   {kAdmin, 200, tokenLabels({tSuperA1_, tAdminA1_, tMemberA1_})},
                   {kMember, 200, tokenLabels({tMemberA1_})},
                   {kStranger, 403, {}},
                   {kAnonymous, 401, {}},
                   {kReadToken, 200, tokenLabels({tSuperA1_, tAdminA1_, tMemberA1_})}},
                  false);
        checkList(ApiSteps::applicationPath(b1_) + "tokens/?order_by=id", "id",
                  {{kSuper, 200, tokenLabels({tSuperB1_, tMemberBB1_})},
                   {kAuditor, 200, tokenLabels({tSuperB1_, tMemberBB1_})},
                   {kAdmin, 403, {}},
                   {kMember, 403, {}},
                   {kStranger, 403, {}},
                   {kAnonymous, 401, {}},
                   {kReadToken, 403, {}}},
                  false);
        for (const auto& [token, cells] : std::vector<std::pair<long long, std::vector<Cell>>>{
                 {tMemberA1_,
                  {{kSuper, 200},
                   {kAuditor, 200},
                   {kAdmin, 200},
                   {kMember, 200},
                   {kStranger, 403},
                   {kAnonymous, 401},
                   {kReadToken, 200}}},
                 {tSuperB1_,
                  {{kSuper, 200},
                   {kAuditor, 200},
                   {kAdmin, 403},
                   {kMember, 403},
                   {kStranger, 403},
                   {kAnonymous, 401},
                   {kReadToken, 403}}},
                 {tStranger_,
                  {{kSuper, 200},
                   {kAuditor, 200},
                   {kAdmin, 403},
                   {kMember, 403},
                   {kStranger, 200},
                   {kAnonymous, 401},
                   {kReadToken, 403}}},
             }) {
            for (const Cell& cell : cells) {
                const std::string path = ApiSteps::tokenPath(token);
                const FcgiResponse response = expect(cell.who, "GET", path, "", cell.status);
                if (cell.status == 200) {
                    const auto body = JsonAssert::parseObject(response.body);
                    const std::string what = describeCall(cell.who, "GET", path, "");
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(what, token, body->getValue<long long>("id"));
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": the token is never shown again",
                                                 std::string("************"),
                                                 body->getValue<std::string>("token"));
                }
            }
        }
    }

    void testTokenWrites() {
        // Change and delete: the owner, the superuser, the admins of the app's organization; not auditors.
        const std::vector<Cell> cells = {{kSuper, 200},    {kAuditor, 403},  {kAdmin, 200},
                                         {kMember, 200},   {kStranger, 403}, {kAnonymous, 401},
                                         {kReadToken, 403}};
        const std::string path = ApiSteps::tokenPath(tMemberA1_);
        for (const Cell& cell : cells) {
            const std::string description = "by " + actors_[cell.who].name;
            const std::string body = "{\"description\": " + JsonAssert::quote(description) + "}";
            const std::string before = superuserView(path);
            const FcgiResponse response = expect(cell.who, "PATCH", path, body, cell.status);
            if (cell.status == 200) {
                CPPUNIT_ASSERT_EQUAL_MESSAGE(
                    describeCall(cell.who, "PATCH", path, body), description,
                    JsonAssert::parseObject(response.body)->getValue<std::string>("description"));
            } else {
                CPPUNIT_ASSERT_EQUAL_MESSAGE(describeCall(cell.who, "PATCH", path, body) + ": changed anyway",
                                             before, superuserView(path));
            }
        }
        for (const Cell& cell : cells) {
            // A fresh token of the member on a-one for each caller.
            const long long doomed = ApiSteps::createToken(as(kMember), a1_, "{\"description\": \"doomed\"}")
                                         ->getValue<long long>("id");
            const std::string doomedPath = ApiSteps::tokenPath(doomed);
            const int status = cell.status == 200 ? 204 : cell.status;
            expect(cell.who, "DELETE", doomedPath, "", status);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                describeCall(cell.who, "DELETE", doomedPath, "") + ": the superuser's GET afterwards",
                status == 204 ? 404 : 200, api().get(doomedPath).status);
        }
        // The stranger changes and deletes their own personal token.
        expect(kStranger, "PATCH", ApiSteps::tokenPath(tStranger_), R"({"description": "mine"})", 200);
        expect(kStranger, "DELETE", ApiSteps::tokenPath(tStranger_), "", 204);
    }

    void testOrganizationReads() {
        checkList("/api/v2/organizations/?order_by=name", "name",
                  {{kSuper, 200, {"Org A 11", "Org B 11"}},
                   {kAuditor, 200, {"Org A 00", "Org B 00"}},
                   {kAdmin, 200, {"Org A 11"}},
                   {kMember, 200, {"Org A 00"}},
                   {kStranger, 200, {}},
                   {kAnonymous, 401, {}},
                   {kReadToken, 200, {"Org A 00"}}});
        checkDetail(ApiSteps::organizationPath(orgA_), "name",
                    {{kSuper, 200, {"Org A 11"}},
                     {kAuditor, 200, {"Org A 00"}},
                     {kAdmin, 200, {"Org A 11"}},
                     {kMember, 200, {"Org A 00"}},
                     {kStranger, 403, {}},
                     {kAnonymous, 401, {}},
                     {kReadToken, 200, {"Org A 00"}}});
        checkDetail(ApiSteps::organizationPath(orgB_), "name",
                    {{kSuper, 200, {"Org B 11"}},
                     {kAuditor, 200, {"Org B 00"}},
                     {kAdmin, 403, {}},
                     {kMember, 403, {}},
                     {kStranger, 403, {}},
                     {kAnonymous, 401, {}},
                     {kReadToken, 403, {}}});
        // Its members and admins, for those who read the organization.
        checkList(ApiSteps::organizationPath(orgA_) + "users/?order_by=username", "username",
                  {{kSuper, 200, {"member"}},
                   {kAuditor, 200, {"member"}},
                   {kAdmin, 200, {"member"}},
                   {kMember, 200, {"member"}},
                   {kStranger, 403, {}},
                   {kAnonymous, 401, {}},
                   {kReadToken, 200, {"member"}}},
                  false);
        checkList(ApiSteps::organizationPath(orgA_) + "admins/?order_by=username", "username",
                  {{kSuper, 200, {"orgadmin"}},
                   {kAuditor, 200, {"orgadmin"}},
                   {kAdmin, 200, {"orgadmin"}},
                   {kMember, 200, {"orgadmin"}},
                   {kStranger, 403, {}},
                   {kAnonymous, 401, {}},
                   {kReadToken, 200, {"orgadmin"}}},
                  false);
    }

    void testOrganizationWrites() {
        // Create: superusers only.
        for (const Cell& cell : std::vector<Cell>{{kSuper, 201},
                                                  {kAuditor, 403},
                                                  {kAdmin, 403},
                                                  {kMember, 403},
                                                  {kStranger, 403},
                                                  {kAnonymous, 401},
                                                  {kReadToken, 403}}) {
            const std::string body =
                "{\"name\": " + JsonAssert::quote("org by " + actors_[cell.who].name) + "}";
            const long long before = database().count("organizations");
            expect(cell.who, "POST", "/api/v2/organizations/", body, cell.status);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(describeCall(cell.who, "POST", "/api/v2/organizations/", body),
                                         before + (cell.status == 201 ? 1 : 0),
                                         database().count("organizations"));
        }
        // Change: the superuser and the organization's admins.
        for (const auto& [org, name] :
             {std::pair{orgA_, std::string("Org A")}, std::pair{orgB_, std::string("Org B")}}) {
            const bool inA = org == orgA_;
            const std::string path = ApiSteps::organizationPath(org);
            for (const Cell& cell : std::vector<Cell>{{kSuper, 200},
                                                      {kAuditor, 403},
                                                      {kAdmin, inA ? 200 : 403},
                                                      {kMember, 403},
                                                      {kStranger, 403},
                                                      {kAnonymous, 401},
                                                      {kReadToken, 403}}) {
                const std::string by = actors_[cell.who].name;
                for (const auto& [method, body, description] :
                     {std::tuple{std::string("PATCH"),
                                 "{\"description\": " + JsonAssert::quote("patched by " + by) + "}",
                                 "patched by " + by},
                      std::tuple{std::string("PUT"),
                                 "{\"name\": " + JsonAssert::quote(name) +
                                     ", \"description\": " + JsonAssert::quote("put by " + by) + "}",
                                 "put by " + by}}) {
                    const std::string before = superuserView(path);
                    const FcgiResponse response = expect(cell.who, method, path, body, cell.status);
                    const std::string what = describeCall(cell.who, method, path, body);
                    if (cell.status == 200) {
                        const auto changed = JsonAssert::parseObject(response.body);
                        CPPUNIT_ASSERT_EQUAL_MESSAGE(what, description,
                                                     changed->getValue<std::string>("description"));
                        CPPUNIT_ASSERT_EQUAL_MESSAGE(what, std::string("11"), capabilities(changed));
                    } else {
                        CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": changed anyway", before, superuserView(path));
                    }
                }
            }
        }
        // Delete: a fresh organization per caller, administered by the org admin with the member as a member
        // (as org A), or with the member of B only (as org B).
        for (const bool likeA : {true, false}) {
            for (const Cell& cell : std::vector<Cell>{{kSuper, 204},
                                                      {kAuditor, 403},
                                                      {kAdmin, likeA ? 204 : 403},
                                                      {kMember, 403},
                                                      {kStranger, 403},
                                                      {kAnonymous, 401},
                                                      {kReadToken, 403}}) {
                const long long doomed = api().createOrganization(
                    std::string("doomed ") + (likeA ? "A" : "B") + " for " + actors_[cell.who].name);
                if (likeA) {
                    UserSteps::grant(api(), doomed, orgAdminId_, "admins");
                    UserSteps::grant(api(), doomed, memberId_, "users");
                } else {
                    UserSteps::grant(api(), doomed, memberBId_, "users");
                }
                const long long app = ApiSteps::createApplicationId(api(), doomed, "app of a doomed org");
                const std::string path = ApiSteps::organizationPath(doomed);
                expect(cell.who, "DELETE", path, "", cell.status);
                const bool gone = cell.status == 204;
                CPPUNIT_ASSERT_EQUAL_MESSAGE(
                    describeCall(cell.who, "DELETE", path, "") + ": the organization afterwards",
                    gone ? 404 : 200, api().get(path).status);
                CPPUNIT_ASSERT_EQUAL_MESSAGE(
                    describeCall(cell.who, "DELETE", path, "") + ": its application afterwards",
                    gone ? 404 : 200, api().get(ApiSteps::applicationPath(app)).status);
            }
        }
    }

    void testUsersList() {
        // AWX's UserAccess with ORG_ADMINS_CAN_SEE_ALL_USERS: superusers, auditors and organization admins
        // see everyone; the others see themselves, the superusers and the users of their organizations.
        // Capabilities: the superuser changes everyone and deletes everyone else; an org admin changes the
        // plain users all of whose organizations they administer, and deletes those and users without any
        // organization; everyone changes (not deletes) themself; nothing through a read-scope token.
        checkList("/api/v2/users/?order_by=id", "username",
                  {{kSuper,
                    200,
                    {"admin 10", "auditor 11", "orgadmin 11", "member 11", "stranger 11", "memberb 11"}},
                   {kAuditor,
                    200,
                    {"admin 00", "auditor 10", "orgadmin 00", "member 00", "stranger 00", "memberb 00"}},
                   {kAdmin,
                    200,
                    {"admin 00", "auditor 00", "orgadmin 10", "member 11", "stranger 01", "memberb 00"}},
                   {kMember, 200, {"admin 00", "orgadmin 00", "member 10"}},
                   {kStranger, 200, {"admin 00", "stranger 10"}},
                   {kAnonymous, 401, {}},
                   {kReadToken,
                    200,
                    {"admin 00", "auditor 00", "orgadmin 00", "member 00", "stranger 00", "memberb 00"}}});
        checkDetail("/api/v2/users/" + std::to_string(memberId_) + "/", "username",
                    {{kSuper, 200, {"member 11"}},
                     {kAuditor, 200, {"member 00"}},
                     {kAdmin, 200, {"member 11"}},
                     {kMember, 200, {"member 10"}},
                     {kStranger, 403, {}},
                     {kAnonymous, 401, {}},
                     {kReadToken, 200, {"member 00"}}});
        checkDetail("/api/v2/users/" + std::to_string(memberBId_) + "/", "username",
                    {{kSuper, 200, {"memberb 11"}},
                     {kAuditor, 200, {"memberb 00"}},
                     {kAdmin, 200, {"memberb 00"}},
                     {kMember, 403, {}},
                     {kStranger, 403, {}},
                     {kAnonymous, 401, {}},
                     {kReadToken, 200, {"memberb 00"}}});
    }

    void testMe() {
        checkList("/api/v2/me/", "username",
                  {{kSuper, 200, {"admin"}},
                   {kAuditor, 200, {"auditor"}},
                   {kAdmin, 200, {"orgadmin"}},
                   {kMember, 200, {"member"}},
                   {kStranger, 200, {"stranger"}},
                   {kAnonymous, 401, {}},
                   {kReadToken, 200, {"orgadmin"}}},
                  false);
    }

    void testActivityStreamList() {
        // Everything the superuser sees, then for each caller the entries appreg's rules let through:
        // superusers and auditors all; the others no deletions, and only the creates and updates of the
        // applications of their organizations, of the organizations they administer, of the tokens they own
        // or administer, of themselves and of the users of the organizations they administer.
        const auto all = ApiSteps::getOk(api(), "/api/v2/activity_stream/?order_by=id&page_size=200");
        const auto results = ApiSteps::results(all);
        CPPUNIT_ASSERT_MESSAGE("the world fits in one page",
                               ApiSteps::count(all) == static_cast<long long>(results->size()));

        struct Scope {
            std::set<long long> applications, organizations, tokens, users;
        };
        const Scope adminScope{
            {a1_, a2_}, {orgA_}, {tSuperA1_, tAdminA1_, tMemberA1_, tRead_}, {orgAdminId_, memberId_}};
        const std::map<Who, Scope> scopes = {
            {kAdmin, adminScope},
            {kReadToken, adminScope},
            {kMember, {{a1_, a2_}, {}, {tMemberA1_}, {memberId_}}},
            {kStranger, {{}, {}, {tStranger_}, {strangerId_}}},
        };
        auto expectedFor = [&](Who who) {
            std::vector<std::string> ids;
            for (std::size_t i = 0; i < results->size(); ++i) {
                const auto entry = results->getObject(static_cast<unsigned>(i));
                const std::string id = std::to_string(entry->getValue<long long>("id"));
                if (who == kSuper || who == kAuditor) {
                    ids.push_back(id);
                    continue;
                }
                const Scope& s = scopes.at(who);
                if (entry->getValue<std::string>("operation") == "delete") continue;
                const std::string object1 = entry->getValue<std::string>("object1");
                const long long objectId = objectIdOf(entry);
                const bool visible = (object1 == "o_auth2_application" && s.applications.count(objectId)) ||
                                     (object1 == "organization" && s.organizations.count(objectId)) ||
                                     (object1 == "o_auth2_access_token" && s.tokens.count(objectId)) ||
                                     (object1 == "user" && s.users.count(objectId));
                if (visible) ids.push_back(id);
            }
            return ids;
        };
        std::vector<ListCell> cells;
        for (Who who : {kSuper, kAuditor, kAdmin, kMember, kStranger, kReadToken}) {
            cells.push_back({who, 200, expectedFor(who)});
        }
        cells.push_back({kAnonymous, 401, {}});
        // The world has entries of every kind for the member to see and not to see.
        CPPUNIT_ASSERT(!cells[kMember].rows.empty() &&
                       cells[kMember].rows.size() < cells[kSuper].rows.size());
        checkList("/api/v2/activity_stream/?order_by=id&page_size=200", "id", cells, false);
    }

    void testPreValidationForNonSuperusers() {
        // awx-reference.md §3.6: before validation, a non-superuser's `organization` must be a pk of an
        // existing organization they administer.
        const std::string path = "/api/v2/applications/";
        const std::string valid = ApiSteps::applicationBody(orgA_, "prevalidated");
        const long long before = database().count("applications");
        const std::vector<std::tuple<Who, std::string, int, std::string>> cases = {
            {kAdmin, JsonAssert::with(valid, "organization", R"("abc")"), 400,
             R"({"detail": "Bad data found in related field organization."})"},
            {kAdmin, JsonAssert::with(valid, "organization", "[]"), 400,
             R"({"detail": "Bad data found in related field organization."})"},
            {kAdmin, JsonAssert::with(valid, "organization", "99999"), 400,
             R"({"detail": "Organization matching query does not exist."})"},
            {kAdmin, JsonAssert::with(valid, "organization", R"("99999")"), 400,
             R"({"detail": "Organization matching query does not exist."})"},
            {kAdmin, JsonAssert::without(valid, "organization"), 403, kForbidden},
            {kAdmin, JsonAssert::with(valid, "organization", "null"), 403, kForbidden},
            {kAdmin, JsonAssert::with(valid, "organization", std::to_string(orgB_)), 403, kForbidden},
            // The empty body passes the check for someone who administers an organization, then fails
            // validation.
            {kAdmin, "{}", 400,
             R"({"name": ["This field is required."], "client_type": ["This field is required."],
                 "authorization_grant_type": ["This field is required."],
                 "organization": ["This field is required."]})"},
            // The member administers nothing: even the empty body is refused.
            {kMember, "{}", 403, kForbidden},
            {kMember, valid, 403, kForbidden},
            {kMember, JsonAssert::with(valid, "organization", R"("abc")"), 400,
             R"({"detail": "Bad data found in related field organization."})"},
            {kStranger, "{}", 403, kForbidden},
            {kAuditor, "{}", 403, kForbidden},
        };
        for (const auto& [who, body, status, expected] : cases) {
            const FcgiResponse response = expect(who, "POST", path, body, status);
            APPREG_ASSERT_JSON_MESSAGE(describeCall(who, "POST", path, body), expected, response.body);
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE("a refused create wrote a row", before,
                                     database().count("applications"));
        // A numeric string names the organization as well as a number.
        const FcgiResponse created =
            expect(kAdmin, "POST", path,
                   JsonAssert::with(valid, "organization", JsonAssert::quote(std::to_string(orgA_))), 201);
        CPPUNIT_ASSERT_EQUAL(static_cast<long long>(orgA_),
                             JsonAssert::parseObject(created.body)->getValue<long long>("organization"));
        // The same checks on a change that names an organization (can_change).
        const std::string a1 = ApiSteps::applicationPath(a1_);
        const std::string unchanged = superuserView(a1);
        for (const auto& [body, status, expected] : std::vector<std::tuple<std::string, int, std::string>>{
                 {R"({"organization": "abc"})", 400,
                  R"({"detail": "Bad data found in related field organization."})"},
                 {R"({"organization": 99999})", 400,
                  R"({"detail": "Organization matching query does not exist."})"},
                 {"{\"organization\": " + std::to_string(orgB_) + "}", 403, kForbidden},
                 {R"({"organization": null})", 403, kForbidden},
             }) {
            const FcgiResponse response = expect(kAdmin, "PATCH", a1, body, status);
            APPREG_ASSERT_JSON_MESSAGE(describeCall(kAdmin, "PATCH", a1, body), expected, response.body);
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE("a refused PATCH changed a-one", unchanged, superuserView(a1));
        // Through the organization's own list the organization comes from the URL.
        expect(kAdmin, "POST", ApiSteps::organizationPath(orgA_) + "applications/",
               R"({"name": "via org A", "client_type": "public", "authorization_grant_type": "password"})",
               201);
        expect(kAdmin, "POST", ApiSteps::organizationPath(orgB_) + "applications/",
               R"({"name": "via org B", "client_type": "public", "authorization_grant_type": "password"})",
               403);
        // The superuser skips the check: the serializer's own messages.
        APPREG_ASSERT_RESPONSE(400,
                               R"({"organization": ["Incorrect type. Expected pk value, received str."]})",
                               api().post(path, JsonAssert::with(valid, "organization", R"("abc")")));
    }

    void testReadScopeTokenOnlyReads() {
        // GET, HEAD and OPTIONS work with a read-scope token; every other method is 403 before anything else,
        // for the org admin's token and for a superuser's.
        for (const auto& [who, bearer] :
             {std::pair{std::string("orgadmin (read token)"), actors_[kReadToken].authorization},
              std::pair{std::string("admin (read token)"),
                        std::optional<std::string>(UserSteps::bearer(superReadToken_))}}) {
            const ApiClient client = UserSteps::as(worker().socketPath(), bearer);
            for (const std::string& path :
                 {std::string("/api/v2/applications/"), ApiSteps::applicationPath(a1_),
                  std::string("/api/v2/tokens/"), std::string("/api/v2/organizations/"),
                  ApiSteps::organizationPath(orgA_), std::string("/api/v2/users/"),
                  std::string("/api/v2/me/"), std::string("/api/v2/activity_stream/")}) {
                for (const char* method : {"GET", "HEAD", "OPTIONS"}) {
                    const FcgiResponse response = client.send(method, path);
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(
                        who + ": " + method + " " + path + ": " + response.describe(), 200, response.status);
                }
            }
            const long long applications = database().count("applications");
            const long long organizations = database().count("organizations");
            const long long tokens = database().count("tokens");
            const long long users = database().count("users");
            const std::string a1 = ApiSteps::applicationPath(a1_);
            const std::string a1Before = superuserView(a1);
            const std::vector<std::tuple<std::string, std::string, std::string>> writes = {
                {"POST", "/api/v2/applications/", ApiSteps::applicationBody(orgA_, "by read token")},
                {"PUT", a1, ApiSteps::applicationBody(orgA_, "a-one", {{"description", R"("read token")"}})},
                {"PATCH", a1, R"({"description": "read token"})"},
                {"DELETE", a1, ""},
                {"POST", a1 + "tokens/", "{}"},
                {"POST", "/api/v2/tokens/", R"({"scope": "write"})"},
                {"PATCH", ApiSteps::tokenPath(tRead_), R"({"description": "read token"})"},
                {"DELETE", ApiSteps::tokenPath(tRead_), ""},
                {"DELETE", ApiSteps::tokenPath(tSuperRead_), ""},
                {"POST", "/api/v2/organizations/", R"({"name": "by read token"})"},
                {"PATCH", ApiSteps::organizationPath(orgA_), R"({"description": "read token"})"},
                {"DELETE", ApiSteps::organizationPath(orgA_), ""},
                {"POST", ApiSteps::organizationPath(orgA_) + "users/",
                 "{\"id\": " + std::to_string(strangerId_) + "}"},
                {"POST", "/api/v2/users/", R"({"username": "by-read-token", "password": "pw"})"},
                {"PATCH", "/api/v2/users/" + std::to_string(orgAdminId_) + "/", R"({"first_name": "Read"})"},
                {"DELETE", "/api/v2/users/" + std::to_string(memberId_) + "/", ""},
            };
            for (const auto& [method, path, body] : writes) {
                const FcgiResponse response = client.send(method, path, body);
                const std::string what = who + ": " + method + " " + path + " " + body;
                CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": " + response.describe(), 403, response.status);
                APPREG_ASSERT_JSON_MESSAGE(what, kForbidden, response.body);
            }
            CPPUNIT_ASSERT_EQUAL(applications, database().count("applications"));
            CPPUNIT_ASSERT_EQUAL(organizations, database().count("organizations"));
            CPPUNIT_ASSERT_EQUAL(tokens, database().count("tokens"));
            CPPUNIT_ASSERT_EQUAL(users, database().count("users"));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(who + " changed a-one", a1Before, superuserView(a1));
        }
        // A write-scope token of the same org admin acts with the admin's rights.
        const std::string write =
            ApiSteps::expect(as(kAdmin).post("/api/v2/tokens/", R"({"scope": "write"})"), 201,
                             "POST /api/v2/tokens/ as orgadmin")
                ->getValue<std::string>("token");
        const ApiClient writer = UserSteps::as(worker().socketPath(), UserSteps::bearer(write));
        APPREG_ASSERT_STATUS(
            201, writer.post("/api/v2/applications/", ApiSteps::applicationBody(orgA_, "by write token")));
        APPREG_ASSERT_STATUS(
            403, writer.post("/api/v2/applications/", ApiSteps::applicationBody(orgB_, "by write token")));
    }

    void testOptionsOfferWhatTheCallerMayDo() {
        // AWX lists POST or PUT under OPTIONS' `actions` only when the caller may do it (awx-reference.md
        // §4.5). For every caller and writable view: the action is offered exactly when the request itself,
        // with an empty body, is not refused (401, 403, 404), i.e. it reaches validation (400) or succeeds.
        const std::string users = "/api/v2/users/";
        const std::vector<std::pair<std::string, std::string>> views = {
            {"POST", "/api/v2/applications/"},
            {"PUT", ApiSteps::applicationPath(a1_)},
            {"PUT", ApiSteps::applicationPath(b1_)},
            {"POST", ApiSteps::applicationPath(a1_) + "tokens/"},
            {"POST", ApiSteps::applicationPath(b1_) + "tokens/"},
            {"POST", "/api/v2/organizations/"},
            {"PUT", ApiSteps::organizationPath(orgA_)},
            {"PUT", ApiSteps::organizationPath(orgB_)},
            {"POST", ApiSteps::organizationPath(orgA_) + "applications/"},
            {"POST", ApiSteps::organizationPath(orgB_) + "applications/"},
            {"POST", "/api/v2/tokens/"},
            {"PUT", ApiSteps::tokenPath(tMemberA1_)},
            {"PUT", ApiSteps::tokenPath(tSuperA1_)},
            {"POST", users},
            {"PUT", users + std::to_string(memberId_) + "/"},
            {"PUT", users + std::to_string(strangerId_) + "/"},
        };
        std::string table;  // who was offered what, for the anchors below
        for (int w = 0; w < kWhoCount; ++w) {
            const Who who = static_cast<Who>(w);
            for (const auto& [method, path] : views) {
                const std::string what = describeCall(who, "OPTIONS", path, "");
                const FcgiResponse options = as(who).send("OPTIONS", path);
                if (who == kAnonymous) {
                    APPREG_ASSERT_STATUS(401, options);
                    continue;
                }
                APPREG_ASSERT_STATUS(200, options);  // also for an object the caller cannot see (DRF)
                const auto actions = JsonAssert::parseObject(options.body)->getObject("actions");
                CPPUNIT_ASSERT_MESSAGE(what + ": " + options.body, actions && actions->has("GET"));
                const bool offered = actions->has(method);
                const FcgiResponse done = as(who).send(method, path, "{}");
                const bool allowed = done.status != 401 && done.status != 403 && done.status != 404;
                CPPUNIT_ASSERT_EQUAL_MESSAGE(
                    what + " offers " + method + " (" + method + " answered " + done.describe() + ")",
                    allowed, offered);
                table += offered ? '1' : '0';
            }
            table += ' ';
        }
        // The anchors, one row per caller, one digit per view above (in order): the superuser everything; the
        // auditor tokens of what they read and personal ones; the admin of A what touches A (its
        // applications, their tokens, the organization, its members), personal tokens and new users; the
        // member of A tokens of A's applications, a personal token, their own token and themselves; the
        // stranger a personal token and themselves; a read-scope token nothing.
        CPPUNIT_ASSERT_EQUAL(std::string("1111111111111111 "    // superuser
                                         "0001100000100000 "    // auditor
                                         "1101001010111110 "    // admin of A
                                         "0001000000110010 "    // member of A
                                         "0000000000100001 "    // stranger
                                         " "                    // anonymous: 401 (checked above)
                                         "0000000000000000 "),  // read-scope token of the admin of A
                             table);
    }

protected:
    void prepare(const TempDir& dir) override { config_ = UserSteps::writeWorkerConfig(dir); }
    std::vector<std::string> workerArgs() const override { return {"--config", config_}; }

private:
    void buildWorld() {
        orgA_ = api().createOrganization("Org A");
        orgB_ = api().createOrganization("Org B");
        UserSteps::createUser(api(), "auditor", kPassword, {{"is_system_auditor", "true"}});
        orgAdminId_ = UserSteps::createUser(api(), "orgadmin", kPassword);
        memberId_ = UserSteps::createUser(api(), "member", kPassword);
        strangerId_ = UserSteps::createUser(api(), "stranger", kPassword);
        memberBId_ = UserSteps::createUser(api(), "memberb", kPassword);
        UserSteps::grant(api(), orgA_, orgAdminId_, "admins");
        UserSteps::grant(api(), orgA_, memberId_, "users");
        UserSteps::grant(api(), orgB_, memberBId_, "users");

        a1_ = ApiSteps::createApplicationId(api(), orgA_, "a-one");
        a2_ = ApiSteps::createApplicationId(api(), orgA_, "a-two");
        b1_ = ApiSteps::createApplicationId(api(), orgB_, "b-one");

        actors_.assign(kWhoCount, Actor{});
        actors_[kSuper] = {"admin", TestSuperuser::authorization()};
        actors_[kAuditor] = {"auditor", UserSteps::basic("auditor", kPassword)};
        actors_[kAdmin] = {"orgadmin", UserSteps::basic("orgadmin", kPassword)};
        actors_[kMember] = {"member", UserSteps::basic("member", kPassword)};
        actors_[kStranger] = {"stranger", UserSteps::basic("stranger", kPassword)};
        actors_[kAnonymous] = {"anonymous", std::nullopt};

        auto tokenId = [](const Poco::JSON::Object::Ptr& token) { return token->getValue<long long>("id"); };
        tSuperA1_ = tokenId(ApiSteps::createToken(api(), a1_));
        tAdminA1_ = tokenId(ApiSteps::createToken(as(kAdmin), a1_));
        tMemberA1_ = tokenId(ApiSteps::createToken(as(kMember), a1_));
        tSuperB1_ = tokenId(ApiSteps::createToken(api(), b1_));
        tMemberBB1_ = tokenId(ApiSteps::createToken(
            UserSteps::as(worker().socketPath(), UserSteps::basic("memberb", kPassword)), b1_));
        tStranger_ = tokenId(ApiSteps::expect(as(kStranger).post("/api/v2/tokens/", "{}"), 201,
                                              "POST /api/v2/tokens/ as stranger"));
        const auto read = ApiSteps::expect(as(kAdmin).post("/api/v2/tokens/", R"({"scope": "read"})"), 201,
                                           "POST /api/v2/tokens/ as orgadmin");
        tRead_ = tokenId(read);
        actors_[kReadToken] = {"orgadmin (read-scope token)",
                               UserSteps::bearer(UserSteps::text(read, "token"))};
        const auto superRead = ApiSteps::expect(api().post("/api/v2/tokens/", R"({"scope": "read"})"), 201,
                                                "POST /api/v2/tokens/ as admin");
        tSuperRead_ = tokenId(superRead);
        superReadToken_ = UserSteps::text(superRead, "token");
    }

    /// A client of the worker authenticated as `who`.
    ApiClient as(Who who) { return UserSteps::as(worker().socketPath(), actors_[who].authorization); }

    std::string describeCall(Who who, const std::string& method, const std::string& path,
                             const std::string& body) {
        return "actor " + actors_[who].name + ": " + method + " " + path + (body.empty() ? "" : " " + body);
    }

    /// Sends the request as `who` and fails, naming caller, request, expected and actual status, unless it
    /// gets `status`; 401 and 403 must also carry their standard bodies.
    FcgiResponse expect(Who who, const std::string& method, const std::string& path, const std::string& body,
                        int status) {
        const FcgiResponse response = as(who).send(method, path, body);
        const std::string what = describeCall(who, method, path, body);
        if (response.status != status) {
            CPPUNIT_FAIL(what + ": expected " + std::to_string(status) + ", got " +
                         std::to_string(response.status) + ": " + response.describe());
        }
        if (status == 401) {
            APPREG_ASSERT_JSON_MESSAGE(what, kNotAuthenticated, response.body);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what,
                                         std::string("Bearer realm=api authorization_url=/api/o/authorize/"),
                                         response.header("WWW-Authenticate"));
        }
        if (status == 403) APPREG_ASSERT_JSON_MESSAGE(what, kForbidden, response.body);
        return response;
    }

    /// The application's or organization's capabilities as "<edit><delete>", e.g. "10".
    static std::string capabilities(const Poco::JSON::Object::Ptr& object) {
        const auto summary = object->getObject("summary_fields");
        if (!summary || !summary->has("user_capabilities")) return "(none)";
        const auto caps = summary->getObject("user_capabilities");
        auto flag = [&](const char* key) {
            if (!caps->has(key) || !caps->get(key).isBoolean()) return std::string("?");
            return std::string(caps->getValue<bool>(key) ? "1" : "0");
        };
        return flag("edit") + flag("delete");
    }

    /// A row label: the value of `key`, then its capabilities when asked.
    static std::string label(const Poco::JSON::Object::Ptr& row, const std::string& key,
                             bool withCapabilities) {
        const Poco::Dynamic::Var v = row->get(key);
        const std::string value = v.isString() ? v.extract<std::string>() : v.toString();
        return withCapabilities ? value + " " + capabilities(row) : value;
    }

    std::vector<std::string> tokenLabels(const std::vector<long long>& ids) {
        std::vector<std::string> labels;
        for (long long id : ids) labels.push_back(std::to_string(id));
        return labels;
    }

    static long long objectIdOf(const Poco::JSON::Object::Ptr& entry) {
        // The entry's object as its id in the related URL list of object1 ("/api/v2/<collection>/<id>/").
        const auto related = entry->getObject("related");
        const std::string object1 = entry->getValue<std::string>("object1");
        if (!related || !related->has(object1)) return -1;
        const auto urls = related->getArray(object1);
        if (!urls || urls->size() == 0) return -1;
        std::string url = urls->getElement<std::string>(0);
        url.pop_back();
        return std::stoll(url.substr(url.rfind('/') + 1));
    }

    /// GET a list as every caller of `cells`: the status, and for 200 the rows labelled by `key` (with their
    /// capabilities unless `withCapabilities` is false), in the list's order.
    void checkList(const std::string& path, const std::string& key, const std::vector<ListCell>& cells,
                   bool withCapabilities = true) {
        for (const ListCell& cell : cells) {
            const FcgiResponse response = expect(cell.who, "GET", path, "", cell.status);
            if (cell.status != 200) continue;
            const auto list = JsonAssert::parseObject(response.body);
            std::vector<std::string> rows;
            for (const auto& item : *ApiSteps::results(list)) {
                rows.push_back(label(item.extract<Poco::JSON::Object::Ptr>(), key, withCapabilities));
            }
            const std::string what = describeCall(cell.who, "GET", path, "");
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": rows", JsonAssert::join(cell.rows),
                                         JsonAssert::join(rows));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": count", static_cast<long long>(cell.rows.size()),
                                         ApiSteps::count(list));
        }
    }

    /// GET a detail as every caller: the status, and for 200 the object's label (value of `key` and
    /// capabilities).
    void checkDetail(const std::string& path, const std::string& key, const std::vector<ListCell>& cells) {
        for (const ListCell& cell : cells) {
            const FcgiResponse response = expect(cell.who, "GET", path, "", cell.status);
            if (cell.status != 200) continue;
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                describeCall(cell.who, "GET", path, ""), JsonAssert::join(cell.rows),
                JsonAssert::join({label(JsonAssert::parseObject(response.body), key, true)}));
        }
    }

    /// What the superuser reads at `path` (to prove a refused write changed nothing).
    std::string superuserView(const std::string& path) {
        const FcgiResponse response = api().get(path);
        if (response.status != 200)
            throw std::runtime_error("GET " + path + " as admin: " + response.describe());
        return response.body;
    }

    std::string config_;
    std::vector<Actor> actors_;
    long long orgA_ = 0, orgB_ = 0;
    long long orgAdminId_ = 0, memberId_ = 0, strangerId_ = 0, memberBId_ = 0;
    long long a1_ = 0, a2_ = 0, b1_ = 0;
    long long tSuperA1_ = 0, tAdminA1_ = 0, tMemberA1_ = 0, tSuperB1_ = 0, tMemberBB1_ = 0, tStranger_ = 0,
              tRead_ = 0, tSuperRead_ = 0;
    std::string superReadToken_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(RoleMatrixTest);
