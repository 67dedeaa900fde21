#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <Poco/Dynamic/Var.h>

struct sqlite3;
struct sqlite3_stmt;
struct pg_result;

namespace appreg::store {

class Connection;

/// The prepared statements of one connection, by SQL text, least recently used dropped first.
///
/// Poco::Data 1.11 prepares a statement again on every execution (SQLiteStatementImpl::compileImpl calls
/// sqlite3_prepare_v2 each time), which the profile of issue 7 found to be a third of a request's CPU time.
/// Statements prepared once per connection and reset after each use take that away. Owned by a Connection and
/// used by its one thread at a time.
class StatementCache {
public:
    explicit StatementCache(sqlite3* db, std::size_t capacity = 128);
    ~StatementCache();
    StatementCache(const StatementCache&) = delete;
    StatementCache& operator=(const StatementCache&) = delete;

    /// A prepared statement for `sql`, ready to bind: from the cache, or prepared now. A statement already
    /// handed out and not yet given back (a query running while another of the same text runs) is not shared:
    /// the second gets a statement of its own, finalized when given back.
    sqlite3_stmt* acquire(std::string_view sql);
    /// Resets `statement` (ending any read it holds open), clears its bindings and keeps it for the next use.
    void release(sqlite3_stmt* statement);
    sqlite3* db() const { return _db; }
    std::size_t size() const { return _entries.size(); }

private:
    struct Entry {
        sqlite3_stmt* statement = nullptr;
        bool inUse = false;
        std::list<std::string>::iterator recency;
    };
    /// Finds an SQL text without copying it into a std::string first (a heap allocation per query).
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    sqlite3* _db;
    std::size_t _capacity;
    std::list<std::string> _recency;  ///< SQL texts, most recently used first
    std::unordered_map<std::string, Entry, TextHash, std::equal_to<>> _entries;
    /// Statements handed out and not given back, with their entry (nullptr: the caller's own). A few at a
    /// time (a query inside a loop over another's rows), so a vector: no allocation per query.
    std::vector<std::pair<sqlite3_stmt*, Entry*>> _handedOut;

    void evictOne();
};

/// One execution of an SQL statement on a connection: bind the `?` values in order, then `next()` through the
/// rows or `run()` a write. On SQLite the statement comes from the connection's StatementCache and is reset
/// when the Query ends, so no read stays open. On PostgreSQL it is prepared once per connection
/// (PgStatements) and runs at the first `next()`, `run()` or `insertedId()`, all rows coming back at once.
///
/// Errors are thrown as the store's own types: ConstraintViolation for a refused write, DatabaseUnavailable
/// for a lock held too long, a read-only, full or failing disk, a lost database server; std::runtime_error
/// for anything else.
class Query {
public:
    Query(Connection& connection, std::string_view sql);
    ~Query();
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

    Query& bind(std::int64_t value);
    Query& bind(int value) { return bind(static_cast<std::int64_t>(value)); }
    Query& bind(bool value) { return bind(static_cast<std::int64_t>(value ? 1 : 0)); }
    Query& bind(const std::string& value);
    Query& bind(const char* value) { return bind(std::string_view(value)); }
    Query& bind(std::string_view value);
    Query& bind(std::nullopt_t);
    template <typename T>
    Query& bind(const std::optional<T>& value) {
        return value ? bind(*value) : bind(std::nullopt);
    }
    /// Strings, integers and booleans (as 0/1), as the list filters carry them.
    Query& bind(const Poco::Dynamic::Var& value);
    Query& bindAll(const std::vector<Poco::Dynamic::Var>& values);

    /// Steps to the next row; false when there is none.
    bool next();
    /// Steps until the statement is done (a write, or a read whose rows are not wanted).
    void run();
    /// Runs a one-row `INSERT` and returns the row's id. On SQLite its rowid, not `RETURNING id`: SQLite
    /// collects returned rows in an ephemeral table that it opens and frees on every execution, a measured
    /// 10 % of a create (bench/README.md). On PostgreSQL the statement runs with `RETURNING id` added.
    std::int64_t insertedId();

    bool isNull(int column) const;
    std::int64_t integer(int column) const;
    std::string text(int column) const;
    std::optional<std::int64_t> optionalInteger(int column) const;
    std::optional<std::string> optionalText(int column) const;

private:
    Connection& _connection;
    // SQLite
    StatementCache* _cache = nullptr;
    sqlite3_stmt* _statement = nullptr;
    int _bound = 0;
    bool _done = false;
    // PostgreSQL: the SQL, its bound values as text (nullopt for NULL), then the result and the current row.
    std::string _sql;
    std::vector<std::optional<std::string>> _values;
    pg_result* _result = nullptr;
    int _row = -1;

    [[noreturn]] void fail(int rc) const;
    bool isPostgres() const { return _cache == nullptr; }
    Query& bindText(std::string value);
    /// PostgreSQL: runs the statement (with `suffix` appended to its SQL) unless it has run.
    void execute(const char* suffix = "");
};

/// Throws `rc` (a failed SQLite result code on `db`) as the store's error types. See Query.
[[noreturn]] void throwSqliteError(sqlite3* db, int rc, const std::string& context);

}  // namespace appreg::store
