#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "appreg/domain/FieldTable.h"

namespace appreg::domain {

/// A user who can authenticate (API.md §7). The password exists only as a Django-format hash (Passwords.h).
struct User {
    std::int64_t id = 0;
    std::string username;
    std::string firstName;
    std::string lastName;
    std::string email;
    std::string passwordHash;  ///< "" for a user without a usable password
    bool isSuperuser = false;
    bool isSystemAuditor = false;
    std::string created;
    std::string modified;
};

/// What `password` shows when rendered: it is write-only (AWX's `$encrypted$`).
extern const char* const kEncryptedPassword;

/// The fields of a user in AWX's serializer order: username (required, max 150, Django's username characters,
/// unique), first_name, last_name, email, is_superuser, is_system_auditor, password (write-only).
const FieldTable& userFields();

/// The user's field values by field name (never the password).
FieldValues userValues(const User& user);

/// Copies validated values onto a user; `password` is not copied (the caller hashes it).
void applyUserValues(const FieldValues& values, User& user);

/// The organization roles of one user: where they are an admin and where a member.
struct OrganizationRoles {
    std::set<std::int64_t> admin;
    std::set<std::int64_t> member;
    /// Organizations where the user has either role.
    bool anyRole(std::int64_t organizationId) const {
        return admin.count(organizationId) || member.count(organizationId);
    }
    std::set<std::int64_t> all() const;
};

}  // namespace appreg::domain
