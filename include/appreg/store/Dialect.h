#pragma once

#include <string>

namespace appreg::store {

/// The database engines the store runs on.
enum class Backend { SQLite, PostgreSQL };

/// What `--db` (key db.path) names: a SQLite file ("appreg.db", "sqlite:/var/lib/appreg/appreg.db") or a
/// PostgreSQL database ("postgresql://user@host:5432/dbname", also "postgres://"). A bare path stays SQLite,
/// so every existing configuration keeps its meaning.
struct DatabaseLocation {
    Backend backend = Backend::SQLite;
    std::string target;  ///< the SQLite path, or the PostgreSQL URL as given
};

/// Throws std::invalid_argument for an empty path or an unknown "scheme://".
DatabaseLocation parseDatabaseLocation(const std::string& db);

/// `db` with any password in a URL replaced by "***", for logs and messages: a password may be given in the
/// URL (not recommended: see db.password_file) and must never be written anywhere.
std::string redactDatabaseLocation(const std::string& db);

/// Every piece of SQL that differs between SQLite and PostgreSQL, so that the stores write one text for both.
/// The rest of the store's SQL is the common subset (placeholders are `?` on both: see
/// toPostgresPlaceholders).
namespace dialect {

/// A condition true when the text `haystack` contains `needle` (SQL expressions, e.g. "lower(a.name)" and
/// "lower(?)"). SQLite has instr(), PostgreSQL strpos(); both compare exactly.
std::string contains(Backend backend, const std::string& haystack, const std::string& needle);

/// The last length(`lengthOf`) characters of `expr`. SQLite's substr() counts from the end for a negative
/// start, PostgreSQL has right().
std::string suffix(Backend backend, const std::string& expr, const std::string& lengthOf);

/// Starts a read transaction: every statement in it reads one snapshot. SQLite: a deferred BEGIN (the
/// snapshot is taken by the first read). PostgreSQL: REPEATABLE READ, READ ONLY (its default, READ COMMITTED,
/// takes a new snapshot per statement, so a list's count and page could disagree).
const char* beginRead(Backend backend);

/// Starts a write transaction. SQLite: BEGIN IMMEDIATE takes the database's write lock at once (within the
/// busy timeout). PostgreSQL: BEGIN, then writeLock() serializes the writers of every worker on every host.
const char* beginWrite(Backend backend);

/// PostgreSQL only: the lock every write transaction takes first, released by its COMMIT or ROLLBACK. With it
/// writers of all workers run one after another, as SQLite's single writer does, so ids, row counts and the
/// data version advance in commit order and two write transactions can never deadlock.
const char* writeLock();

/// `sql` with its `?` placeholders numbered as PostgreSQL wants them ($1, $2, ...; SQLite's "?3" becomes
/// "$3"). Question marks inside '...' literals, "..." identifiers and -- comments are left alone.
std::string toPostgresPlaceholders(const std::string& sql);

}  // namespace dialect

}  // namespace appreg::store
