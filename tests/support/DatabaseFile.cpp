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
    return TempDir::readFile(path_) + TempDir::readFile(path_ + "-wal") +
           TempDir::readFile(path_ + "-journal");
}

}  // namespace appreg::test
