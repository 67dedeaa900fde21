#include "appreg/store/DatabaseCopy.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <utility>

#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include "appreg/store/Dialect.h"
#include "appreg/store/Query.h"

namespace appreg::store {

namespace {

/// A column of a primary key; integers are bound as integers when a page starts after a key.
struct KeyColumn {
    const char* name;
    bool integer;
};

/// A table the API uses, with its primary key (the order rows are read, copied and compared in).
struct CopiedTable {
    const char* name;
    std::vector<KeyColumn> key;
    /// Its id comes from id_sequences in PostgreSQL and from AUTOINCREMENT in SQLite.
    bool hasId() const { return key.size() == 1 && std::string(key.front().name) == "id"; }
};

/// Parents before children: organizations and users before the applications and roles that reference them,
/// applications before their tokens. tables() lists the same names.
const std::vector<CopiedTable>& copiedTables() {
    static const std::vector<CopiedTable> all = {
        {"organizations", {{"id", true}}},
        {"users", {{"id", true}}},
        {"applications", {{"id", true}}},
        {"organization_roles", {{"organization_id", true}, {"user_id", true}, {"role", false}}},
        {"tokens", {{"id", true}}},
        {"activity_stream", {{"id", true}}},
    };
    return all;
}

/// The tables of either schema that are not copied: each side's own bookkeeping (the target's follows the
/// copied rows, see DatabaseCopy::copy).
bool isBookkeeping(const std::string& table) {
    static const std::set<std::string> names = {"schema_migrations", "row_counts", "credential_changes",
                                                "id_sequences", "data_version"};
    return names.count(table) != 0;
}

/// Rows read per query, and at most inserted per statement: PostgreSQL's results come back whole, so no read
/// holds a whole table, and one INSERT of many rows is one round trip instead of many.
constexpr std::size_t kPageRows = 1000;
/// Parameters per INSERT at most, well below PostgreSQL's limit (65535).
constexpr std::size_t kMaxParameters = 30000;

/// One row, every column as text; std::nullopt for NULL.
using Row = std::vector<std::optional<std::string>>;

/// A copied table as both databases hold it: the columns (in the source's order, the same set in the target)
/// and where its key columns are among them.
struct TablePlan {
    const CopiedTable* table;
    std::vector<std::string> columns;
    std::vector<std::size_t> keyPositions;
    std::string name() const { return table->name; }
};

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

std::string rowsText(std::int64_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

/// The columns of `table` in their order; none if there is no such table.
std::vector<std::string> columnsOf(Connection& connection, const std::string& table) {
    Query query(connection,
                connection.backend() == Backend::SQLite
                    ? "SELECT name FROM pragma_table_info(?) ORDER BY cid"
                    : "SELECT column_name FROM information_schema.columns "
                      "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position");
    query.bind(table);
    std::vector<std::string> columns;
    while (query.next()) columns.push_back(query.text(0));
    return columns;
}

/// Refuses a source with a table that is neither copied nor bookkeeping: its rows would be left behind.
void requireKnownTables(Connection& source) {
    Query query(
        source,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
        "ORDER BY name");
    std::vector<std::string> unknown;
    while (query.next()) {
        const std::string name = query.text(0);
        const auto& tables = DatabaseCopy::tables();
        if (!isBookkeeping(name) && std::find(tables.begin(), tables.end(), name) == tables.end())
            unknown.push_back(name);
    }
    if (!unknown.empty()) {
        throw CopyRefused(CopyRefused::Reason::SchemasDiffer,
                          "the source has tables this copy does not know, whose rows would be left behind: " +
                              join(unknown, ", "));
    }
}

std::vector<TablePlan> planTables(Connection& source, Connection& target) {
    requireKnownTables(source);
    std::vector<TablePlan> plans;
    for (const CopiedTable& table : copiedTables()) {
        TablePlan plan{&table, columnsOf(source, table.name), {}};
        std::vector<std::string> targetColumns = columnsOf(target, table.name);
        if (plan.columns.empty())
            throw CopyRefused(CopyRefused::Reason::SchemasDiffer, "the source has no table " + plan.name());
        if (targetColumns.empty())
            throw CopyRefused(CopyRefused::Reason::SchemasDiffer, "the target has no table " + plan.name());
        std::vector<std::string> sourceColumns = plan.columns;
        std::sort(sourceColumns.begin(), sourceColumns.end());
        std::sort(targetColumns.begin(), targetColumns.end());
        if (sourceColumns != targetColumns) {
            throw CopyRefused(CopyRefused::Reason::SchemasDiffer,
                              "the columns of " + plan.name() + " differ: (" + join(sourceColumns, ", ") +
                                  ") in the source, (" + join(targetColumns, ", ") + ") in the target");
        }
        for (const KeyColumn& key : table.key) {
            const auto at = std::find(plan.columns.begin(), plan.columns.end(), key.name);
            if (at == plan.columns.end()) {
                throw CopyRefused(CopyRefused::Reason::SchemasDiffer,
                                  plan.name() + " has no column " + key.name);
            }
            plan.keyPositions.push_back(static_cast<std::size_t>(at - plan.columns.begin()));
        }
        plans.push_back(std::move(plan));
    }
    return plans;
}

/// Calls `visit` with every row of the table in key order, reading pages of kPageRows rows, each starting
/// after the last key of the one before (the same statements on SQLite and PostgreSQL).
template <typename Visit>
void forEachRow(Connection& connection, const TablePlan& plan, Visit&& visit) {
    std::vector<std::string> keyNames;
    for (const KeyColumn& key : plan.table->key) keyNames.emplace_back(key.name);
    const std::string order = join(keyNames, ", ");
    const std::string select = "SELECT " + join(plan.columns, ", ") + " FROM " + plan.name();
    const std::string limit = " ORDER BY " + order + " LIMIT " + std::to_string(kPageRows);
    const std::string after =
        keyNames.size() == 1
            ? keyNames.front() + " > ?"
            : "(" + order + ") > (" + join(std::vector<std::string>(keyNames.size(), "?"), ", ") + ")";
    const std::string firstPage = select + limit;
    const std::string nextPage = select + " WHERE " + after + limit;
    Row row;
    for (bool first = true;; first = false) {
        Query page(connection, first ? firstPage : nextPage);
        if (!first) {
            for (std::size_t k = 0; k < plan.keyPositions.size(); ++k) {
                const std::string& value = row[plan.keyPositions[k]].value();  // a key is never NULL
                if (plan.table->key[k].integer) {
                    page.bind(static_cast<std::int64_t>(std::stoll(value)));
                } else {
                    page.bind(value);
                }
            }
        }
        std::size_t rows = 0;
        while (page.next()) {
            row.clear();
            for (std::size_t c = 0; c < plan.columns.size(); ++c)
                row.push_back(page.optionalText(static_cast<int>(c)));
            ++rows;
            visit(std::as_const(row));
        }
        if (rows < kPageRows) return;
    }
}

struct TableDigest {
    std::int64_t rows = 0;
    std::string sha256;
};

/// Every row in key order, every value as its length and bytes ("T3:abc"), NULL as "N" (so NULL and ''
/// differ, and no two different rows hash the same text).
TableDigest digest(Connection& connection, const TablePlan& plan) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    TableDigest result;
    forEachRow(connection, plan, [&](const Row& row) {
        ++result.rows;
        for (const auto& value : row) {
            if (!value) {
                engine.update('N');
                continue;
            }
            engine.update("T" + std::to_string(value->size()) + ":");
            engine.update(*value);
        }
    });
    result.sha256 = Poco::DigestEngine::digestToHex(engine.digest());
    return result;
}

/// The integer a one-value query with one text parameter gives; none when it gives no row.
std::optional<std::int64_t> lookUp(Connection& connection, const std::string& sql, const std::string& value) {
    Query query(connection, sql);
    query.bind(value);
    if (!query.next()) return std::nullopt;
    return query.optionalInteger(0);
}

/// The largest id SQLite's AUTOINCREMENT has given in `table`: the next one is this + 1, even when the row
/// that had it was deleted.
std::int64_t sqliteLastId(Connection& source, const std::string& table) {
    Query query(source,
                "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), "
                "COALESCE((SELECT MAX(id) FROM " +
                    table + "), 0))");
    query.bind(table);
    query.next();
    return query.integer(0);
}

std::int64_t schemaVersion(Connection& connection) {
    Query query(connection, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    query.next();
    return query.integer(0);
}

/// The key of `row`, for messages: "id 12", "(organization_id, user_id, role) (1, 2, admin)".
std::string keyOf(const TablePlan& plan, const Row& row) {
    std::vector<std::string> names, values;
    for (std::size_t k = 0; k < plan.keyPositions.size(); ++k) {
        names.emplace_back(plan.table->key[k].name);
        values.push_back(row[plan.keyPositions[k]].value_or("NULL"));
    }
    if (names.size() == 1) return names.front() + " " + values.front();
    return "(" + join(names, ", ") + ") (" + join(values, ", ") + ")";
}

/// Inserts every row of the table into the target, kPageRows (or fewer, for wide tables) per statement; the
/// number of rows.
std::int64_t copyRows(Connection& source, Connection& target, const TablePlan& plan) {
    const std::size_t perStatement =
        std::clamp<std::size_t>(kMaxParameters / plan.columns.size(), 1, kPageRows);
    const std::string insert = "INSERT INTO " + plan.name() + " (" + join(plan.columns, ", ") + ") VALUES ";
    const std::string values = "(" + join(std::vector<std::string>(plan.columns.size(), "?"), ", ") + ")";
    std::vector<Row> batch;
    std::int64_t rows = 0;
    auto flush = [&] {
        if (batch.empty()) return;
        // Two statement texts per table (a full batch, the last one), each prepared once.
        const std::string sql = insert + join(std::vector<std::string>(batch.size(), values), ", ");
        Query statement(target, sql);
        for (const Row& row : batch) {
            for (const auto& value : row) statement.bind(value);
        }
        // An error names the statement: the rows it inserted rather than a thousand groups of placeholders.
        const auto named = [&](const std::string& what) {
            const std::string rowsInserted = "INSERT INTO " + plan.name() + ": " +
                                             rowsText(static_cast<std::int64_t>(batch.size())) + ", " +
                                             keyOf(plan, batch.front()) + " to " + keyOf(plan, batch.back());
            const auto at = what.find(sql);
            return at == std::string::npos ? what
                                           : what.substr(0, at) + rowsInserted + what.substr(at + sql.size());
        };
        try {
            statement.run();
        } catch (const ConstraintViolation& e) {
            throw ConstraintViolation(e.kind(), named(e.what()));
        } catch (const DatabaseUnavailable& e) {
            throw DatabaseUnavailable(named(e.what()));
        } catch (const std::runtime_error& e) {
            throw std::runtime_error(named(e.what()));
        }
        rows += static_cast<std::int64_t>(batch.size());
        batch.clear();
    };
    forEachRow(source, plan, [&](const Row& row) {
        batch.push_back(row);
        if (batch.size() == perStatement) flush();
    });
    flush();
    return rows;
}

/// The target's row triggers that copy() replaces by one statement per table, {trigger, function}, disabled
/// until that statement has run (inside the copy's transaction: no other session ever sees them disabled).
///
/// Such a trigger updates one row (of id_sequences; the schema's row_counts and credential_changes triggers
/// run per statement and are not among them) for every inserted row, and PostgreSQL cannot prune the versions
/// of a row that its own open transaction updates again and again, so every update walks all the earlier
/// ones: 5,000 rows took 0.9 s, 20,000 took 12.6 s, a few hundred thousand hours. Any other trigger stays
/// enabled and fires as it would for any insert (data_version's, once per statement, among them).
std::vector<std::pair<std::string, std::string>> disableBookkeepingTriggers(Connection& target,
                                                                            const TablePlan& plan) {
    Query query(target,
                "SELECT t.tgname, p.proname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE t.tgrelid = CAST(? AS regclass) AND NOT t.tgisinternal AND t.tgenabled <> 'D' "
                "AND (t.tgtype & 1) <> 0 AND (t.tgtype & 4) <> 0 "  // FOR EACH ROW, on INSERT
                "AND p.proname IN ('appreg_next_id', 'appreg_count_rows', 'appreg_credentials_changed') "
                "ORDER BY t.tgname");
    query.bind(plan.name());
    std::vector<std::pair<std::string, std::string>> triggers;
    while (query.next()) triggers.emplace_back(query.text(0), query.text(1));
    for (const auto& [trigger, function] : triggers)
        target.executeScript("ALTER TABLE " + plan.name() + " DISABLE TRIGGER " + trigger);
    return triggers;
}

/// What the disabled triggers would have done for `rows` inserted rows (appreg_next_id's part is copy()'s
/// id_sequences update, which it makes in any case).
void keepBooks(Connection& target, const TablePlan& plan,
               const std::vector<std::pair<std::string, std::string>>& replaced, std::int64_t rows) {
    for (const auto& [trigger, function] : replaced) {
        if (function == "appreg_count_rows") {
            Query(target, "UPDATE row_counts SET n = n + ? WHERE table_name = ?")
                .bind(rows)
                .bind(plan.name())
                .run();
        } else if (function == "appreg_credentials_changed" && rows > 0) {
            Query(target, "UPDATE credential_changes SET n = n + 1").run();  // a change, not a count of them
        }
    }
}

/// Refuses unless every copied table of the target is empty (inside the copy's transaction, so no worker can
/// add a row between this look and the copy).
void requireEmpty(Connection& target, const std::vector<TablePlan>& plans,
                  const std::string& describedTarget) {
    std::vector<std::string> filled;
    for (const TablePlan& plan : plans) {
        Query any(target, "SELECT 1 FROM " + plan.name() + " LIMIT 1");
        if (any.next()) filled.push_back(plan.name());
    }
    if (!filled.empty()) {
        throw CopyRefused(CopyRefused::Reason::TargetNotEmpty,
                          "the target database " + describedTarget + " is not empty (rows in " +
                              join(filled, ", ") + "); nothing was changed");
    }
}

/// Refuses a source path that is not an existing file: opening it would create an empty database.
std::string requireSourceFile(const DatabaseOptions& source) {
    const std::string path = parseDatabaseLocation(source.path).target;
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (!std::filesystem::exists(status))
        throw CopyRefused(CopyRefused::Reason::NoSource, "the source database " + path + " does not exist");
    if (!std::filesystem::is_regular_file(status))
        throw CopyRefused(CopyRefused::Reason::NoSource, "the source database " + path + " is not a file");
    return path;
}

/// Refuses a SQLite file that appreg never migrated: migrating it would turn any file into an empty appreg
/// database, and a wrong path into a copy of nothing.
void requireAppregDatabase(Database& source, const std::string& path) {
    const auto notSqlite = [&](const std::string& why) {
        return CopyRefused(CopyRefused::Reason::NoSource,
                           "the source " + path + " is not a SQLite database (" + why + ")");
    };
    try {
        auto connection = source.connect();
        Query query(*connection,
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
        if (query.next()) return;
    } catch (const Poco::Data::SQLite::CorruptImageException& e) {
        // SQLITE_NOTADB, met by the connection's pragmas
        throw notSqlite(e.displayText());
    } catch (const DatabaseUnavailable&) {
        throw;
    } catch (const std::runtime_error& e) {  // SQLITE_NOTADB, met by the query
        throw notSqlite(e.what());
    }
    throw CopyRefused(
        CopyRefused::Reason::NoSource,
        "the source " + path + " is not an appreg database (it has no schema_migrations table)");
}

/// Each side is read in a snapshot of its own, one after the other: the PostgreSQL one must not sit idle in a
/// transaction while a large SQLite table is hashed (idle_in_transaction_session_timeout would end it).
CopyComparison compareTables(Connection& source, Connection& target, const std::vector<TablePlan>& plans) {
    CopyComparison result;
    {
        ReadTransaction snapshot(source);
        for (const TablePlan& plan : plans) {
            TableComparison table;
            table.table = plan.name();
            const TableDigest rows = digest(source, plan);
            table.sourceRows = rows.rows;
            table.sourceDigest = rows.sha256;
            if (plan.table->hasId()) table.sourceNextId = sqliteLastId(source, plan.name()) + 1;
            result.tables.push_back(std::move(table));
        }
    }
    ReadTransaction snapshot(target);
    for (std::size_t t = 0; t < plans.size(); ++t) {
        const TablePlan& plan = plans[t];
        TableComparison& table = result.tables[t];
        const TableDigest rows = digest(target, plan);
        table.targetRows = rows.rows;
        table.targetDigest = rows.sha256;
        table.countedRows = lookUp(target, "SELECT n FROM row_counts WHERE table_name = ?", plan.name());
        if (plan.table->hasId()) {
            if (auto last = lookUp(target, "SELECT last FROM id_sequences WHERE table_name = ?", plan.name()))
                table.targetNextId = *last + 1;
        }
    }
    return result;
}

}  // namespace

bool TableComparison::matches() const {
    return sourceRows == targetRows && sourceDigest == targetDigest &&
           (!countedRows || *countedRows == targetRows) && sourceNextId == targetNextId;
}

std::string TableComparison::describe() const {
    if (matches()) return table + ": " + rowsText(sourceRows) + ", contents match";
    std::vector<std::string> differences;
    differences.push_back(sourceRows == targetRows ? rowsText(sourceRows) + " in both"
                                                   : rowsText(sourceRows) + " in the source, " +
                                                         std::to_string(targetRows) + " in the target");
    if (sourceDigest != targetDigest) differences.push_back("contents differ");
    if (countedRows && *countedRows != targetRows)
        differences.push_back("the target's row_counts says " + std::to_string(*countedRows));
    if (sourceNextId != targetNextId) {
        auto text = [](const std::optional<std::int64_t>& id) { return id ? std::to_string(*id) : "none"; };
        differences.push_back("the next id would be " + text(sourceNextId) + " in the source, " +
                              text(targetNextId) + " in the target");
    }
    return table + ": MISMATCH: " + join(differences, "; ");
}

bool CopyComparison::matches() const {
    return std::all_of(tables.begin(), tables.end(), [](const TableComparison& t) { return t.matches(); });
}

DatabaseCopy::DatabaseCopy(DatabaseOptions source, DatabaseOptions target)
    : _source(std::move(source)), _target(std::move(target)) {
    if (_source.backend() != Backend::SQLite)
        throw std::invalid_argument("the source must be a SQLite file, not " + _source.describe());
    if (_target.backend() != Backend::PostgreSQL) {
        const std::string what =
            "the target must be a PostgreSQL database (postgresql://...), not the SQLite file ";
        throw std::invalid_argument(what + _target.describe());
    }
}

const std::vector<std::string>& DatabaseCopy::tables() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const CopiedTable& table : copiedTables()) out.emplace_back(table.name);
        return out;
    }();
    return names;
}

