#include "appreg/domain/Access.h"

namespace appreg::domain::access {

std::optional<std::set<std::int64_t>> visibleOrganizations(const Caller& caller) {
    if (caller.readsEverything()) return std::nullopt;
    return caller.roles.all();
}

bool canReadApplication(const Caller& caller, std::int64_t organizationId) {
    return caller.readsEverything() || caller.roles.anyRole(organizationId);
}

bool canAddApplication(const Caller& caller, std::int64_t organizationId) {
    return caller.mayWrite() && caller.adminOf(organizationId);
}

bool canAddSomeApplication(const Caller& caller) {
    return caller.mayWrite() && (caller.isSuperuser() || !caller.roles.admin.empty());
}

bool canChangeApplication(const Caller& caller, std::int64_t organizationId) {
    return caller.mayWrite() && caller.adminOf(organizationId);
}

bool canReadOrganization(const Caller& caller, std::int64_t organizationId) {
    return caller.readsEverything() || caller.roles.anyRole(organizationId);
}

bool canAddOrganization(const Caller& caller) { return caller.mayWrite() && caller.isSuperuser(); }

bool canChangeOrganization(const Caller& caller, std::int64_t organizationId) {
    return caller.mayWrite() && caller.adminOf(organizationId);
}

bool canReadToken(const Caller& caller, std::optional<std::int64_t> ownerId,
                  std::optional<std::int64_t> applicationOrganizationId) {
    if (caller.readsEverything() || (ownerId && *ownerId == caller.user.id)) return true;
    return applicationOrganizationId && caller.roles.admin.count(*applicationOrganizationId);
}

bool canChangeToken(const Caller& caller, std::optional<std::int64_t> ownerId,
                    std::optional<std::int64_t> applicationOrganizationId) {
    if (!caller.mayWrite()) return false;
    if (caller.isSuperuser() || (ownerId && *ownerId == caller.user.id)) return true;
    return applicationOrganizationId && caller.roles.admin.count(*applicationOrganizationId);
}

bool canReadUser(const Caller& caller, const User& user, const OrganizationRoles& userRoles) {
    // AWX's UserAccess.filtered_queryset with ORG_ADMINS_CAN_SEE_ALL_USERS (on by default).
    if (caller.readsEverything() || !caller.roles.admin.empty()) return true;
    if (user.id == caller.user.id || user.isSuperuser) return true;
    for (auto id : userRoles.all()) {
        if (caller.roles.anyRole(id)) return true;
    }
    return false;
}

bool canAddUser(const Caller& caller, bool makesSuperuserOrAuditor) {
    if (!caller.mayWrite()) return false;
    if (caller.isSuperuser()) return true;
    return !makesSuperuserOrAuditor && !caller.roles.admin.empty();
}

namespace {

/// AWX's UserAccess.can_admin: a superuser; for anyone else, never a user with a system role, and only a user
/// all of whose organizations the caller administers (one without any only if `allowOrphans`).
bool administers(const Caller& caller, const User& user, const OrganizationRoles& userRoles,
                 bool allowOrphans) {
    if (caller.isSuperuser()) return true;
    if (user.isSuperuser || user.isSystemAuditor) return false;
    const auto organizations = userRoles.all();
    if (organizations.empty()) return allowOrphans && !caller.roles.admin.empty();
    for (auto id : organizations) {
        if (!caller.roles.admin.count(id)) return false;
    }
    return true;
}

}  // namespace

bool canChangeUser(const Caller& caller, const User& user, const OrganizationRoles& userRoles,
                   bool changesSuperuserOrAuditor) {
    if (!caller.mayWrite()) return false;
    if (caller.isSuperuser()) return true;
    if (changesSuperuserOrAuditor) return false;
    return user.id == caller.user.id || administers(caller, user, userRoles, false);
}

bool canDeleteUser(const Caller& caller, const User& user, const OrganizationRoles& userRoles) {
    if (!caller.mayWrite() || user.id == caller.user.id) return false;
    return administers(caller, user, userRoles, true);
}

bool canAdministerMembership(const Caller& caller, std::int64_t organizationId) {
    return caller.mayWrite() && caller.adminOf(organizationId);
}

}  // namespace appreg::domain::access
