#include "DatabaseRows.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <memory>
#include <stdexcept>

namespace appreg::test {

DatabaseRows::DatabaseRows(std::string location) : location_(std::move(location)) {}

bool DatabaseRows::isPostgres(const std::string& location) {
    return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

DatabaseRows::Result DatabaseRows::run(const std::string& sql) const {
    return isPostgres(location_) ? runPostgres(sql) : runSqlite(sql);
}

DatabaseRows::Result DatabaseRows::runSqlite(const std::string& sql) const {
    sqlite3* raw = nullptr;
    // Read-write: a write-ahead-log database cannot be read by a read-only connection while the worker has
    // it open without the -shm file being writable.
    const int openRc = sqlite3_open_v2(location_.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    if (openRc != SQLITE_OK) {
        throw std::runtime_error("cannot open " + location_ + ": " +
                                 (raw ? sqlite3_errmsg(raw) : "out of memory"));
    }
    sqlite3_busy_timeout(db.get(), 5000);
    Result result;
    const char* rest = sql.c_str();
    while (*rest) {
        sqlite3_stmt* rawStatement = nullptr;
        if (sqlite3_prepare_v2(db.get(), rest, -1, &rawStatement, &rest) != SQLITE_OK) {
            throw std::runtime_error("cannot prepare \"" + sql + "\": " + sqlite3_errmsg(db.get()));
        }
        if (rawStatement == nullptr) break;  // only white space or a comment left
        std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(rawStatement, &sqlite3_finalize);
        const int n = sqlite3_column_count(statement.get());
        if (n > 0) {
            result.columns.clear();
            for (int i = 0; i < n; ++i) result.columns.emplace_back(sqlite3_column_name(statement.get(), i));
        }
        int rc;
        while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
            std::vector<std::string> row;
            for (int i = 0; i < n; ++i) {
                if (sqlite3_column_type(statement.get(), i) == SQLITE_NULL) {
                    row.emplace_back("<null>");
                } else {
                    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement.get(), i));
                    row.emplace_back(text,
                                     static_cast<std::size_t>(sqlite3_column_bytes(statement.get(), i)));
                }
            }
            result.rows.push_back(std::move(row));
        }
        if (rc != SQLITE_DONE)
            throw std::runtime_error("\"" + sql + "\" failed: " + sqlite3_errmsg(db.get()));
    }
    return result;
}

DatabaseRows::Result DatabaseRows::runPostgres(const std::string& sql) const {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(location_.c_str()), &PQfinish);
    if (PQstatus(conn.get()) != CONNECTION_OK) {
        throw std::runtime_error("cannot connect to " + location_ + ": " + PQerrorMessage(conn.get()));
    }
    PQsetNoticeProcessor(
        conn.get(), [](void*, const char*) {}, nullptr);
    std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
    const ExecStatusType status = PQresultStatus(res.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        throw std::runtime_error("\"" + sql + "\" failed: " + PQresultErrorMessage(res.get()));
    }
    Result result;
    const int n = PQnfields(res.get());
    for (int i = 0; i < n; ++i) result.columns.emplace_back(PQfname(res.get(), i));
    for (int r = 0; r < PQntuples(res.get()); ++r) {
        std::vector<std::string> row;
        for (int i = 0; i < n; ++i) {
            if (PQgetisnull(res.get(), r, i)) {
                row.emplace_back("<null>");
            } else {
                row.emplace_back(PQgetvalue(res.get(), r, i),
                                 static_cast<std::size_t>(PQgetlength(res.get(), r, i)));
            }
        }
        result.rows.push_back(std::move(row));
    }
    return result;
}

std::vector<DatabaseRows::Row> DatabaseRows::query(const std::string& sql) const {
    const Result result = run(sql);
    std::vector<Row> rows;
    for (const auto& values : result.rows) {
        Row row;
        for (std::size_t i = 0; i < values.size(); ++i) row[result.columns[i]] = values[i];
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<std::string> DatabaseRows::column(const std::string& sql) const {
    std::vector<std::string> values;
    for (const auto& row : run(sql).rows) values.push_back(row.empty() ? "<null>" : row.front());
    return values;
}

long long DatabaseRows::integer(const std::string& sql) const {
    const Result result = run(sql);
    if (result.rows.empty() || result.rows.front().empty())
        throw std::runtime_error("\"" + sql + "\" returned no row");
    return std::stoll(result.rows.front().front());
}

}  // namespace appreg::test
