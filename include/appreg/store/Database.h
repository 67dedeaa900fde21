#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include <Poco/Data/Session.h>

#include "appreg/store/CountCache.h"
#include "appreg/store/Query.h"

namespace appreg::store {

/// How the worker opens its database.
struct DatabaseOptions {
    std::string path = "appreg.db";    ///< SQLite file, created if missing
    std::string synchronous = "FULL";  ///< OFF | NORMAL | FULL | EXTRA
    int busyTimeoutMs = 5000;          ///< how long a write waits for another process's lock
};

/// The database cannot serve the request now (locked beyond the busy timeout, read-only, full, I/O error).
/// The API answers 503; nothing was written.
class DatabaseUnavailable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A constraint of the schema refused a write. `kind` tells which, so the API can word the 400.
class ConstraintViolation : public std::runtime_error {
public:
    enum class Kind { Unique, ForeignKey, Other };
    ConstraintViolation(Kind kind, const std::string& what) : std::runtime_error(what), _kind(kind) {}
    Kind kind() const { return _kind; }

private:
    Kind _kind;
};

/// Runs `fn`, translating Poco's SQLite exceptions into DatabaseUnavailable / ConstraintViolation, so that no
/// layer above the store knows the SQL dialect. Other exceptions pass unchanged.
template <typename F>
auto translateErrors(F&& fn) -> decltype(fn());
[[noreturn]] void rethrowTranslated();

/// One connection: one Poco::Data session with the worker's pragmas (WAL, foreign keys, busy timeout,
/// synchronous). Used by one thread at a time; each worker thread owns one.
class Connection {
public:
    Connection(const DatabaseOptions& options, std::mutex& writeMutex);
    Poco::Data::Session& session() { return _session; }
    /// The statements this connection has prepared, for Query.
    StatementCache& statements() { return *_statements; }
    /// The filtered-list counts this connection has made (see countRows).
    CountCache& counts() { return _counts; }
    /// What this connection sees of the database now; see DataVersion.
    DataVersion dataVersion();
    std::mutex& writeMutex() { return _writeMutex; }

private:
    Poco::Data::Session _session;
    std::unique_ptr<StatementCache> _statements;  ///< finalized before the session closes
    CountCache _counts;
    std::mutex& _writeMutex;
};

class GroupCommitter;
struct GroupCommitStats;

/// The process-wide database: its options, the schema migration at start, and the mutex that lets one
/// thread of this process write at a time (other processes are held off by SQLite's lock).
class Database {
public:
    explicit Database(DatabaseOptions options);
    ~Database();

    /// Creates the schema or migrates it to the newest version, each step in its own transaction.
    void migrate();
    /// A new connection for one worker thread.
    std::unique_ptr<Connection> connect();
    const DatabaseOptions& options() const { return _options; }

    /// Runs a write on the process's writer connection, grouped with the writes of other threads into one
    /// transaction (GroupCommitter::run), and returns once it is durable. The writer starts with the first
    /// write.
    void write(const std::function<void(Connection&)>& job);
    /// The group commits so far (all zero before the first write). Only once no thread can be making the
    /// first write (e.g. after the request threads have stopped): the writer is created by that write.
    GroupCommitStats writeStats() const;

private:
    DatabaseOptions _options;
    std::mutex _writeMutex;
    std::once_flag _committerStarted;
    std::unique_ptr<GroupCommitter> _committer;
};

/// A write transaction: BEGIN IMMEDIATE (so the write lock is taken up front and the busy timeout applies,
/// platform-notes §1.4), COMMIT on commit(), ROLLBACK if destroyed uncommitted. It also holds the process's
/// write mutex, so threads of one worker queue on a mutex rather than in SQLite's sleeping busy handler.
class WriteTransaction {
public:
    explicit WriteTransaction(Connection& connection);
    ~WriteTransaction();
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;

    /// Makes the writes durable (per `synchronous`). After it returns, the write may be acknowledged.
    void commit();

private:
    Connection& _connection;
    std::unique_lock<std::mutex> _lock;
    bool _open = false;
};

/// A read transaction on one connection (BEGIN … COMMIT): every statement inside it reads the same snapshot,
/// so a list's count and its page agree, and SQLite sets up the WAL read lock once instead of once per
/// statement (a sixth of a detail request, issue 7's profile). Ends when destroyed.
class ReadTransaction {
public:
    explicit ReadTransaction(Connection& connection);
    ~ReadTransaction();
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;

private:
    Connection& _connection;
};

template <typename F>
auto translateErrors(F&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (...) {
        rethrowTranslated();
    }
}

}  // namespace appreg::store