void DatabaseCopy::copy(const Progress& progress) {
    const std::string path = requireSourceFile(_source);
    Database sourceDatabase(_source);
    Database targetDatabase(_target);
    requireAppregDatabase(sourceDatabase, path);
    sourceDatabase.migrate();
    targetDatabase.migrate();
    auto source = sourceDatabase.connect();
    auto target = targetDatabase.connect();
    const std::int64_t sourceVersion = schemaVersion(*source);
    const std::int64_t targetVersion = schemaVersion(*target);
    if (sourceVersion != targetVersion) {
        throw CopyRefused(CopyRefused::Reason::SchemasDiffer,
                          "the source's schema is version " + std::to_string(sourceVersion) +
                              ", the target's " + std::to_string(targetVersion));
    }
    const std::vector<TablePlan> plans = planTables(*source, *target);

    ReadTransaction snapshot(*source);  // a worker still writing the source does not tear the copy
    WriteTransaction transaction(*target);
    requireEmpty(*target, plans, _target.describe());
    for (const TablePlan& plan : plans) {
        const std::vector<std::pair<std::string, std::string>> replaced =
            disableBookkeepingTriggers(*target, plan);
        const std::int64_t rows = copyRows(*source, *target, plan);
        keepBooks(*target, plan, replaced, rows);
        if (plan.table->hasId()) {
            // The largest id copied, or a larger one SQLite gave to a row since deleted, which must not be
            // given again.
            Query(*target, "UPDATE id_sequences SET last = GREATEST(last, ?) WHERE table_name = ?")
                .bind(sqliteLastId(*source, plan.name()))
                .bind(plan.name())
                .run();
        }
        for (const auto& [trigger, function] : replaced)
            target->executeScript("ALTER TABLE " + plan.name() + " ENABLE TRIGGER " + trigger);
        if (progress) progress(plan.name(), rows);
    }
    transaction.commit();
}

CopyComparison DatabaseCopy::compare() {
    const std::string path = requireSourceFile(_source);
    Database sourceDatabase(_source);
    Database targetDatabase(_target);
    requireAppregDatabase(sourceDatabase, path);
    auto source = sourceDatabase.connect();
    auto target = targetDatabase.connect();
    return compareTables(*source, *target, planTables(*source, *target));
}

}  // namespace appreg::store
