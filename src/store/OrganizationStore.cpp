#include "appreg/store/OrganizationStore.h"

#include "appreg/store/ListSql.h"
#include "appreg/store/Visibility.h"

namespace appreg::store {

namespace {

const char* const kColumns = "g.id, g.name, g.description, g.created, g.modified";
const char* const kFrom = "organizations g";

domain::Organization readRow(const Query& q) {
    domain::Organization org;
    org.id = q.integer(0);
    org.name = q.text(1);
    org.description = q.text(2);
    org.created = q.text(3);
    org.modified = q.text(4);
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

SqlCondition condition(Backend backend, const domain::ListQuery& query,
                       const std::optional<Visibility>& visibility) {
    SqlCondition cond = listCondition(backend, query, source());
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
    return selectOne<domain::Organization>(_connection, kColumns, kFrom, "g.id = ?", id, readRow);
}

bool OrganizationStore::exists(std::int64_t id) {
    return Query(_connection, "SELECT 1 FROM organizations WHERE id = ?").bind(id).next();
}

bool OrganizationStore::nameTaken(const std::string& name, std::int64_t exceptId) {
    Query taken(_connection, "SELECT 1 FROM organizations WHERE name = ? AND id <> ? LIMIT 1");
    taken.bind(name).bind(exceptId);
    return taken.next();
}

std::int64_t OrganizationStore::insert(const domain::Organization& org) {
    Query insert(_connection,
                 "INSERT INTO organizations (name, description, created, modified) VALUES (?, ?, ?, ?)");
    insert.bind(org.name).bind(org.description).bind(org.created).bind(org.modified);
    return insert.insertedId();
}

void OrganizationStore::update(const domain::Organization& org) {
    Query update(_connection,
                 "UPDATE organizations SET name = ?, description = ?, modified = ? WHERE id = ?");
    update.bind(org.name).bind(org.description).bind(org.modified).bind(org.id).run();
}

void OrganizationStore::remove(std::int64_t id) {
    Query(_connection, "DELETE FROM organizations WHERE id = ?").bind(id).run();
}

std::int64_t OrganizationStore::count(const domain::ListQuery& query,
                                      const std::optional<Visibility>& visibility) {
    return countRows(_connection, source(), query, condition(_connection.backend(), query, visibility));
}

std::vector<domain::Organization> OrganizationStore::page(const domain::ListQuery& query, std::int64_t offset,
                                                          int limit,
                                                          const std::optional<Visibility>& visibility) {
    return selectPage<domain::Organization>(_connection, kColumns, source(),
                                            condition(_connection.backend(), query, visibility), query,
                                            offset, limit, readRow);
}

}  // namespace appreg::store
