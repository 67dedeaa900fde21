#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "appreg/store/Database.h"

struct sqlite3;

namespace appreg::store {

/// What the checkpoints of the writer's WAL have done so far.
struct CheckpointStats {
    std::uint64_t background = 0;       ///< passes of the checkpointer thread
    std::uint64_t inlined = 0;          ///< short passes of the writer itself, so that the WAL can start over
    std::uint64_t failed = 0;           ///< passes that failed (other than "another checkpoint is running")
    std::uint64_t restarts = 0;         ///< times the WAL started over from its first frame
    std::int64_t largestWal = 0;        ///< the most frames the WAL held after a commit
    std::int64_t backgroundMicros = 0;  ///< time spent in the checkpointer thread's passes
    std::int64_t inlinedMicros = 0;     ///< time the writer spent in its own passes
    std::int64_t longestInlinedMicros = 0;  ///< the longest of those: how long a write may have waited
    /// The database file's descriptor was found, so passes that keep up write it back in slices
    /// (Checkpointer).
    bool writtenBackInSlices = false;
};

/// The file descriptor through which SQLite's unix VFS reads and writes `db`'s main database file, or -1.
/// SQLite has no public call for it. Its unix VFS keeps it in the fourth member of its `unixFile` (after the
/// methods, the VFS and the inode's lock information), as it has since 2008; it is read there only if the
/// file's VFS is "unix" and believed only if it names the very file (device and inode) that
/// sqlite3_db_filename names. Otherwise -1, and nothing depends on it.
int databaseFileDescriptor(sqlite3* db);

/// How much of the database file the checkpointer writes back at a time, and how many such slices may be on
/// their way to the disk at once (Checkpointer).
inline constexpr long kWriteBackSliceBytes = 1L << 20;
inline constexpr int kWriteBackSlicesInFlight = 4;

/// SQLite: copies the writer's WAL back into the database file from a thread of its own (issue 7).
///
/// SQLite checkpoints in the connection that commits: every 1,000 frames of WAL the writer stopped to copy
/// them (a read and a write per page, then an fsync of the database file), about half of its reads and writes
/// under a create load, with every waiting write stalled behind it. Here the writer's commits only count
/// frames (a WAL hook, which also turns SQLite's own checkpoints off for that connection); once `pages`
/// frames wait to be copied, this thread copies them with a PASSIVE checkpoint on its own connection, beside
/// the writer and its readers, and syncs the database file. A larger WAL also means that a page written by
/// many commits is copied once.
///
/// The WAL only starts over from its first frame when a write transaction begins while everything in it has
/// been copied, which a busy writer would never see while another thread copies behind it. So once the WAL
/// holds twice `pages` frames the thread keeps catching up, and when at most a remainder (`pages` / 16,
/// 64-200 frames) is left the writer copies that itself before its next transaction (beforeWrite); past four
/// times `pages` it does so whatever is left, so the WAL stays bounded if this thread cannot keep up. When
/// the writer runs out of work, what is left is copied if it is more than the remainder (idle).
///
/// After copying, the thread writes the database file back a slice of kWriteBackSliceBytes at a time, at most
/// kWriteBackSlicesInFlight of them on their way to the disk (`sync_file_range`), and only then syncs it. One
/// fsync alone would queue all of a pass's pages (megabytes, scattered over the file) on the disk at once,
/// and every commit's fdatasync of the WAL would wait behind them: in issue 7's measurements four fifths of
/// the creates slower than 9 ms were answered while the database file was being synced. PostgreSQL's
/// `checkpoint_flush_after` spreads its checkpoints' writes for the same reason. Slices cost the pass time,
/// so the thread uses them only while it keeps up (the WAL under twice `pages`); behind, the one fsync is
/// faster, and the WAL stays off its bound (one slice at a time, without that rule, let it reach the bound
/// under patches, and the writer then stalled 35 ms copying). Without the file's descriptor
/// (databaseFileDescriptor) the fsync alone remains.
///
/// Durability is unchanged: every commit is in the WAL, synced as `synchronous` says, before it is
/// acknowledged; a checkpoint only moves committed pages into the database file and syncs it.
class Checkpointer {
public:
    /// Hooks `writer` (a connection of `options`' database, used by one thread) and starts the thread.
    Checkpointer(const DatabaseOptions& options, std::mutex& processWriteMutex, sqlite3* writer, int pages);
    ~Checkpointer();

    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    /// The writer's thread, outside any transaction, before it begins the next one.
    void beforeWrite();
    /// The writer's thread, when no write is waiting: copy what is left (if more than a small remainder),
    /// so that the next write starts the WAL over and readers meanwhile find every page in the database file.
    void idle();

    CheckpointStats stats() const;

private:
    static int walHook(void* self, sqlite3* db, const char* schema, int frames);
    void committed(std::int64_t frames);  ///< the writer's thread, after each commit
    std::int64_t remaining() const;       ///< frames of the WAL not yet copied, as the writer sees it
    void request();
    void loop();

    Connection _connection;     ///< the checkpointer thread's own
    const int _fileDescriptor;  ///< of its database file (databaseFileDescriptor), -1 if not found
    sqlite3* const _writer;
    const std::int64_t _pages;
    const std::int64_t _remainder;  ///< what the writer copies itself to let the WAL start over

    // The writer thread's own view.
    std::int64_t _frames = 0;      ///< frames in the WAL after the last commit
    std::int64_t _nextInline = 0;  ///< the WAL's length from which beforeWrite may copy the rest itself
    std::atomic<std::int64_t> _largest{0};

    mutable std::mutex _mutex;
    std::condition_variable _wake;
    bool _stopping = false;
    std::uint64_t _generation = 0;         ///< WAL start-overs seen by the writer; under _mutex
    std::atomic<std::int64_t> _copied{0};  ///< frames of the current WAL copied into the database file
    std::atomic<bool> _requested{false};   ///< a pass is wanted or running (until it ends): asked once
    CheckpointStats _stats;                ///< under _mutex
    std::thread _thread;
};

}  // namespace appreg::store
