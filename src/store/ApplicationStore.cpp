#include "appreg/store/ApplicationStore.h"

#include <Poco/Data/RecordSet.h>

#include "appreg/store/ListSql.h"

using namespace Poco::Data::Keywords;

namespace appreg::store {

namespace {

const char* const kColumns =
    "a.id, a.name, a.description, a.client_id, a.client_secret_hash, a.client_type, a.redirect_uris, "
    "a.authorization_grant_type, a.skip_authorization, a.organization_id, a.created, a.modified, "
    "o.id, o.name, o.description, o.created, o.modified";

const char* const kFrom = "applications a JOIN organizations o ON o.id = a.organization_id";

ApplicationRow readRow(Poco::Data::RecordSet& rs, std::size_t row) {
    ApplicationRow r;
    auto str = [&](std::size_t col) { return rs.value(col, row).convert<std::string>(); };
    auto i64 = [&](std::size_t col) { return rs.value(col, row).convert<std::int64_t>(); };
    r.app.id = i64(0);
    r.app.name = str(1);
    r.app.description = str(2);
    r.app.clientId = str(3);
    r.app.clientSecretHash = str(4);
    r.app.clientType = str(5);
    r.app.redirectUris = str(6);
    r.app.authorizationGrantType = str(7);
    r.app.skipAuthorization = i64(8) != 0;
    r.app.organizationId = i64(9);
    r.app.created = str(10);
    r.app.modified = str(11);
    r.org.id = i64(12);
    r.org.name = str(13);
    r.org.description = str(14);
    r.org.created = str(15);
    r.org.modified = str(16);
    return r;
}

SqlSource source() {
    SqlSource s;
    s.from = kFrom;
    s.table = "applications a";
    s.counted = "applications";
    s.alias = "a";
    s.relations = {{"organization", {"o", "JOIN organizations o ON o.id = a.organization_id"}}};
    s.fields = &domain::applicationFields();
    return s;
}

SqlCondition condition(const domain::ListQuery& query, const std::optional<Visibility>& visibility,
                       std::optional<std::int64_t> organizationId) {
    SqlCondition cond = listCondition(query, source());
    if (organizationId) cond.add("a.organization_id = ?", {Poco::Dynamic::Var(*organizationId)});
    if (visibility) {
        cond.add("a.organization_id IN (" + placeholders(visibility->organizations.size()) + ")",
                 bindValues(visibility->organizations));
    }
    return cond;
}

}  // namespace

const domain::ListResource& applicationListResource() {
    static const domain::ListResource resource{
        "OAuth2Application",
        "o_auth2_application",
        &domain::applicationFields(),
        {{"organization", &domain::organizationFields()}},
        {{"organization__name", false}, {"name", false}, {"id", false}}};
    return resource;
}

std::optional<ApplicationRow> ApplicationStore::find(std::int64_t id) {
    return translateErrors([&] {
        return selectOne<ApplicationRow>(_connection.session(), kColumns, kFrom, "a.id = ?", id, readRow);
    });
}

std::optional<ApplicationRow> ApplicationStore::findByClientId(const std::string& clientId) {
    return translateErrors([&] {
        return selectOne<ApplicationRow>(_connection.session(), kColumns, kFrom, "a.client_id = ?", clientId,
                                         readRow);
    });
}

bool ApplicationStore::nameTaken(const std::string& name, std::int64_t organizationId,
                                 std::int64_t exceptId) {
    return translateErrors([&] {
        int count = 0;
        std::string n = name;
        _connection.session()
            << "SELECT COUNT(*) FROM applications WHERE name = ? AND organization_id = ? AND id <> ?",
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
               "redirect_uris, authorization_grant_type, skip_authorization, organization_id, created, "
               "modified) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            use(a.name), use(a.description), use(a.clientId), use(a.clientSecretHash), use(a.clientType),
            use(a.redirectUris), use(a.authorizationGrantType), use(skip), use(a.organizationId),
            use(a.created), use(a.modified), into(id), now;
        return static_cast<std::int64_t>(id);
    });
}

void ApplicationStore::update(const domain::Application& app) {
    translateErrors([&] {
        domain::Application a = app;
        int skip = a.skipAuthorization ? 1 : 0;
        _connection.session()
            << "UPDATE applications SET name = ?, description = ?, client_type = ?, redirect_uris = ?, "
               "skip_authorization = ?, organization_id = ?, modified = ? WHERE id = ?",
            use(a.name), use(a.description), use(a.clientType), use(a.redirectUris), use(skip),
            use(a.organizationId), use(a.modified), use(a.id), now;
    });
}

void ApplicationStore::remove(std::int64_t id) {
    translateErrors([&] { _connection.session() << "DELETE FROM applications WHERE id = ?", use(id), now; });
}

std::int64_t ApplicationStore::count(const domain::ListQuery& query,
                                     const std::optional<Visibility>& visibility,
                                     std::optional<std::int64_t> organizationId) {
    return translateErrors([&] {
        return countRows(_connection.session(), source(), query,
                         condition(query, visibility, organizationId));
    });
}

std::vector<ApplicationRow> ApplicationStore::page(const domain::ListQuery& query, std::int64_t offset,
                                                   int limit, const std::optional<Visibility>& visibility,
                                                   std::optional<std::int64_t> organizationId) {
    return translateErrors([&] {
        Poco::Data::RecordSet rs =
            selectPage(_connection.session(), kColumns, source(),
                       condition(query, visibility, organizationId), query, offset, limit);
        std::vector<ApplicationRow> rows;
        for (std::size_t i = 0; i < rs.rowCount(); ++i) rows.push_back(readRow(rs, i));
        return rows;
    });
}

}  // namespace appreg::store
