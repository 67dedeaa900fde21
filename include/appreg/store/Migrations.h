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

/// Every migration, oldest first. Versions only ever grow; a released step is never edited.
const std::vector<Migration>& migrations();

/// Applies the migrations the database has not seen yet, each with its version row in one transaction,
/// so a crash leaves the schema at a whole version. Safe when several processes start at once.
/// Returns the schema version afterwards.
int applyMigrations(Connection& connection);

}  // namespace appreg::store
