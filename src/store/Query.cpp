#include "appreg/store/Query.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdlib>
#include <iterator>
#include <stdexcept>

#include "appreg/store/Database.h"
#include "appreg/store/Postgres.h"

namespace appreg::store {

void throwSqliteError(sqlite3* db, int rc, const std::string& context) {
    const std::string message = context + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    switch (rc & 0xff) {
        case SQLITE_CONSTRAINT: {
            const int extended = db ? sqlite3_extended_errcode(db) : rc;
            if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY)
                throw ConstraintViolation(ConstraintViolation::Kind::Unique, message);
            if (extended == SQLITE_CONSTRAINT_FOREIGNKEY)
                throw ConstraintViolation(ConstraintViolation::Kind::ForeignKey, message);
            throw ConstraintViolation(ConstraintViolation::Kind::Other, message);
        }
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            throw DatabaseUnavailable("database is locked: " + message);
        case SQLITE_READONLY:
            throw DatabaseUnavailable("database is read-only: " + message);
        case SQLITE_FULL:
            throw DatabaseUnavailable("database or disk is full: " + message);
        case SQLITE_IOERR:
            throw DatabaseUnavailable("database I/O error: " + message);
        case SQLITE_CANTOPEN:
            throw DatabaseUnavailable("cannot open the database: " + message);
        case SQLITE_PERM:
        case SQLITE_AUTH:
            throw DatabaseUnavailable("database access denied: " + message);
        case SQLITE_NOMEM:
            throw DatabaseUnavailable("database out of memory: " + message);
        default:
            throw std::runtime_error("SQLite error " + std::to_string(rc) + " in " + message);
    }
}

StatementCache::StatementCache(sqlite3* db, std::size_t capacity) : _db(db), _capacity(capacity) {}

StatementCache::~StatementCache() {
    for (auto& [sql, entry] : _entries) sqlite3_finalize(entry.statement);
    for (auto& [statement, entry] : _handedOut) {
        if (entry == nullptr) sqlite3_finalize(statement);
    }
}

sqlite3_stmt* StatementCache::acquire(std::string_view sql) {
    auto found = _entries.find(sql);
    if (found != _entries.end() && !found->second.inUse) {
        Entry& entry = found->second;
        _recency.splice(_recency.begin(), _recency, entry.recency);
        entry.inUse = true;
        _handedOut.emplace_back(entry.statement, &entry);
        return entry.statement;
    }
    sqlite3_stmt* statement = nullptr;
    const int rc = sqlite3_prepare_v3(_db, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(statement);
        throwSqliteError(_db, rc, "preparing \"" + std::string(sql) + "\"");
    }
    if (statement == nullptr) throw std::logic_error("empty SQL statement");
    if (found != _entries.end()) {
        // The cached one is running; this one is the caller's alone.
        _handedOut.emplace_back(statement, nullptr);
        return statement;
    }
    if (_entries.size() >= _capacity) evictOne();
    _recency.emplace_front(sql);
    // Entries are nodes: the pointer kept in _handedOut stays valid until the entry is evicted, which a
    // statement in use never is.
    Entry& entry = _entries.emplace(_recency.front(), Entry{statement, true, _recency.begin()}).first->second;
    _handedOut.emplace_back(statement, &entry);
    return statement;
}

void StatementCache::release(sqlite3_stmt* statement) {
    // reset repeats the last step's error code, which has already been reported.
    sqlite3_reset(statement);
    sqlite3_clear_bindings(statement);
    // The most recent first: queries end in the reverse order they began.
    for (auto it = _handedOut.rbegin(); it != _handedOut.rend(); ++it) {
        if (it->first != statement) continue;
        if (it->second == nullptr) {
            sqlite3_finalize(statement);
        } else {
            it->second->inUse = false;
        }
        _handedOut.erase(std::next(it).base());
        return;
    }
}

void StatementCache::evictOne() {
    for (auto it = _recency.end(); it != _recency.begin();) {
        --it;
        auto entry = _entries.find(*it);
        if (entry->second.inUse) continue;
        sqlite3_finalize(entry->second.statement);
        _entries.erase(entry);
        _recency.erase(it);
        return;
    }
    // Every cached statement is running: the cache grows by one rather than finalize a running statement.
}

Query::Query(Connection& connection, std::string_view sql) : _connection(connection) {
    if (connection.backend() == Backend::PostgreSQL) {
        // Prepared and run by execute(), on a connection reopened first if it was lost.
        _sql = std::string(sql);
        return;
    }
    _cache = &connection.statements();
    _statement = _cache->acquire(sql);
}

Query::~Query() {
    if (isPostgres()) {
        PQclear(_result);
    } else {
        _cache->release(_statement);
    }
}

Query& Query::bind(std::int64_t value) {
    if (isPostgres()) return bindText(std::to_string(value));
    const int rc = sqlite3_bind_int64(_statement, ++_bound, value);
    if (rc != SQLITE_OK) fail(rc);
    return *this;
}

