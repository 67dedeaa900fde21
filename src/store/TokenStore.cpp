#include "appreg/store/TokenStore.h"

#include <Poco/Data/RecordSet.h>

#include "appreg/domain/Application.h"
#include "appreg/store/ListSql.h"
#include "appreg/store/Visibility.h"

using namespace Poco::Data::Keywords;

namespace appreg::store {

namespace {

const char* const kColumns =
    "t.id, t.description, t.user_id, t.application_id, t.token_digest, t.refresh_token_digest, t.scope, "
    "t.expires, "
    "t.created, t.modified, a.name, a.organization_id, u.username, u.first_name, u.last_name";
const char* const kFrom =
    "tokens t LEFT JOIN applications a ON a.id = t.application_id LEFT JOIN users u ON u.id = t.user_id";

TokenRow readRow(Poco::Data::RecordSet& rs, std::size_t row) {
    TokenRow r;
    auto str = [&](std::size_t col) { return rs.value(col, row).convert<std::string>(); };
    auto isNull = [&](std::size_t col) { return rs.value(col, row).isEmpty(); };
    r.token.id = rs.value(0, row).convert<std::int64_t>();
    r.token.description = str(1);
    if (!isNull(2)) r.token.userId = rs.value(2, row).convert<std::int64_t>();
    if (!isNull(3)) r.token.applicationId = rs.value(3, row).convert<std::int64_t>();
    r.token.tokenDigest = str(4);
    if (!isNull(5)) r.token.refreshTokenDigest = str(5);
    r.token.scope = str(6);
    r.token.expires = str(7);
    r.token.created = str(8);
    r.token.modified = str(9);
    if (!isNull(10)) r.applicationName = str(10);
    if (!isNull(11)) r.applicationOrganizationId = rs.value(11, row).convert<std::int64_t>();
    if (!isNull(12)) {
        r.username = str(12);
        r.userFirstName = str(13);
        r.userLastName = str(14);
    }
    return r;
}

SqlSource source() {
    SqlSource s;
    s.from = kFrom;
    s.table = "tokens t";
    s.counted = "tokens";
    s.alias = "t";
    s.relations = {{"application", {"a", "LEFT JOIN applications a ON a.id = t.application_id"}}};
    s.fields = &domain::tokenFields();
    return s;
}

SqlCondition condition(const domain::ListQuery& query, const std::optional<Visibility>& visibility,
                       std::optional<std::int64_t> applicationId) {
    SqlCondition cond = listCondition(query, source());
    if (applicationId) cond.add("t.application_id = ?", {Poco::Dynamic::Var(*applicationId)});
    if (visibility) {
        std::vector<Poco::Dynamic::Var> binds{Poco::Dynamic::Var(visibility->userId)};
        for (auto id : visibility->adminOrganizations) binds.emplace_back(id);
        cond.add(
            "(t.user_id = ? OR t.application_id IN (SELECT id FROM applications WHERE organization_id IN (" +
                placeholders(visibility->adminOrganizations.size()) + ")))",
            binds);
    }
    return cond;
}

std::optional<TokenRow> findWhere(Connection& connection, const std::string& where,
                                  const Poco::Dynamic::Var& value) {
    return translateErrors(
        [&] { return selectOne<TokenRow>(connection.session(), kColumns, kFrom, where, value, readRow); });
}

}  // namespace

const domain::ListResource& tokenListResource() {
    static const domain::ListResource resource{"OAuth2AccessToken",
                                               "o_auth2_access_token",
                                               &domain::tokenFields(),
                                               {{"application", &domain::applicationFields()}},
                                               {{"id", false}}};
    return resource;
}

std::optional<TokenRow> TokenStore::find(std::int64_t id) { return findWhere(_connection, "t.id = ?", id); }

std::optional<TokenRow> TokenStore::findByDigest(const std::string& tokenDigest) {
    return findWhere(_connection, "t.token_digest = ?", tokenDigest);
}

std::optional<TokenRow> TokenStore::findByRefreshDigest(const std::string& refreshDigest) {
    return findWhere(_connection, "t.refresh_token_digest = ?", refreshDigest);
}

std::int64_t TokenStore::insert(const domain::Token& token) {
    return translateErrors([&] {
        domain::Token t = token;
        Poco::Nullable<Poco::Int64> user, app;
        Poco::Nullable<std::string> refresh;
        if (t.userId) user = *t.userId;
        if (t.applicationId) app = *t.applicationId;
        if (t.refreshTokenDigest) refresh = *t.refreshTokenDigest;
        Poco::Int64 id = 0;
        _connection.session() << "INSERT INTO tokens (description, user_id, application_id, token_digest, "
                                 "refresh_token_digest, scope, expires, created, modified) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            use(t.description), use(user), use(app), use(t.tokenDigest), use(refresh), use(t.scope),
            use(t.expires), use(t.created), use(t.modified), into(id), now;
        return static_cast<std::int64_t>(id);
    });
}

void TokenStore::update(const domain::Token& token) {
    translateErrors([&] {
        domain::Token t = token;
        _connection.session() << "UPDATE tokens SET description = ?, scope = ?, modified = ? WHERE id = ?",
            use(t.description), use(t.scope), use(t.modified), use(t.id), now;
    });
}

void TokenStore::remove(std::int64_t id) {
    translateErrors([&] { _connection.session() << "DELETE FROM tokens WHERE id = ?", use(id), now; });
}

std::int64_t TokenStore::count(const domain::ListQuery& query, const std::optional<Visibility>& visibility,
                               std::optional<std::int64_t> applicationId) {
    return translateErrors([&] {
        return countRows(_connection.session(), source(), query, condition(query, visibility, applicationId));
    });
}

std::vector<TokenRow> TokenStore::page(const domain::ListQuery& query, std::int64_t offset, int limit,
                                       const std::optional<Visibility>& visibility,
                                       std::optional<std::int64_t> applicationId) {
    return translateErrors([&] {
        Poco::Data::RecordSet rs =
            selectPage(_connection.session(), kColumns, source(), condition(query, visibility, applicationId),
                       query, offset, limit);
        std::vector<TokenRow> rows;
        for (std::size_t i = 0; i < rs.rowCount(); ++i) rows.push_back(readRow(rs, i));
        return rows;
    });
}

std::map<std::int64_t, TokenSummaryRow> TokenStore::summaries(
    const std::vector<std::int64_t>& applicationIds) {
    std::map<std::int64_t, TokenSummaryRow> out;
    if (applicationIds.empty()) return out;
    for (auto id : applicationIds) out[id];
    std::string list;
    std::vector<Poco::Dynamic::Var> binds;
    for (auto id : applicationIds) {
        list += list.empty() ? "?" : ", ?";
        binds.emplace_back(id);
    }
    translateErrors([&] {
        Poco::Data::Statement counts(_connection.session());
        counts << "SELECT application_id, COUNT(*) FROM tokens WHERE application_id IN (" << list
               << ") GROUP BY application_id";
        bindAll(counts, binds);
        counts.execute();
        Poco::Data::RecordSet cs(counts);
        for (std::size_t i = 0; i < cs.rowCount(); ++i) {
            out[cs.value(0, i).convert<std::int64_t>()].count = cs.value(1, i).convert<std::int64_t>();
        }
        // The first 10 of each application, by id: a window over the (application_id, id) index.
        Poco::Data::Statement firsts(_connection.session());
        firsts
            << "SELECT application_id, id, scope FROM (SELECT application_id, id, scope, ROW_NUMBER() OVER "
               "(PARTITION BY application_id ORDER BY id) AS n FROM tokens WHERE application_id IN ("
            << list << ")) WHERE n <= 10 ORDER BY application_id, id";
        bindAll(firsts, binds);
        firsts.execute();
        Poco::Data::RecordSet fs(firsts);
        for (std::size_t i = 0; i < fs.rowCount(); ++i) {
            out[fs.value(0, i).convert<std::int64_t>()].first.emplace_back(
                fs.value(1, i).convert<std::int64_t>(), fs.value(2, i).convert<std::string>());
        }
    });
    return out;
}

}  // namespace appreg::store
