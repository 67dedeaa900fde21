#include <cppunit/extensions/HelperMacros.h>

#include <map>
#include <set>
#include <string>

#include "appreg/domain/Secrets.h"

using namespace appreg::domain;

class SecretsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SecretsTest);
    CPPUNIT_TEST(testAlphanumericShape);
    CPPUNIT_TEST(testRequestIdsAreFreshAcrossTheThreadsPool);
    CPPUNIT_TEST(testAlphabetIsCoveredEvenly);
    CPPUNIT_TEST(testHashAndVerify);
    CPPUNIT_TEST(testConstantTimeEquals);
    CPPUNIT_TEST_SUITE_END();

public:
    void testAlphanumericShape() {
        for (std::size_t n : {0u, 1u, 40u, 128u, 1000u}) {
            std::string s = randomAlphanumeric(n);
            CPPUNIT_ASSERT_EQUAL(n, s.size());
            for (char c : s) CPPUNIT_ASSERT(std::isalnum(static_cast<unsigned char>(c)));
        }
        CPPUNIT_ASSERT(randomAlphanumeric(40) != randomAlphanumeric(40));
        std::string id = randomHex32();
        CPPUNIT_ASSERT_EQUAL(std::size_t(32), id.size());
        CPPUNIT_ASSERT(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    }

    void testRequestIdsAreFreshAcrossTheThreadsPool() {
        // 2,000 ids: the per-thread pool of 32 is drawn again 62 times. Every id is new, and the 64,000 hex
        // digits are spread evenly (4,000 each expected; a pool handing out a byte twice, or the zeros it
        // leaves behind, would show as repeated ids or as too many '0').
        std::set<std::string> seen;
        std::map<char, int> digits;
        for (int i = 0; i < 2000; ++i) {
            std::string id = randomHex32();
            CPPUNIT_ASSERT_EQUAL(std::size_t(32), id.size());
            CPPUNIT_ASSERT_MESSAGE(id, seen.insert(id).second);
            for (char c : id) ++digits[c];
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(16), digits.size());
        for (const auto& [c, n] : digits) {
            CPPUNIT_ASSERT_MESSAGE(std::string(1, c) + " drawn " + std::to_string(n) + " times",
                                   n > 3600 && n < 4400);
        }
    }

    void testAlphabetIsCoveredEvenly() {
        // 62,000 draws: each of the 62 characters expected 1,000 times; a biased mapping (e.g. byte % 62
        // without rejection) would put the first 8 characters near 1,250.
        std::string s = randomAlphanumeric(62000);
        std::map<char, int> counts;
        for (char c : s) ++counts[c];
        CPPUNIT_ASSERT_EQUAL(std::size_t(62), counts.size());
        for (const auto& [c, n] : counts) {
            CPPUNIT_ASSERT_MESSAGE(std::string(1, c) + " drawn " + std::to_string(n) + " times",
                                   n > 820 && n < 1180);
        }
    }

    void testHashAndVerify() {
        std::string secret = randomAlphanumeric(128);
        std::string stored = hashSecret(secret);
        CPPUNIT_ASSERT_EQUAL(std::string("sha256$"), stored.substr(0, 7));
        CPPUNIT_ASSERT(stored.find(secret) == std::string::npos);
        CPPUNIT_ASSERT(verifySecret(secret, stored));
        CPPUNIT_ASSERT(!verifySecret(secret + "x", stored));
        CPPUNIT_ASSERT(!verifySecret("", stored));
        CPPUNIT_ASSERT(!verifySecret(secret, "garbage"));
        CPPUNIT_ASSERT(hashSecret(secret) != stored);  // salted
        CPPUNIT_ASSERT_EQUAL(std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                             sha256Hex(""));
    }

    void testConstantTimeEquals() {
        CPPUNIT_ASSERT(constantTimeEquals("abc", "abc"));
        CPPUNIT_ASSERT(!constantTimeEquals("abc", "abd"));
        CPPUNIT_ASSERT(!constantTimeEquals("abc", "ab"));
        CPPUNIT_ASSERT(constantTimeEquals("", ""));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SecretsTest);
