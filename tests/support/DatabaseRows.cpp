#include "DatabaseRows.h"

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <stdexcept>

namespace appreg::test {

DatabaseRows::DatabaseRows(std::string path) : path_(std::move(path)) {}

void DatabaseRows::run(const std::string& sql, const std::function<void(sqlite3_stmt*)>& onRow) const {
    sqlite3* raw = nullptr;
    // Read-write without CREATE: a read-only connection cannot open a WAL database whose -shm is missing (and
    // this one also recovers the WAL after a SIGKILL). Only reading statements are run.
    const int openRc = sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    if (openRc != SQLITE_OK) {
        throw std::runtime_error("cannot open " + path_ + ": " +
                                 (raw ? sqlite3_errmsg(raw) : "out of memory"));
    }
    sqlite3_busy_timeout(db.get(), 5000);
    sqlite3_stmt* rawStatement = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &rawStatement, nullptr) != SQLITE_OK) {
        throw std::runtime_error("cannot prepare \"" + sql + "\" on " + path_ + ": " +
                                 sqlite3_errmsg(db.get()));
    }
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(rawStatement, &sqlite3_finalize);
    int rc;
    while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) onRow(statement.get());
    if (rc != SQLITE_DONE) throw std::runtime_error("\"" + sql + "\" failed: " + sqlite3_errmsg(db.get()));
}

std::vector<DatabaseRows::Row> DatabaseRows::query(const std::string& sql) const {
    std::vector<Row> rows;
    run(sql, [&rows](sqlite3_stmt* statement) {
        Row row;
        for (int i = 0; i < sqlite3_column_count(statement); ++i) {
            const char* name = sqlite3_column_name(statement, i);
            if (sqlite3_column_type(statement, i) == SQLITE_NULL) {
                row[name] = "<null>";
            } else {
                const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, i));
                row[name] = std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(statement, i)));
            }
        }
        rows.push_back(std::move(row));
    });
    return rows;
}

std::vector<std::string> DatabaseRows::column(const std::string& sql) const {
    std::vector<std::string> values;
    run(sql, [&values](sqlite3_stmt* statement) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
        values.emplace_back(text ? text : "<null>");
    });
    return values;
}

long long DatabaseRows::integer(const std::string& sql) const {
    long long value = 0;
    bool found = false;
    run(sql, [&](sqlite3_stmt* statement) {
        if (!found) value = sqlite3_column_int64(statement, 0);
        found = true;
    });
    if (!found) throw std::runtime_error("\"" + sql + "\" returned no row");
    return value;
}

}  // namespace appreg::test
