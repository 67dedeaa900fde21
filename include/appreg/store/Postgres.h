#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

// libpq's handles, without its header (which only src/store needs).
struct pg_conn;
struct pg_result;

namespace appreg::store {

struct DatabaseOptions;

/// The prepared statements of one PostgreSQL connection, by SQL text (with `?` placeholders).
///
/// For the same reason as StatementCache: Poco::Data's PostgreSQL connector prepares, runs and deallocates a
/// statement on every execution, three round trips instead of one. Statements are prepared once per
/// connection under a name of their own; a reconnect (forget()) starts again from none.
class PgStatements {
public:
    explicit PgStatements(pg_conn* conn, std::size_t capacity = 256);
    PgStatements(const PgStatements&) = delete;
    PgStatements& operator=(const PgStatements&) = delete;

    /// The name of the statement prepared for `sql`, preparing it now if needed.
    const std::string& prepare(const std::string& sql);
    /// After a reconnect: `conn` is new and has no prepared statement.
    void forget(pg_conn* conn);
    pg_conn* conn() const { return _conn; }

private:
    pg_conn* _conn;
    std::size_t _capacity;
    std::unordered_map<std::string, std::string> _names;  ///< SQL -> statement name
    unsigned long _serial = 0;
};

/// Throws a failed PostgreSQL command as the store's error types: ConstraintViolation (SQLSTATE class 23),
/// DatabaseUnavailable for everything that says "not now" (a lost or refused connection, shutdown, statement
/// or lock timeout, serialization failure, deadlock, out of resources, read-only server), std::runtime_error
/// for anything else (a bug in the SQL). `result` may be null (the command could not even be sent).
[[noreturn]] void throwPostgresError(pg_conn* conn, const pg_result* result, const std::string& context);

/// Runs `sql` (one or more ';'-separated statements, no placeholders) on `conn`; throws as
/// throwPostgresError.
void runPostgresScript(pg_conn* conn, const std::string& sql);

/// libpq's `message` on one line (its messages end in a newline and may span several, with tab-indented
/// hints), for the worker's one-line-per-entry log.
std::string postgresMessage(const char* message);

/// The connection string Poco's PostgreSQL connector takes ("key=value ..."), from the URL of
/// `options.path` (any form libpq accepts), the password file if one is configured, and the worker's
/// connect timeout unless the URL sets one. Throws std::invalid_argument for a URL libpq rejects, or a value
/// with white space or quotes (the connector splits its string on spaces and cannot quote).
std::string postgresConnectionString(const DatabaseOptions& options);

/// Reads a password file: its first line, without the line end. Throws std::runtime_error if it cannot be
/// read or holds nothing.
std::string readPasswordFile(const std::string& path);

}  // namespace appreg::store
