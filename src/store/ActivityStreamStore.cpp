#include "appreg/store/ActivityStreamStore.h"

#include "appreg/store/ListSql.h"
#include "appreg/store/Visibility.h"

namespace appreg::store {

namespace {

// The object an entry is linked to, joined by kind; at most one of a/g/t matches.
const char* const kColumns =
    "s.id, s.timestamp, s.operation, s.object1, s.object1_id, s.changes, s.actor_id, "
    "COALESCE(a.name, g.name, u.username, CAST(t.id AS TEXT)), "
    "COALESCE(a.description, g.description, t.description, u.first_name), COALESCE(a.id, g.id, t.id, u.id), "
    "s.actor_username, au.id, COALESCE(au.first_name, s.actor_first_name), COALESCE(au.last_name, "
    "s.actor_last_name), "
    "u.last_name";
const char* const kFrom =
    "activity_stream s "
    "LEFT JOIN applications a ON s.object1 = 'o_auth2_application' AND s.operation <> 'delete' AND a.id = "
    "s.object1_id "
    "LEFT JOIN organizations g ON s.object1 = 'organization' AND s.operation <> 'delete' AND g.id = "
    "s.object1_id "
    "LEFT JOIN tokens t ON s.object1 = 'o_auth2_access_token' AND s.operation <> 'delete' AND t.id = "
    "s.object1_id "
    "LEFT JOIN users u ON s.object1 = 'user' AND s.operation <> 'delete' AND u.id = s.object1_id "
    "LEFT JOIN users au ON au.id = s.actor_id";

ActivityRow readRow(const Query& q) {
    ActivityRow r;
    r.entry.id = q.integer(0);
    r.entry.timestamp = q.text(1);
    r.entry.operation = q.text(2);
    r.entry.object1 = q.text(3);
    r.entry.object1Id = q.integer(4);
    r.entry.changes = q.text(5);
    r.entry.hasActor = !q.isNull(10);
    if (r.entry.hasActor) r.entry.actorUsername = q.text(10);
    if (!q.isNull(11)) r.entry.actorId = q.integer(11);  // still exists
    if (r.entry.hasActor) {
        // The current names while the actor exists, else those kept when the entry was written.
        if (!q.isNull(12)) r.entry.actorFirstName = q.text(12);
        if (!q.isNull(13)) r.entry.actorLastName = q.text(13);
    }
    r.objectExists = !q.isNull(9);
    if (r.objectExists) {
        r.objectName = q.text(7);
        r.objectDescription = q.text(8);  // a user's first name
        if (!q.isNull(14)) r.objectLastName = q.text(14);
    }
    return r;
}

SqlSource source() {
    SqlSource s;
    s.from = kFrom;
    s.table = "activity_stream s";
    s.counted = "activity_stream";
    s.alias = "s";
    s.fields = &domain::activityFields();
    return s;
}

SqlCondition condition(Backend backend, const domain::ListQuery& query,
                       const std::optional<Visibility>& visibility,
                       const std::optional<ActivityScope>& scope) {
    SqlCondition cond = listCondition(backend, query, source());
    if (visibility) {
        const auto& v = *visibility;
        const std::string orgs = placeholders(v.organizations.size());
        const std::string admin = placeholders(v.adminOrganizations.size());
        std::vector<Poco::Dynamic::Var> binds = bindValues(v.organizations);
        auto append = [&binds](std::vector<Poco::Dynamic::Var> more) {
            binds.insert(binds.end(), more.begin(), more.end());
        };
        append(bindValues(v.adminOrganizations));
        append({Poco::Dynamic::Var(v.userId)});
        append(bindValues(v.adminOrganizations));
        append({Poco::Dynamic::Var(v.userId)});
        append(bindValues(v.adminOrganizations));
        cond.add(
            "s.operation <> 'delete' AND ("
            "(s.object1 = 'o_auth2_application' AND s.object1_id IN "
            "(SELECT id FROM applications WHERE organization_id IN (" +
                orgs +
                "))) "
                "OR (s.object1 = 'organization' AND s.object1_id IN (" +
                admin +
                ")) "
                "OR (s.object1 = 'o_auth2_access_token' AND s.object1_id IN (SELECT id FROM tokens WHERE "
                "user_id = ? "
                "OR application_id IN (SELECT id FROM applications WHERE organization_id IN (" +
                admin +
                ")))) "
                "OR (s.object1 = 'user' AND (s.object1_id = ? OR s.object1_id IN "
                "(SELECT user_id FROM organization_roles WHERE organization_id IN (" +
                admin + ")))))",
            binds);
    }
    if (scope) {
        cond.add("s.object1 = ? AND s.object1_id = ? AND s.operation <> 'delete'",
                 {Poco::Dynamic::Var(scope->object1), Poco::Dynamic::Var(scope->objectId)});
    }
    return cond;
}

}  // namespace

const domain::ListResource& activityListResource() {
    static const domain::ListResource resource{
        "ActivityStream", "activity_stream", &domain::activityFields(), {}, {{"id", false}}};
    return resource;
}

std::int64_t ActivityStreamStore::record(const std::string& operation, const std::string& object1,
                                         std::int64_t objectId, const std::string& changes,
                                         const std::string& timestamp) {
    Query insert(_connection,
                 "INSERT INTO activity_stream (timestamp, operation, object1, object1_id, changes, actor_id, "
                 "actor_username, actor_first_name, actor_last_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(timestamp).bind(operation).bind(object1).bind(objectId).bind(changes);
    if (_actor) {
        insert.bind(_actor->id).bind(_actor->username).bind(_actor->firstName).bind(_actor->lastName);
    } else {
        insert.bind(std::nullopt).bind(std::nullopt).bind(std::nullopt).bind(std::nullopt);
    }
    return insert.insertedId();
}

std::optional<ActivityRow> ActivityStreamStore::find(std::int64_t id) {
    return selectOne<ActivityRow>(_connection, kColumns, kFrom, "s.id = ?", id, readRow);
}

std::int64_t ActivityStreamStore::count(const domain::ListQuery& query,
                                        const std::optional<Visibility>& visibility,
                                        const std::optional<ActivityScope>& scope) {
    return countRows(_connection, source(), query,
                     condition(_connection.backend(), query, visibility, scope));
}

std::vector<ActivityRow> ActivityStreamStore::page(const domain::ListQuery& query, std::int64_t offset,
                                                   int limit, const std::optional<Visibility>& visibility,
                                                   const std::optional<ActivityScope>& scope) {
    return selectPage<ActivityRow>(_connection, kColumns, source(),
                                   condition(_connection.backend(), query, visibility, scope), query, offset,
                                   limit, readRow);
}

}  // namespace appreg::store
