#include "appreg/store/ApplicationStore.h"

#include "appreg/store/ListSql.h"

namespace appreg::store {

namespace {

const char* const kColumns =
    "a.id, a.name, a.description, a.client_id, a.client_secret_hash, a.client_type, a.redirect_uris, "
    "a.authorization_grant_type, a.skip_authorization, a.organization_id, a.created, a.modified, "
    "o.id, o.name, o.description, o.created, o.modified";

const char* const kFrom = "applications a JOIN organizations o ON o.id = a.organization_id";

ApplicationRow readRow(const Query& q) {
    ApplicationRow r;
    auto str = [&](int col) { return q.text(col); };
    auto i64 = [&](int col) { return q.integer(col); };
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

SqlCondition condition(Backend backend, const domain::ListQuery& query,
                       const std::optional<Visibility>& visibility,
                       std::optional<std::int64_t> organizationId) {
    SqlCondition cond = listCondition(backend, query, source());
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
    return selectOne<ApplicationRow>(_connection, kColumns, kFrom, "a.id = ?", id, readRow);
}

std::optional<ApplicationRow> ApplicationStore::findByClientId(const std::string& clientId) {
    return selectOne<ApplicationRow>(_connection, kColumns, kFrom, "a.client_id = ?", clientId, readRow);
}

bool ApplicationStore::nameTaken(const std::string& name, std::int64_t organizationId,
                                 std::int64_t exceptId) {
    Query taken(_connection,
                "SELECT 1 FROM applications WHERE name = ? AND organization_id = ? AND id <> ? LIMIT 1");
    taken.bind(name).bind(organizationId).bind(exceptId);
    return taken.next();
}

std::int64_t ApplicationStore::insert(const domain::Application& a) {
    Query insert(_connection,
                 "INSERT INTO applications (name, description, client_id, client_secret_hash, client_type, "
                 "redirect_uris, authorization_grant_type, skip_authorization, organization_id, created, "
                 "modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(a.name).bind(a.description).bind(a.clientId).bind(a.clientSecretHash).bind(a.clientType);
    insert.bind(a.redirectUris).bind(a.authorizationGrantType).bind(a.skipAuthorization);
    insert.bind(a.organizationId).bind(a.created).bind(a.modified);
    return insert.insertedId();
}

void ApplicationStore::update(const domain::Application& a) {
    Query update(_connection,
                 "UPDATE applications SET name = ?, description = ?, client_type = ?, redirect_uris = ?, "
                 "skip_authorization = ?, organization_id = ?, modified = ? WHERE id = ?");
    update.bind(a.name).bind(a.description).bind(a.clientType).bind(a.redirectUris);
    update.bind(a.skipAuthorization).bind(a.organizationId).bind(a.modified).bind(a.id);
    update.run();
}

void ApplicationStore::remove(std::int64_t id) {
    Query(_connection, "DELETE FROM applications WHERE id = ?").bind(id).run();
}

std::int64_t ApplicationStore::count(const domain::ListQuery& query,
                                     const std::optional<Visibility>& visibility,
                                     std::optional<std::int64_t> organizationId) {
    return countRows(_connection, source(), query,
                     condition(_connection.backend(), query, visibility, organizationId));
}

std::vector<ApplicationRow> ApplicationStore::page(const domain::ListQuery& query, std::int64_t offset,
                                                   int limit, const std::optional<Visibility>& visibility,
                                                   std::optional<std::int64_t> organizationId) {
    return selectPage<ApplicationRow>(_connection, kColumns, source(),
                                      condition(_connection.backend(), query, visibility, organizationId),
                                      query, offset, limit, readRow);
}

}  // namespace appreg::store
