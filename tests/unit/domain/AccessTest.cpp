#include <cppunit/extensions/HelperMacros.h>

#include <string>

#include "appreg/domain/Access.h"

using namespace appreg::domain;

namespace {

// Two organizations; the people of awx-reference.md §7.
constexpr std::int64_t kOrgA = 10;
constexpr std::int64_t kOrgB = 20;

User user(std::int64_t id, const std::string& name, bool superuser = false, bool auditor = false) {
    User u;
    u.id = id;
    u.username = name;
    u.isSuperuser = superuser;
    u.isSystemAuditor = auditor;
    return u;
}

Caller caller(const User& u, OrganizationRoles roles = {}, bool readScope = false) {
    Caller c;
    c.user = u;
    c.roles = std::move(roles);
    c.readScope = readScope;
    return c;
}

OrganizationRoles adminOf(std::int64_t org) {
    OrganizationRoles r;
    r.admin.insert(org);
    return r;
}

OrganizationRoles memberOf(std::int64_t org) {
    OrganizationRoles r;
    r.member.insert(org);
    return r;
}

const User kSuperuser = user(1, "admin", true);
const User kAuditor = user(2, "auditor", false, true);
const User kOrgAdmin = user(3, "orgadmin");
const User kMember = user(4, "member");
const User kStranger = user(5, "stranger");
const User kMemberB = user(6, "memberb");

Caller superuser() { return caller(kSuperuser); }
Caller auditor() { return caller(kAuditor); }
Caller orgAdmin() { return caller(kOrgAdmin, adminOf(kOrgA)); }
Caller member() { return caller(kMember, memberOf(kOrgA)); }
Caller stranger() { return caller(kStranger); }
/// The org admin through a read-scope token.
Caller orgAdminReadToken() { return caller(kOrgAdmin, adminOf(kOrgA), true); }
Caller superuserReadToken() { return caller(kSuperuser, {}, true); }

}  // namespace

class AccessTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(AccessTest);
    CPPUNIT_TEST(testVisibleOrganizations);
    CPPUNIT_TEST(testApplications);
    CPPUNIT_TEST(testApplicationsThroughReadToken);
    CPPUNIT_TEST(testOrganizations);
    CPPUNIT_TEST(testTokens);
    CPPUNIT_TEST(testReadUsers);
    CPPUNIT_TEST(testAddUsers);
    CPPUNIT_TEST(testChangeAndDeleteUsers);
    CPPUNIT_TEST(testOrgAdminAdministersOnlyPlainUsersWhollyInTheirOrganizations);
    CPPUNIT_TEST(testMembership);
    CPPUNIT_TEST_SUITE_END();

