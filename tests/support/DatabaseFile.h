#pragma once

#include <string>

namespace appreg::test {

/// Looks into the worker's database from the outside (DatabaseRows: its SQLite file, or its PostgreSQL
/// database), to prove what a request did or did not write. Each query opens its own connection, so it sees
/// what the worker committed and nothing else.
class DatabaseFile {
public:
    explicit DatabaseFile(std::string path);

    /// The single integer a query returns (e.g. "SELECT count(*) FROM applications"); throws on SQL errors.
    long long queryInt(const std::string& sql) const;

    /// SELECT count(*) FROM <table>.
    long long count(const std::string& table) const;

    /// The raw bytes of the database file and its -wal and -journal companions, concatenated: what an
    /// attacker with a copy of the disk would see. On PostgreSQL: every row of every table as text, what a
    /// dump would show.
    std::string rawBytes() const;

    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace appreg::test
