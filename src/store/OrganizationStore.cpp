#include "appreg/store/OrganizationStore.h"

#include <Poco/Data/RecordSet.h>

#include "appreg/store/ListSql.h"
#include "appreg/store/Visibility.h"

using namespace Poco::Data::Keywords;

namespace appreg::store {

namespace {

const char* const kColumns = "g.id, g.name, g.description, g.created, g.modified";
const char* const kFrom = "organizations g";

domain::Organization readRow(Poco::Data::RecordSet& rs, std::size_t row) {
    domain::Organization org;
    org.id = rs.value(0, row).convert<std::int64_t>();
    org.name = rs.value(1, row).convert<std::string>();
    org.description = rs.value(2, row).convert<std::string>();
    org.created = rs.value(3, row).convert<std::string>();
    org.modified = rs.value(4, row).convert<std::string>();
    return org;
}

SqlSource source() {
    SqlSource s;
    s.from = kFrom;
    s.table = kFrom;
    s.counted = "organizations";
    s.alias = "g";
    s.fields = &domain::organizationFields();
    return s;
}

SqlCondition condition(const domain::ListQuery& query, const std::optional<Visibility>& visibility) {
    SqlCondition cond = listCondition(query, source());
    if (visibility) {
        cond.add("g.id IN (" + placeholders(visibility->organizations.size()) + ")",
                 bindValues(visibility->organizations));
    }
    return cond;
}

}  // namespace

const domain::ListResource& organizationListResource() {
    static const domain::ListResource resource{
        "Organization", "organization", &domain::organizationFields(), {}, {{"name", false}, {"id", false}}};
    return resource;
}

std::optional<domain::Organization> OrganizationStore::find(std::int64_t id) {
    return translateErrors([&] {
        return selectOne<domain::Organization>(_connection.session(), kColumns, kFrom, "g.id = ?", id,
                                               readRow);
    });
}

bool OrganizationStore::exists(std::int64_t id) {
    return translateErrors([&] {
        int count = 0;
        _connection.session() << "SELECT COUNT(*) FROM organizations WHERE id = ?", use(id), into(count), now;
        return count > 0;
    });
}

bool OrganizationStore::nameTaken(const std::string& name, std::int64_t exceptId) {
    return translateErrors([&] {
        int count = 0;
        std::string n = name;
        _connection.session() << "SELECT COUNT(*) FROM organizations WHERE name = ? AND id <> ?", use(n),
            use(exceptId), into(count), now;
        return count > 0;
    });
}

std::int64_t OrganizationStore::insert(const domain::Organization& org) {
    return translateErrors([&] {
        domain::Organization o = org;
        Poco::Int64 id = 0;
        _connection.session() << "INSERT INTO organizations (name, description, created, modified) "
                                 "VALUES (?, ?, ?, ?) RETURNING id",
            use(o.name), use(o.description), use(o.created), use(o.modified), into(id), now;
        return static_cast<std::int64_t>(id);
    });
}

void OrganizationStore::update(const domain::Organization& org) {
    translateErrors([&] {
        domain::Organization o = org;
        _connection.session()
            << "UPDATE organizations SET name = ?, description = ?, modified = ? WHERE id = ?",
            use(o.name), use(o.description), use(o.modified), use(o.id), now;
    });
}

void OrganizationStore::remove(std::int64_t id) {
    translateErrors([&] { _connection.session() << "DELETE FROM organizations WHERE id = ?", use(id), now; });
}

std::int64_t OrganizationStore::count(const domain::ListQuery& query,
                                      const std::optional<Visibility>& visibility) {
    return translateErrors(
        [&] { return countRows(_connection.session(), source(), query, condition(query, visibility)); });
}

std::vector<domain::Organization> OrganizationStore::page(const domain::ListQuery& query, std::int64_t offset,
                                                          int limit,
                                                          const std::optional<Visibility>& visibility) {
    return translateErrors([&] {
        Poco::Data::RecordSet rs = selectPage(_connection.session(), kColumns, source(),
                                              condition(query, visibility), query, offset, limit);
        std::vector<domain::Organization> rows;
        for (std::size_t i = 0; i < rs.rowCount(); ++i) rows.push_back(readRow(rs, i));
        return rows;
    });
}

}  // namespace appreg::store
