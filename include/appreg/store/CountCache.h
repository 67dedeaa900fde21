#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace appreg::store {

/// The database state a connection last saw: SQLite's `PRAGMA data_version` (changes when another connection
/// commits) with this connection's own change count; on PostgreSQL the `data_version` row, which triggers
/// increment on every change of a table the API shows, whoever makes it, with 0. Equal versions mean nothing
/// was written in between.
using DataVersion = std::pair<std::int64_t, std::int64_t>;

/// Counts of filtered lists on one connection, each valid for the DataVersion it was counted at.
///
/// A filtered COUNT(*) reads every matching row (DRF counts the same way, on any database), so its cost grows
/// with the table; a list asked for again before anything is written gets the count it had. Any commit, by
/// any connection of any process, changes the version and so retires every entry. Used by one thread.
class CountCache {
public:
    explicit CountCache(std::size_t capacity = 64) : _capacity(capacity) {}

    /// The count remembered for `key` at `version`, if any.
    std::optional<std::int64_t> find(const std::string& key, const DataVersion& version) const;
    /// Remembers `count` for `key` at `version`; when full, first forgets everything counted earlier.
    void remember(const std::string& key, const DataVersion& version, std::int64_t count);
    std::size_t size() const { return _counts.size(); }

private:
    std::size_t _capacity;
    DataVersion _version{-1, -1};
    std::unordered_map<std::string, std::int64_t> _counts;  ///< all at _version
};

}  // namespace appreg::store
