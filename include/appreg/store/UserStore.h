#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "appreg/domain/ListQuery.h"
#include "appreg/domain/User.h"
#include "appreg/store/Database.h"

namespace appreg::store {

/// Which users a list shows.
struct UserScope {
    /// Only users with a role in one of these organizations, `self` and (if `superusers`) every superuser;
    /// none = every user.
    std::optional<std::set<std::int64_t>> organizations;
    std::int64_t self = 0;
    bool superusers = false;
    /// Only the users with `role` ("admin" or "member") in this organization (its users/admins sub-lists).
    std::optional<std::int64_t> roleOrganization;
    std::string role;
};

/// Rows of the `users` table and of `organization_roles`.
class UserStore {
public:
    explicit UserStore(Connection& connection) : _connection(connection) {}

    std::optional<domain::User> find(std::int64_t id);
    /// Exact (case-sensitive) match, as Django's username lookup.
    std::optional<domain::User> findByUsername(const std::string& username);
    /// Whether a user other than `exceptId` has this username.
    bool usernameTaken(const std::string& username, std::int64_t exceptId = 0);
    /// Inserts the user (inside the caller's WriteTransaction) and returns the new id.
    /// Throws ConstraintViolation(Unique) if the username is taken.
    std::int64_t insert(const domain::User& user);
    /// Writes every column but id and created.
    void update(const domain::User& user);
    /// Deletes the user, their roles and their tokens.
    void remove(std::int64_t id);

    std::int64_t count(const domain::ListQuery& query, const UserScope& scope);
    std::vector<domain::User> page(const domain::ListQuery& query, std::int64_t offset, int limit,
                                   const UserScope& scope);

    /// The organizations where the user is an admin or a member.
    domain::OrganizationRoles roles(std::int64_t userId);
    /// A number that changes with every update or delete of a user or token and every change of a role, by
    /// any process (triggers, migration 6); a new user or token changes no one's existing credentials.
    std::int64_t credentialChanges();
    /// Gives the user `role` in the organization (nothing if they have it already).
    void grant(std::int64_t organizationId, std::int64_t userId, const std::string& role);
    /// Takes `role` in the organization from the user (nothing if they do not have it).
    void revoke(std::int64_t organizationId, std::int64_t userId, const std::string& role);

private:
    Connection& _connection;
};

/// How lists reach users.
const domain::ListResource& userListResource();

}  // namespace appreg::store
