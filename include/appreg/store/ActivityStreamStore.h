#pragma once

#include <cstdint>
#include <string>

#include "appreg/store/Database.h"

namespace appreg::store {

/// Rows of the `activity_stream` table: the history of every create, change and delete (API.md §5).
class ActivityStreamStore {
public:
    explicit ActivityStreamStore(Connection& connection) : _connection(connection) {}

    /// Records one entry inside the caller's WriteTransaction, so the history commits with the change it describes.
    /// `changes` is serialised JSON and never holds a secret.
    std::int64_t record(const std::string& operation, const std::string& object1, std::int64_t objectId,
                        const std::string& changes, const std::string& timestamp);

private:
    Connection& _connection;
};

}  // namespace appreg::store
