#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>

#include "appreg/domain/Secrets.h"
#include "appreg/store/ApplicationStore.h"
#include "appreg/store/Migrations.h"
#include "appreg/store/OrganizationStore.h"
#include "appreg/store/Query.h"

#include "TemporaryDatabase.h"

using namespace appreg;
using namespace Poco::Data::Keywords;

namespace {

domain::Application sampleApp(std::int64_t org, const std::string& name) {
    domain::Application a;
    a.name = name;
    a.clientId = domain::randomAlphanumeric(40);
    a.clientSecretHash = domain::hashSecret("s");
    a.clientType = "public";
    a.authorizationGrantType = "password";
    a.organizationId = org;
    a.created = a.modified = "2026-01-01T00:00:00.000000Z";
    return a;
}

}  // namespace

/// The store on a real SQLite file in a temporary directory.
class DatabaseTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DatabaseTest);
    CPPUNIT_TEST(testMigrationIsIdempotent);
    CPPUNIT_TEST(testOrganizationLookupsUseAnIndex);
    CPPUNIT_TEST(testActivityInsertBuildsNoEphemeralIndex);
    CPPUNIT_TEST(testVersion7KeepsTheActivityStream);
    CPPUNIT_TEST(testPragmas);
    CPPUNIT_TEST(testConstraints);
    CPPUNIT_TEST(testRollbackLeavesNothing);
    CPPUNIT_TEST(testLockedDatabaseIsUnavailable);
    CPPUNIT_TEST_SUITE_END();

    std::unique_ptr<test::TemporaryDatabase> temporary;
    store::Database* db = nullptr;

