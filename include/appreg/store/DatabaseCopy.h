#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "appreg/store/Database.h"

namespace appreg::store {

/// The copy must not start, or cannot: nothing was changed in the target (and the source was at most
/// migrated, as a worker starting on it would have done).
class CopyRefused : public std::runtime_error {
public:
    enum class Reason {
        NoSource,        ///< the source file does not exist, or is not an appreg database
        TargetNotEmpty,  ///< a table of the target already has rows
        SchemasDiffer,   ///< the two databases do not hold the same tables, columns or schema version
    };
    CopyRefused(Reason reason, const std::string& what) : std::runtime_error(what), _reason(reason) {}
    Reason reason() const { return _reason; }

private:
    Reason _reason;
};

/// What the comparison of one table found in the source and in the target.
struct TableComparison {
    std::string table;
    std::int64_t sourceRows = 0;
    std::int64_t targetRows = 0;
    /// SHA-256 (hex) of every row in primary-key order, every column as text, NULL told apart from ''.
    std::string sourceDigest;
    std::string targetDigest;
    /// The target's row_counts entry, for the tables it counts.
    std::optional<std::int64_t> countedRows;
    /// The id the next insert gets, for tables with ids: what SQLite's AUTOINCREMENT gives in the source (one
    /// past the largest of sqlite_sequence and MAX(id), so the id of a deleted newest row is not reused), one
    /// past id_sequences.last in the target.
    std::optional<std::int64_t> sourceNextId;
    std::optional<std::int64_t> targetNextId;

    /// Same rows, same contents, row_counts right, same next id.
    bool matches() const;
    /// "applications: 1234 rows, contents match", or the table's name and every difference found.
    std::string describe() const;
};

/// The comparison of every copied table, in DatabaseCopy::tables() order.
struct CopyComparison {
    std::vector<TableComparison> tables;
    bool matches() const;
};

/// Copies an appreg SQLite database into an empty PostgreSQL database (issue 8), and compares the two.
///
/// Every table the API uses (tables()) is copied with its ids and every column, in one PostgreSQL write
/// transaction (WriteTransaction: the writers' lock is held throughout), from one read snapshot of the
/// source; a failure rolls the whole copy back. The columns are read from both schemas, which must hold the
/// same ones, so a column added by a later migration is copied without this code knowing it; a table the
/// source has and this code does not know stops the copy rather than be left behind.
///
/// The target's bookkeeping follows the rows: data_version, row_counts and credential_changes by their
/// statement triggers, id_sequences by one update per table in place of the per-row id trigger (set aside
/// inside the transaction: one update per inserted row makes a large copy quadratic on PostgreSQL).
/// id_sequences ends at SQLite's sqlite_sequence, so ids continue exactly where SQLite's would. The copy's
/// database user must own the tables (as the user that migrated them does).
///
/// Errors: CopyRefused (nothing changed), ConstraintViolation for a row PostgreSQL refuses (the copy is
/// rolled back), DatabaseUnavailable, std::runtime_error for anything else.
class DatabaseCopy {
public:
    /// Called after each table was copied (before the commit), with the number of its rows.
    using Progress = std::function<void(const std::string& table, std::int64_t rows)>;

    /// `source`: an existing SQLite file; `target`: a PostgreSQL database. Throws std::invalid_argument for
    /// any other backend. Opens nothing yet.
    DatabaseCopy(DatabaseOptions source, DatabaseOptions target);

    /// The copied tables, parents before children (foreign-key order).
    static const std::vector<std::string>& tables();

    /// Migrates the source and the target to their newest schemas (as a worker starting on them would),
    /// refuses unless both are at the same version with the same columns and every copied table of the target
    /// is empty, then copies and commits. What was committed is for compare() to prove.
    void copy(const Progress& progress = {});

    /// Compares the two databases as they are, changing neither (no migration): row counts and contents of
    /// every copied table (each side read in one snapshot), the target's row_counts, the next id of each
    /// side. Throws CopyRefused(NoSource) for a source that is missing or not an appreg database,
    /// CopyRefused(SchemasDiffer) when a copied table or column is missing on one side.
    CopyComparison compare();

private:
    DatabaseOptions _source;
    DatabaseOptions _target;
};

}  // namespace appreg::store
