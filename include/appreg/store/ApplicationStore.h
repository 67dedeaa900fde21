#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "appreg/domain/Application.h"
#include "appreg/domain/ListQuery.h"
#include "appreg/domain/Organization.h"
#include "appreg/store/Database.h"
#include "appreg/store/Visibility.h"

namespace appreg::store {

/// An application with the organization it belongs to (every application has one).
struct ApplicationRow {
    domain::Application app;
    domain::Organization org;
};

/// Rows of the `applications` table.
class ApplicationStore {
public:
    explicit ApplicationStore(Connection& connection) : _connection(connection) {}

    std::optional<ApplicationRow> find(std::int64_t id);
    /// The application with this client_id (OAuth2 client authentication).
    std::optional<ApplicationRow> findByClientId(const std::string& clientId);
    /// Whether an application other than `exceptId` has this (name, organization).
    bool nameTaken(const std::string& name, std::int64_t organizationId, std::int64_t exceptId = 0);
    /// Inserts the application (inside the caller's WriteTransaction) and returns its new id.
    /// Throws ConstraintViolation: Unique for (name, organization) or client_id, ForeignKey for the
    /// organization.
    std::int64_t insert(const domain::Application& app);
    /// Writes every writable column and `modified` (inside the caller's WriteTransaction).
    void update(const domain::Application& app);
    /// Deletes the application; its tokens go with it (ON DELETE CASCADE).
    void remove(std::int64_t id);

    /// The number of applications matching a list query that the caller may see, optionally only those of one
    /// organization.
    std::int64_t count(const domain::ListQuery& query, const std::optional<Visibility>& visibility,
                       std::optional<std::int64_t> organizationId = std::nullopt);
    /// One page of them, in the query's order.
    std::vector<ApplicationRow> page(const domain::ListQuery& query, std::int64_t offset, int limit,
                                     const std::optional<Visibility>& visibility,
                                     std::optional<std::int64_t> organizationId = std::nullopt);

private:
    Connection& _connection;
};

/// How lists reach applications: the resource's fields and the organization they join.
const domain::ListResource& applicationListResource();

}  // namespace appreg::store
