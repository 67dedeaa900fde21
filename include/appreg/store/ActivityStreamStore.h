#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "appreg/domain/ActivityEntry.h"
#include "appreg/domain/ListQuery.h"
#include "appreg/store/Database.h"
#include "appreg/store/Visibility.h"

namespace appreg::store {

/// An entry with the current name and description of the object it is linked to, when that still exists.
struct ActivityRow {
    domain::ActivityEntry entry;
    bool objectExists = false;
    std::string objectName;
    std::string objectDescription;  ///< for a user: the first name
    std::string objectLastName;     ///< for a user
};

/// Who made a change.
struct ActivityActor {
    std::int64_t id;
    std::string username;
    std::string firstName;
    std::string lastName;
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

    /// The user whose requests the following records describe (none: no user, e.g. the command line).
    void setActor(std::optional<ActivityActor> actor) { _actor = std::move(actor); }
    const std::optional<ActivityActor>& actor() const { return _actor; }

    /// Records one entry inside the caller's WriteTransaction, so the history commits with the change it
    /// describes. `changes` is serialised JSON and never holds a secret. The actor is the one set last.
    std::int64_t record(const std::string& operation, const std::string& object1, std::int64_t objectId,
                        const std::string& changes, const std::string& timestamp);

    std::optional<ActivityRow> find(std::int64_t id);
    /// Entries matching the query; with a scope, only the create/update entries linked to that object
    /// (a delete entry is not linked to the object it removed, as in AWX).
    /// With a visibility, only the create and update entries of objects the caller may see (AWX's
    /// ActivityStreamAccess): applications of their organizations, organizations and users they administer,
    /// themselves, tokens they own or administer.
    std::int64_t count(const domain::ListQuery& query, const std::optional<Visibility>& visibility,
                       const std::optional<ActivityScope>& scope = std::nullopt);
    std::vector<ActivityRow> page(const domain::ListQuery& query, std::int64_t offset, int limit,
                                  const std::optional<Visibility>& visibility,
                                  const std::optional<ActivityScope>& scope = std::nullopt);

private:
    Connection& _connection;
    std::optional<ActivityActor> _actor;
};

/// How lists reach activity-stream entries.
const domain::ListResource& activityListResource();

}  // namespace appreg::store