public:
    void setUp() override {
        temporary = std::make_unique<test::TemporaryDatabase>();
        db = &**temporary;
    }

    void tearDown() override {
        db = nullptr;
        temporary.reset();
    }

    void testMigrationIsIdempotent() {
        db->migrate();
        auto c = db->connect();
        int versions = 0;
        c->session() << "SELECT COUNT(*) FROM schema_migrations", into(versions), now;
        CPPUNIT_ASSERT_EQUAL(static_cast<int>(store::migrations().size()), versions);
        CPPUNIT_ASSERT_EQUAL(static_cast<int>(store::migrations().size()), store::applyMigrations(*c));
    }

    void testOrganizationLookupsUseAnIndex() {
        // Migration 2 replaced the single-column index on applications.organization_id by one that starts
        // with it: the lookups by organization (its applications, the foreign key check when it is deleted)
        // must still find an index.
        db->migrate();
        auto c = db->connect();
        store::Query plan(*c, "EXPLAIN QUERY PLAN SELECT id FROM applications WHERE organization_id = 1");
        std::string all;
        while (plan.next()) all += plan.text(3) + "\n";  // the "detail" column
        CPPUNIT_ASSERT_MESSAGE(all, all.find("applications_organization_name") != std::string::npos);
        int single = -1;
        c->session() << "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'applications_organization'",
            into(single), now;
        CPPUNIT_ASSERT_EQUAL(0, single);
    }

    void testActivityInsertBuildsNoEphemeralIndex() {
        // Migration 7: checking the operation must not build an ephemeral index per inserted entry (issue 7).
        auto c = db->connect();
        CPPUNIT_ASSERT_EQUAL(std::string(), ephemeralOpsInActivityInsert(*c));
    }

    void testVersion7KeepsTheActivityStream() {
        // A database as version 6 left it, with entries and an AUTOINCREMENT counter ahead of the highest id
        // (the last entries deleted by hand), then migrated.
        std::mutex writeMutex;
        store::DatabaseOptions options = db->options();
        options.path = (temporary->path().parent_path() / "v6.db").string();
        store::Connection c(options, writeMutex);
        c.executeScript(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
            "applied TEXT NOT NULL)");
        for (const auto& m : store::migrations()) {
            if (m.version > 6) break;
            c.executeScript(m.sql);
            c.executeScript("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) +
                            ", 'v', '2026-01-01T00:00:00Z')");
        }
        c.executeScript(R"SQL(
INSERT INTO activity_stream (id, timestamp, operation, object1, object1_id, changes, actor_id, actor_username,
                             actor_first_name, actor_last_name) VALUES
    (1, '2026-01-01T00:00:00.000001Z', 'create', 'organization', 1, '{"name": "o"}', NULL, NULL, NULL, NULL),
    (2, '2026-01-01T00:00:00.000002Z', 'update', 'o_auth2_application', 7, '{"name": ["a", "b"]}', 3, 'ann',
        'Ann', 'Lee'),
    (3, '2026-01-01T00:00:00.000003Z', 'delete', 'o_auth2_application', 7, '{}', 3, 'ann', '', NULL);
UPDATE sqlite_sequence SET seq = 500 WHERE name = 'activity_stream';
)SQL");
        const std::string before = activityRows(c);
        CPPUNIT_ASSERT(!ephemeralOpsInActivityInsert(c).empty());  // what version 6 did (the test's premise)

        CPPUNIT_ASSERT_EQUAL(store::migrations().back().version, store::applyMigrations(c));
        CPPUNIT_ASSERT_EQUAL(before, activityRows(c));
        CPPUNIT_ASSERT_EQUAL(std::string(), ephemeralOpsInActivityInsert(c));
        std::string indexes;
        store::Query names(c,
                           "SELECT name FROM sqlite_schema WHERE tbl_name = 'activity_stream' AND type IN "
                           "('index', 'trigger') ORDER BY name");
        while (names.next()) indexes += names.text(0) + " ";
        CPPUNIT_ASSERT_EQUAL(
            std::string("activity_stream_actor activity_stream_counted activity_stream_object "
                        "activity_stream_timestamp "),
            indexes);

        // The next entry continues the counter, and is counted.
        store::Query insert(
            c,
            "INSERT INTO activity_stream (timestamp, operation, object1, object1_id, changes) "
            "VALUES ('2026-01-02T00:00:00.000000Z', 'create', 'organization', 2, '{}')");
        insert.run();
        CPPUNIT_ASSERT_EQUAL(std::int64_t{501}, insert.insertedId());
        store::Query counted(c, "SELECT n FROM row_counts WHERE table_name = 'activity_stream'");
        CPPUNIT_ASSERT(counted.next());
        CPPUNIT_ASSERT_EQUAL(std::int64_t{4}, counted.integer(0));
        // The check still refuses what it refused.
        CPPUNIT_ASSERT_THROW(
            c.executeScript("INSERT INTO activity_stream (timestamp, operation, object1, "
                            "object1_id, changes) VALUES ('t', 'rename', 'organization', 2, '{}')"),
            store::ConstraintViolation);
    }

    void testPragmas() {
        auto c = db->connect();
        int fk = 0, sync = 0, tempStore = 0;
        std::string mode;
        c->session() << "PRAGMA foreign_keys", into(fk), now;
        c->session() << "PRAGMA synchronous", into(sync), now;
        c->session() << "PRAGMA journal_mode", into(mode), now;
        c->session() << "PRAGMA temp_store", into(tempStore), now;
        int cacheSize = 0;
        c->session() << "PRAGMA cache_size", into(cacheSize), now;
        CPPUNIT_ASSERT_EQUAL(-store::Database::kReaderCacheKiB, cacheSize);  // negative: in KiB
        CPPUNIT_ASSERT_EQUAL(1, fk);
        CPPUNIT_ASSERT_EQUAL(2, sync);       // FULL
        CPPUNIT_ASSERT_EQUAL(2, tempStore);  // MEMORY: savepoint journals never go to a temporary file
        CPPUNIT_ASSERT_EQUAL(std::string("wal"), mode);
    }

    void testConstraints() {
        auto c = db->connect();
        store::OrganizationStore orgs(*c);
        store::ApplicationStore apps(*c);
        domain::Organization org;
        org.name = "Default";
        org.created = org.modified = "2026-01-01T00:00:00.000000Z";
        std::int64_t orgId;
        {
            store::WriteTransaction tx(*c);
            orgId = orgs.insert(org);
            apps.insert(sampleApp(orgId, "a"));
            tx.commit();
        }
        try {
            store::WriteTransaction tx(*c);
            apps.insert(sampleApp(orgId, "a"));
            CPPUNIT_FAIL("duplicate (name, organization) must be refused by the database");
        } catch (const store::ConstraintViolation& e) {
            CPPUNIT_ASSERT(e.kind() == store::ConstraintViolation::Kind::Unique);
        }
        try {
            store::WriteTransaction tx(*c);
            apps.insert(sampleApp(orgId + 100, "b"));
            CPPUNIT_FAIL("an application of a missing organization must be refused by the database");
        } catch (const store::ConstraintViolation& e) {
            CPPUNIT_ASSERT(e.kind() == store::ConstraintViolation::Kind::ForeignKey);
        }
        CPPUNIT_ASSERT(apps.nameTaken("a", orgId));
        CPPUNIT_ASSERT(!apps.nameTaken("A", orgId));
    }

    void testRollbackLeavesNothing() {
        auto c = db->connect();
        store::OrganizationStore orgs(*c);
        domain::Organization org;
        org.name = "gone";
        org.created = org.modified = "2026-01-01T00:00:00.000000Z";
        {
            store::WriteTransaction tx(*c);
            orgs.insert(org);
        }  // no commit
        CPPUNIT_ASSERT(!orgs.nameTaken("gone"));
    }

    /// The ephemeral-table opcodes of the activity entry's INSERT, one per line; empty when there are none.
    static std::string ephemeralOpsInActivityInsert(store::Connection& c) {
        store::Query plan(c,
                          "EXPLAIN INSERT INTO activity_stream (timestamp, operation, object1, object1_id, "
                          "changes) VALUES (?, ?, ?, ?, ?)");
        std::string found;
        while (plan.next()) {
            const std::string opcode = plan.text(1);
            if (opcode.find("Ephemeral") != std::string::npos) found += opcode + "\n";
        }
        return found;
    }

    /// Every column of every activity entry, in id order, NULLs marked.
    static std::string activityRows(store::Connection& c) {
        store::Query rows(
            c,
            "SELECT id, timestamp, operation, object1, object1_id, changes, actor_id, "
            "actor_username, actor_first_name, actor_last_name FROM activity_stream ORDER BY id");
        std::string all;
        while (rows.next()) {
            for (int i = 0; i < 10; ++i) all += (rows.isNull(i) ? std::string("NULL") : rows.text(i)) + "|";
            all += "\n";
        }
        return all;
    }

    void testLockedDatabaseIsUnavailable() {
        // Another connection (as another process would) holds the write lock beyond the busy timeout.
        std::mutex otherProcessMutex;
        store::Connection other(db->options(), otherProcessMutex);
        other.session() << "BEGIN IMMEDIATE", now;
        auto c = db->connect();
        auto start = std::chrono::steady_clock::now();
        CPPUNIT_ASSERT_THROW(store::WriteTransaction tx(*c), store::DatabaseUnavailable);
        auto waited =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        CPPUNIT_ASSERT(waited.count() >= 150);  // it did wait for the busy timeout (200 ms)
        other.session() << "ROLLBACK", now;
        store::WriteTransaction tx(*c);  // and recovers once the lock is gone
        tx.commit();
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DatabaseTest);
