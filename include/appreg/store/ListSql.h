#pragma once

#include <map>
#include <string>
#include <vector>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Dynamic/Var.h>

#include "appreg/domain/ListQuery.h"

namespace appreg::store {

/// Where a list's rows come from: the FROM clause and the alias of each table a FieldRef can name.
struct SqlSource {
    std::string from;                               ///< e.g. "applications a JOIN organizations o ON ..."
    std::string alias;                              ///< alias of the listed table, e.g. "a"
    std::map<std::string, std::string> relations;  ///< FK field name -> alias of the joined table
    const domain::FieldTable* table = nullptr;      ///< the listed table (for ?search=)
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

/// The filters and search terms of a validated ListQuery as one condition.
SqlCondition listCondition(const domain::ListQuery& query, const SqlSource& source);

/// "ORDER BY ..." for the query's order, with the listed table's id last so pages are stable.
std::string orderClause(const domain::ListQuery& query, const SqlSource& source);

/// Binds every value to the statement (strings, 64-bit integers, booleans as 0/1).
void bindAll(Poco::Data::Statement& statement, const std::vector<Poco::Dynamic::Var>& values);

/// `SELECT COUNT(*)` of the rows matching `condition`.
std::int64_t countRows(Poco::Data::Session& session, const SqlSource& source, const SqlCondition& condition);

/// One page of rows matching `condition` in the query's order: `columns` of `source`, at most `limit` rows
/// from `offset`.
Poco::Data::RecordSet selectPage(Poco::Data::Session& session, const std::string& columns, const SqlSource& source,
                                 const SqlCondition& condition, const domain::ListQuery& query, std::int64_t offset,
                                 int limit);

}  // namespace appreg::store
