#include "appreg/store/Database.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <Poco/Data/DataException.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/PostgreSQLException.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/SQLite/Utility.h>

#include "appreg/store/GroupCommitter.h"
#include "appreg/store/Migrations.h"
#include "appreg/store/Postgres.h"

using namespace Poco::Data::Keywords;

namespace appreg::store {

void rethrowTranslated() {
    try {
        throw;
    } catch (const Poco::Data::SQLite::ConstraintViolationException& e) {
        std::string msg = e.displayText();
        ConstraintViolation::Kind kind = ConstraintViolation::Kind::Other;
        if (msg.find("UNIQUE") != std::string::npos)
            kind = ConstraintViolation::Kind::Unique;
        else if (msg.find("FOREIGN KEY") != std::string::npos)
            kind = ConstraintViolation::Kind::ForeignKey;
        throw ConstraintViolation(kind, msg);
    } catch (const Poco::Data::SQLite::DBLockedException& e) {
        throw DatabaseUnavailable("database is locked: " + e.displayText());
    } catch (const Poco::Data::SQLite::TableLockedException& e) {
        throw DatabaseUnavailable("table is locked: " + e.displayText());
    } catch (const Poco::Data::SQLite::ReadOnlyException& e) {
        throw DatabaseUnavailable("database is read-only: " + e.displayText());
    } catch (const Poco::Data::SQLite::DatabaseFullException& e) {
        throw DatabaseUnavailable("database or disk is full: " + e.displayText());
    } catch (const Poco::Data::SQLite::IOErrorException& e) {
        throw DatabaseUnavailable("database I/O error: " + e.displayText());
    } catch (const Poco::Data::SQLite::CantOpenDBFileException& e) {
        throw DatabaseUnavailable("cannot open the database: " + e.displayText());
    } catch (const Poco::Data::SQLite::DBAccessDeniedException& e) {
        throw DatabaseUnavailable("database access denied: " + e.displayText());
    } catch (const Poco::Data::SQLite::NoMemoryException& e) {
        throw DatabaseUnavailable("database out of memory: " + e.displayText());
    } catch (const Poco::Data::SQLite::TransactionException& e) {
        // Poco raises this for a failed BEGIN/COMMIT, which in practice is a lock held too long.
        throw DatabaseUnavailable("transaction failed: " + e.displayText());
    } catch (const Poco::Data::ConnectionFailedException& e) {
        throw DatabaseUnavailable("cannot connect to the database: " + e.displayText());
    } catch (const Poco::Data::PostgreSQL::PostgreSQLException& e) {
        // Poco's PostgreSQL connector is only used to connect: its failures are a server that cannot be
        // reached or refuses this client.
        throw DatabaseUnavailable("cannot connect to PostgreSQL: " + e.displayText());
    }
}

namespace {

Poco::Data::Session openSession(const DatabaseOptions& options) {
    return translateErrors([&] {
        const DatabaseLocation location = parseDatabaseLocation(options.path);
        if (location.backend == Backend::PostgreSQL) {
            return Poco::Data::Session(Poco::Data::PostgreSQL::Connector::KEY,
                                       postgresConnectionString(options));
        }
        // The login timeout is SQLite's busy timeout in seconds (platform-notes §1.4); the PRAGMA in the
        // Connection sets the precise value in milliseconds.
        return Poco::Data::Session("SQLite", location.target, 1 + options.busyTimeoutMs / 1000);
    });
}

pg_conn* postgresHandle(Poco::Data::Session& session) {
    auto* impl = dynamic_cast<Poco::Data::PostgreSQL::SessionImpl*>(session.impl());
    if (impl == nullptr) throw std::logic_error("not a PostgreSQL session");
    return static_cast<PGconn*>(impl->handle());
}

}  // namespace

Connection::Connection(const DatabaseOptions& options, std::mutex& writeMutex)
    : _backend(options.backend()),
      _options(options),
      _session(openSession(options)),
      _writeMutex(writeMutex) {
    if (_backend == Backend::PostgreSQL) {
        _postgres = std::make_unique<PgStatements>(postgresHandle(_session));
        configurePostgres();
        return;
    }
    _statements = std::make_unique<StatementCache>(Poco::Data::SQLite::Utility::dbHandle(_session));
    translateErrors([&] {
        _session << "PRAGMA busy_timeout = " + std::to_string(options.busyTimeoutMs), now;
        _session << "PRAGMA foreign_keys = ON", now;
        _session << "PRAGMA synchronous = " + options.synchronous, now;
        // The savepoint of every write of a group journals each page it changes (in WAL mode, every page
        // that existed when the savepoint began). With temp_store = FILE that sub-journal spills to a new
        // temporary file past 64 KiB, which one create reaches: a file created, unlinked, written page by
        // page and closed for every group (issue 7). In memory it is a few page copies per write.
        _session << "PRAGMA temp_store = MEMORY", now;
    });
}

Connection::~Connection() = default;

void Connection::configurePostgres() {
    // libpq prints the server's notices ("relation ... already exists, skipping") to stderr by default.
    PQsetNoticeProcessor(
        _postgres->conn(), [](void*, const char*) {}, nullptr);
    // statement_timeout bounds every statement; lock_timeout bounds the wait for the writers' lock (as the
    // busy timeout does on SQLite); a transaction left idle by a stuck client cannot hold locks for long.
    executeScript("SET statement_timeout = " + std::to_string(_options.statementTimeoutMs) +
                  "; SET lock_timeout = " + std::to_string(_options.busyTimeoutMs) +
                  "; SET idle_in_transaction_session_timeout = " +
                  std::to_string(_options.statementTimeoutMs + _options.busyTimeoutMs));
}

PgStatements& Connection::postgres() {
    pg_conn* conn = _postgres->conn();
    if (PQstatus(conn) == CONNECTION_OK) return *_postgres;
    if (_inTransaction) throw DatabaseUnavailable("lost the connection to PostgreSQL inside a transaction");
    // PQreset reconnects the same PGconn with the same parameters, so the Poco session keeps owning it and
    // PgStatements keeps pointing at it; Poco's reconnect() would put a new PGconn in the session's handle.
    PQreset(conn);
    if (PQstatus(conn) != CONNECTION_OK) {
        throw DatabaseUnavailable("cannot connect to PostgreSQL again: " +
                                  postgresMessage(PQerrorMessage(conn)));
    }
    _postgres->forget(conn);
    configurePostgres();
    return *_postgres;
}

void Connection::executeScript(const std::string& sql) {
    if (_backend == Backend::PostgreSQL) return runPostgresScript(postgres().conn(), sql);
    sqlite3* db = _statements->db();
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    sqlite3_free(error);  // the same text as sqlite3_errmsg, which throwSqliteError reports
    if (rc != SQLITE_OK) throwSqliteError(db, rc, "running a script");
}

DataVersion Connection::dataVersion() {
    if (_backend == Backend::PostgreSQL) {
        Query version(*this, "SELECT n FROM data_version WHERE id = 1");
        return {version.next() ? version.integer(0) : 0, 0};
    }
    Query version(*this, "PRAGMA data_version");
    version.next();
    return {version.integer(0), sqlite3_total_changes64(_statements->db())};
}

Database::Database(DatabaseOptions options) : _options(std::move(options)) {
    static std::once_flag registered;
    std::call_once(registered, [] {
        // Before SQLite initialises: every connection is used by one thread at a time (multi-thread mode, not
        // serialized), and the global memory statistics, whose mutex every allocation takes, are not needed.
        // Both return SQLITE_MISUSE if SQLite is already initialised, which only costs the speed-up.
        sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
        sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::PostgreSQL::Connector::registerConnector();
    });
}

Database::~Database() = default;

std::unique_ptr<Connection> Database::connect() {
    auto connection = std::make_unique<Connection>(_options, _writeMutex);
    if (connection->backend() == Backend::SQLite) {
        // A request thread's page cache is smaller than SQLite's default (2 MiB): it reads a row or a page of
        // rows at a time from all over the file, so beyond the upper B-tree pages it keeps little that is
        // asked for again, and the operating system caches the file once for all threads. The default made
        // resident memory grow by ~2 MiB per thread under reads (bench/README.md, issue 7), which is what
        // raising `threads` for write-heavy sites cost. The writer's connection (GroupCommitter) keeps the
        // default: the index pages it changes are the same from one group to the next.
        translateErrors(
            [&] { connection->session() << "PRAGMA cache_size = -" + std::to_string(kReaderCacheKiB), now; });
    }
    return connection;
}

void Database::write(const std::function<void(Connection&)>& job) {
    std::call_once(_committerStarted, [this] {
        _committer =
            std::make_unique<GroupCommitter>(_options, _writeMutex, GroupCommitter::kMaxGroup, _hooks);
    });
    _committer->run(job);
}

void Database::setWaitHooks(const WaitHooks& hooks) { _hooks = hooks; }

CheckpointStats Database::checkpointStats() const {
    return _committer ? _committer->checkpointStats() : CheckpointStats{};
}

GroupCommitStats Database::writeStats() const {
    return _committer ? _committer->stats() : GroupCommitStats{};
}

void Database::migrate() {
    Connection connection(_options, _writeMutex);
    if (connection.backend() == Backend::PostgreSQL) {
        // Workers starting at once on several hosts migrate one after another: the first creates the schema,
        // the others find it. A session lock, released at the end or when the connection goes.
        connection.executeScript("SELECT pg_advisory_lock(112101714)");
        applyMigrations(connection);
        connection.executeScript("SELECT pg_advisory_unlock(112101714)");
        return;
    }
    translateErrors([&] {
        std::string mode;
        connection.session() << "PRAGMA journal_mode = WAL", into(mode), now;
    });
    applyMigrations(connection);
}

ReadTransaction::ReadTransaction(Connection& connection) : _connection(connection) {
    Query(_connection, dialect::beginRead(connection.backend())).run();
    _connection.setInTransaction(true);
}

ReadTransaction::~ReadTransaction() {
    try {
        Query(_connection, "COMMIT").run();
    } catch (...) {
        // Nothing was written; a read transaction that cannot end cleanly is rolled back by the database.
        try {
            Query(_connection, "ROLLBACK").run();
        } catch (...) {
        }
    }
    _connection.setInTransaction(false);
}

WriteTransaction::WriteTransaction(Connection& connection)
    : _connection(connection), _lock(connection.writeMutex()) {
    Query(_connection, dialect::beginWrite(connection.backend())).run();
    _open = true;
    _connection.setInTransaction(true);
    if (connection.backend() != Backend::PostgreSQL) return;
    try {
        Query(_connection, dialect::writeLock()).run();
    } catch (...) {
        rollback();
        throw;
    }
}

WriteTransaction::~WriteTransaction() { rollback(); }

void WriteTransaction::rollback() {
    if (!_open) return;
    _open = false;
    try {
        Query(_connection, "ROLLBACK").run();
    } catch (...) {
        // The database has already rolled back (SQLITE_FULL, a lost PostgreSQL connection); nothing else can
        // be done here.
    }
    _connection.setInTransaction(false);
}

void WriteTransaction::commit() {
    Query(_connection, "COMMIT").run();
    _open = false;
    _connection.setInTransaction(false);
}

}  // namespace appreg::store
