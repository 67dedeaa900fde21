#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "appreg/store/Database.h"
#include "appreg/store/GroupCommitter.h"

#include "TemporaryDatabase.h"

using namespace appreg;
using namespace Poco::Data::Keywords;

/// Group commit on a real SQLite file: isolation of each write, durability before the answer, failure of a
/// group.
class GroupCommitterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(GroupCommitterTest);
    CPPUNIT_TEST(testEveryWriteIsCommittedBeforeRunReturns);
    CPPUNIT_TEST(testAFailingWriteDoesNotFailItsNeighbours);
    CPPUNIT_TEST(testConcurrentWritesShareTransactions);
    CPPUNIT_TEST(testLockedDatabaseFailsTheGroup);
    CPPUNIT_TEST(testTheCallerIsToldAroundItsWait);
    CPPUNIT_TEST_SUITE_END();

    std::unique_ptr<test::TemporaryDatabase> temporary;
    store::Database* db = nullptr;

    int count(const std::string& where = "1 = 1") {
        auto c = db->connect();
        int n = 0;
        c->session() << "SELECT COUNT(*) FROM organizations WHERE " + where, into(n), now;
        return n;
    }

    static void insertOrg(store::Connection& c, const std::string& name) {
        std::string n = name, t = "2026-01-01T00:00:00.000000Z";
        c.session()
            << "INSERT INTO organizations (name, description, created, modified) VALUES (?, '', ?, ?)",
            use(n), use(t), use(t), now;
    }

public:
    void setUp() override {
        temporary = std::make_unique<test::TemporaryDatabase>();
        db = &**temporary;
    }

    void tearDown() override {
        db = nullptr;
        temporary.reset();
    }

    void testEveryWriteIsCommittedBeforeRunReturns() {
        for (int i = 0; i < 20; ++i) {
            db->write([&](store::Connection& c) { insertOrg(c, "org" + std::to_string(i)); });
            // Visible to another connection as soon as write() returned: it was committed.
            CPPUNIT_ASSERT_EQUAL(i + 1, count());
        }
    }

    void testAFailingWriteDoesNotFailItsNeighbours() {
        db->write([&](store::Connection& c) { insertOrg(c, "taken"); });
        std::atomic<int> ok{0}, refused{0}, thrown{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 16; ++i) {
            threads.emplace_back([&, i] {
                try {
                    db->write([&](store::Connection& c) {
                        insertOrg(c, "half" + std::to_string(i));  // written, then undone if the job throws
                        if (i % 4 == 0) insertOrg(c, "taken");     // UNIQUE violation
                        if (i % 4 == 1) throw std::runtime_error("refused by the caller");
                    });
                    ++ok;
                } catch (const std::runtime_error& e) {
                    std::string what = e.what();
                    (what == "refused by the caller" ? thrown : refused)++;
                } catch (...) {
                    ++refused;
                }
            });
        }
        for (auto& t : threads) t.join();
        CPPUNIT_ASSERT_EQUAL(8, ok.load());
        CPPUNIT_ASSERT_EQUAL(4, thrown.load());
        CPPUNIT_ASSERT_EQUAL(4, refused.load());
        // Exactly the successful writes are there, and nothing of a failed one.
        CPPUNIT_ASSERT_EQUAL(8, count("name LIKE 'half%'"));
        for (int i = 0; i < 16; ++i) {
            int expected = (i % 4 == 0 || i % 4 == 1) ? 0 : 1;
            CPPUNIT_ASSERT_EQUAL(expected, count("name = 'half" + std::to_string(i) + "'"));
        }
    }

    void testConcurrentWritesShareTransactions() {
        // 8 threads x 50 writes. Whatever the grouping, each write is there exactly once.
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 50; ++i) {
                    db->write([&](store::Connection& c) {
                        insertOrg(c, std::to_string(t) + "-" + std::to_string(i));
                    });
                }
            });
        }
        for (auto& t : threads) t.join();
        CPPUNIT_ASSERT_EQUAL(400, count());
    }

    void testLockedDatabaseFailsTheGroup() {
        std::mutex otherProcess;
        store::Connection other(db->options(), otherProcess);
        other.session() << "BEGIN IMMEDIATE", now;
        CPPUNIT_ASSERT_THROW(db->write([&](store::Connection& c) { insertOrg(c, "blocked"); }),
                             store::DatabaseUnavailable);
        other.session() << "ROLLBACK", now;
        CPPUNIT_ASSERT_EQUAL(0, count("name = 'blocked'"));
        db->write([&](store::Connection& c) { insertOrg(c, "after"); });  // recovers on its own
        CPPUNIT_ASSERT_EQUAL(1, count("name = 'after'"));
    }

    void testTheCallerIsToldAroundItsWait() {
        // The transport lets another thread run while this one waits (threads.running): it is told on the
        // calling thread, before the wait and after the commit, once each per write, also for a failed one.
        std::mutex m;
        std::vector<std::string> events;
        const auto caller = std::this_thread::get_id();
        auto note = [&](const std::string& what) {
            std::lock_guard<std::mutex> lock(m);
            events.push_back(what + (std::this_thread::get_id() == caller ? "" : " (other thread)"));
        };
        db->setWaitHooks({[&] { note("waiting"); },
                          [&] { note("resumed, committed: " + std::to_string(count("name = 'told'"))); }});
        db->write([&](store::Connection& c) { insertOrg(c, "told"); });
        CPPUNIT_ASSERT_THROW(db->write([&](store::Connection&) { throw std::runtime_error("refused"); }),
                             std::runtime_error);
        const std::vector<std::string> expected{"waiting", "resumed, committed: 1", "waiting",
                                                "resumed, committed: 1"};
        CPPUNIT_ASSERT(expected == events);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(GroupCommitterTest);
