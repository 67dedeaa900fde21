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
    if (caller.readsEverything() || user.id == caller.user.id) return true;
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

bool canChangeUser(const Caller& caller, const User& user, const OrganizationRoles& userRoles,
                   bool changesSuperuserOrAuditor) {
    if (!caller.mayWrite()) return false;
    if (caller.isSuperuser()) return true;
    if (changesSuperuserOrAuditor || user.isSuperuser) return false;
    if (user.id == caller.user.id) return true;
    for (auto id : userRoles.all()) {
        if (caller.roles.admin.count(id)) return true;
    }
    return false;
}

bool canDeleteUser(const Caller& caller, const User& user, const OrganizationRoles& userRoles) {
    if (user.id == caller.user.id) return false;
    return canChangeUser(caller, user, userRoles, false);
}

bool canAdministerMembership(const Caller& caller, std::int64_t organizationId) {
    return caller.mayWrite() && caller.adminOf(organizationId);
}

}  // namespace appreg::domain::access
