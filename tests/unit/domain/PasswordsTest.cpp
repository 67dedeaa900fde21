#include <cppunit/extensions/HelperMacros.h>

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "appreg/domain/Passwords.h"

using namespace appreg::domain;

namespace {

/// Made offline with Python's hashlib, exactly as Django's PBKDF2PasswordHasher.encode does it:
///   salt = "Jq3tN8vXwZ2kLm5pQr7sTu"
///   "pbkdf2_sha256$1000$" + salt + "$" + base64.b64encode(
///       hashlib.pbkdf2_hmac("sha256", b"correct horse battery", salt.encode(), 1000)).decode()
const char* const kDjangoHash =
    "pbkdf2_sha256$1000$Jq3tN8vXwZ2kLm5pQr7sTu$CKQnMgFhXWfNSupgDWmZBmogrsgr8vGi8TipzY/w3LA=";
const char* const kDjangoPassword = "correct horse battery";

/// The parts of an encoded hash split on '$'.
std::vector<std::string> parts(const std::string& encoded) {
    std::vector<std::string> out;
    std::string::size_type start = 0;
    for (;;) {
        auto end = encoded.find('$', start);
        out.push_back(encoded.substr(start, end - start));
        if (end == std::string::npos) return out;
        start = end + 1;
    }
}

}  // namespace

class PasswordsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PasswordsTest);
    CPPUNIT_TEST(testRfc7914Vectors);
    CPPUNIT_TEST(testPythonHashlibVectors);
    CPPUNIT_TEST(testVerifiesDjangoHash);
    CPPUNIT_TEST(testWrongPasswordIsRefused);
    CPPUNIT_TEST(testMalformedAndUnusableHashesAreRefused);
    CPPUNIT_TEST(testHashRoundTrip);
    CPPUNIT_TEST(testFreshSaltEveryTime);
    CPPUNIT_TEST_SUITE_END();

