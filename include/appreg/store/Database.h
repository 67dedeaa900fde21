#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include <Poco/Data/Session.h>

#include "appreg/store/CountCache.h"
#include "appreg/store/Dialect.h"
#include "appreg/store/Query.h"

namespace appreg::store {

/// How the worker opens its database.
struct DatabaseOptions {
    /// A SQLite file (created if missing), "sqlite:PATH", or a postgresql:// URL: see parseDatabaseLocation.
    std::string path = "appreg.db";
    std::string synchronous = "FULL";  ///< SQLite: OFF | NORMAL | FULL | EXTRA
    /// How long a write waits for another process's lock (SQLite's busy timeout; PostgreSQL's lock_timeout
    /// for the writers' lock, see dialect::writeLock).
    int busyTimeoutMs = 5000;
    int statementTimeoutMs = 30000;  ///< PostgreSQL: statement_timeout of every statement
    int connectTimeoutS = 5;         ///< PostgreSQL: connect_timeout, unless the URL sets one
    std::string passwordFile;        ///< PostgreSQL: a file whose first line is the password
    /// SQLite: frames of WAL the writer leaves to the checkpointer thread before it copies them into the
    /// database file (store::Checkpointer); 0: SQLite's own automatic checkpoint, in the writer, every 1,000.
    int checkpointPages = 16000;

    Backend backend() const { return parseDatabaseLocation(path).backend; }
    /// `path` without a password, for logs and messages.
    std::string describe() const { return redactDatabaseLocation(path); }
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

class PgStatements;

/// One connection: one Poco::Data session. On SQLite with the worker's pragmas (WAL, foreign keys, busy
/// timeout, synchronous); on PostgreSQL with its timeouts, and connected again after the server was lost.
/// Used by one thread at a time; each worker thread owns one.
class Connection {
public:
    Connection(const DatabaseOptions& options, std::mutex& writeMutex);
    ~Connection();
    Backend backend() const { return _backend; }
    Poco::Data::Session& session() { return _session; }
    /// SQLite: the statements this connection has prepared, for Query.
    StatementCache& statements() { return *_statements; }
    /// PostgreSQL: the connection's prepared statements, for Query. A connection found lost outside any
    /// transaction is opened again first; throws DatabaseUnavailable if that fails, or if it was lost inside
    /// a transaction (whose statements must not go on in another session).
    PgStatements& postgres();
    /// Runs `sql`, one or more ';'-separated statements without placeholders (the migrations).
    void executeScript(const std::string& sql);
    /// Marks a transaction as open or ended (ReadTransaction, WriteTransaction).
    void setInTransaction(bool open) { _inTransaction = open; }
    bool inTransaction() const { return _inTransaction; }
    /// The filtered-list counts this connection has made (see countRows).
    CountCache& counts() { return _counts; }
    /// What this connection sees of the database now; see DataVersion.
    DataVersion dataVersion();
    std::mutex& writeMutex() { return _writeMutex; }

private:
    Backend _backend;
    DatabaseOptions _options;
    Poco::Data::Session _session;
    std::unique_ptr<StatementCache> _statements;  ///< SQLite; finalized before the session closes
    std::unique_ptr<PgStatements> _postgres;      ///< PostgreSQL
    CountCache _counts;
    std::mutex& _writeMutex;
    bool _inTransaction = false;

    void configurePostgres();
};

class GroupCommitter;
struct GroupCommitStats;
struct CheckpointStats;

/// Told by a request thread around the time it blocks until its write commits: the transport lets another
/// thread run meanwhile (fcgi::RunLimit). Either may be empty.
struct WaitHooks {
    std::function<void()> waiting;
    std::function<void()> resumed;
};

/// The process-wide database: its options, the schema migration at start, and the mutex that lets one
/// thread of this process write at a time (other processes are held off by SQLite's lock).
class Database {
public:
    /// SQLite: the page cache of each connection from connect() (the request threads'), in KiB.
    static constexpr int kReaderCacheKiB = 512;

    explicit Database(DatabaseOptions options);
    ~Database();

    /// Creates the schema or migrates it to the newest version, each step in its own transaction.
    void migrate();
    /// A new connection for one worker thread (on SQLite with a page cache of kReaderCacheKiB).
    std::unique_ptr<Connection> connect();
    const DatabaseOptions& options() const { return _options; }

    /// Runs a write on the process's writer connection, grouped with the writes of other threads into one
    /// transaction (GroupCommitter::run), and returns once it is durable. The writer starts with the first
    /// write.
    void write(const std::function<void(Connection&)>& job);
    /// The group commits so far (all zero before the first write). Only once no thread can be making the
    /// first write (e.g. after the request threads have stopped): the writer is created by that write.
    GroupCommitStats writeStats() const;
    CheckpointStats checkpointStats() const;
    /// What a thread calling write() is told around its wait for the commit (GroupCommitter::run). Only
    /// before the first write: the writer takes them when it starts.
    void setWaitHooks(const WaitHooks& hooks);

private:
    DatabaseOptions _options;
    WaitHooks _hooks;
    std::mutex _writeMutex;
    std::once_flag _committerStarted;
    std::unique_ptr<GroupCommitter> _committer;
};

/// A write transaction: BEGIN IMMEDIATE on SQLite (so the write lock is taken up front and the busy timeout
/// applies, platform-notes §1.4), BEGIN and the writers' lock on PostgreSQL (dialect::writeLock); COMMIT on
/// commit(), ROLLBACK if destroyed uncommitted. It also holds the process's write mutex, so threads of one
/// worker queue on a mutex rather than in SQLite's sleeping busy handler.
class WriteTransaction {
public:
    explicit WriteTransaction(Connection& connection);
    ~WriteTransaction();
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;

    /// Makes the writes durable (per `synchronous` on SQLite, the server's synchronous_commit on PostgreSQL).
    /// After it returns, the write may be acknowledged.
    void commit();

private:
    Connection& _connection;
    std::unique_lock<std::mutex> _lock;
    bool _open = false;

    void rollback();
};

/// A read transaction on one connection (dialect::beginRead … COMMIT): every statement inside it reads the
/// same snapshot, so a list's count and its page agree, and SQLite sets up the WAL read lock once instead of
/// once per statement (a sixth of a detail request, issue 7's profile). Ends when destroyed.
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
