#pragma once

#include <cstdint>
#include <optional>
#include <set>

#include "appreg/domain/User.h"

namespace appreg::domain {

/// Who is asking, and through what: the authenticated user, their organization roles, and whether the
/// credentials were a read-scope token.
struct Caller {
    User user;
    OrganizationRoles roles;
    bool readScope = false;  ///< an access token without "write": only GET, HEAD and OPTIONS

    bool isSuperuser() const { return user.isSuperuser; }
    /// Superusers and system auditors read everything.
    bool readsEverything() const { return user.isSuperuser || user.isSystemAuditor; }
    bool adminOf(std::int64_t organizationId) const {
        return user.isSuperuser || roles.admin.count(organizationId);
    }
    /// Whether the caller may act (not only read) with these credentials.
    bool mayWrite() const { return !readScope; }
};

/// The rules of awx-reference.md §7 (AWX's access.py), one function per question. Pure: the API layer loads
/// the caller's roles and the objects' organizations, and asks.
namespace access {

/// The organizations whose objects a list shows; none = every organization (superuser, system auditor).
std::optional<std::set<std::int64_t>> visibleOrganizations(const Caller& caller);

// Applications (OAuth2ApplicationAccess).
bool canReadApplication(const Caller& caller, std::int64_t organizationId);
/// Create in / move to `organizationId`: superusers, and admins of that organization.
bool canAddApplication(const Caller& caller, std::int64_t organizationId);
/// Create in some organization, none named yet (AWX's can_add without data: an empty POST body, and what
/// OPTIONS offers): superusers, and admins of any organization.
bool canAddSomeApplication(const Caller& caller);
/// Change or delete an application of `organizationId` (also `user_capabilities.edit` and `.delete`).
bool canChangeApplication(const Caller& caller, std::int64_t organizationId);

// Organizations (OrganizationAccess): members and admins read theirs; only superusers create; admins change
// and delete theirs.
bool canReadOrganization(const Caller& caller, std::int64_t organizationId);
bool canAddOrganization(const Caller& caller);
bool canChangeOrganization(const Caller& caller, std::int64_t organizationId);

// Tokens (OAuth2TokenAccess): the owner, superusers and admins of the application's organization read, change
// and delete; system auditors read.
bool canReadToken(const Caller& caller, std::optional<std::int64_t> ownerId,
                  std::optional<std::int64_t> applicationOrganizationId);
bool canChangeToken(const Caller& caller, std::optional<std::int64_t> ownerId,
                    std::optional<std::int64_t> applicationOrganizationId);

// Users (UserAccess).
/// Superusers, system auditors and organization admins see every user (AWX's ORG_ADMINS_CAN_SEE_ALL_USERS);
/// others see themselves, superusers and the users of their organizations.
bool canReadUser(const Caller& caller, const User& user, const OrganizationRoles& userRoles);
/// Superusers, and organization admins (not for a superuser or auditor account).
bool canAddUser(const Caller& caller, bool makesSuperuserOrAuditor);
/// Superusers; the user themself (not their superuser or auditor flags); an admin of every organization of
/// the user, if the user is neither a superuser nor a system auditor (AWX's can_admin).
bool canChangeUser(const Caller& caller, const User& user, const OrganizationRoles& userRoles,
                   bool changesSuperuserOrAuditor);
/// As canChangeUser, but never oneself; an organization admin may also delete a user without any
/// organization.
bool canDeleteUser(const Caller& caller, const User& user, const OrganizationRoles& userRoles);

/// Adding or removing a member or admin of an organization: superusers and that organization's admins.
bool canAdministerMembership(const Caller& caller, std::int64_t organizationId);

}  // namespace access

}  // namespace appreg::domain
