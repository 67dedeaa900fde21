#include "appreg/store/Database.h"

#include <sqlite3.h>

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/SQLite/Utility.h>

#include "appreg/store/GroupCommitter.h"
#include "appreg/store/Migrations.h"

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
    }
}

Connection::Connection(const DatabaseOptions& options, std::mutex& writeMutex)
    : _session(translateErrors([&] {
          // The login timeout is SQLite's busy timeout in seconds (platform-notes §1.4); the PRAGMA below
          // sets the precise value in milliseconds.
          return Poco::Data::Session("SQLite", options.path, 1 + options.busyTimeoutMs / 1000);
      })),
      _statements(std::make_unique<StatementCache>(Poco::Data::SQLite::Utility::dbHandle(_session))),
      _writeMutex(writeMutex) {
    translateErrors([&] {
        _session << "PRAGMA busy_timeout = " + std::to_string(options.busyTimeoutMs), now;
        _session << "PRAGMA foreign_keys = ON", now;
        _session << "PRAGMA synchronous = " + options.synchronous, now;
    });
}

DataVersion Connection::dataVersion() {
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
    });
}

Database::~Database() = default;

std::unique_ptr<Connection> Database::connect() {
    return std::make_unique<Connection>(_options, _writeMutex);
}

void Database::write(const std::function<void(Connection&)>& job) {
    std::call_once(_committerStarted,
                   [this] { _committer = std::make_unique<GroupCommitter>(_options, _writeMutex); });
    _committer->run(job);
}

GroupCommitStats Database::writeStats() const {
    return _committer ? _committer->stats() : GroupCommitStats{};
}

void Database::migrate() {
    Connection connection(_options, _writeMutex);
    translateErrors([&] {
        std::string mode;
        connection.session() << "PRAGMA journal_mode = WAL", into(mode), now;
    });
    applyMigrations(connection);
}

ReadTransaction::ReadTransaction(Connection& connection) : _connection(connection) {
    Query(_connection, "BEGIN").run();  // deferred: the snapshot is taken by the first read
}

ReadTransaction::~ReadTransaction() {
    try {
        Query(_connection, "COMMIT").run();
    } catch (...) {
        // Nothing was written; a read transaction that cannot end cleanly is rolled back by SQLite.
        try {
            Query(_connection, "ROLLBACK").run();
        } catch (...) {
        }
    }
}

WriteTransaction::WriteTransaction(Connection& connection)
    : _connection(connection), _lock(connection.writeMutex()) {
    Query(_connection, "BEGIN IMMEDIATE").run();
    _open = true;
}

WriteTransaction::~WriteTransaction() {
    if (!_open) return;
    try {
        Query(_connection, "ROLLBACK").run();
    } catch (...) {
        // SQLite has already rolled back (e.g. after SQLITE_FULL); nothing else can be done here.
    }
}

void WriteTransaction::commit() {
    Query(_connection, "COMMIT").run();
    _open = false;
}

}  // namespace appreg::store
