#include <cppunit/extensions/HelperMacros.h>

#include <random>
#include <string>

#include <Poco/DigestEngine.h>
#include <Poco/HMACEngine.h>
#include <Poco/SHA2Engine.h>

#include "appreg/domain/Sha256.h"
#include "appreg/domain/Sha256Engine.h"

using namespace appreg::domain;

namespace {

std::string sha256(const std::string& data) {
    Sha256 sha;
    sha.update(data);
    return toHex(sha.finish());
}

std::string pocoSha256(const std::string& data) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(data);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

std::string pocoHmac(const std::string& key, const std::string& data) {
    Poco::HMACEngine<Sha256Engine> engine(key);
    engine.update(data);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

std::string randomBytes(std::mt19937& rng, std::size_t n) {
    std::string out(n, '\0');
    for (auto& c : out) c = static_cast<char>(rng() & 0xff);
    return out;
}

}  // namespace

class Sha256Test : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(Sha256Test);
    CPPUNIT_TEST(testFipsVectors);
    CPPUNIT_TEST(testRfc4231Vectors);
    CPPUNIT_TEST(testAgreesWithPocoAtEveryLengthAndSplit);
    CPPUNIT_TEST(testHmacAgreesWithPocoAndRepeats);
    CPPUNIT_TEST_SUITE_END();

public:
    void testFipsVectors() {
        // FIPS 180-4 / NIST CSRC examples: empty, one block, two blocks (the padding spills over), a million
        // 'a'.
        CPPUNIT_ASSERT_EQUAL(std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                             sha256(""));
        CPPUNIT_ASSERT_EQUAL(std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
                             sha256("abc"));
        CPPUNIT_ASSERT_EQUAL(std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
                             sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
        Sha256 million;
        const std::string thousand(1000, 'a');
        for (int i = 0; i < 1000; ++i) million.update(thousand);
        CPPUNIT_ASSERT_EQUAL(std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
                             toHex(million.finish()));
    }

    void testRfc4231Vectors() {
        // Test cases 1, 2 and 6 of RFC 4231 (a short key, a key shorter than the data, a key over one block).
        CPPUNIT_ASSERT_EQUAL(std::string("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
                             toHex(HmacSha256(std::string(20, '\x0b')).mac("Hi There")));
        CPPUNIT_ASSERT_EQUAL(std::string("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
                             toHex(HmacSha256("Jefe").mac("what do ya want for nothing?")));
        CPPUNIT_ASSERT_EQUAL(std::string("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
                             toHex(HmacSha256(std::string(131, '\xaa'))
                                       .mac("Test Using Larger Than Block-Size Key - Hash Key First")));
    }

    void testAgreesWithPocoAtEveryLengthAndSplit() {
        // Every length around the block and padding boundaries, fed whole and in two or three pieces.
        std::mt19937 rng(20261128);
        for (std::size_t n = 0; n <= 300; ++n) {
            const std::string data = randomBytes(rng, n);
            const std::string expected = pocoSha256(data);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(std::to_string(n), expected, sha256(data));
            const std::size_t a = n == 0 ? 0 : rng() % (n + 1), b = a + (n == a ? 0 : rng() % (n - a + 1));
            Sha256 pieces;
            pieces.update(std::string_view(data).substr(0, a));
            pieces.update(std::string_view(data).substr(a, b - a));
            pieces.update(std::string_view(data).substr(b));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                std::to_string(n) + " split at " + std::to_string(a) + ", " + std::to_string(b), expected,
                toHex(pieces.finish()));
        }
    }

    void testHmacAgreesWithPocoAndRepeats() {
        // Keys of every length up to past two blocks; one HmacSha256 per key, asked several times (each mac
        // starts from copies of the keyed states, which must stay untouched).
        std::mt19937 rng(42);
        for (std::size_t k = 0; k <= 140; k += 7) {
            const std::string key = randomBytes(rng, k);
            const HmacSha256 hmac(key);
            for (std::size_t n : {0u, 1u, 55u, 56u, 64u, 119u, 200u}) {
                const std::string data = randomBytes(rng, n);
                const std::string expected = pocoHmac(key, data);
                CPPUNIT_ASSERT_EQUAL_MESSAGE(std::to_string(k) + "/" + std::to_string(n), expected,
                                             toHex(hmac.mac(data)));
                CPPUNIT_ASSERT_EQUAL(expected, toHex(hmac.mac(data)));
            }
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(Sha256Test);