Query& Query::bind(const std::string& value) { return bind(std::string_view(value)); }

Query& Query::bind(std::string_view value) {
    if (isPostgres()) return bindText(std::string(value));
    const int rc =
        sqlite3_bind_text64(_statement, ++_bound, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK) fail(rc);
    return *this;
}

Query& Query::bindText(std::string value) {
    _values.emplace_back(std::move(value));
    return *this;
}

Query& Query::bind(std::nullopt_t) {
    if (isPostgres()) {
        _values.emplace_back(std::nullopt);
        return *this;
    }
    const int rc = sqlite3_bind_null(_statement, ++_bound);
    if (rc != SQLITE_OK) fail(rc);
    return *this;
}

Query& Query::bind(const Poco::Dynamic::Var& value) {
    if (value.isEmpty()) return bind(std::nullopt);
    if (value.isBoolean()) return bind(value.extract<bool>());
    if (value.isInteger()) return bind(value.convert<std::int64_t>());
    return bind(value.convert<std::string>());
}

Query& Query::bindAll(const std::vector<Poco::Dynamic::Var>& values) {
    for (const auto& value : values) bind(value);
    return *this;
}

void Query::execute(const char* suffix) {
    if (_result) return;
    std::vector<const char*> values;
    values.reserve(_values.size());
    for (const auto& v : _values) values.push_back(v ? v->c_str() : nullptr);
    // A connection the server dropped (a restart, a failover) is only found out by the next statement. That
    // statement runs once more on a new connection if it cannot have changed anything: a read, or the BEGIN
    // of a transaction, outside any transaction. Everything else fails with DatabaseUnavailable (503).
    const bool retryable =
        !_connection.inTransaction() && (_sql.rfind("SELECT", 0) == 0 || _sql.rfind("BEGIN", 0) == 0);
    for (int attempt = 0;; ++attempt) {
        PgStatements& statements = _connection.postgres();
        try {
            const std::string& name = *suffix ? statements.prepare(_sql + suffix) : statements.prepare(_sql);
            _result = PQexecPrepared(statements.conn(), name.c_str(), static_cast<int>(values.size()),
                                     values.data(), nullptr, nullptr, 0);
            const ExecStatusType status = PQresultStatus(_result);
            if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) return;
            throwPostgresError(statements.conn(), _result, "running \"" + _sql + "\"");
        } catch (const DatabaseUnavailable&) {
            if (attempt > 0 || !retryable || PQstatus(statements.conn()) == CONNECTION_OK) throw;
            PQclear(_result);
            _result = nullptr;
        }
    }
}

bool Query::next() {
    if (isPostgres()) {
        execute();
        if (_row + 1 >= PQntuples(_result)) return false;
        ++_row;
        return true;
    }
    if (_done) return false;
    const int rc = sqlite3_step(_statement);
    if (rc == SQLITE_ROW) return true;
    _done = true;
    if (rc != SQLITE_DONE) fail(rc);
    return false;
}

void Query::run() {
    if (isPostgres()) return execute();
    while (next()) {
    }
}

std::int64_t Query::insertedId() {
    if (isPostgres()) {
        execute(" RETURNING id");
        if (PQntuples(_result) != 1) throw std::logic_error("no single row inserted by \"" + _sql + "\"");
        _row = 0;
        return integer(0);
    }
    run();
    sqlite3* db = _cache->db();
    // The statement's own row: rows inserted by its triggers do not change last_insert_rowid once the
    // trigger program has ended (SQLite's documentation of sqlite3_last_insert_rowid).
    if (sqlite3_changes(db) != 1) {
        throw std::logic_error(std::string("no single row inserted by \"") + sqlite3_sql(_statement) + "\"");
    }
    return sqlite3_last_insert_rowid(db);
}

bool Query::isNull(int column) const {
    if (isPostgres()) return PQgetisnull(_result, _row, column) != 0;
    return sqlite3_column_type(_statement, column) == SQLITE_NULL;
}

std::int64_t Query::integer(int column) const {
    if (isPostgres()) return std::strtoll(PQgetvalue(_result, _row, column), nullptr, 10);
    return sqlite3_column_int64(_statement, column);
}

std::string Query::text(int column) const {
    if (isPostgres()) {
        return std::string(PQgetvalue(_result, _row, column),
                           static_cast<std::size_t>(PQgetlength(_result, _row, column)));
    }
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(_statement, column));
    if (data == nullptr) return std::string();
    return std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(_statement, column)));
}

std::optional<std::int64_t> Query::optionalInteger(int column) const {
    if (isNull(column)) return std::nullopt;
    return integer(column);
}

std::optional<std::string> Query::optionalText(int column) const {
    if (isNull(column)) return std::nullopt;
    return text(column);
}

void Query::fail(int rc) const {
    throwSqliteError(_cache->db(), rc, std::string("running \"") + sqlite3_sql(_statement) + "\"");
}

}  // namespace appreg::store
