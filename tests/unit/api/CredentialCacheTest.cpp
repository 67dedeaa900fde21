#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "appreg/api/CredentialCache.h"

using appreg::api::CredentialCache;

namespace {

const std::string kHashA = "pbkdf2_sha256$1000$saltsaltsaltsaltsalt01$digestA=";
const std::string kHashB = "pbkdf2_sha256$1000$saltsaltsaltsaltsalt02$digestB=";

}  // namespace

class CredentialCacheTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CredentialCacheTest);
    CPPUNIT_TEST(testRememberedCredentialsHit);
    CPPUNIT_TEST(testUnknownKeyMisses);
    CPPUNIT_TEST(testChangedPasswordHashMisses);
    CPPUNIT_TEST(testOtherUserMisses);
    CPPUNIT_TEST(testKeysSeparateUsersAndPasswords);
    CPPUNIT_TEST(testKeysAreTheSameOnEveryCallAndThread);
    CPPUNIT_TEST(testKeyHoldsNoSecret);
    CPPUNIT_TEST(testEntriesExpire);
    CPPUNIT_TEST(testCapacityEvictsOldest);
    CPPUNIT_TEST(testRememberAgainRefreshes);
    CPPUNIT_TEST(testZeroCapacityRemembersNothing);
    CPPUNIT_TEST_SUITE_END();