public:
    void testRfc7914Vectors() {
        // RFC 7914 §11, PBKDF2-HMAC-SHA256: the first 32 bytes of each derived key, base64.
        CPPUNIT_ASSERT_EQUAL(std::string("VawEblbjCJ/sFpHCJUS2BflBhSFt3gRl5oudV8INrLw="),
                             pbkdf2Sha256Base64("passwd", "salt", 1));
        CPPUNIT_ASSERT_EQUAL(std::string("TdzY9guYviGDDO5e8icB+WQaRBjQTAQUrv8Ih2s0q1Y="),
                             pbkdf2Sha256Base64("Password", "NaCl", 80000));
    }

    void testPythonHashlibVectors() {
        // Made with Python's hashlib.pbkdf2_hmac("sha256", ...), which Django uses: a password longer than
        // SHA-256's 64-byte block (HMAC hashes such a key first), an empty one, and UTF-8 at Django's 600,000
        // iterations.
        CPPUNIT_ASSERT_EQUAL(std::string("USLwTUKw7AQryxQ4szXmQk2U8VcwkgI+HyeM0sl4vOY="),
                             pbkdf2Sha256Base64(std::string(100, 'p'), "salt-of-twenty-two-ch", 1000));
        CPPUNIT_ASSERT_EQUAL(std::string("EqhGhmaeyiCmy+PXZEUfqL0E9hc5ziZtcX4mJMXhlA0="),
                             pbkdf2Sha256Base64("", "NaCl", 2));
        CPPUNIT_ASSERT_EQUAL(std::string("j7/ppzQg42Q746HgiYLg/I87onFo8YDYpeYjzLCp4+Y="),
                             pbkdf2Sha256Base64("p\xC3\xA4ssw\xC3\xB6rd", "salt", 600000));
    }

    void testVerifiesDjangoHash() { CPPUNIT_ASSERT(verifyPassword(kDjangoPassword, kDjangoHash)); }

    void testWrongPasswordIsRefused() {
        CPPUNIT_ASSERT(!verifyPassword("correct horse batter", kDjangoHash));
        CPPUNIT_ASSERT(!verifyPassword("correct horse battery ", kDjangoHash));
        CPPUNIT_ASSERT(!verifyPassword("Correct horse battery", kDjangoHash));
        CPPUNIT_ASSERT(!verifyPassword("", kDjangoHash));
        // The same password against a hash with one character of the digest changed.
        std::string tampered = kDjangoHash;
        tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
        CPPUNIT_ASSERT(!verifyPassword(kDjangoPassword, tampered));
        // ... or of the salt, or another iteration count.
        std::string otherSalt = kDjangoHash;
        otherSalt.replace(otherSalt.find("Jq3t"), 4, "Jq3u");
        CPPUNIT_ASSERT(!verifyPassword(kDjangoPassword, otherSalt));
        std::string otherCount = kDjangoHash;
        otherCount.replace(otherCount.find("$1000$"), 6, "$1001$");
        CPPUNIT_ASSERT(!verifyPassword(kDjangoPassword, otherCount));
    }

    void testMalformedAndUnusableHashesAreRefused() {
        const std::string digest = parts(kDjangoHash)[3];
        const std::vector<std::string> refused = {
            "",
            "!",
            "!abc",  // Django's set_unusable_password()
            "!Jq3tN8vXwZ2kLm5pQr7sTu",
            "md5$salt$" + std::string(32, 'a'),                   // another hasher
            "pbkdf2_sha1$1000$Jq3tN8vXwZ2kLm5pQr7sTu$" + digest,  // another algorithm, same digest
            "PBKDF2_SHA256$1000$Jq3tN8vXwZ2kLm5pQr7sTu$" + digest,
            "pbkdf2_sha256",  // missing parts
            "pbkdf2_sha256$1000",
            "pbkdf2_sha256$1000$Jq3tN8vXwZ2kLm5pQr7sTu",
            "pbkdf2_sha256$1000$Jq3tN8vXwZ2kLm5pQr7sTu$",        // empty digest
            "pbkdf2_sha256$1000$$" + digest,                     // empty salt
            "pbkdf2_sha256$$Jq3tN8vXwZ2kLm5pQr7sTu$" + digest,   // empty count
            std::string(kDjangoHash) + "$extra",                 // one part too many
            "pbkdf2_sha256$0$Jq3tN8vXwZ2kLm5pQr7sTu$" + digest,  // zero iterations
            "pbkdf2_sha256$-1000$Jq3tN8vXwZ2kLm5pQr7sTu$" + digest,
            "pbkdf2_sha256$1e3$Jq3tN8vXwZ2kLm5pQr7sTu$" + digest,
            "pbkdf2_sha256$abc$Jq3tN8vXwZ2kLm5pQr7sTu$" + digest,
            // Counts no login should be made to pay for (minutes of CPU), and beyond 32 bits.
            "pbkdf2_sha256$4000000000$Jq3tN8vXwZ2kLm5pQr7sTu$" + digest,
            "pbkdf2_sha256$99999999999999999999$Jq3tN8vXwZ2kLm5pQr7sTu$" + digest,
        };
        for (const std::string& encoded : refused) {
            CPPUNIT_ASSERT_MESSAGE("accepted: \"" + encoded + "\"",
                                   !verifyPassword(kDjangoPassword, encoded));
            CPPUNIT_ASSERT_MESSAGE("accepted with an empty password: \"" + encoded + "\"",
                                   !verifyPassword("", encoded));
        }
    }

    void testHashRoundTrip() {
        const std::string encoded = hashPassword("s3cret pässword", 1000);
        const auto p = parts(encoded);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(encoded, std::size_t(4), p.size());
        CPPUNIT_ASSERT_EQUAL(std::string("pbkdf2_sha256"), p[0]);
        CPPUNIT_ASSERT_EQUAL(std::string("1000"), p[1]);
        // Django's salt shape: 22 characters of [A-Za-z0-9].
        CPPUNIT_ASSERT_EQUAL_MESSAGE(encoded, std::size_t(22), p[2].size());
        for (char c : p[2]) CPPUNIT_ASSERT_MESSAGE(encoded, std::isalnum(static_cast<unsigned char>(c)));
        // The digest is exactly PBKDF2-SHA256 of the password with that salt (what Django would compute).
        CPPUNIT_ASSERT_EQUAL(pbkdf2Sha256Base64("s3cret pässword", p[2], 1000), p[3]);
        CPPUNIT_ASSERT_EQUAL(std::size_t(44), p[3].size());
        CPPUNIT_ASSERT(verifyPassword("s3cret pässword", encoded));
        CPPUNIT_ASSERT(!verifyPassword("s3cret password", encoded));
        // The password itself is nowhere in the stored form.
        CPPUNIT_ASSERT(encoded.find("s3cret") == std::string::npos);

        // The default is Django 4.2's count.
        CPPUNIT_ASSERT_EQUAL(600000u, kDefaultPasswordIterations);
        const std::string slow = hashPassword("x");
        CPPUNIT_ASSERT_EQUAL(std::string("600000"), parts(slow)[1]);
        CPPUNIT_ASSERT(verifyPassword("x", slow));
    }

    void testFreshSaltEveryTime() {
        std::set<std::string> salts, hashes;
        for (int i = 0; i < 20; ++i) {
            const std::string encoded = hashPassword("same password", 1000);
            salts.insert(parts(encoded)[2]);
            hashes.insert(encoded);
            CPPUNIT_ASSERT(verifyPassword("same password", encoded));
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(20), salts.size());
        CPPUNIT_ASSERT_EQUAL(std::size_t(20), hashes.size());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(PasswordsTest);
