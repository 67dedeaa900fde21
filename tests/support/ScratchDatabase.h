#pragma once

#include <string>

namespace appreg::test {

/// The database a test's worker runs on. By default the SQLite file `appreg.db` in the test's directory.
/// When $APPREG_TEST_POSTGRESQL names a PostgreSQL server (e.g.
/// postgresql://postgres@127.0.0.1:55432/postgres, see scripts/postgres-test-server.sh), a fresh, empty
/// database of its own on that server instead, dropped again when the test is done: the same suites then run
/// on PostgreSQL. A test that needs SQLite whatever the environment says (the source of copy-database) asks
/// for Engine::kSQLite.
class ScratchDatabase {
public:
    /// Which database it is.
    enum class Engine {
        kFromEnvironment,  ///< PostgreSQL when $APPREG_TEST_POSTGRESQL is set, else the SQLite file
        kSQLite,           ///< the SQLite file, always
    };

    explicit ScratchDatabase(const std::string& sqlitePath, Engine engine = Engine::kFromEnvironment);
    ~ScratchDatabase();
    ScratchDatabase(const ScratchDatabase&) = delete;
    ScratchDatabase& operator=(const ScratchDatabase&) = delete;

    /// What the worker's --db gets: the SQLite path or the new database's URL.
    const std::string& location() const { return location_; }

    /// The server named by $APPREG_TEST_POSTGRESQL, or "" when the suites run on SQLite.
    static std::string postgresServer();
    /// `serverUrl` with its database name replaced by `name`.
    static std::string withDatabase(const std::string& serverUrl, const std::string& name);
    /// Runs one statement on the server's maintenance database (CREATE/DROP DATABASE); throws on failure.
    static void runOnServer(const std::string& sql);

private:
    std::string location_;
    std::string name_;  ///< the PostgreSQL database's name, "" on SQLite
};

}  // namespace appreg::test
