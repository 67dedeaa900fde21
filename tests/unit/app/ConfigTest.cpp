#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
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
    CPPUNIT_TEST(testRunningDefaultIsTwoPerCoreOnSqliteAndEveryThreadOnPostgres);
    CPPUNIT_TEST(testRunningKey);
    CPPUNIT_TEST(testCheckpointPages);
    CPPUNIT_TEST_SUITE_END();

    static app::Config load(const std::map<std::string, std::string>& keys) {
        Poco::AutoPtr<Poco::Util::MapConfiguration> conf(new Poco::Util::MapConfiguration);
        for (const auto& [key, value] : keys) conf->setString(key, value);
        return app::Config::from(*conf);
    }

public:
    void testThreadsDefaultFollowsTheDatabase() {
        CPPUNIT_ASSERT_EQUAL(48, load({}).threads);  // SQLite, appreg.db
        CPPUNIT_ASSERT_EQUAL(48, load({{"db.path", "sqlite:/var/lib/appreg/appreg.db"}}).threads);
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

    void testRunningDefaultIsTwoPerCoreOnSqliteAndEveryThreadOnPostgres() {
        using app::Config;
        CPPUNIT_ASSERT_EQUAL(4, Config::defaultRunning(store::Backend::SQLite, 32, 2));
        CPPUNIT_ASSERT_EQUAL(2, Config::defaultRunning(store::Backend::SQLite, 32, 1));
        CPPUNIT_ASSERT_EQUAL(32,
                             Config::defaultRunning(store::Backend::SQLite, 32, 64));  // at most `threads`
        CPPUNIT_ASSERT_EQUAL(16, Config::defaultRunning(store::Backend::PostgreSQL, 16, 2));
        // What the worker starts with: this machine's cores.
        const int cores = Config::usableCores();
        CPPUNIT_ASSERT(cores >= 1);
        CPPUNIT_ASSERT_EQUAL(std::min(48, 2 * cores), load({}).running);
        CPPUNIT_ASSERT_EQUAL(std::min(8, 2 * cores), load({{"threads", "8"}}).running);
        CPPUNIT_ASSERT_EQUAL(16, load({{"db.path", "postgresql:///appreg"}}).running);
    }

    void testRunningKey() {
        CPPUNIT_ASSERT_EQUAL(1, load({{"threads.running", "1"}}).running);
        CPPUNIT_ASSERT_EQUAL(3,
                             load({{"threads.running", "3"}, {"db.path", "postgresql:///appreg"}}).running);
        CPPUNIT_ASSERT_THROW(load({{"threads.running", "0"}}), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(load({{"threads.running", "257"}}), std::invalid_argument);
    }

    void testCheckpointPages() {
        CPPUNIT_ASSERT_EQUAL(16000, load({}).db.checkpointPages);
        CPPUNIT_ASSERT_EQUAL(0, load({{"db.checkpoint_pages", "0"}}).db.checkpointPages);
        CPPUNIT_ASSERT_EQUAL(500, load({{"db.checkpoint_pages", "500"}}).db.checkpointPages);
        CPPUNIT_ASSERT_THROW(load({{"db.checkpoint_pages", "-1"}}), std::invalid_argument);
        CPPUNIT_ASSERT_THROW(load({{"db.checkpoint_pages", "1000001"}}), std::invalid_argument);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConfigTest);
