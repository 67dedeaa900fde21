#include <cppunit/extensions/HelperMacros.h>

#include "appreg/domain/RedirectUris.h"

using namespace appreg::domain;

class RedirectUrisTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RedirectUrisTest);
    CPPUNIT_TEST(testEmpty);
    CPPUNIT_TEST(testAccepted);
    CPPUNIT_TEST(testInvalidUrl);
    CPPUNIT_TEST(testFragmentAndScheme);
    CPPUNIT_TEST(testFirstFailureOnly);
    CPPUNIT_TEST_SUITE_END();

    static std::string check(const std::string& uris, const std::string& grant = "authorization-code") {
        auto r = checkRedirectUris(uris, grant);
        return r ? *r : "ok";
    }

public:
    void testEmpty() {
        CPPUNIT_ASSERT_EQUAL(std::string("redirect_uris cannot be empty with grant_type authorization-code"), check(""));
        CPPUNIT_ASSERT_EQUAL(std::string("redirect_uris cannot be empty with grant_type authorization-code"),
                             check("  \t "));
        CPPUNIT_ASSERT_EQUAL(std::string("ok"), check("", "password"));
    }

    void testAccepted() {
        for (const char* ok : {"http://localhost:8013/api/", "https://example.com http://example.org", "HTTPS://example.com/",
                               "http://[::1]:8000/cb", "http://127.0.0.1/", "https://ex.com/cb?x=1", "http://a",
                               "http://h\xc3\xa9.example/", "http://x/#"}) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(ok, std::string("ok"), check(ok));
        }
    }

    void testInvalidUrl() {
        for (const char* bad : {"example.com", "notaurl", "http://", "http:///path", "http://-x/", "http://_x/",
                                "://x", "1http://x/", "http://[zz]/", "http://[::1/"}) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, std::string("Enter a valid URL."), check(bad));
        }
        CPPUNIT_ASSERT_EQUAL(std::string("Enter a valid URL."), check("http://x/" + std::string(2048, 'a')));
        CPPUNIT_ASSERT_EQUAL(std::string("Enter a valid URL."), check("example.com", "password"));
    }

    void testFragmentAndScheme() {
        CPPUNIT_ASSERT_EQUAL(std::string("Redirect URIs must not contain fragments"), check("http://x/#frag"));
        CPPUNIT_ASSERT_EQUAL(std::string("Unauthorized redirect scheme: ftp"), check("ftp://x/"));
        CPPUNIT_ASSERT_EQUAL(std::string("Unauthorized redirect scheme: myapp"), check("myapp://cb"));
        CPPUNIT_ASSERT_EQUAL(std::string("Unauthorized redirect scheme: ftp"), check("FTP://x/", "password"));
    }

    void testFirstFailureOnly() {
        CPPUNIT_ASSERT_EQUAL(std::string("Unauthorized redirect scheme: ftp"), check("https://ok/ ftp://x/ bad"));
        CPPUNIT_ASSERT_EQUAL(std::string("Enter a valid URL."), check("bad ftp://x/"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RedirectUrisTest);
