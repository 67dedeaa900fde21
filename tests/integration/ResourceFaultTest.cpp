// Resource faults (issue 6), each produced for real while the worker runs:
//   - the database read-only: its file and its WAL made immutable (chattr +i, the FS_IOC_SETFLAGS ioctl).
//   Root
//     ignores permission bits, and a read-only (re)mount is refused while the worker holds the files open for
//     writing (EBUSY), so this is the way to take write access away from a running worker; the test checks
//     first that the filesystem enforces the flag on descriptors that are already open (ext4 does, tmpfs does
//     not);
//   - its directory full: the database lives on a 2 MB tmpfs the test mounts (appreg.db in the test directory
//   is
//     a symbolic link to it; SQLite resolves it and keeps its -wal next to the real file), filled to the last
//     byte;
//   - the database locked by another process beyond the busy timeout: the test holds BEGIN IMMEDIATE through
//   the
//     sqlite3 C API while db.busy_timeout_ms is 200.
// In each case every write answers 503 {"detail": "The database is unavailable. Try again later."}, reads
// keep working, nothing is half written (row counts, the activity stream and PRAGMA integrity_check), and
// once the fault is gone the same worker, never restarted, writes again.

#include "ApiClient.h"
#include "DatabaseFile.h"
#include "DatabaseRows.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "TempDir.h"
#include "WorkerProcess.h"

#include <cppunit/extensions/HelperMacros.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sqlite3.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <vector>

using namespace appreg::test;

namespace {

const char* const kUnavailable = R"({"detail": "The database is unavailable. Try again later."})";

/// Sets or clears the immutable attribute (chattr +i / -i); returns errno (0 on success).
int setImmutable(const std::string& path, bool on) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        return errno;
    }
    int flags = 0;
    int rc = ::ioctl(fd, FS_IOC_GETFLAGS, &flags);
    if (rc == 0) {
        flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
        rc = ::ioctl(fd, FS_IOC_SETFLAGS, &flags);
    }
    const int error = rc == 0 ? 0 : errno;
    ::close(fd);
    return error;
}

/// Files made immutable, made mutable again when it dies (so the test directory can always be removed).
class Immutable {
public:
    void add(const std::string& path) {
        const int error = setImmutable(path, true);
        if (error != 0) {
            throw std::runtime_error("chattr +i " + path + ": " + std::strerror(error));
        }
        paths_.push_back(path);
    }
    void release() {
        for (const std::string& p : paths_) {
            setImmutable(p, false);
        }
        paths_.clear();
    }
    ~Immutable() { release(); }

private:
    std::vector<std::string> paths_;
};

/// A tmpfs mounted for the test, unmounted when it dies.
class TmpfsMount {
public:
    TmpfsMount(const std::string& path, std::size_t bytes) : path_(path) {
        ::mkdir(path.c_str(), 0755);
        const std::string options = "size=" + std::to_string(bytes) + ",mode=0755";
        if (::mount("tmpfs", path.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
            const int error = errno;
            throw std::runtime_error(
                "cannot mount a " + std::to_string(bytes) + "-byte tmpfs on " + path + ": " +
                std::strerror(error) +
                (error == EPERM ? " (the test needs root with CAP_SYS_ADMIN, e.g. not inside an unprivileged "
                                  "container)"
                                : ""));
        }
    }
    ~TmpfsMount() { ::umount2(path_.c_str(), MNT_DETACH); }
    TmpfsMount(const TmpfsMount&) = delete;
    TmpfsMount& operator=(const TmpfsMount&) = delete;

private:
    std::string path_;
};

/// Another process's write lock (BEGIN IMMEDIATE), held until release() or death.
class WriteLock {
public:
    explicit WriteLock(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
            throw std::runtime_error("cannot open " + path);
        }
        char* error = nullptr;
        if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, &error) != SQLITE_OK) {
            std::string message = error ? error : "?";
            sqlite3_free(error);
            throw std::runtime_error("BEGIN IMMEDIATE: " + message);
        }
    }
    void release() {
        if (db_ != nullptr) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            sqlite3_close(db_);
            db_ = nullptr;
        }
    }
    ~WriteLock() { release(); }

private:
    sqlite3* db_ = nullptr;
};

/// Fills the filesystem holding `dir` until not one more byte fits; returns the filler file's path.
std::string fillFilesystem(const std::string& dir) {
    const std::string path = dir + "/filler";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    }
    const std::string chunk(65536, 'F');
    for (std::size_t size : {std::size_t(65536), std::size_t(4096), std::size_t(1)}) {
        while (::write(fd, chunk.data(), size) == static_cast<ssize_t>(size)) {
        }
    }
    const int error = errno;
    ::close(fd);
    if (error != ENOSPC) {
        throw std::runtime_error("filling " + dir + " stopped with " + std::strerror(error) + ", not ENOSPC");
    }
    return path;
}

}  // namespace

class ResourceFaultTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ResourceFaultTest);
    CPPUNIT_TEST(testDatabaseLockedBeyondTheBusyTimeout);
    CPPUNIT_TEST(testDatabaseReadOnly);
    CPPUNIT_TEST(testDirectoryFull);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        dir_ = std::make_unique<TempDir>();
        config_ = dir_->writeFile("faults.properties", "db.busy_timeout_ms = 200\n");
    }

    void tearDown() override {
        api_.reset();
        worker_.reset();  // stops the worker before the files or the mount go away
        immutable_.release();
        mount_.reset();
        dir_.reset();
    }

    void testDatabaseLockedBeyondTheBusyTimeout() {
        startWorker();
        WriteLock lock(worker_->databasePath());
        assertWritesRefused(std::chrono::milliseconds(150), "database is locked");
        assertReadsWork();
        lock.release();
        assertRecovered();
    }

    void testDatabaseReadOnly() {
        requireImmutableOpenFiles();
        startWorker();
        const std::string db = worker_->databasePath();
        CPPUNIT_ASSERT_MESSAGE("the worker's database has no -wal file",
                               ::access((db + "-wal").c_str(), F_OK) == 0);
        immutable_.add(db);
        immutable_.add(db + "-wal");
        assertWritesRefused(std::chrono::milliseconds(0), "disk I/O error");
        assertReadsWork();
        immutable_.release();
        assertRecovered();
    }

    void testDirectoryFull() {
        const std::string full = dir_->file("full");
        mount_ = std::make_unique<TmpfsMount>(full, 2 * 1024 * 1024);
        CPPUNIT_ASSERT_EQUAL(0, ::symlink((full + "/appreg.db").c_str(), dir_->file("appreg.db").c_str()));
        startWorker();
        CPPUNIT_ASSERT_MESSAGE("SQLite did not put the -wal next to the real file on the tmpfs",
                               ::access((full + "/appreg.db-wal").c_str(), F_OK) == 0);
        // Checkpoint and truncate the WAL, so that the next write has to grow it: otherwise it could reuse
        // the space of earlier frames and succeed on a full disk.
        const DatabaseRows rows(full + "/appreg.db");
        CPPUNIT_ASSERT_EQUAL(std::string("0"), rows.column("PRAGMA wal_checkpoint(TRUNCATE)").at(0));
        const std::string filler = fillFilesystem(full);
        assertWritesRefused(std::chrono::milliseconds(0), "database or disk is full");
        assertReadsWork();
        CPPUNIT_ASSERT_EQUAL(0, ::unlink(filler.c_str()));
        assertRecovered();
    }

