#include "appreg/store/Checkpointer.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "appreg/store/Query.h"

namespace appreg::store {

namespace {

/// From this many times `pages` the thread is behind: it keeps catching up, the writer starts copying the
/// remainder itself, and the database file is synced with one fsync instead of in slices.
constexpr std::int64_t kBehindFactor = 2;
/// Past this many times `pages` the writer copies the rest itself, however much is left.
constexpr std::int64_t kBoundFactor = 4;
/// What the writer copies itself at most, so that the WAL can start over: 1/16 of `pages` within these
/// bounds. 200 frames took 3 ms at most under a create load; 1,000 (1/16 of the default) 7 ms, and 5-8 %
/// fewer creates per second (bench/README.md).
constexpr std::int64_t kRemainderMin = 64;
constexpr std::int64_t kRemainderMax = 200;

std::int64_t microsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start)
        .count();
}

/// Writes back the dirty pages of the file `fd` a slice of kWriteBackSliceBytes at a time, with at most
/// kWriteBackSlicesInFlight slices on their way to the disk: each slice is started, then the one that many
/// slices before it is waited for. Makes nothing durable by itself: the fsync after it does, with little
/// left to write. A failure is left to that fsync, which reports it.
void writeBackInSlices(int fd) {
    struct stat st {};
    if (fstat(fd, &st) != 0) return;
    constexpr off_t kSlice = kWriteBackSliceBytes;
    constexpr off_t kInFlight = kWriteBackSlicesInFlight;
    const off_t slices = (st.st_size + kSlice - 1) / kSlice;
    for (off_t k = 0; k < slices; ++k) {
        // A slice with nothing dirty costs a look-up in the page cache.
        if (sync_file_range(fd, k * kSlice, kSlice, SYNC_FILE_RANGE_WRITE) != 0) return;
        if (k >= kInFlight && sync_file_range(fd, (k - kInFlight) * kSlice, kSlice,
                                              SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                                                  SYNC_FILE_RANGE_WAIT_AFTER) != 0)
            return;
    }
}

/// fsync of the database file through the connection's own file object (SQLite's VFS: no second descriptor,
/// whose close would drop the process's POSIX locks on the file).
int syncDatabaseFile(sqlite3* db) {
    sqlite3_file* file = nullptr;
    const int rc = sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file);
    if (rc != SQLITE_OK) return rc;
    if (file == nullptr || file->pMethods == nullptr) return SQLITE_MISUSE;
    return file->pMethods->xSync(file, SQLITE_SYNC_NORMAL);
}

}  // namespace

int databaseFileDescriptor(sqlite3* db) {
    sqlite3_vfs* vfs = nullptr;
    sqlite3_file* file = nullptr;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) != SQLITE_OK || vfs == nullptr ||
        std::strcmp(vfs->zName, "unix") != 0)
        return -1;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || file == nullptr ||
        file->pMethods == nullptr)
        return -1;
    // os_unix.c: struct unixFile { sqlite3_io_methods const* pMethod; sqlite3_vfs* pVfs;
    //                              unixInodeInfo* pInode; int h; ... }
    constexpr std::size_t kOffset = 3 * sizeof(void*);
    if (static_cast<std::size_t>(vfs->szOsFile) < kOffset + sizeof(int)) return -1;
    int fd = -1;
    std::memcpy(&fd, reinterpret_cast<const unsigned char*>(file) + kOffset, sizeof fd);
    const char* name = sqlite3_db_filename(db, "main");
    struct stat byName {};
    struct stat byDescriptor {};
    if (fd < 0 || name == nullptr || stat(name, &byName) != 0 || fstat(fd, &byDescriptor) != 0) return -1;
    if (byName.st_dev != byDescriptor.st_dev || byName.st_ino != byDescriptor.st_ino) return -1;
    return fd;
}

Checkpointer::Checkpointer(const DatabaseOptions& options, std::mutex& processWriteMutex, sqlite3* writer,
                           int pages)
    : _connection(options, processWriteMutex),
      _fileDescriptor(databaseFileDescriptor(_connection.statements().db())),
      _writer(writer),
      _pages(pages),
      _remainder(std::clamp<std::int64_t>(pages / 16, kRemainderMin, kRemainderMax)),
      _nextInline(2 * static_cast<std::int64_t>(pages)) {
    if (pages <= 0) throw std::invalid_argument("Checkpointer: pages must be positive");
    // Replaces SQLite's own automatic checkpoints on the writer's connection (sqlite3_wal_autocheckpoint is
    // this same hook).
    sqlite3_wal_hook(_writer, &Checkpointer::walHook, this);
    _thread = std::thread(&Checkpointer::loop, this);
}

Checkpointer::~Checkpointer() {
    sqlite3_wal_hook(_writer, nullptr, nullptr);
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _stopping = true;
    }
    _wake.notify_one();
    _thread.join();
}

