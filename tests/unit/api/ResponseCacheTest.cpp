#include <cppunit/extensions/HelperMacros.h>

#include "appreg/api/ResponseCache.h"

using namespace appreg;

/// ResponseCache: hits only at the version a response was read at, and stays within its byte budget.
class ResponseCacheTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ResponseCacheTest);
    CPPUNIT_TEST(testHitOnlyAtTheSameVersion);
    CPPUNIT_TEST(testLeastRecentlyUsedGoesFirst);
    CPPUNIT_TEST(testLargeBodiesAndZeroBudget);
    CPPUNIT_TEST(testReplacingAKeyKeepsTheAccount);
    CPPUNIT_TEST_SUITE_END();

    static http::Response page(const std::string& body) {
        http::Response r;
        r.body = body;
        r.setHeader("Allow", "GET");
        return r;
    }

public:
    void testHitOnlyAtTheSameVersion() {
        api::ResponseCache cache(1 << 20);
        cache.remember("1 /a?", {7, 0}, page("one"));
        CPPUNIT_ASSERT_EQUAL(std::string("one"), cache.find("1 /a?", {7, 0})->body);
        CPPUNIT_ASSERT_EQUAL(std::string("GET"), cache.find("1 /a?", {7, 0})->header("Allow"));
        CPPUNIT_ASSERT(!cache.find("2 /a?", {7, 0}));  // another caller
        CPPUNIT_ASSERT(!cache.find("1 /a?page=2", {7, 0}));
        CPPUNIT_ASSERT(!cache.find("1 /a?", {8, 0}));  // another connection committed
        CPPUNIT_ASSERT(!cache.find("1 /a?", {7, 1}));  // this connection wrote
        cache.remember("1 /b?", {8, 0}, page("two"));  // a newer version retires everything before it
        CPPUNIT_ASSERT(!cache.find("1 /a?", {7, 0}));
        CPPUNIT_ASSERT(!cache.find("1 /a?", {8, 0}));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), cache.size());
        CPPUNIT_ASSERT_EQUAL(std::string("two"), cache.find("1 /b?", {8, 0})->body);
    }

    void testLeastRecentlyUsedGoesFirst() {
        // 400 bytes of budget: four 98-byte entries fit (key 10 + body 80 + header 8), a fifth pushes out the
        // one used longest ago.
        api::ResponseCache cache(400);
        const std::string body(80, 'x');
        for (int i = 1; i <= 4; ++i) cache.remember("key-00000" + std::to_string(i), {1, 0}, page(body));
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), cache.size());
        CPPUNIT_ASSERT_EQUAL(std::size_t(392), cache.bytes());
        CPPUNIT_ASSERT(cache.find("key-000001", {1, 0}));  // now the most recently used
        cache.remember("key-000005", {1, 0}, page(body));
        cache.remember("key-000006", {1, 0}, page(body));
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), cache.size());
        CPPUNIT_ASSERT(cache.bytes() <= 400);
        CPPUNIT_ASSERT(cache.find("key-000001", {1, 0}));
        CPPUNIT_ASSERT(!cache.find("key-000002", {1, 0}));
        CPPUNIT_ASSERT(!cache.find("key-000003", {1, 0}));
        for (int i = 4; i <= 6; ++i) CPPUNIT_ASSERT(cache.find("key-00000" + std::to_string(i), {1, 0}));
    }

    void testLargeBodiesAndZeroBudget() {
        api::ResponseCache cache(4000);
        cache.remember("big", {1, 0}, page(std::string(1001, 'x')));  // over a quarter of the budget
        CPPUNIT_ASSERT(!cache.find("big", {1, 0}));
        cache.remember("small", {1, 0}, page(std::string(900, 'x')));
        CPPUNIT_ASSERT(cache.find("small", {1, 0}));

        api::ResponseCache off(0);
        off.remember("a", {1, 0}, page(""));
        CPPUNIT_ASSERT(!off.find("a", {1, 0}));
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), off.size());
    }

    void testReplacingAKeyKeepsTheAccount() {
        api::ResponseCache cache(1000);
        for (int i = 0; i < 50; ++i) cache.remember("k", {1, 0}, page(std::string(100, 'a' + i % 26)));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), cache.size());
        CPPUNIT_ASSERT_EQUAL(std::size_t(1 + 100 + 8), cache.bytes());
        CPPUNIT_ASSERT_EQUAL(std::string(100, 'a' + 49 % 26), cache.find("k", {1, 0})->body);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ResponseCacheTest);
