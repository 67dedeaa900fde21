#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "appreg/domain/Application.h"
#include "appreg/store/Database.h"

namespace appreg::store {

/// Rows of the `applications` table.
class ApplicationStore {
public:
    explicit ApplicationStore(Connection& connection) : _connection(connection) {}

    std::optional<domain::Application> find(std::int64_t id);
    /// Whether an application other than `exceptId` has this (name, organization).
    bool nameTaken(const std::string& name, std::int64_t organizationId, std::int64_t exceptId = 0);
    /// Inserts the application (inside the caller's WriteTransaction) and returns its new id.
    /// Throws ConstraintViolation: Unique for (name, organization) or client_id, ForeignKey for the organization.
    std::int64_t insert(const domain::Application& app);

private:
    Connection& _connection;
};

}  // namespace appreg::store
