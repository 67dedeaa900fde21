#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "appreg/domain/FieldTable.h"

namespace appreg::domain {

/// One activity-stream entry: what happened (`operation`) to which object (`object1`, `object1Id`), with the
/// changed fields as a JSON object (`changes`: on update `[old, new]` pairs), never a secret.
struct ActivityEntry {
    std::int64_t id = 0;
    std::string timestamp;
    std::string operation;  ///< create | update | delete
    std::string object1;    ///< o_auth2_application | organization | o_auth2_access_token
    std::int64_t object1Id = 0;
    std::string changes;                  ///< serialised JSON object
    std::optional<std::int64_t> actorId;  ///< none when no user acted (or the actor was deleted)
    std::string actorUsername;            ///< kept when the actor is deleted (AWX's deleted_actor)
    std::string actorFirstName;
    std::string actorLastName;
    bool hasActor = false;  ///< a user acted, whether or not they still exist
};

/// The fields of an activity-stream entry in AWX's order (awx-reference.md §5.2).
const FieldTable& activityFields();

}  // namespace appreg::domain