int Checkpointer::walHook(void* self, sqlite3*, const char*, int frames) {
    static_cast<Checkpointer*>(self)->committed(frames);
    return SQLITE_OK;
}

std::int64_t Checkpointer::remaining() const {
    return _frames - std::min(_copied.load(std::memory_order_relaxed), _frames);
}

void Checkpointer::committed(std::int64_t frames) {
    if (frames < _frames) {
        // The WAL started over at this transaction: what was copied of the old one says nothing of the new.
        std::lock_guard<std::mutex> lock(_mutex);
        ++_generation;
        _copied.store(0, std::memory_order_relaxed);
        ++_stats.restarts;
        _nextInline = kBehindFactor * _pages;
    }
    _frames = frames;
    if (frames > _largest.load(std::memory_order_relaxed)) _largest.store(frames, std::memory_order_relaxed);
    const std::int64_t left = remaining();
    if (left >= _pages || (frames >= kBehindFactor * _pages && left > _remainder)) request();
}

void Checkpointer::request() {
    if (_requested.exchange(true)) return;  // a pass is wanted or running; it will see these frames too
    // The thread reads `_requested` under the mutex before it sleeps: taking it here means the notification
    // cannot fall between that read and the sleep.
    { std::lock_guard<std::mutex> lock(_mutex); }
    _wake.notify_one();
}

void Checkpointer::idle() {
    if (remaining() >= _remainder) request();
}

void Checkpointer::beforeWrite() {
    if (_frames < _nextInline) return;
    if (remaining() > _remainder && _frames < kBoundFactor * _pages) return;
    // Copy the little that is left, so that this transaction finds the WAL copied and starts it over (if no
    // reader is still using it: then the next chance comes after another quarter of `pages`).
    int walFrames = 0;
    int copied = 0;
    const auto start = std::chrono::steady_clock::now();
    const int rc = sqlite3_wal_checkpoint_v2(_writer, "main", SQLITE_CHECKPOINT_PASSIVE, &walFrames, &copied);
    const std::int64_t micros = microsSince(start);
    _nextInline = _frames + std::max<std::int64_t>(1, _pages / 4);
    std::lock_guard<std::mutex> lock(_mutex);
    ++_stats.inlined;
    _stats.inlinedMicros += micros;
    _stats.longestInlinedMicros = std::max(_stats.longestInlinedMicros, micros);
    if (rc == SQLITE_OK) {
        _copied.store(copied, std::memory_order_relaxed);
    } else if (rc != SQLITE_BUSY) {
        ++_stats.failed;
    }
}

void Checkpointer::loop() {
    sqlite3* db = _connection.statements().db();
    std::uint64_t syncedGeneration = 0;
    int synced = 0;  ///< frames of that generation's WAL copied and synced
    for (;;) {
        std::uint64_t generation = 0;
        {
            std::unique_lock<std::mutex> lock(_mutex);
            _wake.wait(lock, [this] { return _requested.load() || _stopping; });
            if (_stopping) return;
            generation = _generation;
        }
        int walFrames = 0;
        int copied = 0;
        // PASSIVE: copies what no reader still needs from the database file, waiting for nobody; SQLITE_BUSY
        // when another checkpoint (the writer's, another process's) is running.
        const auto start = std::chrono::steady_clock::now();
        int rc = sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, &walFrames, &copied);
        // SQLite syncs the database file only at the end of a pass that copies the whole WAL, so the pages of
        // every earlier pass would wait for the writer's last short one, which would then sync them all
        // (10-50 ms under a create load). Sync them here, where nobody waits.
        if (generation != syncedGeneration) {
            syncedGeneration = generation;
            synced = 0;
        }
        if (rc == SQLITE_OK && copied > synced) {
            // Slices while the thread keeps up. Once the WAL holds twice `pages` it is behind, and the one
            // fsync, which lets the disk take every page at once, is faster: the WAL stays off its bound,
            // where the writer would copy everything left itself.
            if (_fileDescriptor >= 0 && walFrames < kBehindFactor * _pages)
                writeBackInSlices(_fileDescriptor);
            rc = syncDatabaseFile(db);
            if (rc == SQLITE_OK) synced = copied;
        }
        const std::int64_t micros = microsSince(start);
        {
            std::lock_guard<std::mutex> lock(_mutex);
            ++_stats.background;
            _stats.backgroundMicros += micros;
            if (rc == SQLITE_OK) {
                // Not if the WAL started over meanwhile: these counts were of the old one.
                if (generation == _generation) _copied.store(copied, std::memory_order_relaxed);
            } else if (rc != SQLITE_BUSY) {
                ++_stats.failed;
            }
        }
        _requested.store(false);
    }
}

CheckpointStats Checkpointer::stats() const {
    std::lock_guard<std::mutex> lock(_mutex);
    CheckpointStats s = _stats;
    s.largestWal = _largest.load(std::memory_order_relaxed);
    s.writtenBackInSlices = _fileDescriptor >= 0;
    return s;
}

}  // namespace appreg::store
