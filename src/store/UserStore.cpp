#include "appreg/store/UserStore.h"

#include <Poco/Data/RecordSet.h>

#include "appreg/store/ListSql.h"
#include "appreg/store/Visibility.h"

using namespace Poco::Data::Keywords;

namespace appreg::store {

namespace {

const char* const kColumns =
    "u.id, u.username, u.first_name, u.last_name, u.email, u.password, u.is_superuser, u.is_system_auditor, "
    "u.created, u.modified";
const char* const kFrom = "users u";

domain::User readRow(Poco::Data::RecordSet& rs, std::size_t row) {
    domain::User u;
    auto str = [&](std::size_t col) { return rs.value(col, row).convert<std::string>(); };
    u.id = rs.value(0, row).convert<std::int64_t>();
    u.username = str(1);
    u.firstName = str(2);
    u.lastName = str(3);
    u.email = str(4);
    u.passwordHash = str(5);
    u.isSuperuser = rs.value(6, row).convert<int>() != 0;
    u.isSystemAuditor = rs.value(7, row).convert<int>() != 0;
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

SqlCondition condition(const domain::ListQuery& query, const UserScope& scope) {
    SqlCondition cond = listCondition(query, source());
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

std::optional<domain::User> findWhere(Connection& connection, const std::string& where,
                                      const Poco::Dynamic::Var& value) {
    return translateErrors([&] {
        return selectOne<domain::User>(connection.session(), kColumns, kFrom, where, value, readRow);
    });
}

}  // namespace

const domain::ListResource& userListResource() {
    static const domain::ListResource resource{
        "User", "user", &domain::userFields(), {}, {{"username", false}, {"id", false}}};
    return resource;
}

std::optional<domain::User> UserStore::find(std::int64_t id) {
    return findWhere(_connection, "u.id = ?", Poco::Dynamic::Var(id));
}

std::optional<domain::User> UserStore::findByUsername(const std::string& username) {
    return findWhere(_connection, "u.username = ?", Poco::Dynamic::Var(username));
}

bool UserStore::usernameTaken(const std::string& username, std::int64_t exceptId) {
    return translateErrors([&] {
        int count = 0;
        std::string name = username;
        _connection.session() << "SELECT COUNT(*) FROM users WHERE username = ? AND id <> ?", use(name),
            use(exceptId), into(count), now;
        return count > 0;
    });
}

std::int64_t UserStore::insert(const domain::User& user) {
    return translateErrors([&] {
        domain::User u = user;
        int superuser = u.isSuperuser ? 1 : 0, auditor = u.isSystemAuditor ? 1 : 0;
        Poco::Int64 id = 0;
        _connection.session()
            << "INSERT INTO users (username, first_name, last_name, email, password, is_superuser, "
               "is_system_auditor, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            use(u.username), use(u.firstName), use(u.lastName), use(u.email), use(u.passwordHash),
            use(superuser), use(auditor), use(u.created), use(u.modified), into(id), now;
        return static_cast<std::int64_t>(id);
    });
}

void UserStore::update(const domain::User& user) {
    translateErrors([&] {
        domain::User u = user;
        int superuser = u.isSuperuser ? 1 : 0, auditor = u.isSystemAuditor ? 1 : 0;
        _connection.session()
            << "UPDATE users SET username = ?, first_name = ?, last_name = ?, email = ?, password = ?, "
               "is_superuser = ?, is_system_auditor = ?, modified = ? WHERE id = ?",
            use(u.username), use(u.firstName), use(u.lastName), use(u.email), use(u.passwordHash),
            use(superuser), use(auditor), use(u.modified), use(u.id), now;
    });
}

void UserStore::remove(std::int64_t id) {
    translateErrors([&] {
        // tokens.user_id has no foreign key (it predates the users table), so its rows go explicitly.
        _connection.session() << "DELETE FROM tokens WHERE user_id = ?", use(id), now;
        _connection.session() << "DELETE FROM users WHERE id = ?", use(id), now;
    });
}

std::int64_t UserStore::count(const domain::ListQuery& query, const UserScope& scope) {
    return translateErrors(
        [&] { return countRows(_connection.session(), source(), query, condition(query, scope)); });
}

std::vector<domain::User> UserStore::page(const domain::ListQuery& query, std::int64_t offset, int limit,
                                          const UserScope& scope) {
    return translateErrors([&] {
        Poco::Data::RecordSet rs = selectPage(_connection.session(), kColumns, source(),
                                              condition(query, scope), query, offset, limit);
        std::vector<domain::User> rows;
        for (std::size_t i = 0; i < rs.rowCount(); ++i) rows.push_back(readRow(rs, i));
        return rows;
    });
}

domain::OrganizationRoles UserStore::roles(std::int64_t userId) {
    return translateErrors([&] {
        domain::OrganizationRoles roles;
        Poco::Data::Statement select(_connection.session());
        select << "SELECT organization_id, role FROM organization_roles WHERE user_id = ?", use(userId), now;
        Poco::Data::RecordSet rs(select);
        for (std::size_t i = 0; i < rs.rowCount(); ++i) {
            auto org = rs.value(0, i).convert<std::int64_t>();
            if (rs.value(1, i).convert<std::string>() == "admin") {
                roles.admin.insert(org);
            } else {
                roles.member.insert(org);
            }
        }
        return roles;
    });
}

void UserStore::grant(std::int64_t organizationId, std::int64_t userId, const std::string& role) {
    translateErrors([&] {
        std::string r = role;
        _connection.session() << "INSERT OR IGNORE INTO organization_roles (organization_id, user_id, role) "
                                 "VALUES (?, ?, ?)",
            use(organizationId), use(userId), use(r), now;
    });
}

void UserStore::revoke(std::int64_t organizationId, std::int64_t userId, const std::string& role) {
    translateErrors([&] {
        std::string r = role;
        _connection.session()
            << "DELETE FROM organization_roles WHERE organization_id = ? AND user_id = ? AND role = ?",
            use(organizationId), use(userId), use(r), now;
    });
}

}  // namespace appreg::store
