#include "appreg/store/ApplicationStore.h"

#include <Poco/Data/RecordSet.h>

using namespace Poco::Data::Keywords;

namespace appreg::store {

std::optional<domain::Application> ApplicationStore::find(std::int64_t id) {
    return translateErrors([&]() -> std::optional<domain::Application> {
        Poco::Data::Statement select(_connection.session());
        select << "SELECT id, name, description, client_id, client_secret_hash, client_type, redirect_uris, "
                  "authorization_grant_type, skip_authorization, organization_id, created, modified "
                  "FROM applications WHERE id = ?",
            use(id), now;
        Poco::Data::RecordSet rs(select);
        if (rs.rowCount() == 0) return std::nullopt;
        domain::Application a;
        a.id = rs.value(0, 0).convert<std::int64_t>();
        a.name = rs.value(1, 0).convert<std::string>();
        a.description = rs.value(2, 0).convert<std::string>();
        a.clientId = rs.value(3, 0).convert<std::string>();
        a.clientSecretHash = rs.value(4, 0).convert<std::string>();
        a.clientType = rs.value(5, 0).convert<std::string>();
        a.redirectUris = rs.value(6, 0).convert<std::string>();
        a.authorizationGrantType = rs.value(7, 0).convert<std::string>();
        a.skipAuthorization = rs.value(8, 0).convert<int>() != 0;
        a.organizationId = rs.value(9, 0).convert<std::int64_t>();
        a.created = rs.value(10, 0).convert<std::string>();
        a.modified = rs.value(11, 0).convert<std::string>();
        return a;
    });
}

bool ApplicationStore::nameTaken(const std::string& name, std::int64_t organizationId, std::int64_t exceptId) {
    return translateErrors([&] {
        int count = 0;
        std::string n = name;
        _connection.session() << "SELECT COUNT(*) FROM applications WHERE name = ? AND organization_id = ? AND id <> ?",
            use(n), use(organizationId), use(exceptId), into(count), now;
        return count > 0;
    });
}

std::int64_t ApplicationStore::insert(const domain::Application& app) {
    return translateErrors([&] {
        domain::Application a = app;
        int skip = a.skipAuthorization ? 1 : 0;
        Poco::Int64 id = 0;
        _connection.session()
            << "INSERT INTO applications (name, description, client_id, client_secret_hash, client_type, "
               "redirect_uris, authorization_grant_type, skip_authorization, organization_id, created, modified) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            use(a.name), use(a.description), use(a.clientId), use(a.clientSecretHash), use(a.clientType),
            use(a.redirectUris), use(a.authorizationGrantType), use(skip), use(a.organizationId), use(a.created),
            use(a.modified), into(id), now;
        return static_cast<std::int64_t>(id);
    });
}

}  // namespace appreg::store
