#include <cppunit/extensions/HelperMacros.h>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "appreg/store/Checkpointer.h"
#include "appreg/store/Database.h"
#include "appreg/store/GroupCommitter.h"

#include "TemporaryDatabase.h"

using namespace appreg;
using namespace Poco::Data::Keywords;

/// The writer's WAL copied back by the checkpointer thread (db.checkpoint_pages), on a real SQLite file.
class CheckpointerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CheckpointerTest);
    CPPUNIT_TEST(testTheWalStaysBoundedAndStartsOver);
    CPPUNIT_TEST(testAnIdleWriterLeavesLittleInTheWal);
    CPPUNIT_TEST(testZeroLeavesCheckpointsToSQLite);
    CPPUNIT_TEST(testTheDatabaseFileDescriptorIsSQLitesOwn);
    CPPUNIT_TEST_SUITE_END();

    static constexpr std::int64_t kFrameBytes = 24 + 4096;  // WAL frame header + page

    static std::unique_ptr<test::TemporaryDatabase> databaseWith(int checkpointPages) {
        return std::make_unique<test::TemporaryDatabase>(
            [=](store::DatabaseOptions& o) { o.checkpointPages = checkpointPages; });
    }

    /// `writers` threads each create `each` organizations through the group committer.
    static void writeOrganizations(store::Database& db, int writers, int each) {
        std::vector<std::thread> threads;
        for (int w = 0; w < writers; ++w) {
            threads.emplace_back([&db, w, each] {
                for (int i = 0; i < each; ++i) {
                    db.write([&](store::Connection& c) {
                        std::string name = "org-" + std::to_string(w) + "-" + std::to_string(i);
                        // A long description, so that writes fill pages and the WAL grows quickly.
                        std::string description(600, static_cast<char>('a' + i % 26));
                        std::string t = "2026-01-01T00:00:00.000000Z";
                        c.session() << "INSERT INTO organizations (name, description, created, modified) "
                                       "VALUES (?, ?, ?, ?)",
                            use(name), use(description), use(t), use(t), now;
                    });
                }
            });
        }
        for (auto& t : threads) t.join();
    }

    static int organizations(store::Database& db) {
        auto c = db.connect();
        int n = 0;
        c->session() << "SELECT COUNT(*) FROM organizations", into(n), now;
        return n;
    }

    /// The organizations in the database file alone, read from a copy without its WAL; -1 while the copy is
    /// not a consistent database (the checkpointer was writing into it).
    static int organizationsInTheFileAlone(const std::filesystem::path& file) {
        const std::filesystem::path copy = file.parent_path() / "alone.db";
        std::filesystem::remove(copy);
        std::filesystem::copy_file(file, copy);
        try {
            Poco::Data::SQLite::Connector::registerConnector();
            Poco::Data::Session session("SQLite", copy.string());
            int n = 0;
            std::string check;
            session << "PRAGMA quick_check", into(check), now;
            if (check != "ok") return -1;
            session << "SELECT COUNT(*) FROM organizations", into(n), now;
            return n;
        } catch (const Poco::Exception&) {
            return -1;
        }
    }