private:
    void startWorker() {
        worker_ = std::make_unique<WorkerProcess>(*dir_, 4);
        worker_->start({"--config", config_});
        api_ = std::make_unique<ApiClient>(worker_->socketPath());
        org_ = api_->createOrganization("fault-org");
        const auto app = api_->createApplicationOk(ApiClient::seedApplication(org_, "before the fault"));
        app_ = app->getValue<long long>("id");
        const FcgiResponse token = api_->post(
            "/api/v2/tokens/", "{\"application\": " + std::to_string(app_) + ", \"scope\": \"read\"}");
        APPREG_ASSERT_STATUS(201, token);
        token_ = JsonAssert::parseObject(token.body)->getValue<long long>("id");
        counts_ = counts();
        appBefore_ = api_->get(appUri()).body;
    }

    std::string appUri() const { return "/api/v2/applications/" + std::to_string(app_) + "/"; }

    std::vector<long long> counts() const {
        const DatabaseFile db(worker_->databasePath());
        return {db.count("organizations"), db.count("applications"), db.count("tokens"),
                db.count("activity_stream")};
    }

    /// Every kind of write answers 503 with the JSON detail, each taking at least `atLeast` (the busy
    /// timeout), and the worker logs `reason`.
    void assertWritesRefused(std::chrono::milliseconds atLeast, const std::string& reason) {
        const std::string org = std::to_string(org_);
        const struct {
            const char* method;
            std::string uri;
            std::string body;
        } writes[] = {
            {"POST", ApiClient::kApplications, ApiClient::seedApplication(org_, "during the fault")},
            {"PATCH", appUri(), R"({"description": "changed during the fault"})"},
            {"PUT", appUri(), ApiClient::seedApplication(org_, "renamed during the fault")},
            {"DELETE", appUri(), ""},
            {"POST", ApiClient::kOrganizations, R"({"name": "org during the fault"})"},
            {"PATCH", "/api/v2/organizations/" + org + "/", R"({"description": "x"})"},
            {"DELETE", "/api/v2/organizations/" + org + "/", ""},
            {"POST", "/api/v2/tokens/", "{\"application\": " + std::to_string(app_) + "}"},
            {"POST", appUri() + "tokens/", R"({"scope": "write"})"},
            {"DELETE", "/api/v2/tokens/" + std::to_string(token_) + "/", ""},
        };
        for (const auto& w : writes) {
            const auto begin = std::chrono::steady_clock::now();
            const FcgiResponse r = api_->send(w.method, w.uri, w.body);
            const auto took = std::chrono::steady_clock::now() - begin;
            const std::string what = std::string(w.method) + " " + w.uri + ": ";
            APPREG_ASSERT_RESPONSE(503, kUnavailable, r);
            CPPUNIT_ASSERT_MESSAGE(what + "answered before the busy timeout", took >= atLeast);
            CPPUNIT_ASSERT_MESSAGE(what + "took longer than 3 s", took < std::chrono::seconds(3));
        }
        CPPUNIT_ASSERT_MESSAGE("the worker died:\n" + worker_->log(), worker_->running());
        // The log says why (the client only sees the generic detail).
        CPPUNIT_ASSERT_MESSAGE(
            "the worker's log does not name the fault (" + reason + "):\n" + worker_->log(),
            worker_->waitForLog(reason));
        assertNothingHalfWritten();
    }

    void assertReadsWork() {
        for (const std::string& uri :
             {std::string("/api/v2/ping/"), std::string(ApiClient::kApplications), appUri(),
              std::string("/api/v2/tokens/"), std::string("/api/v2/activity_stream/"),
              std::string("/api/v2/organizations/") + std::to_string(org_) + "/"}) {
            APPREG_ASSERT_STATUS(200, api_->get(uri));
        }
        CPPUNIT_ASSERT_EQUAL(appBefore_, api_->get(appUri()).body);
    }

    void assertNothingHalfWritten() {
        const DatabaseRows rows(worker_->databasePath());
        CPPUNIT_ASSERT_EQUAL(std::string("ok"), rows.column("PRAGMA integrity_check").at(0));
        const auto now = counts();
        CPPUNIT_ASSERT_MESSAGE("rows (organizations, applications, tokens, activity entries) changed",
                               now == counts_);
    }

    /// Without a restart, writes succeed again, and what was refused left nothing behind.
    void assertRecovered() {
        const FcgiResponse created =
            api_->createApplication(ApiClient::seedApplication(org_, "after the fault"));
        APPREG_ASSERT_STATUS(201, created);
        APPREG_ASSERT_STATUS(200, api_->send("PATCH", appUri(), R"({"description": "after the fault"})"));
        const DatabaseRows rows(worker_->databasePath());
        CPPUNIT_ASSERT_EQUAL(std::string("ok"), rows.column("PRAGMA integrity_check").at(0));
        const auto now = counts();
        CPPUNIT_ASSERT_EQUAL(counts_[1] + 1, now[1]);  // exactly the new application
        CPPUNIT_ASSERT_EQUAL(counts_[3] + 2, now[3]);  // its create entry and the update entry
        CPPUNIT_ASSERT_EQUAL(
            0LL, DatabaseFile(worker_->databasePath())
                     .queryInt("SELECT count(*) FROM applications WHERE name LIKE '%during the fault'"));
    }

    /// Fails with the reason unless the test directory's filesystem refuses writes through a descriptor that
    /// was open before the file became immutable (what the read-only case relies on).
    void requireImmutableOpenFiles() {
        const std::string probe = dir_->writeFile("immutable-probe", "x");
        const int fd = ::open(probe.c_str(), O_WRONLY | O_CLOEXEC);
        CPPUNIT_ASSERT(fd >= 0);
        struct statfs fs {};
        ::statfs(dir_->path().c_str(), &fs);
        const int error = setImmutable(probe, true);
        const bool refused = error == 0 && ::pwrite(fd, "y", 1, 0) < 0 && errno == EPERM;
        ::close(fd);
        setImmutable(probe, false);
        char type[32];
        std::snprintf(type, sizeof type, "0x%lx", static_cast<unsigned long>(fs.f_type));
        CPPUNIT_ASSERT_MESSAGE(
            std::string("the filesystem of ") + dir_->path() + " (statfs type " + type + ") " +
                (error != 0 ? "does not support chattr +i: " + std::string(std::strerror(error))
                            : "does not enforce chattr +i on open files (tmpfs?)") +
                "; this case needs /tmp (where every test directory is) on ext4, xfs or btrfs",
            refused);
    }

    std::unique_ptr<TempDir> dir_;
    std::unique_ptr<TmpfsMount> mount_;
    Immutable immutable_;
    std::unique_ptr<WorkerProcess> worker_;
    std::unique_ptr<ApiClient> api_;
    std::string config_;
    long long org_ = 0, app_ = 0, token_ = 0;
    std::vector<long long> counts_;
    std::string appBefore_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(ResourceFaultTest);
