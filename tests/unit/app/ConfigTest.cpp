#include <cppunit/extensions/HelperMacros.h>

#include <map>
#include <stdexcept>
#include <string>

#include <Poco/AutoPtr.h>
#include <Poco/Util/MapConfiguration.h>

#include "appreg/app/Config.h"

using namespace appreg;

/// The settings a worker starts with, from the keys of its configuration (conf/appreg.properties).
class ConfigTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ConfigTest);
    CPPUNIT_TEST(testThreadsDefaultFollowsTheDatabase);
    CPPUNIT_TEST(testThreadsKeyWins);
    CPPUNIT_TEST(testThreadsOutOfRangeIsRefused);
    CPPUNIT_TEST_SUITE_END();

    static app::Config load(const std::map<std::string, std::string>& keys) {
        Poco::AutoPtr<Poco::Util::MapConfiguration> conf(new Poco::Util::MapConfiguration);
        for (const auto& [key, value] : keys) conf->setString(key, value);
        return app::Config::from(*conf);
    }

public:
    void testThreadsDefaultFollowsTheDatabase() {
        CPPUNIT_ASSERT_EQUAL(32, load({}).threads);  // SQLite, appreg.db
        CPPUNIT_ASSERT_EQUAL(32, load({{"db.path", "sqlite:/var/lib/appreg/appreg.db"}}).threads);
        CPPUNIT_ASSERT_EQUAL(16, load({{"db.path", "postgresql://appreg@db.example/appreg"}}).threads);
        CPPUNIT_ASSERT_EQUAL(16, load({{"db.path", "postgres:///appreg"}}).threads);
    }

    void testThreadsKeyWins() {
        CPPUNIT_ASSERT_EQUAL(4, load({{"threads", "4"}}).threads);
        CPPUNIT_ASSERT_EQUAL(64, load({{"threads", "64"}, {"db.path", "postgresql:///appreg"}}).threads);
    }

    void testThreadsOutOfRangeIsRefused() {
        CPPUNIT_ASSERT_THROW(load({{"threads", "0"}}), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(load({{"threads", "257"}}), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(load({{"threads", "many"}}), std::invalid_argument);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConfigTest);