public:
    void testVisibleOrganizations() {
        CPPUNIT_ASSERT(!access::visibleOrganizations(superuser()).has_value());
        CPPUNIT_ASSERT(!access::visibleOrganizations(auditor()).has_value());
        CPPUNIT_ASSERT(access::visibleOrganizations(orgAdmin()) == std::set<std::int64_t>{kOrgA});
        CPPUNIT_ASSERT(access::visibleOrganizations(member()) == std::set<std::int64_t>{kOrgA});
        CPPUNIT_ASSERT(access::visibleOrganizations(stranger()) == std::set<std::int64_t>{});
        OrganizationRoles both = adminOf(kOrgA);
        both.member.insert(kOrgB);
        CPPUNIT_ASSERT(access::visibleOrganizations(caller(kMember, both)) ==
                       (std::set<std::int64_t>{kOrgA, kOrgB}));
    }

    void testApplications() {
        // The table of awx-reference.md §7, for an application of org A and one of org B.
        struct Row {
            const char* who;
            Caller c;
            bool readA, readB, addA, addB, changeA, changeB;
        };
        const Row rows[] = {
            {"superuser", superuser(), true, true, true, true, true, true},
            {"system auditor", auditor(), true, true, false, false, false, false},
            {"org admin of A", orgAdmin(), true, false, true, false, true, false},
            {"member of A", member(), true, false, false, false, false, false},
            {"unrelated user", stranger(), false, false, false, false, false, false},
        };
        for (const Row& r : rows) {
            const std::string who = r.who;
            CPPUNIT_ASSERT_EQUAL_MESSAGE(who + " reads A", r.readA, access::canReadApplication(r.c, kOrgA));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(who + " reads B", r.readB, access::canReadApplication(r.c, kOrgB));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(who + " adds to A", r.addA, access::canAddApplication(r.c, kOrgA));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(who + " adds to B", r.addB, access::canAddApplication(r.c, kOrgB));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(who + " adds to some organization", r.addA || r.addB,
                                         access::canAddSomeApplication(r.c));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(who + " changes A", r.changeA,
                                         access::canChangeApplication(r.c, kOrgA));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(who + " changes B", r.changeB,
                                         access::canChangeApplication(r.c, kOrgB));
        }
        // An admin of A who is only a member of B reads B's applications but may not change them.
        OrganizationRoles mixed = adminOf(kOrgA);
        mixed.member.insert(kOrgB);
        const Caller c = caller(kOrgAdmin, mixed);
        CPPUNIT_ASSERT(access::canReadApplication(c, kOrgB));
        CPPUNIT_ASSERT(!access::canChangeApplication(c, kOrgB));
        CPPUNIT_ASSERT(!access::canAddApplication(c, kOrgB));
        CPPUNIT_ASSERT(access::canAddSomeApplication(c));
        CPPUNIT_ASSERT(access::canChangeApplication(c, kOrgA));
    }

    void testApplicationsThroughReadToken() {
        // A read-scope token reads what its user reads, and changes nothing (user_capabilities false too).
        for (const Caller& c : {orgAdminReadToken(), superuserReadToken()}) {
            const std::string who = c.user.username + " (read token)";
            CPPUNIT_ASSERT_MESSAGE(who, !c.mayWrite());
            CPPUNIT_ASSERT_MESSAGE(who, access::canReadApplication(c, kOrgA));
            CPPUNIT_ASSERT_MESSAGE(who, !access::canAddApplication(c, kOrgA));
            CPPUNIT_ASSERT_MESSAGE(who, !access::canAddSomeApplication(c));
            CPPUNIT_ASSERT_MESSAGE(who, !access::canChangeApplication(c, kOrgA));
            CPPUNIT_ASSERT_MESSAGE(who, !access::canChangeOrganization(c, kOrgA));
            CPPUNIT_ASSERT_MESSAGE(who, !access::canAddOrganization(c));
            CPPUNIT_ASSERT_MESSAGE(who, !access::canChangeToken(c, c.user.id, kOrgA));
            CPPUNIT_ASSERT_MESSAGE(who, access::canReadToken(c, c.user.id, kOrgA));
            CPPUNIT_ASSERT_MESSAGE(who, !access::canAddUser(c, false));
            CPPUNIT_ASSERT_MESSAGE(who, !access::canChangeUser(c, c.user, {}, false));
            CPPUNIT_ASSERT_MESSAGE(who, !access::canAdministerMembership(c, kOrgA));
        }
        CPPUNIT_ASSERT(!access::canReadApplication(orgAdminReadToken(), kOrgB));
        CPPUNIT_ASSERT(superuser().mayWrite());
    }

    void testOrganizations() {
        struct Row {
            const char* who;
            Caller c;
            bool readA, readB, add, changeA, changeB;
        };
        const Row rows[] = {
            {"superuser", superuser(), true, true, true, true, true},
            {"system auditor", auditor(), true, true, false, false, false},
            {"org admin of A", orgAdmin(), true, false, false, true, false},
            {"member of A", member(), true, false, false, false, false},
            {"unrelated user", stranger(), false, false, false, false, false},
        };
        for (const Row& r : rows) {
            const std::string who = r.who;
            CPPUNIT_ASSERT_EQUAL_MESSAGE(who + " reads A", r.readA, access::canReadOrganization(r.c, kOrgA));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(who + " reads B", r.readB, access::canReadOrganization(r.c, kOrgB));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(who + " creates", r.add, access::canAddOrganization(r.c));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(who + " changes A", r.changeA,
                                         access::canChangeOrganization(r.c, kOrgA));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(who + " changes B", r.changeB,
                                         access::canChangeOrganization(r.c, kOrgB));
        }
    }

    void testTokens() {
        // Tokens of the member on an app of A, of the stranger without an app, of the superuser on an app of
        // B.
        struct Token {
            const char* what;
            std::optional<std::int64_t> owner;
            std::optional<std::int64_t> org;
        };
        const Token memberOnA{"member's token on an app of A", kMember.id, kOrgA};
        const Token personal{"stranger's personal token", kStranger.id, std::nullopt};
        const Token superOnB{"superuser's token on an app of B", kSuperuser.id, kOrgB};
        const Token orphan{"token of a deleted user", std::nullopt, kOrgA};
        struct Row {
            const char* who;
            Caller c;
            bool read[4];
            bool change[4];
        };
        const Row rows[] = {
            {"superuser", superuser(), {true, true, true, true}, {true, true, true, true}},
            {"system auditor", auditor(), {true, true, true, true}, {false, false, false, false}},
            {"org admin of A", orgAdmin(), {true, false, false, true}, {true, false, false, true}},
            {"member of A (owner)", member(), {true, false, false, false}, {true, false, false, false}},
            {"unrelated user", stranger(), {false, true, false, false}, {false, true, false, false}},
        };
        const Token tokens[] = {memberOnA, personal, superOnB, orphan};
        for (const Row& r : rows) {
            for (int i = 0; i < 4; ++i) {
                const std::string what = std::string(r.who) + " / " + tokens[i].what;
                CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": read", r.read[i],
                                             access::canReadToken(r.c, tokens[i].owner, tokens[i].org));
                CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": change", r.change[i],
                                             access::canChangeToken(r.c, tokens[i].owner, tokens[i].org));
            }
        }
        // A member (not admin) of the app's org does not see other users' tokens.
        CPPUNIT_ASSERT(!access::canReadToken(member(), kOrgAdmin.id, kOrgA));
    }

    void testReadUsers() {
        const OrganizationRoles none;
        const OrganizationRoles inA = memberOf(kOrgA);
        const OrganizationRoles inB = memberOf(kOrgB);
        // Everyone sees themselves; superusers and auditors see everyone.
        for (const Caller& c : {superuser(), auditor(), orgAdmin(), member(), stranger()}) {
            CPPUNIT_ASSERT_MESSAGE(c.user.username + " sees themself",
                                   access::canReadUser(c, c.user, c.roles));
        }
        // Superusers, auditors and organization admins see everyone (AWX's ORG_ADMINS_CAN_SEE_ALL_USERS).
        for (const Caller& c : {superuser(), auditor(), orgAdmin()}) {
            CPPUNIT_ASSERT_MESSAGE(c.user.username, access::canReadUser(c, kStranger, none));
            CPPUNIT_ASSERT_MESSAGE(c.user.username, access::canReadUser(c, kMemberB, inB));
        }
        // Members of A see the users of A and the superusers, not those of B nor unrelated ones.
        const Caller m = member();
        CPPUNIT_ASSERT(access::canReadUser(m, kMember, inA));
        CPPUNIT_ASSERT(access::canReadUser(m, kOrgAdmin, adminOf(kOrgA)));
        CPPUNIT_ASSERT(access::canReadUser(m, superuser().user, none));
        CPPUNIT_ASSERT(!access::canReadUser(m, kMemberB, inB));
        CPPUNIT_ASSERT(!access::canReadUser(m, kStranger, none));
        CPPUNIT_ASSERT(!access::canReadUser(stranger(), kMember, inA));
        CPPUNIT_ASSERT(access::canReadUser(stranger(), superuser().user, none));
    }

    void testAddUsers() {
        CPPUNIT_ASSERT(access::canAddUser(superuser(), false));
        CPPUNIT_ASSERT(access::canAddUser(superuser(), true));
        CPPUNIT_ASSERT(access::canAddUser(orgAdmin(), false));
        CPPUNIT_ASSERT_MESSAGE("an org admin made a superuser or auditor",
                               !access::canAddUser(orgAdmin(), true));
        for (const Caller& c : {auditor(), member(), stranger()}) {
            CPPUNIT_ASSERT_MESSAGE(c.user.username, !access::canAddUser(c, false));
            CPPUNIT_ASSERT_MESSAGE(c.user.username, !access::canAddUser(c, true));
        }
    }

    void testChangeAndDeleteUsers() {
        const OrganizationRoles inA = memberOf(kOrgA);
        const OrganizationRoles inB = memberOf(kOrgB);
        // The superuser changes anyone, flags included, and deletes anyone but themself.
        CPPUNIT_ASSERT(access::canChangeUser(superuser(), kMember, inA, true));
        CPPUNIT_ASSERT(access::canChangeUser(superuser(), kSuperuser, {}, false));
        CPPUNIT_ASSERT(access::canDeleteUser(superuser(), kMember, inA));
        CPPUNIT_ASSERT_MESSAGE("the superuser deleted themself",
                               !access::canDeleteUser(superuser(), kSuperuser, {}));
        // A user changes their own name, not their flags, and never deletes themself.
        CPPUNIT_ASSERT(access::canChangeUser(member(), kMember, inA, false));
        CPPUNIT_ASSERT(access::canChangeUser(stranger(), kStranger, {}, false));
        CPPUNIT_ASSERT_MESSAGE("a user made themself superuser",
                               !access::canChangeUser(member(), kMember, inA, true));
        CPPUNIT_ASSERT(!access::canDeleteUser(member(), kMember, inA));
        CPPUNIT_ASSERT(!access::canDeleteUser(stranger(), kStranger, {}));
        // An org admin changes and deletes the users of their org, not others, not superusers, not flags.
        CPPUNIT_ASSERT(access::canChangeUser(orgAdmin(), kMember, inA, false));
        CPPUNIT_ASSERT(access::canDeleteUser(orgAdmin(), kMember, inA));
        CPPUNIT_ASSERT(!access::canChangeUser(orgAdmin(), kMember, inA, true));
        CPPUNIT_ASSERT(!access::canChangeUser(orgAdmin(), kMemberB, inB, false));
        CPPUNIT_ASSERT(!access::canDeleteUser(orgAdmin(), kMemberB, inB));
        CPPUNIT_ASSERT(!access::canChangeUser(orgAdmin(), kStranger, {}, false));
        const User superInA = user(7, "super-in-a", true);
        CPPUNIT_ASSERT(!access::canChangeUser(orgAdmin(), superInA, inA, false));
        CPPUNIT_ASSERT(!access::canDeleteUser(orgAdmin(), superInA, inA));
        CPPUNIT_ASSERT(access::canChangeUser(orgAdmin(), kOrgAdmin, adminOf(kOrgA), false));
        CPPUNIT_ASSERT(!access::canDeleteUser(orgAdmin(), kOrgAdmin, adminOf(kOrgA)));
        // Members and auditors change nobody else.
        CPPUNIT_ASSERT(!access::canChangeUser(member(), kOrgAdmin, adminOf(kOrgA), false));
        CPPUNIT_ASSERT(!access::canDeleteUser(member(), kOrgAdmin, adminOf(kOrgA)));
        CPPUNIT_ASSERT(!access::canChangeUser(auditor(), kMember, inA, false));
        CPPUNIT_ASSERT(!access::canDeleteUser(auditor(), kMember, inA));
    }

    void testOrgAdminAdministersOnlyPlainUsersWhollyInTheirOrganizations() {
        // AWX's UserAccess.can_admin: users with a system role (superuser, system auditor) only by
        // superusers; others only by someone who admins every organization they belong to (is_all_org_admin).
        const User auditorInA = user(8, "auditor-in-a", false, true);
        CPPUNIT_ASSERT_MESSAGE("an org admin changed a system auditor",
                               !access::canChangeUser(orgAdmin(), auditorInA, memberOf(kOrgA), false));
        CPPUNIT_ASSERT_MESSAGE("an org admin deleted a system auditor",
                               !access::canDeleteUser(orgAdmin(), auditorInA, memberOf(kOrgA)));
        OrganizationRoles inAandB = memberOf(kOrgA);
        inAandB.member.insert(kOrgB);
        const User both = user(9, "both");
        CPPUNIT_ASSERT_MESSAGE("the admin of A changed a member of B",
                               !access::canChangeUser(orgAdmin(), both, inAandB, false));
        CPPUNIT_ASSERT_MESSAGE("the admin of A deleted a member of B",
                               !access::canDeleteUser(orgAdmin(), both, inAandB));
        OrganizationRoles adminOfBoth = adminOf(kOrgA);
        adminOfBoth.admin.insert(kOrgB);
        CPPUNIT_ASSERT(access::canChangeUser(caller(kOrgAdmin, adminOfBoth), both, inAandB, false));
        CPPUNIT_ASSERT(access::canDeleteUser(caller(kOrgAdmin, adminOfBoth), both, inAandB));
        // The superuser administers them all.
        CPPUNIT_ASSERT(access::canChangeUser(superuser(), auditorInA, memberOf(kOrgA), false));
        CPPUNIT_ASSERT(access::canChangeUser(superuser(), both, inAandB, false));
    }

    void testMembership() {
        CPPUNIT_ASSERT(access::canAdministerMembership(superuser(), kOrgB));
        CPPUNIT_ASSERT(access::canAdministerMembership(orgAdmin(), kOrgA));
        CPPUNIT_ASSERT(!access::canAdministerMembership(orgAdmin(), kOrgB));
        CPPUNIT_ASSERT(!access::canAdministerMembership(member(), kOrgA));
        CPPUNIT_ASSERT(!access::canAdministerMembership(auditor(), kOrgA));
        CPPUNIT_ASSERT(!access::canAdministerMembership(stranger(), kOrgA));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(AccessTest);
