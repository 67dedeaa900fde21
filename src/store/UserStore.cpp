#include "appreg/store/UserStore.h"

#include "appreg/store/ListSql.h"
#include "appreg/store/Visibility.h"

namespace appreg::store {

namespace {

const char* const kColumns =
    "u.id, u.username, u.first_name, u.last_name, u.email, u.password, u.is_superuser, u.is_system_auditor, "
    "u.created, u.modified";
const char* const kFrom = "users u";

domain::User readRow(const Query& q) {
    domain::User u;
    auto str = [&](int col) { return q.text(col); };
    u.id = q.integer(0);
    u.username = str(1);
    u.firstName = str(2);
    u.lastName = str(3);
    u.email = str(4);
    u.passwordHash = str(5);
    u.isSuperuser = q.integer(6) != 0;
    u.isSystemAuditor = q.integer(7) != 0;
    u.created = str(8);
    u.modified = str(9);
    return u;
}

SqlSource source() {
    SqlSource s;
    s.from = kFrom;
    s.table = kFrom;
    s.counted = "users";
    s.alias = "u";
    s.fields = &domain::userFields();
    return s;
}

SqlCondition condition(Backend backend, const domain::ListQuery& query, const UserScope& scope) {
    SqlCondition cond = listCondition(backend, query, source());
    if (scope.organizations) {
        std::vector<Poco::Dynamic::Var> binds{Poco::Dynamic::Var(scope.self)};
        for (auto id : *scope.organizations) binds.emplace_back(id);
        cond.add(std::string("(u.id = ? ") + (scope.superusers ? "OR u.is_superuser = 1 " : "") +
                     "OR u.id IN (SELECT user_id FROM organization_roles WHERE organization_id IN (" +
                     placeholders(scope.organizations->size()) + ")))",
                 binds);
    }
    if (scope.roleOrganization) {
        cond.add("u.id IN (SELECT user_id FROM organization_roles WHERE organization_id = ? AND role = ?)",
                 {Poco::Dynamic::Var(*scope.roleOrganization), Poco::Dynamic::Var(scope.role)});
    }
    return cond;
}

template <typename Value>
std::optional<domain::User> findWhere(Connection& connection, const std::string& where, const Value& value) {
    return selectOne<domain::User>(connection, kColumns, kFrom, where, value, readRow);
}

}  // namespace

const domain::ListResource& userListResource() {
    static const domain::ListResource resource{
        "User", "user", &domain::userFields(), {}, {{"username", false}, {"id", false}}};
    return resource;
}

std::optional<domain::User> UserStore::find(std::int64_t id) {
    return findWhere(_connection, "u.id = ?", id);
}

std::optional<domain::User> UserStore::findByUsername(const std::string& username) {
    return findWhere(_connection, "u.username = ?", username);
}

bool UserStore::usernameTaken(const std::string& username, std::int64_t exceptId) {
    Query taken(_connection, "SELECT 1 FROM users WHERE username = ? AND id <> ? LIMIT 1");
    taken.bind(username).bind(exceptId);
    return taken.next();
}

std::int64_t UserStore::insert(const domain::User& u) {
    Query insert(_connection,
                 "INSERT INTO users (username, first_name, last_name, email, password, is_superuser, "
                 "is_system_auditor, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(u.username).bind(u.firstName).bind(u.lastName).bind(u.email).bind(u.passwordHash);
    insert.bind(u.isSuperuser).bind(u.isSystemAuditor).bind(u.created).bind(u.modified);
    return insert.insertedId();
}

void UserStore::update(const domain::User& u) {
    Query update(_connection,
                 "UPDATE users SET username = ?, first_name = ?, last_name = ?, email = ?, password = ?, "
                 "is_superuser = ?, is_system_auditor = ?, modified = ? WHERE id = ?");
    update.bind(u.username).bind(u.firstName).bind(u.lastName).bind(u.email).bind(u.passwordHash);
    update.bind(u.isSuperuser).bind(u.isSystemAuditor).bind(u.modified).bind(u.id);
    update.run();
}

void UserStore::remove(std::int64_t id) {
    // tokens.user_id has no foreign key (it predates the users table), so its rows go explicitly.
    Query(_connection, "DELETE FROM tokens WHERE user_id = ?").bind(id).run();
    Query(_connection, "DELETE FROM users WHERE id = ?").bind(id).run();
}

std::int64_t UserStore::count(const domain::ListQuery& query, const UserScope& scope) {
    return countRows(_connection, source(), query, condition(_connection.backend(), query, scope));
}

std::vector<domain::User> UserStore::page(const domain::ListQuery& query, std::int64_t offset, int limit,
                                          const UserScope& scope) {
    return selectPage<domain::User>(_connection, kColumns, source(),
                                    condition(_connection.backend(), query, scope), query, offset, limit,
                                    readRow);
}

std::int64_t UserStore::credentialChanges() {
    Query changes(_connection, "SELECT n FROM credential_changes WHERE id = 1");
    return changes.next() ? changes.integer(0) : 0;
}

domain::OrganizationRoles UserStore::roles(std::int64_t userId) {
    domain::OrganizationRoles roles;
    Query select(_connection, "SELECT organization_id, role FROM organization_roles WHERE user_id = ?");
    select.bind(userId);
    while (select.next()) {
        if (select.text(1) == "admin") {
            roles.admin.insert(select.integer(0));
        } else {
            roles.member.insert(select.integer(0));
        }
    }
    return roles;
}

void UserStore::grant(std::int64_t organizationId, std::int64_t userId, const std::string& role) {
    Query grant(_connection,
                "INSERT INTO organization_roles (organization_id, user_id, role) VALUES (?, ?, ?) ON "
                "CONFLICT DO NOTHING");
    grant.bind(organizationId).bind(userId).bind(role).run();
}

void UserStore::revoke(std::int64_t organizationId, std::int64_t userId, const std::string& role) {
    Query revoke(_connection,
                 "DELETE FROM organization_roles WHERE organization_id = ? AND user_id = ? AND role = ?");
    revoke.bind(organizationId).bind(userId).bind(role).run();
}

}  // namespace appreg::store