public:
    void testTheWalStaysBoundedAndStartsOver() {
        constexpr int kPages = 40;
        auto temporary = databaseWith(kPages);
        store::Database& db = **temporary;
        writeOrganizations(db, 8, 250);

        CPPUNIT_ASSERT_EQUAL(2000, organizations(db));
        const store::CheckpointStats stats = db.checkpointStats();
        CPPUNIT_ASSERT_MESSAGE("the checkpointer thread copied", stats.background > 0);
        CPPUNIT_ASSERT_MESSAGE("the WAL started over", stats.restarts > 0);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, stats.failed);
        CPPUNIT_ASSERT_MESSAGE("written back in slices", stats.writtenBackInSlices);
        // The writer copies the rest itself past four times kPages, before its next group; one group of at
        // most kMaxGroup writes of a few pages each may come on top.
        const std::int64_t bound =
            4 * kPages + 4 * static_cast<std::int64_t>(store::GroupCommitter::kMaxGroup);
        CPPUNIT_ASSERT_MESSAGE("largest WAL " + std::to_string(stats.largestWal) + " frames",
                               stats.largestWal > 0 && stats.largestWal <= bound);
        const auto walBytes =
            static_cast<std::int64_t>(std::filesystem::file_size(temporary->path().string() + "-wal"));
        CPPUNIT_ASSERT_MESSAGE("WAL file of " + std::to_string(walBytes) + " bytes",
                               walBytes <= 32 + bound * kFrameBytes);
    }

    void testAnIdleWriterLeavesLittleInTheWal() {
        // 200 writes of one organization each come to ~800 frames, below the threshold of 1,000: only the
        // writer running out of work between them asks for frames to be copied, once 64 (1,000 / 16, at least
        // 64) wait.
        auto temporary = databaseWith(1000);
        store::Database& db = **temporary;
        writeOrganizations(db, 1, 200);
        // What can be left in the WAL is at most 63 frames, a few pages per write: at most ~20 writes.
        int alone = -1;
        for (int i = 0; i < 300 && alone < 180; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            alone = organizationsInTheFileAlone(temporary->path());
        }
        CPPUNIT_ASSERT_MESSAGE("organizations in the database file without its WAL: " + std::to_string(alone),
                               alone >= 180 && alone <= 200);
        CPPUNIT_ASSERT(db.checkpointStats().background > 0);
    }

    void testZeroLeavesCheckpointsToSQLite() {
        auto temporary = databaseWith(0);
        store::Database& db = **temporary;
        writeOrganizations(db, 4, 250);
        CPPUNIT_ASSERT_EQUAL(1000, organizations(db));
        const store::CheckpointStats stats = db.checkpointStats();
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, stats.background + stats.inlined);
        // SQLite's own automatic checkpoint (1,000 pages) kept the WAL from growing with the writes.
        const auto walBytes =
            static_cast<std::int64_t>(std::filesystem::file_size(temporary->path().string() + "-wal"));
        CPPUNIT_ASSERT_MESSAGE("WAL file of " + std::to_string(walBytes) + " bytes",
                               walBytes <= 32 + (1000 + 4 * 128) * kFrameBytes);
    }

    /// The descriptor read out of SQLite's unix VFS (not public API) is the one SQLite itself uses for the
    /// database file: this fails if a SQLite build lays its `unixFile` out differently.
    void testTheDatabaseFileDescriptorIsSQLitesOwn() {
        auto temporary = databaseWith(1000);
        auto connection = (*temporary)->connect();
        sqlite3* db = connection->statements().db();
        const int fd = store::databaseFileDescriptor(db);
        CPPUNIT_ASSERT(fd >= 0);
        struct stat byPath {};
        struct stat byDescriptor {};
        CPPUNIT_ASSERT_EQUAL(0, stat(temporary->path().c_str(), &byPath));
        CPPUNIT_ASSERT_EQUAL(0, fstat(fd, &byDescriptor));
        CPPUNIT_ASSERT(byPath.st_dev == byDescriptor.st_dev && byPath.st_ino == byDescriptor.st_ino);
        // SQLite reads its pages through it: the file's first 16 bytes are SQLite's header.
        char header[16] = {};
        CPPUNIT_ASSERT_EQUAL(static_cast<ssize_t>(sizeof header), pread(fd, header, sizeof header, 0));
        CPPUNIT_ASSERT_EQUAL(std::string("SQLite format 3", 15), std::string(header, 15));

        // A database without a file has no descriptor.
        sqlite3* memory = nullptr;
        CPPUNIT_ASSERT_EQUAL(SQLITE_OK, sqlite3_open(":memory:", &memory));
        CPPUNIT_ASSERT_EQUAL(-1, store::databaseFileDescriptor(memory));
        sqlite3_close(memory);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CheckpointerTest);