public:
    void testRememberedCredentialsHit() {
        CredentialCache cache(10, std::chrono::seconds(60));
        const std::string key = cache.key("alice", "pw-alice");
        CPPUNIT_ASSERT(!cache.contains(key, 7, kHashA));
        cache.remember(key, 7, kHashA);
        CPPUNIT_ASSERT(cache.contains(key, 7, kHashA));
        // The same pair gives the same key while the cache lives.
        CPPUNIT_ASSERT(cache.contains(cache.key("alice", "pw-alice"), 7, kHashA));
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), cache.size());
    }

    void testUnknownKeyMisses() {
        CredentialCache cache(10, std::chrono::seconds(60));
        cache.remember(cache.key("alice", "pw-alice"), 7, kHashA);
        // A wrong password is another key: never a hit, even for the right user and hash.
        CPPUNIT_ASSERT(!cache.contains(cache.key("alice", "wrong"), 7, kHashA));
        CPPUNIT_ASSERT(!cache.contains(cache.key("alice", "pw-alice "), 7, kHashA));
        CPPUNIT_ASSERT(!cache.contains(cache.key("alice", ""), 7, kHashA));
        CPPUNIT_ASSERT(!cache.contains(cache.key("Alice", "pw-alice"), 7, kHashA));
    }

    void testChangedPasswordHashMisses() {
        // After a password change the stored hash differs: the old password must be verified again (and
        // fail).
        CredentialCache cache(10, std::chrono::seconds(60));
        const std::string key = cache.key("alice", "pw-alice");
        cache.remember(key, 7, kHashA);
        CPPUNIT_ASSERT(!cache.contains(key, 7, kHashB));
        CPPUNIT_ASSERT(!cache.contains(key, 7, ""));  // an unusable password now
        CPPUNIT_ASSERT(cache.contains(key, 7, kHashA));
    }

    void testOtherUserMisses() {
        // A user deleted and another created under the same name (another id) is not let in by the old entry.
        CredentialCache cache(10, std::chrono::seconds(60));
        const std::string key = cache.key("alice", "pw-alice");
        cache.remember(key, 7, kHashA);
        CPPUNIT_ASSERT(!cache.contains(key, 8, kHashA));
    }

    void testKeysSeparateUsersAndPasswords() {
        CredentialCache cache(10, std::chrono::seconds(60));
        std::set<std::string> keys = {
            cache.key("alice", "pw"), cache.key("bob", "pw"), cache.key("alice", "pw2"),
            cache.key("ab", "c"),     cache.key("a", "bc"),   cache.key("abc", ""),
            cache.key("", "abc"),     cache.key("a:b", "c"),  cache.key("a", "b:c"),
        };
        CPPUNIT_ASSERT_EQUAL(std::size_t(9), keys.size());
        // Each user gets their own entry.
        cache.remember(cache.key("alice", "pw"), 7, kHashA);
        cache.remember(cache.key("bob", "pw"), 9, kHashB);
        CPPUNIT_ASSERT(cache.contains(cache.key("alice", "pw"), 7, kHashA));
        CPPUNIT_ASSERT(cache.contains(cache.key("bob", "pw"), 9, kHashB));
        CPPUNIT_ASSERT(!cache.contains(cache.key("bob", "pw"), 7, kHashA));
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), cache.size());
        // Two caches (two worker starts) key differently: the key is made with a random secret.
        CredentialCache other(10, std::chrono::seconds(60));
        CPPUNIT_ASSERT(other.key("alice", "pw") != cache.key("alice", "pw"));
    }

    void testKeysAreTheSameOnEveryCallAndThread() {
        // Each key starts from copies of the cache's keyed HMAC states: the same pair gives the same key
        // however often and on whichever thread it is asked, and two caches used in turn never mix their
        // secrets.
        CredentialCache cache(10, std::chrono::seconds(60));
        CredentialCache other(10, std::chrono::seconds(60));
        const std::string first = cache.key("alice", "pw");
        const std::string otherFirst = other.key("alice", "pw");
        for (int i = 0; i < 3; ++i) {
            CPPUNIT_ASSERT_EQUAL(first, cache.key("alice", "pw"));
            CPPUNIT_ASSERT_EQUAL(otherFirst, other.key("alice", "pw"));
            CPPUNIT_ASSERT(cache.key("bob", "pw") != first);
        }
        std::string fromThread, otherFromThread;
        std::thread([&] {
            fromThread = cache.key("alice", "pw");
            otherFromThread = other.key("alice", "pw");
        }).join();
        CPPUNIT_ASSERT_EQUAL(first, fromThread);
        CPPUNIT_ASSERT_EQUAL(otherFirst, otherFromThread);
        CPPUNIT_ASSERT(first != otherFirst);
        // A cache made after another was destroyed keys with its own secret, whatever its address.
        std::string gone;
        {
            CredentialCache destroyed(10, std::chrono::seconds(60));
            gone = destroyed.key("alice", "pw");
        }
        CredentialCache fresh(10, std::chrono::seconds(60));
        CPPUNIT_ASSERT(fresh.key("alice", "pw") != gone);
    }

    void testKeyHoldsNoSecret() {
        CredentialCache cache(10, std::chrono::seconds(60));
        const std::string key = cache.key("alice", "correct-horse");
        CPPUNIT_ASSERT(key.find("correct-horse") == std::string::npos);
        CPPUNIT_ASSERT(key.find("alice") == std::string::npos);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(key, std::size_t(64), key.size());  // HMAC-SHA256, hex
        CPPUNIT_ASSERT_MESSAGE(key, key.find_first_not_of("0123456789abcdef") == std::string::npos);
    }

    void testEntriesExpire() {
        CredentialCache cache(10, std::chrono::seconds(1));
        const std::string key = cache.key("alice", "pw-alice");
        cache.remember(key, 7, kHashA);
        CPPUNIT_ASSERT(cache.contains(key, 7, kHashA));
        std::this_thread::sleep_for(std::chrono::milliseconds(1100));
        CPPUNIT_ASSERT_MESSAGE("an entry outlived its 1 s lifetime", !cache.contains(key, 7, kHashA));
        // Verified again, it is remembered again.
        cache.remember(key, 7, kHashA);
        CPPUNIT_ASSERT(cache.contains(key, 7, kHashA));
    }

    void testCapacityEvictsOldest() {
        CredentialCache cache(3, std::chrono::seconds(60));
        for (const char* name : {"u1", "u2", "u3", "u4"}) {
            cache.remember(cache.key(name, "pw"), 1, kHashA);
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), cache.size());
        CPPUNIT_ASSERT_MESSAGE("the oldest entry survived",
                               !cache.contains(cache.key("u1", "pw"), 1, kHashA));
        for (const char* name : {"u2", "u3", "u4"}) {
            CPPUNIT_ASSERT_MESSAGE(name, cache.contains(cache.key(name, "pw"), 1, kHashA));
        }
        // Many more: the size stays bounded.
        for (int i = 0; i < 100; ++i) cache.remember(cache.key("many" + std::to_string(i), "pw"), 1, kHashA);
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), cache.size());
        CPPUNIT_ASSERT(cache.contains(cache.key("many99", "pw"), 1, kHashA));
        CPPUNIT_ASSERT(!cache.contains(cache.key("many96", "pw"), 1, kHashA));
    }

    void testRememberAgainRefreshes() {
        // Remembering a key again moves it to the young end and updates what it was checked against.
        CredentialCache cache(2, std::chrono::seconds(60));
        cache.remember(cache.key("u1", "pw"), 1, kHashA);
        cache.remember(cache.key("u2", "pw"), 2, kHashA);
        cache.remember(cache.key("u1", "pw"), 1, kHashB);
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), cache.size());
        CPPUNIT_ASSERT(cache.contains(cache.key("u1", "pw"), 1, kHashB));
        CPPUNIT_ASSERT(!cache.contains(cache.key("u1", "pw"), 1, kHashA));
        cache.remember(cache.key("u3", "pw"), 3, kHashA);  // evicts u2, now the oldest
        CPPUNIT_ASSERT(!cache.contains(cache.key("u2", "pw"), 2, kHashA));
        CPPUNIT_ASSERT(cache.contains(cache.key("u1", "pw"), 1, kHashB));
        CPPUNIT_ASSERT(cache.contains(cache.key("u3", "pw"), 3, kHashA));
    }

    void testZeroCapacityRemembersNothing() {
        CredentialCache cache(0, std::chrono::seconds(60));
        const std::string key = cache.key("alice", "pw-alice");
        cache.remember(key, 7, kHashA);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), cache.size());
        CPPUNIT_ASSERT(!cache.contains(key, 7, kHashA));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CredentialCacheTest);
