#include <cppunit/extensions/HelperMacros.h>

#include <regex>

#include "appreg/domain/Timestamp.h"

using namespace appreg::domain;

class TimestampTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TimestampTest);
    CPPUNIT_TEST(testFormat);
    CPPUNIT_TEST_SUITE_END();

public:
    void testFormat() {
        CPPUNIT_ASSERT_EQUAL(std::string("1970-01-01T00:00:00.000000Z"), formatTimestamp(0));
        CPPUNIT_ASSERT_EQUAL(std::string("2018-02-01T08:00:00.000000Z"), formatTimestamp(1517472000000000LL));
        CPPUNIT_ASSERT_EQUAL(std::string("2024-10-23T15:30:00.123456Z"), formatTimestamp(1729697400123456LL));
        std::string now = formatTimestamp(nowMicros());
        CPPUNIT_ASSERT(std::regex_match(now, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TimestampTest);
