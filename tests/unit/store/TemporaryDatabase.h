#pragma once

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "appreg/store/Database.h"

namespace appreg::test {

/// A migrated SQLite database (busy timeout 200 ms) in a fresh temporary directory, removed with it. `->`
/// reaches the store::Database; `adjust` may change the options first.
class TemporaryDatabase {
public:
    explicit TemporaryDatabase(const std::function<void(store::DatabaseOptions&)>& adjust = nullptr) {
        std::string pattern = (std::filesystem::temp_directory_path() / "appreg-storetest-XXXXXX").string();
        if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        _dir = pattern;
        store::DatabaseOptions options;
        options.path = (_dir / "t.db").string();
        options.busyTimeoutMs = 200;
        if (adjust) adjust(options);
        _database = std::make_unique<store::Database>(options);
        _database->migrate();
    }
    ~TemporaryDatabase() {
        _database.reset();
        std::filesystem::remove_all(_dir);
    }
    TemporaryDatabase(const TemporaryDatabase&) = delete;
    TemporaryDatabase& operator=(const TemporaryDatabase&) = delete;

    store::Database* operator->() { return _database.get(); }
    std::filesystem::path path() const { return _dir / "t.db"; }
    store::Database& operator*() { return *_database; }

private:
    std::filesystem::path _dir;
    std::unique_ptr<store::Database> _database;
};

}  // namespace appreg::test
