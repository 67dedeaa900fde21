#include <cppunit/extensions/HelperMacros.h>

#include <string>

#include "appreg/api/Authenticator.h"

using appreg::api::parseBasic;

class AuthenticatorTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(AuthenticatorTest);
    CPPUNIT_TEST(testParsesBasicCredentials);
    CPPUNIT_TEST(testRefusesMalformedBasicValues);
    CPPUNIT_TEST_SUITE_END();

public:
    void testParsesBasicCredentials() {
        auto admin = parseBasic("Basic YWRtaW46YWRtaW4tcGFzc3dvcmQ=");  // admin:admin-password
        CPPUNIT_ASSERT(admin);
        CPPUNIT_ASSERT_EQUAL(std::string("admin"), admin->username);
        CPPUNIT_ASSERT_EQUAL(std::string("admin-password"), admin->password);
        // The scheme is case-insensitive; the password keeps every colon after the first; padding of 1, 2 or
        // none.
        auto colons = parseBasic("basic dTpwOnc6");  // u:p:w:
        CPPUNIT_ASSERT(colons);
        CPPUNIT_ASSERT_EQUAL(std::string("u"), colons->username);
        CPPUNIT_ASSERT_EQUAL(std::string("p:w:"), colons->password);
        auto empty = parseBasic("BASIC YWI6");  // ab:
        CPPUNIT_ASSERT(empty);
        CPPUNIT_ASSERT_EQUAL(std::string("ab"), empty->username);
        CPPUNIT_ASSERT_EQUAL(std::string(), empty->password);
        auto twoPads = parseBasic("Basic YTpiYw==");  // a:bc
        CPPUNIT_ASSERT(twoPads);
        CPPUNIT_ASSERT_EQUAL(std::string("bc"), twoPads->password);
        auto noPad = parseBasic("Basic YTpi");  // a:b
        CPPUNIT_ASSERT(noPad);
        CPPUNIT_ASSERT_EQUAL(std::string("b"), noPad->password);
        auto utf8 = parseBasic("Basic w6Q6w7Y=");  // ä:ö
        CPPUNIT_ASSERT(utf8);
        CPPUNIT_ASSERT_EQUAL(std::string("\xc3\xa4"), utf8->username);
        CPPUNIT_ASSERT_EQUAL(std::string("\xc3\xb6"), utf8->password);
    }

    void testRefusesMalformedBasicValues() {
        for (const char* value : {
                 "",
                 "Basic",
                 "Basic ",
                 "Basicx YWI6",
                 "Bearer YWI6",
                 "Basic YWJj",                       // abc: no colon
                 "Basic YWI6Y",                      // length not a multiple of 4
                 "Basic YW*6",                       // not the alphabet
                 "Basic YWRtaW46d3D=G/api/v2/o/1/",  // padding in the middle (the fuzzer's input)
                 "Basic =YWI",
                 "Basic YW==YWI6",
             }) {
            CPPUNIT_ASSERT_MESSAGE(std::string("accepted: ") + value, !parseBasic(value));
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(AuthenticatorTest);
