#include "appreg/store/TokenStore.h"

#include "appreg/domain/Application.h"
#include "appreg/store/ListSql.h"
#include "appreg/store/Visibility.h"

namespace appreg::store {

namespace {

const char* const kColumns =
    "t.id, t.description, t.user_id, t.application_id, t.token_digest, t.refresh_token_digest, t.scope, "
    "t.expires, "
    "t.created, t.modified, a.name, a.organization_id, u.username, u.first_name, u.last_name";
const char* const kFrom =
    "tokens t LEFT JOIN applications a ON a.id = t.application_id LEFT JOIN users u ON u.id = t.user_id";

TokenRow readRow(const Query& q) {
    TokenRow r;
    r.token.id = q.integer(0);
    r.token.description = q.text(1);
    r.token.userId = q.optionalInteger(2);
    r.token.applicationId = q.optionalInteger(3);
    r.token.tokenDigest = q.text(4);
    r.token.refreshTokenDigest = q.optionalText(5);
    r.token.scope = q.text(6);
    r.token.expires = q.text(7);
    r.token.created = q.text(8);
    r.token.modified = q.text(9);
    r.applicationName = q.optionalText(10);
    r.applicationOrganizationId = q.optionalInteger(11);
    r.username = q.optionalText(12);
    if (r.username) {
        r.userFirstName = q.text(13);
        r.userLastName = q.text(14);
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

SqlCondition condition(Backend backend, const domain::ListQuery& query,
                       const std::optional<Visibility>& visibility,
                       std::optional<std::int64_t> applicationId) {
    SqlCondition cond = listCondition(backend, query, source());
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

template <typename Value>
std::optional<TokenRow> findWhere(Connection& connection, const std::string& where, const Value& value) {
    return selectOne<TokenRow>(connection, kColumns, kFrom, where, value, readRow);
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

std::int64_t TokenStore::insert(const domain::Token& t) {
    Query insert(
        _connection,
        "INSERT INTO tokens (description, user_id, application_id, token_digest, refresh_token_digest, "
        "scope, expires, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(t.description).bind(t.userId).bind(t.applicationId).bind(t.tokenDigest);
    insert.bind(t.refreshTokenDigest).bind(t.scope).bind(t.expires).bind(t.created).bind(t.modified);
    return insert.insertedId();
}

void TokenStore::update(const domain::Token& token) {
    Query update(_connection, "UPDATE tokens SET description = ?, scope = ?, modified = ? WHERE id = ?");
    update.bind(token.description).bind(token.scope).bind(token.modified).bind(token.id).run();
}

void TokenStore::remove(std::int64_t id) {
    Query(_connection, "DELETE FROM tokens WHERE id = ?").bind(id).run();
}

std::int64_t TokenStore::count(const domain::ListQuery& query, const std::optional<Visibility>& visibility,
                               std::optional<std::int64_t> applicationId) {
    return countRows(_connection, source(), query,
                     condition(_connection.backend(), query, visibility, applicationId));
}

std::vector<TokenRow> TokenStore::page(const domain::ListQuery& query, std::int64_t offset, int limit,
                                       const std::optional<Visibility>& visibility,
                                       std::optional<std::int64_t> applicationId) {
    return selectPage<TokenRow>(_connection, kColumns, source(),
                                condition(_connection.backend(), query, visibility, applicationId), query,
                                offset, limit, readRow);
}

std::map<std::int64_t, TokenSummaryRow> TokenStore::summaries(
    const std::vector<std::int64_t>& applicationIds) {
    std::map<std::int64_t, TokenSummaryRow> out;
    // One indexed lookup per application (a page has at most 200). A single windowed query over all of them
    // needs a sorter, whose buffer SQLite allocates and frees on every run: it cost more than the rest of a
    // detail request (issue 7's profile).
    for (auto id : applicationIds) {
        Query select(_connection,
                     "SELECT id, scope, (SELECT COUNT(*) FROM tokens WHERE application_id = ?1) FROM tokens "
                     "WHERE application_id = ?1 ORDER BY id LIMIT 10");
        select.bind(id);
        TokenSummaryRow& summary = out[id];
        while (select.next()) {
            summary.count = select.integer(2);
            summary.first.emplace_back(select.integer(0), select.text(1));
        }
    }
    return out;
}

}  // namespace appreg::store
