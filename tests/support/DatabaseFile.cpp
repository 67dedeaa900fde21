#include "DatabaseFile.h"

#include "DatabaseRows.h"
#include "TempDir.h"

namespace appreg::test {

DatabaseFile::DatabaseFile(std::string path) : path_(std::move(path)) {}

long long DatabaseFile::queryInt(const std::string& sql) const { return DatabaseRows(path_).integer(sql); }

long long DatabaseFile::count(const std::string& table) const {
    return queryInt("SELECT count(*) FROM " + table);
}

std::string DatabaseFile::rawBytes() const {
    if (DatabaseRows::isPostgres(path_)) {
        // What a dump shows: every row of every table as text.
        std::string all;
        DatabaseRows rows(path_);
        for (const auto& table :
             rows.column("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")) {
            for (const auto& row : rows.column("SELECT t::text FROM " + table + " t")) all += row + "\n";
        }
        return all;
    }
    return TempDir::readFile(path_) + TempDir::readFile(path_ + "-wal") +
           TempDir::readFile(path_ + "-journal");
}

}  // namespace appreg::test
