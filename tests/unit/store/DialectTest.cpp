#include <cppunit/extensions/HelperMacros.h>

#include <stdexcept>

#include "appreg/store/Database.h"
#include "appreg/store/Dialect.h"
#include "appreg/store/Postgres.h"

using namespace appreg;
using store::Backend;

/// What --db names, how a password is kept out of messages, and the SQL that differs between the engines.
class DialectTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DialectTest);
    CPPUNIT_TEST(testABarePathStaysSqlite);
    CPPUNIT_TEST(testPostgresUrls);
    CPPUNIT_TEST(testUnknownSchemesAndEmptyPathsAreRefused);
    CPPUNIT_TEST(testPasswordsAreRedacted);
    CPPUNIT_TEST(testPlaceholdersAreNumbered);
    CPPUNIT_TEST(testStringConditions);
    CPPUNIT_TEST(testConnectionStringFromUrl);
    CPPUNIT_TEST(testConnectionStringRefusesWhatPocoCannotPass);
    CPPUNIT_TEST_SUITE_END();

public:
    void testABarePathStaysSqlite() {
        for (const char* path : {"appreg.db", "/var/lib/appreg/appreg.db", "./x:y.db", "dir/with://colon"}) {
            const auto location = store::parseDatabaseLocation(path);
            CPPUNIT_ASSERT(location.backend == Backend::SQLite);
            CPPUNIT_ASSERT_EQUAL(std::string(path), location.target);
        }
        CPPUNIT_ASSERT_EQUAL(std::string("/var/lib/appreg/appreg.db"),
                             store::parseDatabaseLocation("sqlite:/var/lib/appreg/appreg.db").target);
        CPPUNIT_ASSERT_EQUAL(std::string("/var/lib/appreg/appreg.db"),
                             store::parseDatabaseLocation("sqlite:///var/lib/appreg/appreg.db").target);
        CPPUNIT_ASSERT_EQUAL(std::string("rel.db"), store::parseDatabaseLocation("sqlite:rel.db").target);
    }

    void testPostgresUrls() {
        for (const char* url :
             {"postgresql://appreg@db.example/appreg", "postgres://u@h:5433/d?sslmode=require"}) {
            const auto location = store::parseDatabaseLocation(url);
            CPPUNIT_ASSERT(location.backend == Backend::PostgreSQL);
            CPPUNIT_ASSERT_EQUAL(std::string(url), location.target);
        }
    }

    void testUnknownSchemesAndEmptyPathsAreRefused() {
        CPPUNIT_ASSERT_THROW(store::parseDatabaseLocation(""), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(store::parseDatabaseLocation("sqlite:"), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(store::parseDatabaseLocation("mysql://u@h/d"), std::invalid_argument);
    }

    void testPasswordsAreRedacted() {
        CPPUNIT_ASSERT_EQUAL(std::string("postgresql://appreg:***@db:5432/appreg"),
                             store::redactDatabaseLocation("postgresql://appreg:s3cret@db:5432/appreg"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("postgresql://appreg@db/appreg?sslmode=require&password=***"),
            store::redactDatabaseLocation("postgresql://appreg@db/appreg?sslmode=require&password=s3cret"));
        CPPUNIT_ASSERT_EQUAL(std::string("postgresql://appreg@db/appreg?password=***&x=1"),
                             store::redactDatabaseLocation("postgresql://appreg@db/appreg?password=s&x=1"));
        CPPUNIT_ASSERT_EQUAL(std::string("postgresql://appreg@db/appreg"),
                             store::redactDatabaseLocation("postgresql://appreg@db/appreg"));
        CPPUNIT_ASSERT_EQUAL(std::string("/var/lib/appreg/appreg.db"),
                             store::redactDatabaseLocation("/var/lib/appreg/appreg.db"));
    }

    void testPlaceholdersAreNumbered() {
        using store::dialect::toPostgresPlaceholders;
        CPPUNIT_ASSERT_EQUAL(std::string("SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4"),
                             toPostgresPlaceholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT ?"));
        // SQLite's numbered parameters keep their number; a bare ? after them takes the next one.
        CPPUNIT_ASSERT_EQUAL(std::string("SELECT $1, (SELECT x FROM t WHERE y = $1), $2"),
                             toPostgresPlaceholders("SELECT ?1, (SELECT x FROM t WHERE y = ?1), ?"));
        // Not in literals, quoted identifiers or comments.
        CPPUNIT_ASSERT_EQUAL(
            std::string("SELECT '?', \"a?\", $1 -- why?\nFROM t WHERE s = 'it''s?' AND u = $2"),
            toPostgresPlaceholders("SELECT '?', \"a?\", ? -- why?\nFROM t WHERE s = 'it''s?' AND u = ?"));
    }

    void testStringConditions() {
        using namespace store::dialect;
        CPPUNIT_ASSERT_EQUAL(std::string("instr(lower(a.name), lower(?)) > 0"),
                             contains(Backend::SQLite, "lower(a.name)", "lower(?)"));
        CPPUNIT_ASSERT_EQUAL(std::string("strpos(a.name, ?) > 0"),
                             contains(Backend::PostgreSQL, "a.name", "?"));
        CPPUNIT_ASSERT_EQUAL(std::string("substr(a.name, -length(?))"),
                             suffix(Backend::SQLite, "a.name", "?"));
        CPPUNIT_ASSERT_EQUAL(std::string("right(a.name, length(?))"),
                             suffix(Backend::PostgreSQL, "a.name", "?"));
    }

    void testConnectionStringFromUrl() {
        store::DatabaseOptions options;
        options.path = "postgresql://appreg@db.example:5433/registry?sslmode=require";
        options.connectTimeoutS = 7;
        const std::string conninfo = store::postgresConnectionString(options);
        for (const char* part : {"user=appreg", "host=db.example", "port=5433", "dbname=registry",
                                 "sslmode=require", "connect_timeout=7", "application_name=appreg"}) {
            CPPUNIT_ASSERT_MESSAGE(conninfo + " lacks " + part, conninfo.find(part) != std::string::npos);
        }
        // A timeout in the URL wins.
        options.path = "postgresql://appreg@db/registry?connect_timeout=2";
        const std::string own = store::postgresConnectionString(options);
        CPPUNIT_ASSERT(own.find("connect_timeout=2") != std::string::npos);
        CPPUNIT_ASSERT(own.find("connect_timeout=7") == std::string::npos);
    }

    void testConnectionStringRefusesWhatPocoCannotPass() {
        store::DatabaseOptions options;
        options.path = "postgresql://appreg:with%20space@db/registry";
        try {
            store::postgresConnectionString(options);
            CPPUNIT_FAIL("a password with a space was accepted");
        } catch (const std::invalid_argument& e) {
            // The message names the setting, never its value.
            CPPUNIT_ASSERT(std::string(e.what()).find("password") != std::string::npos);
            CPPUNIT_ASSERT(std::string(e.what()).find("with space") == std::string::npos);
        }
        options.path = "postgresql://[bad";
        CPPUNIT_ASSERT_THROW(store::postgresConnectionString(options), std::invalid_argument);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(DialectTest);
