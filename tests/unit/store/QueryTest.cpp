#include <cppunit/extensions/HelperMacros.h>

#include <cstdlib>
#include <filesystem>

#include "appreg/store/Database.h"
#include "appreg/store/Query.h"

#include "TemporaryDatabase.h"

using namespace appreg;

/// Query and its per-connection StatementCache on a real SQLite file.
class QueryTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(QueryTest);
    CPPUNIT_TEST(testBindAndRead);
    CPPUNIT_TEST(testInsertedIdIgnoresTriggerRows);
    CPPUNIT_TEST(testStatementIsPreparedOnce);
    CPPUNIT_TEST(testSameStatementRunningTwiceAtOnce);
    CPPUNIT_TEST(testLeastRecentlyUsedIsDropped);
    CPPUNIT_TEST(testConstraintErrorsAreTranslated);
    CPPUNIT_TEST(testAbandonedReadHoldsNoSnapshot);
    CPPUNIT_TEST(testBadSqlIsAnError);
    CPPUNIT_TEST(testReadTransactionKeepsOneSnapshot);
    CPPUNIT_TEST_SUITE_END();

    std::unique_ptr<test::TemporaryDatabase> temporary;
    store::Database* db = nullptr;
    std::unique_ptr<store::Connection> connection;

public:
    void setUp() override {
        temporary = std::make_unique<test::TemporaryDatabase>();
        db = &**temporary;
        connection = db->connect();
        store::Query(*connection,
                     "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER, "
                     "parent INTEGER REFERENCES t(id), CHECK (n >= 0))")
            .run();
    }

    void tearDown() override {
        connection.reset();
        db = nullptr;
        temporary.reset();
    }

    std::int64_t insert(const std::string& name, std::optional<std::int64_t> n) {
        store::Query q(*connection, "INSERT INTO t (name, n) VALUES (?, ?)");
        q.bind(name).bind(n);
        return q.insertedId();
    }

    void testBindAndRead() {
        const auto a = insert("a", 5);
        const auto b = insert("b\0c", std::nullopt);
        CPPUNIT_ASSERT_EQUAL(a + 1, b);
        store::Query q(*connection, "SELECT id, name, n FROM t ORDER BY id");
        CPPUNIT_ASSERT(q.next());
        CPPUNIT_ASSERT_EQUAL(a, q.integer(0));
        CPPUNIT_ASSERT_EQUAL(std::string("a"), q.text(1));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(5), *q.optionalInteger(2));
        CPPUNIT_ASSERT(q.next());
        CPPUNIT_ASSERT_EQUAL(std::string("b"), q.text(1));  // a C string literal ends at its NUL
        CPPUNIT_ASSERT(q.isNull(2));
        CPPUNIT_ASSERT(!q.optionalInteger(2));
        CPPUNIT_ASSERT(!q.next());
        CPPUNIT_ASSERT(!q.next());  // stays done

        const std::string withNul("x\0y", 3);
        insert(withNul, 1);
        store::Query nul(*connection, "SELECT name FROM t WHERE name = ?");
        nul.bind(withNul);
        CPPUNIT_ASSERT(nul.next());
        CPPUNIT_ASSERT_EQUAL(withNul, nul.text(0));  // bytes after a NUL survive both ways

        store::Query vars(*connection, "SELECT ? + 1, ?, ?, ?");
        vars.bindAll({Poco::Dynamic::Var(std::int64_t(41)), Poco::Dynamic::Var(true),
                      Poco::Dynamic::Var(std::string("s")), Poco::Dynamic::Var()});
        CPPUNIT_ASSERT(vars.next());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(42), vars.integer(0));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), vars.integer(1));
        CPPUNIT_ASSERT_EQUAL(std::string("s"), vars.text(2));
        CPPUNIT_ASSERT(vars.isNull(3));
    }

    void testInsertedIdIgnoresTriggerRows() {
        // The stores' tables have triggers that insert elsewhere (row counts, credential changes): the id
        // returned must be the inserted row's, not a trigger's.
        store::Query(*connection, "CREATE TABLE log (id INTEGER PRIMARY KEY, what TEXT)").run();
        store::Query(*connection, "INSERT INTO log (id, what) VALUES (1000, 'seed')").run();
        store::Query(
            *connection,
            "CREATE TRIGGER t_log AFTER INSERT ON t BEGIN "
            "INSERT INTO log (what) VALUES (NEW.name); INSERT INTO log (what) VALUES (NEW.name); END")
            .run();
        const auto first = insert("first", 1);
        const auto second = insert("second", 2);
        CPPUNIT_ASSERT_EQUAL(first + 1, second);
        store::Query q(*connection, "SELECT id FROM t WHERE name = 'second'");
        CPPUNIT_ASSERT(q.next());
        CPPUNIT_ASSERT_EQUAL(q.integer(0), second);
        store::Query logged(*connection, "SELECT MAX(id) FROM log");
        CPPUNIT_ASSERT(logged.next());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1004), logged.integer(0));  // the triggers did insert
        CPPUNIT_ASSERT(second < 1000);

        // A statement that inserts nothing has no id to give.
        store::Query none(*connection, "INSERT INTO t (name, n) SELECT 'x', 1 WHERE 0");
        CPPUNIT_ASSERT_THROW(none.insertedId(), std::logic_error);
    }

    void testStatementIsPreparedOnce() {
        insert("a", 1);
        const std::size_t cached = connection->statements().size();
        for (int i = 0; i < 100; ++i) insert("n" + std::to_string(i), i);
        CPPUNIT_ASSERT_EQUAL(cached, connection->statements().size());
        // Bindings do not leak from one use into the next: an unbound parameter is NULL.
        store::Query q(*connection, "SELECT ?1 IS NULL");
        CPPUNIT_ASSERT(q.next());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(1), q.integer(0));
    }

    void testSameStatementRunningTwiceAtOnce() {
        insert("a", 1);
        insert("b", 2);
        const std::string sql = "SELECT name FROM t ORDER BY id";
        store::Query outer(*connection, sql);
        std::vector<std::string> pairs;
        while (outer.next()) {
            store::Query inner(*connection, sql);
            while (inner.next()) pairs.push_back(outer.text(0) + inner.text(0));
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), pairs.size());
        CPPUNIT_ASSERT_EQUAL(std::string("ab"), pairs[1]);
        CPPUNIT_ASSERT_EQUAL(std::string("ba"), pairs[2]);
    }

    void testLeastRecentlyUsedIsDropped() {
        store::StatementCache& cache = connection->statements();
        for (int i = 0; i < 300; ++i) {
            store::Query q(*connection, "SELECT " + std::to_string(i));
            CPPUNIT_ASSERT(q.next());
            CPPUNIT_ASSERT_EQUAL(std::int64_t(i), q.integer(0));
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(128), cache.size());
    }

    void testConstraintErrorsAreTranslated() {
        const auto a = insert("a", 1);
        auto kindOf = [&](const std::function<void()>& write) {
            try {
                write();
            } catch (const store::ConstraintViolation& e) {
                return e.kind();
            }
            CPPUNIT_FAIL("no ConstraintViolation");
            return store::ConstraintViolation::Kind::Other;
        };
        CPPUNIT_ASSERT(store::ConstraintViolation::Kind::Unique == kindOf([&] { insert("a", 2); }));
        CPPUNIT_ASSERT(
            store::ConstraintViolation::Kind::Unique == kindOf([&] {
                store::Query(*connection, "INSERT INTO t (id, name) VALUES (?, 'z')").bind(a).run();
            }));
        CPPUNIT_ASSERT(store::ConstraintViolation::Kind::ForeignKey == kindOf([&] {
                           store::Query(*connection, "INSERT INTO t (name, parent) VALUES ('c', 999)").run();
                       }));
        CPPUNIT_ASSERT(store::ConstraintViolation::Kind::Other == kindOf([&] { insert("d", -1); }));
        // The failed statements went back to the cache in a usable state.
        CPPUNIT_ASSERT(insert("e", 3) > a);
    }

    void testAbandonedReadHoldsNoSnapshot() {
        insert("a", 1);
        insert("b", 2);
        {
            store::Query q(*connection, "SELECT name FROM t");
            CPPUNIT_ASSERT(q.next());  // left after the first of two rows
        }
        // Another connection writes; this one must see it at once (a statement left mid-read would keep the
        // old snapshot open, and with it block a checkpoint from completing).
        auto other = db->connect();
        store::Query(*other, "INSERT INTO t (name, n) VALUES ('c', 3)").run();
        {
            store::Query count(*connection, "SELECT COUNT(*) FROM t");
            CPPUNIT_ASSERT(count.next());
            CPPUNIT_ASSERT_EQUAL(std::int64_t(3), count.integer(0));
        }
        store::Query checkpoint(*other, "PRAGMA wal_checkpoint(TRUNCATE)");
        CPPUNIT_ASSERT(checkpoint.next());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(0), checkpoint.integer(0));  // not blocked by a reader
    }

    void testBadSqlIsAnError() {
        CPPUNIT_ASSERT_THROW(store::Query(*connection, "SELEKT 1"), std::runtime_error);
        CPPUNIT_ASSERT_THROW(store::Query(*connection, "SELECT * FROM missing"), std::runtime_error);
        store::Query ok(*connection, "SELECT 1");
        CPPUNIT_ASSERT(ok.next());
    }

    void testReadTransactionKeepsOneSnapshot() {
        insert("a", 1);
        auto count = [&] {
            store::Query q(*connection, "SELECT COUNT(*) FROM t");
            CPPUNIT_ASSERT(q.next());
            return q.integer(0);
        };
        auto other = db->connect();
        {
            store::ReadTransaction snapshot(*connection);
            CPPUNIT_ASSERT_EQUAL(std::int64_t(1), count());
            store::Query(*other, "INSERT INTO t (name, n) VALUES ('b', 2)").run();  // writers are not blocked
            CPPUNIT_ASSERT_EQUAL(std::int64_t(1), count());  // the count and the page of a list agree
        }
        CPPUNIT_ASSERT_EQUAL(std::int64_t(2), count());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(QueryTest);
