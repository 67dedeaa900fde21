// copy-database (issue 8 item 5): a SQLite database written through the real worker and copied into
// PostgreSQL by the real `appreg-fcgi copy-database` serves the same API there, ids included, and gives the
// next ids SQLite would have given; a target with rows, a missing source and a SQLite target are refused
// without a change; a row PostgreSQL refuses rolls the whole copy back; --check-only finds a row changed
// afterwards.

#include "ApiClient.h"
#include "ApiSteps.h"
#include "ChildProcess.h"
#include "DatabaseRows.h"
#include "JsonAssert.h"
#include "ScratchDatabase.h"
#include "TempDir.h"
#include "TestSuperuser.h"
#include "UserSteps.h"
#include "WorkerProcess.h"

#include <cppunit/extensions/HelperMacros.h>

#include <sysexits.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

using namespace appreg::test;

namespace {

/// The copied tables, in the order copy-database copies and reports them, with their primary keys.
// clang-format off
const std::vector<std::pair<std::string, std::string>> kTables = {
    {"organizations", "id"},
    {"users", "id"},
    {"applications", "id"},
    {"organization_roles", "organization_id, user_id, role"},
    {"tokens", "id"},
    {"activity_stream", "id"},
};
// clang-format on

std::string rows(long long n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

/// `appreg-fcgi copy-database ARGS`, run to its end.
ChildProcess::Result copyDatabase(const std::vector<std::string>& args) {
    ChildProcess::Spec spec;
    spec.argv = {WorkerProcess::binary(), "copy-database"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.environment = {"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"};  // never the test runner's own
    return ChildProcess::run(spec, std::chrono::seconds(120));
}

std::string describe(const ChildProcess::Result& result) {
    return (result.timedOut ? std::string("no exit within 120 s") : result.status.describe()) +
           "\n--- stdout ---\n" + result.out + "--- stderr ---\n" + result.err + "--- end ---";
}

/// Every row of every table appreg has in a database (the copied ones and the bookkeeping), as text: two
/// dumps are equal only if nothing changed.
std::string dump(const std::string& location) {
    std::vector<std::pair<std::string, std::string>> tables = kTables;
    tables.insert(tables.end(), {{"row_counts", "table_name"}, {"credential_changes", "id"}});
    if (DatabaseRows::isPostgres(location)) {
        tables.insert(tables.end(), {{"id_sequences", "table_name"}, {"data_version", "id"}});
    }
    std::string out;
    for (const auto& [table, key] : tables) {
        out += "== " + table + "\n";
        for (const auto& row : DatabaseRows(location).query("SELECT * FROM " + table + " ORDER BY " + key)) {
            for (const auto& [column, value] : row) out += column + "=" + value + " ";
            out += "\n";
        }
    }
    return out;
}

long long count(const std::string& location, const std::string& table) {
    return DatabaseRows(location).integer("SELECT COUNT(*) FROM " + table);
}

/// The lines copy-database prints for a source that matches its copy.
std::vector<std::string> matchingLines(const std::string& sqlite) {
    std::vector<std::string> lines;
    for (const auto& [table, key] : kTables) {
        lines.push_back(table + ": " + rows(count(sqlite, table)) + ", contents match\n");
    }
    return lines;
}

/// A worker on a SQLite file (whatever $APPREG_TEST_POSTGRESQL says): the database to copy.
struct SqliteSource {
    TempDir dir{"appreg-copy-source-"};
    WorkerProcess worker{dir, 2, WorkerProcess::Superuser::kCreate, ScratchDatabase::Engine::kSQLite};
    ApiClient api{worker.socketPath()};

    const std::string& path() const { return worker.databasePath(); }
};

/// A fresh PostgreSQL database, and a worker that will run on it (not started, no superuser created: the
/// superuser comes with the copy).
struct PostgresTarget {
    TempDir dir{"appreg-copy-target-"};
    WorkerProcess worker{dir, 2, WorkerProcess::Superuser::kNone};
    ApiClient api{worker.socketPath()};

    const std::string& url() const { return worker.databasePath(); }
};

}  // namespace

class DatabaseCopyTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DatabaseCopyTest);
    CPPUNIT_TEST(testCopyServesTheSameApi);
    CPPUNIT_TEST(testIdsOfDeletedRowsAreNotGivenAgain);
    CPPUNIT_TEST(testLargeTablesCopyInLinearTime);
    CPPUNIT_TEST(testTargetWithRowsIsRefused);
    CPPUNIT_TEST(testMissingSourceIsRefused);
    CPPUNIT_TEST(testWrongArgumentsAreRefused);
    CPPUNIT_TEST(testRefusedRowRollsTheCopyBack);
    CPPUNIT_TEST(testCheckOnlyFindsChangedRows);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        CPPUNIT_ASSERT_MESSAGE("postgres_tests need $APPREG_TEST_POSTGRESQL (a server's URL)",
                               !ScratchDatabase::postgresServer().empty());
    }

    void testCopyServesTheSameApi() {
        SqliteSource source;
        source.worker.start();
        const ApiClient& api = source.api;
        const long long engineering = api.createOrganization("Engineering", "builds things");
        const long long operations = api.createOrganization("Operations");
        const long long alice = UserSteps::createUser(
            api, "alice", "alice-password",
            {{"first_name", "\"Alice\""}, {"last_name", "\"Liddell\""}, {"email", "\"alice@example.com\""}});
        const long long bob = UserSteps::createUser(api, "bob", "bob-password");
        UserSteps::grant(api, engineering, alice, "users");
        UserSteps::grant(api, operations, bob, "admins");
        const auto portal = ApiSteps::createApplication(api, engineering, "portal",
                                                        {{"description", "\"the customer portal\""}});
        const long long portalId = portal->getValue<long long>("id");
        const long long web =
            ApiSteps::createApplicationId(api, engineering, "web",
                                          {{"client_type", "\"public\""},
                                           {"authorization_grant_type", "\"authorization-code\""},
                                           {"redirect_uris", "\"https://a.example/cb https://b.example/cb\""},
                                           {"skip_authorization", "true"}});
        const long long doomed = ApiSteps::createApplicationId(api, operations, "doomed");
        const long long tools = ApiSteps::createApplicationId(api, operations, "tools");
        ApiSteps::expect(api.send("PATCH", ApiSteps::applicationPath(tools), R"({"name": "ops tools"})"), 200,
                         "renaming tools");
        ApiSteps::expect(
            api.send("PATCH", ApiSteps::organizationPath(operations), R"({"description": "ops"})"), 200,
            "describing operations");
        CPPUNIT_ASSERT_EQUAL(204, api.send("DELETE", ApiSteps::applicationPath(doomed)).status);
        const long long appToken =
            ApiSteps::createToken(api, portalId, R"({"description": "ci", "scope": "read"})")
                ->getValue<long long>("id");
        const auto personal = ApiSteps::expect(api.post("/api/v2/tokens/", R"({"description": "mine"})"), 201,
                                               "a personal token");
        const auto granted =
            UserSteps::passwordGrant(source.worker.socketPath(), UserSteps::text(portal, "client_id"),
                                     UserSteps::text(portal, "client_secret"), "alice", "alice-password");
        const std::string aliceBearer = UserSteps::bearer(UserSteps::text(granted, "access_token"));

        // What the SQLite worker answers, to be answered the same by the PostgreSQL one.
        std::vector<std::string> uris = {
            "/api/v2/organizations/",
            "/api/v2/users/",
            "/api/v2/applications/",
            "/api/v2/applications/?order_by=-name",
            "/api/v2/tokens/",
            "/api/v2/activity_stream/?page_size=200",
            "/api/v2/me/",
            "/api/v2/organizations/" + std::to_string(engineering) + "/users/",
            "/api/v2/organizations/" + std::to_string(operations) + "/admins/",
            "/api/v2/organizations/" + std::to_string(engineering) + "/applications/",
            "/api/v2/applications/" + std::to_string(portalId) + "/tokens/",
            "/api/v2/users/" + std::to_string(alice) + "/activity_stream/",
            ApiSteps::organizationPath(engineering),
            ApiSteps::organizationPath(operations),
            ApiSteps::path("users", alice),
            ApiSteps::path("users", bob),
            ApiSteps::applicationPath(portalId),
            ApiSteps::applicationPath(web),
            ApiSteps::applicationPath(tools),
            ApiSteps::tokenPath(appToken),
            ApiSteps::tokenPath(personal->getValue<long long>("id")),
        };
        std::map<std::string, std::string> expected;
        for (const auto& uri : uris) expected[uri] = JsonAssert::toJson(ApiSteps::getOk(api, uri));
        const ApiClient asAlice = UserSteps::as(source.worker.socketPath(), aliceBearer);
        const std::string aliceMe = JsonAssert::toJson(ApiSteps::getOk(asAlice, "/api/v2/me/"));
        CPPUNIT_ASSERT(source.worker.stop().status.isExit(0));

        PostgresTarget target;
        const ChildProcess::Result copied = copyDatabase({"--from", source.path(), "--db", target.url()});
        CPPUNIT_ASSERT_MESSAGE(describe(copied), copied.status.isExit(0));
        CPPUNIT_ASSERT_MESSAGE(describe(copied), contains(copied.out, "copying " + source.path() + " into " +
                                                                          target.url() + "\n"));
        for (const auto& [table, key] : kTables) {
            CPPUNIT_ASSERT_MESSAGE(
                describe(copied),
                contains(copied.out, "copied " + table + " (" + rows(count(source.path(), table)) + ")\n"));
        }
        for (const auto& line : matchingLines(source.path())) {
            CPPUNIT_ASSERT_MESSAGE(line + describe(copied), contains(copied.out, line));
        }
        CPPUNIT_ASSERT_MESSAGE(describe(copied),
                               contains(copied.out, target.url() + " matches " + source.path() + "\n"));
        CPPUNIT_ASSERT_MESSAGE(describe(copied), copied.err.empty());

        // The target's bookkeeping follows the copied rows (row_counts, id_sequences); the source's own
        // (schema_migrations, row_counts) was not copied over it.
        const DatabaseRows pg(target.url());
        for (const auto& [table, key] : kTables) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(table, count(source.path(), table), count(target.url(), table));
            if (table == "organization_roles") continue;
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                table, count(target.url(), table),
                pg.integer("SELECT n FROM row_counts WHERE table_name = '" + table + "'"));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                table, DatabaseRows(source.path()).integer("SELECT MAX(id) FROM " + table),
                pg.integer("SELECT last FROM id_sequences WHERE table_name = '" + table + "'"));
        }
        // The target's own versions (PostgreSQL's schema starts at 6), not the source's seven rows.
        CPPUNIT_ASSERT(std::vector<std::string>({"6", "7"}) ==
                       pg.column("SELECT version FROM schema_migrations ORDER BY version"));
        // The roles are a change of credentials for the workers' caches; the triggers the copy set aside
        // while it inserted are all back.
        CPPUNIT_ASSERT(pg.integer("SELECT n FROM credential_changes") > 0);
        CPPUNIT_ASSERT_EQUAL(0LL, pg.integer("SELECT COUNT(*) FROM pg_trigger WHERE tgenabled = 'D'"));

        // The PostgreSQL worker answers as the SQLite one did: ids, names, timestamps, secrets' digests.
        target.worker.start();
        for (const auto& uri : uris) {
            APPREG_ASSERT_JSON_MESSAGE(uri, expected[uri],
                                       JsonAssert::toJson(ApiSteps::getOk(target.api, uri)));
        }
        APPREG_ASSERT_JSON_MESSAGE(
            "alice's token", aliceMe,
            JsonAssert::toJson(
                ApiSteps::getOk(UserSteps::as(target.worker.socketPath(), aliceBearer), "/api/v2/me/")));
        ApiSteps::getOk(UserSteps::as(target.worker.socketPath(), UserSteps::basic("bob", "bob-password")),
                        "/api/v2/me/");
        // The refresh token, stored as a digest, is honoured too.
        ApiSteps::expect(UserSteps::postForm(target.worker.socketPath(), "/api/o/token/",
                                             {{"grant_type", "refresh_token"},
                                              {"refresh_token", UserSteps::text(granted, "refresh_token")}},
                                             UserSteps::basic(UserSteps::text(portal, "client_id"),
                                                              UserSteps::text(portal, "client_secret"))),
                         200, "refreshing alice's token on PostgreSQL");

        // Ids go on after the largest, as SQLite's would.
        const long long largest = DatabaseRows(source.path()).integer("SELECT MAX(id) FROM applications");
        CPPUNIT_ASSERT_EQUAL(largest + 1,
                             ApiSteps::createApplicationId(target.api, engineering, "after the copy"));
        const long long largestOrg = DatabaseRows(source.path()).integer("SELECT MAX(id) FROM organizations");
        CPPUNIT_ASSERT_EQUAL(largestOrg + 1, target.api.createOrganization("Research"));
        CPPUNIT_ASSERT(target.worker.stop().status.isExit(0));
        for (const char* table : {"applications", "organizations"}) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                table, count(target.url(), table),
                pg.integer(std::string("SELECT n FROM row_counts WHERE table_name = '") + table + "'"));
        }
    }

    void testLargeTablesCopyInLinearTime() {
        // Row triggers that update one bookkeeping row per inserted row make one transaction's inserts
        // quadratic on PostgreSQL (50,000 rows: minutes); the copy keeps those books once per table.
        SqliteSource source;
        source.worker.start();
        CPPUNIT_ASSERT(source.worker.stop().status.isExit(0));
        DatabaseRows(source.path())
            .query(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                "INSERT INTO organizations (name, created, modified) "
                "SELECT 'org ' || i, '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z' FROM n; "
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000) "
                "INSERT INTO activity_stream (timestamp, operation, object1, object1_id, changes) "
                "SELECT '2024-01-01T00:00:00.000000Z', 'create', 'organization', 1 + i % 2000, "
                "'{\"name\": \"org ' || i || '\"}' FROM n");
        PostgresTarget target;
        const auto begin = std::chrono::steady_clock::now();
        const ChildProcess::Result copied = copyDatabase({"--from", source.path(), "--db", target.url()});
        const auto seconds =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - begin)
                .count();
        CPPUNIT_ASSERT_MESSAGE(describe(copied), copied.status.isExit(0));
        CPPUNIT_ASSERT_MESSAGE(describe(copied),
                               contains(copied.out, "organizations: 2000 rows, contents match\n"));
        CPPUNIT_ASSERT_MESSAGE(describe(copied),
                               contains(copied.out, "activity_stream: 50001 rows, contents match\n"));
        CPPUNIT_ASSERT_MESSAGE("the copy took " + std::to_string(seconds) + " s", seconds < 30);
    }

    void testIdsOfDeletedRowsAreNotGivenAgain() {
        SqliteSource source;
        source.worker.start();
        const long long org = source.api.createOrganization("Engineering");
        const long long kept = ApiSteps::createApplicationId(source.api, org, "kept");
        const long long newest = ApiSteps::createApplicationId(source.api, org, "newest");
        ApiSteps::createToken(source.api, kept);
        const long long newestToken = ApiSteps::createToken(source.api, kept)->getValue<long long>("id");
        CPPUNIT_ASSERT_EQUAL(204, source.api.send("DELETE", ApiSteps::applicationPath(newest)).status);
        CPPUNIT_ASSERT_EQUAL(204, source.api.send("DELETE", ApiSteps::tokenPath(newestToken)).status);
        CPPUNIT_ASSERT(source.worker.stop().status.isExit(0));

        PostgresTarget target;
        const ChildProcess::Result copied = copyDatabase({"--from", source.path(), "--db", target.url()});
        CPPUNIT_ASSERT_MESSAGE(describe(copied), copied.status.isExit(0));

        // The next ids are SQLite's (sqlite_sequence), not one past the largest remaining row.
        target.worker.start();
        const long long application = ApiSteps::createApplicationId(target.api, org, "next");
        const long long token = ApiSteps::createToken(target.api, kept)->getValue<long long>("id");
        CPPUNIT_ASSERT_EQUAL(newest + 1, application);
        CPPUNIT_ASSERT_EQUAL(newestToken + 1, token);
        source.worker.start();
        CPPUNIT_ASSERT_EQUAL(application, ApiSteps::createApplicationId(source.api, org, "next"));
        CPPUNIT_ASSERT_EQUAL(token, ApiSteps::createToken(source.api, kept)->getValue<long long>("id"));
    }

    void testTargetWithRowsIsRefused() {
        SqliteSource source;
        source.worker.start();
        source.api.createOrganization("Engineering");
        CPPUNIT_ASSERT(source.worker.stop().status.isExit(0));
        PostgresTarget target;
        TestSuperuser::create(target.dir, target.url());  // one user and its activity entry
        const std::string before = dump(target.url());
        const std::string sourceBefore = dump(source.path());

        const ChildProcess::Result refused = copyDatabase({"--from", source.path(), "--db", target.url()});
        CPPUNIT_ASSERT_MESSAGE(describe(refused), refused.status.isExit(1));
        CPPUNIT_ASSERT_MESSAGE(describe(refused),
                               contains(refused.err, "the target database " + target.url() +
                                                         " is not empty (rows in users, activity_stream); "
                                                         "nothing was changed"));
        CPPUNIT_ASSERT_MESSAGE(describe(refused), !contains(refused.out, "copied "));
        CPPUNIT_ASSERT_EQUAL(before, dump(target.url()));
        CPPUNIT_ASSERT_EQUAL(sourceBefore, dump(source.path()));
    }

    void testMissingSourceIsRefused() {
        TempDir dir;
        ScratchDatabase target(dir.file("unused.db"));
        const std::string missing = dir.file("missing.db");
        const ChildProcess::Result refused = copyDatabase({"--from", missing, "--db", target.location()});
        CPPUNIT_ASSERT_MESSAGE(describe(refused), refused.status.isExit(EX_NOINPUT));
        CPPUNIT_ASSERT_MESSAGE(describe(refused),
                               contains(refused.err, "the source database " + missing + " does not exist"));
        CPPUNIT_ASSERT_MESSAGE("the missing source was created", !std::filesystem::exists(missing));
        // Refused before the target was touched: not even migrated.
        CPPUNIT_ASSERT_EQUAL(0LL, DatabaseRows(target.location())
                                      .integer("SELECT COUNT(*) FROM information_schema.tables "
                                               "WHERE table_schema = current_schema()"));

        // A file that is not an appreg database is not turned into one.
        const std::string empty = dir.writeFile("empty.db", "");
        const ChildProcess::Result notAppreg = copyDatabase({"--from", empty, "--db", target.location()});
        CPPUNIT_ASSERT_MESSAGE(describe(notAppreg), notAppreg.status.isExit(EX_NOINPUT));
        CPPUNIT_ASSERT_MESSAGE(describe(notAppreg), contains(notAppreg.err, "is not an appreg database"));
        CPPUNIT_ASSERT_EQUAL(std::uintmax_t(0), std::filesystem::file_size(empty));
        const std::string text = dir.writeFile("notes.txt", "not a database at all, just some text\n");
        const ChildProcess::Result notSqlite = copyDatabase({"--from", text, "--db", target.location()});
        CPPUNIT_ASSERT_MESSAGE(describe(notSqlite), notSqlite.status.isExit(EX_NOINPUT));
        CPPUNIT_ASSERT_MESSAGE(describe(notSqlite), contains(notSqlite.err, "is not a SQLite database"));

        const ChildProcess::Result checked =
            copyDatabase({"--check-only", "--from", missing, "--db", target.location()});
        CPPUNIT_ASSERT_MESSAGE(describe(checked), checked.status.isExit(EX_NOINPUT));
        CPPUNIT_ASSERT_MESSAGE(describe(checked), contains(checked.err, missing + " does not exist"));
    }

    void testWrongArgumentsAreRefused() {
        SqliteSource source;
        source.worker.start();
        CPPUNIT_ASSERT(source.worker.stop().status.isExit(0));
        const std::string sqliteTarget = source.dir.file("target.db");

        const ChildProcess::Result sqliteToSqlite =
            copyDatabase({"--from", source.path(), "--db", sqliteTarget});
        CPPUNIT_ASSERT_MESSAGE(describe(sqliteToSqlite), sqliteToSqlite.status.isExit(EX_USAGE));
        CPPUNIT_ASSERT_MESSAGE(describe(sqliteToSqlite),
                               contains(sqliteToSqlite.err, "the target must be a PostgreSQL database"));
        CPPUNIT_ASSERT_MESSAGE("the SQLite target was created", !std::filesystem::exists(sqliteTarget));

        const std::string url = ScratchDatabase::withDatabase(ScratchDatabase::postgresServer(), "postgres");
        const ChildProcess::Result noFrom = copyDatabase({"--db", url});
        CPPUNIT_ASSERT_MESSAGE(describe(noFrom), noFrom.status.isExit(EX_USAGE));
        CPPUNIT_ASSERT_MESSAGE(describe(noFrom),
                               contains(noFrom.err, "copy-database needs --from SQLITE_PATH"));

        const ChildProcess::Result fromPostgres = copyDatabase({"--from", url, "--db", url});
        CPPUNIT_ASSERT_MESSAGE(describe(fromPostgres), fromPostgres.status.isExit(EX_USAGE));
        CPPUNIT_ASSERT_MESSAGE(describe(fromPostgres),
                               contains(fromPostgres.err, "the source must be a SQLite file"));

        ChildProcess::Spec worker;
        worker.argv = {WorkerProcess::binary(), "--check-only", "--db", url};
        const ChildProcess::Result stray = ChildProcess::run(worker, std::chrono::seconds(30));
        CPPUNIT_ASSERT_MESSAGE(describe(stray), stray.status.isExit(EX_USAGE));
        CPPUNIT_ASSERT_MESSAGE(describe(stray), contains(stray.err, "are for copy-database"));

        ChildProcess::Spec help;
        help.argv = {WorkerProcess::binary(), "--help"};
        const ChildProcess::Result usage = ChildProcess::run(help, std::chrono::seconds(30));
        CPPUNIT_ASSERT_MESSAGE(describe(usage),
                               contains(usage.out, "appreg-fcgi copy-database --from SQLITE_PATH"));
        CPPUNIT_ASSERT_MESSAGE(describe(usage), contains(usage.out, "--check-only"));
    }

    void testRefusedRowRollsTheCopyBack() {
        SqliteSource source;
        source.worker.start();
        const long long org = source.api.createOrganization("Engineering");
        const long long app = ApiSteps::createApplicationId(source.api, org, "portal");
        ApiSteps::createToken(source.api, app);
        CPPUNIT_ASSERT(source.worker.stop().status.isExit(0));
        // A token of an application that does not exist (SQLite checks foreign keys only when asked to, and
        // this connection does not ask). Tokens are copied after four other tables.
        DatabaseRows(source.path())
            .query(
                "INSERT INTO tokens (description, application_id, token_digest, scope, expires, created, "
                "modified) VALUES ('orphan', 999, 'digest', 'read', '2099-01-01T00:00:00Z', "
                "'2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')");

        PostgresTarget target;
        const ChildProcess::Result failed = copyDatabase({"--from", source.path(), "--db", target.url()});
        CPPUNIT_ASSERT_MESSAGE(describe(failed), failed.status.isExit(EX_DATAERR));
        CPPUNIT_ASSERT_MESSAGE(describe(failed), contains(failed.err, "PostgreSQL refused a row of"));
        CPPUNIT_ASSERT_MESSAGE(describe(failed), contains(failed.err, "the copy was rolled back"));
        // The message names the rows of the refused statement and the constraint, not a statement's SQL.
        CPPUNIT_ASSERT_MESSAGE(describe(failed),
                               contains(failed.err, "INSERT INTO tokens: 2 rows, id 1 to id 2"));
        CPPUNIT_ASSERT_MESSAGE(describe(failed), contains(failed.err, "tokens_application_id_fkey"));
        CPPUNIT_ASSERT_MESSAGE(describe(failed), !contains(failed.err, "VALUES"));
        CPPUNIT_ASSERT_MESSAGE(describe(failed), contains(failed.out, "copied applications (1 row)"));
        // Nothing of it stayed: no rows, no counts, no ids, no change seen by the workers' caches.
        const DatabaseRows pg(target.url());
        for (const auto& [table, key] : kTables)
            CPPUNIT_ASSERT_EQUAL_MESSAGE(table, 0LL, count(target.url(), table));
        CPPUNIT_ASSERT_EQUAL(0LL, pg.integer("SELECT SUM(n) FROM row_counts"));
        CPPUNIT_ASSERT_EQUAL(0LL, pg.integer("SELECT SUM(last) FROM id_sequences"));
        CPPUNIT_ASSERT_EQUAL(0LL, pg.integer("SELECT n FROM data_version"));
        CPPUNIT_ASSERT_EQUAL(0LL, pg.integer("SELECT n FROM credential_changes"));

        // Without the orphan, the same target takes the copy.
        DatabaseRows(source.path()).query("DELETE FROM tokens WHERE description = 'orphan'");
        const ChildProcess::Result copied = copyDatabase({"--from", source.path(), "--db", target.url()});
        CPPUNIT_ASSERT_MESSAGE(describe(copied), copied.status.isExit(0));
    }

    void testCheckOnlyFindsChangedRows() {
        SqliteSource source;
        source.worker.start();
        const long long org = source.api.createOrganization("Engineering");
        const long long app = ApiSteps::createApplicationId(source.api, org, "portal");
        ApiSteps::createToken(source.api, app);
        ApiSteps::createToken(source.api, app);
        CPPUNIT_ASSERT(source.worker.stop().status.isExit(0));
        PostgresTarget target;
        CPPUNIT_ASSERT(copyDatabase({"--from", source.path(), "--db", target.url()}).status.isExit(0));
        const std::vector<std::string> check = {"--check-only", "--from", source.path(), "--db",
                                                target.url()};

        const ChildProcess::Result same = copyDatabase(check);
        CPPUNIT_ASSERT_MESSAGE(describe(same), same.status.isExit(0));
        for (const auto& line : matchingLines(source.path())) {
            CPPUNIT_ASSERT_MESSAGE(line + describe(same), contains(same.out, line));
        }
        CPPUNIT_ASSERT_MESSAGE(describe(same), !contains(same.out, "copied"));
        // The check changes neither database: the source's rows, and what the target's workers would see.
        const std::string sourceDump = dump(source.path());
        const long long version = DatabaseRows(target.url()).integer("SELECT n FROM data_version");
        CPPUNIT_ASSERT(copyDatabase(check).status.isExit(0));
        CPPUNIT_ASSERT_EQUAL(version, DatabaseRows(target.url()).integer("SELECT n FROM data_version"));

        // NULL and '' are different contents: the superuser's creation has no actor.
        const DatabaseRows pg(target.url());
        pg.query("UPDATE activity_stream SET actor_username = '' WHERE id = 1 AND actor_username IS NULL");
        assertMismatch(check, "activity_stream: MISMATCH: " + rows(count(source.path(), "activity_stream")) +
                                  " in both; contents differ\n");
        pg.query("UPDATE activity_stream SET actor_username = NULL WHERE id = 1");
        CPPUNIT_ASSERT_MESSAGE("restored", copyDatabase(check).status.isExit(0));

        pg.query("UPDATE applications SET description = 'changed' WHERE id = " + std::to_string(app));
        assertMismatch(check, "applications: MISMATCH: 1 row in both; contents differ\n");
        pg.query("UPDATE applications SET description = '' WHERE id = " + std::to_string(app));

        const long long newestToken = pg.integer("SELECT MAX(id) FROM tokens");
        pg.query("DELETE FROM tokens WHERE id = " + std::to_string(newestToken));
        assertMismatch(check, "tokens: MISMATCH: 2 rows in the source, 1 in the target; contents differ\n");
        pg.query(
            "INSERT INTO tokens SELECT * FROM json_populate_record(NULL::tokens, '" +
            DatabaseRows(source.path())
                .column("SELECT json_object('id', id, 'description', description, 'user_id', user_id, "
                        "'application_id', application_id, 'token_digest', token_digest, "
                        "'refresh_token_digest', refresh_token_digest, 'scope', scope, 'expires', expires, "
                        "'created', created, 'modified', modified) FROM tokens WHERE id = " +
                        std::to_string(newestToken))
                .at(0) +
            "')");
        CPPUNIT_ASSERT_MESSAGE("token restored", copyDatabase(check).status.isExit(0));

        pg.query("UPDATE row_counts SET n = n + 1 WHERE table_name = 'organizations'");
        assertMismatch(check, "organizations: MISMATCH: 1 row in both; the target's row_counts says 2\n");
        pg.query("UPDATE row_counts SET n = n - 1 WHERE table_name = 'organizations'");

        pg.query("UPDATE id_sequences SET last = last + 5 WHERE table_name = 'applications'");
        assertMismatch(check, "applications: MISMATCH: 1 row in both; the next id would be " +
                                  std::to_string(app + 1) + " in the source, " + std::to_string(app + 6) +
                                  " in the target\n");
        pg.query("UPDATE id_sequences SET last = last - 5 WHERE table_name = 'applications'");

        CPPUNIT_ASSERT_MESSAGE("all restored", copyDatabase(check).status.isExit(0));
        CPPUNIT_ASSERT_EQUAL(sourceDump, dump(source.path()));
    }

private:
    /// --check-only must exit EX_DATAERR printing `line` (and "contents match" for every other table).
    static void assertMismatch(const std::vector<std::string>& check, const std::string& line) {
        const ChildProcess::Result result = copyDatabase(check);
        CPPUNIT_ASSERT_MESSAGE(line + describe(result), result.status.isExit(EX_DATAERR));
        CPPUNIT_ASSERT_MESSAGE(line + describe(result), contains(result.out, line));
        const std::string table = line.substr(0, line.find(':'));
        for (const auto& [other, key] : kTables) {
            if (other == table) continue;
            CPPUNIT_ASSERT_MESSAGE(other + describe(result), contains(result.out, other + ": ") &&
                                                                 !contains(result.out, other + ": MISMATCH"));
        }
        CPPUNIT_ASSERT_MESSAGE(describe(result), contains(result.err, "does not match"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DatabaseCopyTest);
