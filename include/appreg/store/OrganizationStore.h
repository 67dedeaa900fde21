#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "appreg/domain/ListQuery.h"
#include "appreg/domain/Organization.h"
#include "appreg/store/Database.h"
#include "appreg/store/Visibility.h"

namespace appreg::store {

/// Rows of the `organizations` table.
class OrganizationStore {
public:
    explicit OrganizationStore(Connection& connection) : _connection(connection) {}

    std::optional<domain::Organization> find(std::int64_t id);
    bool exists(std::int64_t id);
    /// Whether an organization other than `exceptId` has this name (exact match, as the UNIQUE constraint).
    bool nameTaken(const std::string& name, std::int64_t exceptId = 0);
    /// Inserts the organization (inside the caller's WriteTransaction) and returns its new id.
    /// Throws ConstraintViolation(Unique) if the name is taken.
    std::int64_t insert(const domain::Organization& org);
    /// Writes name, description and modified (inside the caller's WriteTransaction).
    void update(const domain::Organization& org);
    /// Deletes the organization; its applications and their tokens go with it (ON DELETE CASCADE).
    void remove(std::int64_t id);

    /// With a visibility, only the organizations where the caller has a role.
    std::int64_t count(const domain::ListQuery& query, const std::optional<Visibility>& visibility);
    std::vector<domain::Organization> page(const domain::ListQuery& query, std::int64_t offset, int limit,
                                           const std::optional<Visibility>& visibility);

private:
    Connection& _connection;
};

/// How lists reach organizations.
const domain::ListResource& organizationListResource();

}  // namespace appreg::store
