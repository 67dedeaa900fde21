#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "appreg/domain/Organization.h"
#include "appreg/store/Database.h"

namespace appreg::store {

/// Rows of the `organizations` table.
class OrganizationStore {
public:
    explicit OrganizationStore(Connection& connection) : _connection(connection) {}

    std::optional<domain::Organization> find(std::int64_t id);
    bool exists(std::int64_t id);
    /// Whether another organization already has this name (exact match, as the UNIQUE constraint).
    bool nameTaken(const std::string& name);
    /// Inserts the organization (inside the caller's WriteTransaction) and returns its new id.
    /// Throws ConstraintViolation(Unique) if the name is taken.
    std::int64_t insert(const domain::Organization& org);

private:
    Connection& _connection;
};

}  // namespace appreg::store
