#pragma once

#include <map>
#include <string>
#include <vector>

namespace appreg::test {

/// Whole result rows read from the worker's database from the outside, a connection per query: the sqlite3 C
/// API on a SQLite file, libpq on a postgresql:// URL. For tests that compare what is stored with what was
/// acknowledged. DatabaseFile counts; this reads.
class DatabaseRows {
public:
    /// One row: column name -> value as text (SQL NULL is "<null>").
    using Row = std::map<std::string, std::string>;

    /// `location`: what the worker's --db says (a SQLite path or a postgresql:// URL).
    explicit DatabaseRows(std::string location);

    /// Every row of `sql`; throws std::runtime_error on SQL errors (with the statement and the message).
    /// Several ';'-separated statements are allowed when none returns rows.
    std::vector<Row> query(const std::string& sql) const;

    /// The first column of every row (e.g. PRAGMA integrity_check).
    std::vector<std::string> column(const std::string& sql) const;

    /// The integer in the first column of the first row (e.g. SELECT count(*) ...); throws if there is no
    /// row.
    long long integer(const std::string& sql) const;

    /// Whether `location` is a PostgreSQL database.
    static bool isPostgres(const std::string& location);

private:
    std::string location_;

    struct Result {
        std::vector<std::string> columns;
        std::vector<std::vector<std::string>> rows;  ///< "<null>" for SQL NULL
    };
    Result run(const std::string& sql) const;
    Result runSqlite(const std::string& sql) const;
    Result runPostgres(const std::string& sql) const;
};

}  // namespace appreg::test
