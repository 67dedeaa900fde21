#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

struct sqlite3_stmt;

namespace appreg::test {

/// Whole result rows read from the worker's SQLite file from the outside (sqlite3 C API, a connection per
/// query), for tests that compare what is stored with what was acknowledged. DatabaseFile counts; this reads.
class DatabaseRows {
public:
    /// One row: column name -> value as text (SQL NULL is "<null>").
    using Row = std::map<std::string, std::string>;

    explicit DatabaseRows(std::string path);

    /// Every row of `sql`; throws std::runtime_error on SQL errors (with the statement and the message).
    std::vector<Row> query(const std::string& sql) const;

    /// The first column of every row (e.g. PRAGMA integrity_check).
    std::vector<std::string> column(const std::string& sql) const;

    /// The integer in the first column of the first row (e.g. SELECT count(*) ...); throws if there is no
    /// row.
    long long integer(const std::string& sql) const;

private:
    std::string path_;

    /// Runs `sql` on a connection of its own, calling `onRow` for each row.
    void run(const std::string& sql, const std::function<void(sqlite3_stmt*)>& onRow) const;
};

}  // namespace appreg::test
