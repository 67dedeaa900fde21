#include "appreg/store/ListSql.h"
#include "appreg/store/Visibility.h"

#include <set>

namespace appreg::store {

using domain::Lookup;
using Poco::Dynamic::Var;

namespace {

std::string column(const domain::FieldRef& ref, const SqlSource& source) {
    std::string alias = ref.relation.empty() ? source.alias : source.relations.at(ref.relation).alias;
    return alias + "." + ref.field->column;
}

bool isEmptyText(const Var& v) { return v.isString() && v.extract<std::string>().empty(); }

/// One filter as SQL. Text lookups compare case-sensitively unless 'i'-prefixed (lower() on both sides).
std::string filterSql(Backend backend, const domain::Filter& f, const SqlSource& source,
                      std::vector<Var>& binds) {
    const std::string col = column(f.ref, source);
    const Var& v = f.values.front();
    switch (f.lookup) {
        case Lookup::Exact:
            binds.push_back(v);
            return col + " = ?";
        case Lookup::IExact:
            binds.push_back(v);
            return "lower(" + col + ") = lower(?)";
        case Lookup::Contains:
            if (isEmptyText(v)) return "1 = 1";
            binds.push_back(v);
            return dialect::contains(backend, col, "?");
        case Lookup::IContains:
            if (isEmptyText(v)) return "1 = 1";
            binds.push_back(v);
            return dialect::contains(backend, "lower(" + col + ")", "lower(?)");
        case Lookup::StartsWith:
            binds.push_back(v);
            binds.push_back(v);
            return "substr(" + col + ", 1, length(?)) = ?";
        case Lookup::IStartsWith:
            binds.push_back(v);
            binds.push_back(v);
            return "lower(substr(" + col + ", 1, length(?))) = lower(?)";
        case Lookup::EndsWith:
            if (isEmptyText(v)) return "1 = 1";
            binds.push_back(v);
            binds.push_back(v);
            return dialect::suffix(backend, col, "?") + " = ?";
        case Lookup::IEndsWith:
            if (isEmptyText(v)) return "1 = 1";
            binds.push_back(v);
            binds.push_back(v);
            return "lower(" + dialect::suffix(backend, col, "?") + ") = lower(?)";
        case Lookup::Gt:
            binds.push_back(v);
            return col + " > ?";
        case Lookup::Gte:
            binds.push_back(v);
            return col + " >= ?";
        case Lookup::Lt:
            binds.push_back(v);
            return col + " < ?";
        case Lookup::Lte:
            binds.push_back(v);
            return col + " <= ?";
        case Lookup::In: {
            std::string list;
            for (const auto& item : f.values) {
                list += list.empty() ? "?" : ", ?";
                binds.push_back(item);
            }
            return col + " IN (" + list + ")";
        }
        case Lookup::IsNull:
            return col + (v.extract<bool>() ? " IS NULL" : " IS NOT NULL");
    }
    return "1 = 0";
}

/// The listed table plus the joins the query's filters (and, when choosing a page, its order) refer to.
std::string narrowFrom(const SqlSource& source, const domain::ListQuery& query, bool withOrder) {
    std::set<std::string> needed;
    for (const auto& f : query.filters) {
        if (!f.ref.relation.empty()) needed.insert(f.ref.relation);
    }
    if (withOrder) {
        for (const auto& t : query.order) {
            if (!t.ref.relation.empty()) needed.insert(t.ref.relation);
        }
    }
    std::string from = source.table;
    for (const auto& relation : needed) from += " " + source.relations.at(relation).clause;
    return from;
}

}  // namespace

void SqlCondition::add(const std::string& condition, std::vector<Var> values) {
    sql += sql.empty() ? "(" + condition + ")" : " AND (" + condition + ")";
    for (auto& v : values) binds.push_back(std::move(v));
}

std::string SqlCondition::whereClause() const { return sql.empty() ? std::string() : " WHERE " + sql; }

SqlCondition listCondition(Backend backend, const domain::ListQuery& query, const SqlSource& source) {
    SqlCondition cond;
    for (const auto& f : query.filters) {
        std::vector<Var> binds;
        std::string sql = filterSql(backend, f, source, binds);
        cond.add(f.negate ? "NOT (" + sql + ")" : sql, std::move(binds));
    }
    for (const auto& term : query.searchTerms) {
        std::string any;
        std::vector<Var> binds;
        for (const auto& field : source.fields->fields()) {
            if (!field.searchable) continue;
            if (!any.empty()) any += " OR ";
            any += dialect::contains(backend, "lower(" + source.alias + "." + field.column + ")", "lower(?)");
            binds.push_back(term);
        }
        if (!any.empty()) cond.add(any, std::move(binds));
    }
    return cond;
}

std::string orderClause(const domain::ListQuery& query, const SqlSource& source) {
    std::string sql;
    bool hasId = false;
    for (const auto& t : query.order) {
        if (!sql.empty()) sql += ", ";
        sql += column(t.ref, source) + (t.descending ? " DESC" : " ASC");
        hasId = hasId || (t.ref.relation.empty() && t.ref.field->name == "id");
    }
    if (!hasId) sql += std::string(sql.empty() ? "" : ", ") + source.alias + ".id ASC";
    return " ORDER BY " + sql;
}

std::int64_t countRows(Connection& connection, const SqlSource& source, const domain::ListQuery& query,
                       const SqlCondition& condition) {
    if (condition.sql.empty() && !source.counted.empty()) {
        Query count(connection, "SELECT n FROM row_counts WHERE table_name = ?");
        count.bind(source.counted);
        return count.next() ? count.integer(0) : 0;
    }
    const std::string sql =
        "SELECT COUNT(*) FROM " + narrowFrom(source, query, false) + condition.whereClause();
    std::string key = sql;
    for (const auto& value : condition.binds) {
        // Typed, so that the integer 1 and the text "1" stay apart.
        key += value.isString() ? "\x1fs" : "\x1fn";
        key += value.isEmpty() ? std::string("null") : value.convert<std::string>();
    }
    const DataVersion version = connection.dataVersion();
    if (auto known = connection.counts().find(key, version)) return *known;
    Query count(connection, sql);
    count.bindAll(condition.binds);
    const std::int64_t n = count.next() ? count.integer(0) : 0;
    connection.counts().remember(key, version, n);
    return n;
}

std::string pageSql(const std::string& columns, const SqlSource& source, const SqlCondition& condition,
                    const domain::ListQuery& query) {
    // The page's ids first, from the narrowest plan SQLite finds (for the default order: the indexes, no
    // sort); then only those rows with every column. Selecting every column directly makes SQLite sort the
    // whole table to return 25 rows.
    const std::string order = orderClause(query, source);
    return "SELECT " + columns + " FROM " + source.from + " WHERE " + source.alias + ".id IN (SELECT " +
           source.alias + ".id FROM " + narrowFrom(source, query, true) + condition.whereClause() + order +
           " LIMIT ? OFFSET ?)" + order;
}

std::string placeholders(std::size_t n) {
    if (n == 0) return "NULL";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
    return out;
}

std::vector<Poco::Dynamic::Var> bindValues(const std::set<std::int64_t>& ids) {
    return std::vector<Poco::Dynamic::Var>(ids.begin(), ids.end());
}

}  // namespace appreg::store
