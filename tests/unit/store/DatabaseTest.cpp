#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <filesystem>
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
