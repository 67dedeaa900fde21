#include "DatabaseFile.h"

#include "TempDir.h"

#include <sqlite3.h>

#include <memory>
#include <stdexcept>

namespace appreg::test {

DatabaseFile::DatabaseFile(std::string path) : path_(std::move(path)) {}

long long DatabaseFile::queryInt(const std::string& sql) const {
    sqlite3* raw = nullptr;
    // Read-write without CREATE: a read-only connection cannot open a WAL database whose -shm is missing.
    // Only SELECTs are run.
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
    if (sqlite3_step(statement.get()) != SQLITE_ROW) {
        throw std::runtime_error("\"" + sql + "\" returned no row: " + sqlite3_errmsg(db.get()));
    }
    return sqlite3_column_int64(statement.get(), 0);
}

long long DatabaseFile::count(const std::string& table) const {
    return queryInt("SELECT count(*) FROM " + table);
}

std::string DatabaseFile::rawBytes() const {
    return TempDir::readFile(path_) + TempDir::readFile(path_ + "-wal") +
           TempDir::readFile(path_ + "-journal");
}

}  // namespace appreg::test
