#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <Poco/Dynamic/Var.h>

#include "appreg/domain/ListQuery.h"
#include "appreg/store/Database.h"
#include "appreg/store/Query.h"

namespace appreg::store {

/// A table a list can join through a foreign key.
struct SqlJoin {
    std::string alias;   ///< e.g. "o"
    std::string clause;  ///< e.g. "JOIN organizations o ON o.id = a.organization_id"
};

/// Where a list's rows come from. Counting and choosing a page's ids join only what the filters and the order
/// name (a join per row costs 10x on a million rows); reading the page's rows uses `from` with everything.
struct SqlSource {
    std::string from;     ///< FROM of the rows read, e.g. "applications a JOIN organizations o ON ..."
    std::string table;    ///< the listed table with its alias, e.g. "applications a"
    std::string counted;  ///< its name in `row_counts` (kept by triggers), e.g. "applications"
    std::string alias;    ///< alias of the listed table, e.g. "a"
    std::map<std::string, SqlJoin> relations;    ///< FK field name -> the joined table
    const domain::FieldTable* fields = nullptr;  ///< the listed table's fields (for ?search=)
};

/// A SQL condition with its bound values, in order. Values are never spliced into the SQL text.
struct SqlCondition {
    std::string sql;
    std::vector<Poco::Dynamic::Var> binds;

    /// ANDs another condition onto this one.
    void add(const std::string& condition, std::vector<Poco::Dynamic::Var> values = {});
    /// "WHERE ..." or "".
    std::string whereClause() const;
};

/// The filters and search terms of a validated ListQuery as one condition, in `backend`'s SQL.
SqlCondition listCondition(Backend backend, const domain::ListQuery& query, const SqlSource& source);

/// "ORDER BY ..." for the query's order, with the listed table's id last so pages are stable.
std::string orderClause(const domain::ListQuery& query, const SqlSource& source);

/// The first row of `SELECT columns FROM from WHERE where` with `value` bound to its one placeholder, read by
/// `read`; none when no row matches. For the stores' lookups by id, name or digest.
template <typename Row, typename Read, typename Value>
std::optional<Row> selectOne(Connection& connection, const std::string& columns, const std::string& from,
                             const std::string& where, const Value& value, Read read) {
    Query select(connection, "SELECT " + columns + " FROM " + from + " WHERE " + where);
    select.bind(value);
    if (!select.next()) return std::nullopt;
    return read(select);
}

/// The number of rows matching `condition`: the trigger-kept row count when nothing filters, else
/// `SELECT COUNT(*)` joining only what the filters need.
std::int64_t countRows(Connection& connection, const SqlSource& source, const domain::ListQuery& query,
                       const SqlCondition& condition);

/// The SQL of one page of rows matching `condition` in the query's order: `columns` of `source`. Bind
/// `condition.binds`, then the page's size and offset.
std::string pageSql(const std::string& columns, const SqlSource& source, const SqlCondition& condition,
                    const domain::ListQuery& query);

/// One page of rows (see pageSql), each read by `read`.
template <typename Row, typename Read>
std::vector<Row> selectPage(Connection& connection, const std::string& columns, const SqlSource& source,
                            const SqlCondition& condition, const domain::ListQuery& query,
                            std::int64_t offset, int limit, Read read) {
    Query select(connection, pageSql(columns, source, condition, query));
    select.bindAll(condition.binds).bind(static_cast<std::int64_t>(limit)).bind(offset);
    std::vector<Row> rows;
    while (select.next()) rows.push_back(read(select));
    return rows;
}

}  // namespace appreg::store
