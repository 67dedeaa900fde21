#pragma once

#include <string>
#include <vector>

#include "appreg/store/Database.h"

namespace appreg::store {

/// One versioned step of the schema.
struct Migration {
    int version;
    std::string description;
    std::string sql;  ///< one or more ';'-separated statements
};

/// Every migration of the SQLite schema, oldest first. Versions only ever grow; a released step is never
/// edited.
const std::vector<Migration>& migrations();
/// The same for PostgreSQL: its schema starts at version 6; every later version is added to both lists.
const std::vector<Migration>& postgresMigrations();
/// The migrations of `backend`.
const std::vector<Migration>& migrations(Backend backend);

/// Applies the migrations the database has not seen yet, each with its version row in one transaction,
/// so a crash leaves the schema at a whole version. Safe when several processes start at once (on
/// PostgreSQL, Database::migrate holds a lock for it).
/// Returns the schema version afterwards.
int applyMigrations(Connection& connection);

}  // namespace appreg::store
