#include <cppunit/extensions/HelperMacros.h>

#include "appreg/store/CountCache.h"
#include "appreg/store/Database.h"
#include "appreg/store/Query.h"

#include "TemporaryDatabase.h"

using namespace appreg;

/// CountCache, and the DataVersion of a real connection that decides whether its counts still hold.
class CountCacheTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CountCacheTest);
    CPPUNIT_TEST(testHitOnlyAtTheSameVersion);
    CPPUNIT_TEST(testCapacity);
    CPPUNIT_TEST(testVersionMovesWithEveryCommit);
    CPPUNIT_TEST_SUITE_END();

public:
    void testHitOnlyAtTheSameVersion() {
        store::CountCache cache;
        cache.remember("a", {1, 0}, 10);
        CPPUNIT_ASSERT_EQUAL(std::int64_t(10), *cache.find("a", {1, 0}));
        CPPUNIT_ASSERT(!cache.find("b", {1, 0}));
        CPPUNIT_ASSERT(!cache.find("a", {2, 0}));
        CPPUNIT_ASSERT(!cache.find("a", {1, 1}));
        cache.remember("b", {2, 0}, 20);  // a newer version retires what was counted before
        CPPUNIT_ASSERT(!cache.find("a", {2, 0}));
        CPPUNIT_ASSERT(!cache.find("a", {1, 0}));
        CPPUNIT_ASSERT_EQUAL(std::int64_t(20), *cache.find("b", {2, 0}));
    }

    void testCapacity() {
        store::CountCache cache(3);
        for (int i = 0; i < 3; ++i) cache.remember(std::to_string(i), {1, 0}, i);
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), cache.size());
        cache.remember("x", {1, 0}, 9);
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), cache.size());
        CPPUNIT_ASSERT_EQUAL(std::int64_t(9), *cache.find("x", {1, 0}));
    }

    void testVersionMovesWithEveryCommit() {
        test::TemporaryDatabase db;
        auto reader = db->connect();
        auto writer = db->connect();
        store::Query(*writer, "CREATE TABLE t (n INTEGER)").run();
        const store::DataVersion start = reader->dataVersion();
        CPPUNIT_ASSERT(start == reader->dataVersion());  // reading changes nothing
        store::Query(*writer, "INSERT INTO t VALUES (1)").run();
        const store::DataVersion afterOther = reader->dataVersion();
        CPPUNIT_ASSERT(afterOther != start);  // another connection's commit
        store::Query(*reader, "INSERT INTO t VALUES (2)").run();
        CPPUNIT_ASSERT(reader->dataVersion() != afterOther);  // and its own
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CountCacheTest);
