#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "appreg/domain/ActivityEntry.h"
#include "appreg/domain/ListQuery.h"
#include "appreg/store/Database.h"

namespace appreg::store {

/// An entry with the current name and description of the object it is linked to, when that still exists.
struct ActivityRow {
    domain::ActivityEntry entry;
    bool objectExists = false;
    std::string objectName;
    std::string objectDescription;
};

/// The objects of one kind whose history a sub-list shows (`/applications/{id}/activity_stream/`).
struct ActivityScope {
    std::string object1;
    std::int64_t objectId;
};

/// Rows of the `activity_stream` table: the history of every create, change and delete (API.md §5).
class ActivityStreamStore {
public:
    explicit ActivityStreamStore(Connection& connection) : _connection(connection) {}

    /// Records one entry inside the caller's WriteTransaction, so the history commits with the change it describes.
    /// `changes` is serialised JSON and never holds a secret.
    std::int64_t record(const std::string& operation, const std::string& object1, std::int64_t objectId,
                        const std::string& changes, const std::string& timestamp);

    std::optional<ActivityRow> find(std::int64_t id);
    /// Entries matching the query; with a scope, only the create/update entries linked to that object
    /// (a delete entry is not linked to the object it removed, as in AWX).
    std::int64_t count(const domain::ListQuery& query, const std::optional<ActivityScope>& scope = std::nullopt);
    std::vector<ActivityRow> page(const domain::ListQuery& query, std::int64_t offset, int limit,
                                  const std::optional<ActivityScope>& scope = std::nullopt);

private:
    Connection& _connection;
};

/// How lists reach activity-stream entries.
const domain::ListResource& activityListResource();

}  // namespace appreg::store
