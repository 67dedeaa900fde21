#include "appreg/store/OrganizationStore.h"

#include <Poco/Data/RecordSet.h>

using namespace Poco::Data::Keywords;

namespace appreg::store {

std::optional<domain::Organization> OrganizationStore::find(std::int64_t id) {
    return translateErrors([&]() -> std::optional<domain::Organization> {
        Poco::Data::Statement select(_connection.session());
        select << "SELECT id, name, description, created, modified FROM organizations WHERE id = ?", use(id), now;
        Poco::Data::RecordSet rs(select);
        if (rs.rowCount() == 0) return std::nullopt;
        domain::Organization org;
        org.id = rs.value(0, 0).convert<std::int64_t>();
        org.name = rs.value(1, 0).convert<std::string>();
        org.description = rs.value(2, 0).convert<std::string>();
        org.created = rs.value(3, 0).convert<std::string>();
        org.modified = rs.value(4, 0).convert<std::string>();
        return org;
    });
}

bool OrganizationStore::exists(std::int64_t id) {
    return translateErrors([&] {
        int count = 0;
        _connection.session() << "SELECT COUNT(*) FROM organizations WHERE id = ?", use(id), into(count), now;
        return count > 0;
    });
}

bool OrganizationStore::nameTaken(const std::string& name) {
    return translateErrors([&] {
        int count = 0;
        std::string n = name;
        _connection.session() << "SELECT COUNT(*) FROM organizations WHERE name = ?", use(n), into(count), now;
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

}  // namespace appreg::store
