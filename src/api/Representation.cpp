#include "appreg/api/Representation.h"

#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include <Poco/JSON/Array.h>

#include "appreg/http/Json.h"

namespace appreg::api {

using http::json::newObject;

const char* const kCensored = "************";

std::string applicationUrl(std::int64_t id) { return "/api/v2/applications/" + std::to_string(id) + "/"; }
std::string organizationUrl(std::int64_t id) { return "/api/v2/organizations/" + std::to_string(id) + "/"; }
std::string tokenUrl(std::int64_t id) { return "/api/v2/tokens/" + std::to_string(id) + "/"; }
std::string activityUrl(std::int64_t id) { return "/api/v2/activity_stream/" + std::to_string(id) + "/"; }
std::string userUrl(std::int64_t id) { return "/api/v2/users/" + std::to_string(id) + "/"; }

namespace {

Poco::JSON::Object::Ptr renderCapabilities(const UserCapabilities& caps) {
    auto obj = newObject();
    obj->set("edit", caps.edit);
    obj->set("delete", caps.remove);
    return obj;
}

}  // namespace

namespace {

/// Writes every field of `table` in its order: stored values from `values`, computed ones from `computed`.
Poco::JSON::Object::Ptr renderFields(const domain::FieldTable& table, const domain::FieldValues& values,
                                     const domain::FieldValues& computed) {
    auto obj = newObject();
    for (const auto& f : table.fields()) {
        auto c = computed.find(f.name);
        if (c != computed.end()) {
            if (!c->second.isEmpty()) obj->set(f.name, c->second);  // an empty computed value omits the key
            continue;
        }
        obj->set(f.name, values.at(f.name));
    }
    return obj;
}

}  // namespace

namespace {

enum class ApplicationField {
    Id,
    Type,
    Url,
    Related,
    SummaryFields,
    Created,
    Modified,
    Name,
    Description,
    ClientId,
    ClientSecret,
    ClientType,
    RedirectUris,
    GrantType,
    SkipAuthorization,
    Organization
};

/// The application fields in the field table's order, each resolved to what renderApplication writes for it:
/// once, rather than comparing names for every field of every row (5 % of a list page).
const std::vector<std::pair<const std::string*, ApplicationField>>& applicationLayout() {
    static const auto layout = [] {
        using F = ApplicationField;
        const std::map<std::string, F> byName{{"id", F::Id},
                                              {"type", F::Type},
                                              {"url", F::Url},
                                              {"related", F::Related},
                                              {"summary_fields", F::SummaryFields},
                                              {"created", F::Created},
                                              {"modified", F::Modified},
                                              {"name", F::Name},
                                              {"description", F::Description},
                                              {"client_id", F::ClientId},
                                              {"client_secret", F::ClientSecret},
                                              {"client_type", F::ClientType},
                                              {"redirect_uris", F::RedirectUris},
                                              {"authorization_grant_type", F::GrantType},
                                              {"skip_authorization", F::SkipAuthorization},
                                              {"organization", F::Organization}};
        std::vector<std::pair<const std::string*, F>> out;
        for (const auto& f : domain::applicationFields().fields()) {
            auto found = byName.find(f.name);
            if (found == byName.end())
                throw std::logic_error("renderApplication does not know the field '" + f.name + "'");
            out.emplace_back(&f.name, found->second);
        }
        return out;
    }();
    return layout;
}

/// Writes the value of a field stored on the application as it is (not the computed ones, nor the secret);
/// false for any other field. Shared by the response and the activity entry, so each value is spelled once.
bool writeStoredValue(http::json::Writer& w, ApplicationField field, const domain::Application& app) {
    using F = ApplicationField;
    switch (field) {
        case F::Created:
            w.value(app.created);
            return true;
        case F::Modified:
            w.value(app.modified);
            return true;
        case F::Name:
            w.value(app.name);
            return true;
        case F::Description:
            w.value(app.description);
            return true;
        case F::ClientId:
            w.value(app.clientId);
            return true;
        case F::ClientType:
            w.value(app.clientType);
            return true;
        case F::RedirectUris:
            w.value(app.redirectUris);
            return true;
        case F::GrantType:
            w.value(app.authorizationGrantType);
            return true;
        case F::SkipAuthorization:
            w.value(app.skipAuthorization);
            return true;
        case F::Organization:
            w.value(app.organizationId);
            return true;
        default:
            return false;
    }
}

/// How an activity entry names an application's organization: "<name>-<id>" (awx-reference.md §5.2).
std::string organizationChangeLabel(const domain::Organization& org) {
    return org.name + "-" + std::to_string(org.id);
}

}  // namespace

http::json::Raw renderApplication(const domain::Application& app, const domain::Organization& org,
                                  const std::optional<std::string>& clearSecret, const UserCapabilities& caps,
                                  const TokenSummary& tokens) {
    // Written straight into the response text (the Poco object tree this replaced was a third of a list
    // page's CPU time), in the order of the field table, which stays the one place that order is declared.
    using F = ApplicationField;
    const std::string url = applicationUrl(app.id);
    http::json::Writer w;
    w.text().reserve(1024);
    w.beginObject();
    for (const auto& [name, field] : applicationLayout()) {
        if (field == F::ClientSecret) {
            // A public application has no client_secret key at all; a confidential one shows it only in the
            // create's 201.
            if (app.clientType == "confidential") w.key(*name).value(clearSecret ? *clearSecret : kCensored);
            continue;
        }
        w.key(*name);
        switch (field) {
            case F::Id:
                w.value(app.id);
                break;
            case F::Type:
                w.value("o_auth2_application");
                break;
            case F::Url:
                w.value(url);
                break;
            case F::Related:
                w.beginObject();
                w.key("tokens").value(url + "tokens/");
                w.key("activity_stream").value(url + "activity_stream/");
                w.key("organization").value(organizationUrl(org.id));
                w.endObject();
                break;
            case F::SummaryFields:
                w.beginObject();
                w.key("organization").beginObject();
                w.key("id")
                    .value(org.id)
                    .key("name")
                    .value(org.name)
                    .key("description")
                    .value(org.description);
                w.endObject();
                w.key("user_capabilities").beginObject();
                w.key("edit").value(caps.edit).key("delete").value(caps.remove);
                w.endObject();
                w.key("tokens").beginObject().key("count").value(tokens.count).key("results").beginArray();
                for (const auto& t : tokens.results) {
                    w.beginObject().key("id").value(t.id).key("token").value(kCensored);
                    w.key("scope").value(t.scope).endObject();
                }
                w.endArray().endObject();
                w.endObject();
                break;
            default:
                writeStoredValue(w, field, app);
                break;
        }
    }
    w.endObject();
    return http::json::Raw{std::move(w.text())};
}

Poco::JSON::Object::Ptr renderOrganization(const domain::Organization& org, const UserCapabilities& caps) {
    std::string url = organizationUrl(org.id);
    auto related = newObject();
    related->set("applications", url + "applications/");
    related->set("activity_stream", url + "activity_stream/");
    auto summary = newObject();
    summary->set("user_capabilities", renderCapabilities(caps));
    domain::FieldValues computed{{"type", std::string("organization")},
                                 {"url", url},
                                 {"related", related},
                                 {"summary_fields", summary}};
    return renderFields(domain::organizationFields(), domain::organizationValues(org), computed);
}

Poco::JSON::Object::Ptr applicationChanges(const domain::Application& app, const domain::Organization& org) {
    auto obj = newObject();
    domain::FieldValues values = domain::applicationValues(app);
    for (const auto* f : domain::applicationFields().writableFields()) {
        if (f->name == "organization") {
            obj->set(f->name, organizationChangeLabel(org));
        } else {
            obj->set(f->name, values.at(f->name));
        }
    }
    obj->set("id", app.id);
    return obj;
}

std::string applicationChangesWithoutId(const domain::Application& app, const domain::Organization& org) {
    // Written straight into the text, as renderApplication writes (the field map and the Poco object that
    // applicationChanges builds were ~80 allocations of a create's ~500); RepresentationTest checks that the
    // two agree byte for byte.
    static const std::vector<std::pair<const std::string*, ApplicationField>> writable = [] {
        std::vector<std::pair<const std::string*, ApplicationField>> out;
        for (const auto* f : domain::applicationFields().writableFields()) {
            for (const auto& [name, field] : applicationLayout()) {
                if (*name == f->name) out.emplace_back(name, field);
            }
        }
        return out;
    }();
    http::json::Writer w;
    w.text().reserve(512);
    w.beginObject();
    for (const auto& [name, field] : writable) {
        w.key(*name);
        if (field == ApplicationField::Organization) {
            w.value(organizationChangeLabel(org));
        } else if (!writeStoredValue(w, field, app)) {
            throw std::logic_error("applicationChangesWithoutId does not write the field '" + *name + "'");
        }
    }
    w.endObject();
    return std::move(w.text());
}

std::string withChangedId(std::string changesWithoutId, std::int64_t id) {
    // "{...}" -> "{...,"id":N}", as stringify writes the id set last.
    changesWithoutId.pop_back();
    if (changesWithoutId.size() > 1) changesWithoutId += ',';
    return changesWithoutId + "\"id\":" + std::to_string(id) + "}";
}

Poco::JSON::Object::Ptr organizationChanges(const domain::Organization& org) {
    auto obj = newObject();
    domain::FieldValues values = domain::organizationValues(org);
    for (const auto* f : domain::organizationFields().writableFields()) obj->set(f->name, values.at(f->name));
    obj->set("id", org.id);
    return obj;
}

Poco::JSON::Object::Ptr renderToken(const store::TokenRow& row, const std::optional<std::string>& clearToken,
                                    const std::optional<std::string>& clearRefresh) {
    const domain::Token& token = row.token;
    const std::optional<std::string>& applicationName = row.applicationName;
    std::string url = tokenUrl(token.id);
    auto related = newObject();
    if (token.userId && row.username) related->set("user", userUrl(*token.userId));
    if (token.applicationId) related->set("application", applicationUrl(*token.applicationId));
    related->set("activity_stream", url + "activity_stream/");
    auto summary = newObject();
    if (token.userId && row.username) {
        auto user = newObject();
        user->set("id", *token.userId);
        user->set("username", *row.username);
        user->set("first_name", row.userFirstName);
        user->set("last_name", row.userLastName);
        summary->set("user", user);
    }
    if (token.applicationId) {
        auto app = newObject();
        app->set("id", *token.applicationId);
        app->set("name", applicationName.value_or(""));
        summary->set("application", app);
    }
    Poco::Dynamic::Var refresh;  // null: a personal token has no refresh token
    if (token.refreshTokenDigest) refresh = clearRefresh ? *clearRefresh : std::string(kCensored);
    domain::FieldValues values = domain::tokenValues(token);
    values["refresh_token"] = refresh;
    domain::FieldValues computed{{"type", std::string("o_auth2_access_token")},
                                 {"url", url},
                                 {"related", related},
                                 {"summary_fields", summary},
                                 {"token", clearToken ? *clearToken : std::string(kCensored)}};
    return renderFields(domain::tokenFields(), values, computed);
}

Poco::JSON::Object::Ptr tokenChanges(const domain::Token& token,
                                     const std::optional<std::string>& applicationName) {
    auto obj = newObject();
    obj->set("description", token.description);
    obj->set("application", applicationName ? Poco::Dynamic::Var(*applicationName) : Poco::Dynamic::Var());
    obj->set("expires", token.expires);
    obj->set("scope", token.scope);
    obj->set("token", kCensored);
    obj->set("id", token.id);
    return obj;
}

Poco::JSON::Object::Ptr renderActivity(const store::ActivityRow& row, const std::string& nodeName) {
    const domain::ActivityEntry& entry = row.entry;
    auto related = newObject();
    auto summary = newObject();
    // AWX's key order (awx-reference.md §5.2): related has the actor first, summary_fields last.
    if (entry.hasActor && entry.actorId) related->set("actor", userUrl(*entry.actorId));
    if (row.objectExists && entry.operation != "delete") {
        std::string url;
        auto object = newObject();
        object->set("id", entry.object1Id);
        if (entry.object1 == "o_auth2_application") {
            url = applicationUrl(entry.object1Id);
        } else if (entry.object1 == "organization") {
            url = organizationUrl(entry.object1Id);
        } else if (entry.object1 == "user") {
            url = userUrl(entry.object1Id);
        } else {
            url = tokenUrl(entry.object1Id);
        }
        if (entry.object1 == "user") {
            object->set("username", row.objectName);
            object->set("first_name", row.objectDescription);
            object->set("last_name", row.objectLastName);
        } else if (entry.object1 != "o_auth2_access_token") {
            object->set("name", row.objectName);
            object->set("description", row.objectDescription);
        }
        Poco::JSON::Array::Ptr urls = new Poco::JSON::Array();
        urls->add(url);
        related->set(entry.object1, urls);
        Poco::JSON::Array::Ptr objects = new Poco::JSON::Array();
        objects->add(object);
        summary->set(entry.object1, objects);
    }
    if (entry.hasActor) {
        // The actor while the user exists; afterwards AWX's denormalised deleted_actor, with id null.
        auto actor = newObject();
        actor->set("id", entry.actorId ? Poco::Dynamic::Var(*entry.actorId) : Poco::Dynamic::Var());
        actor->set("username", entry.actorUsername);
        actor->set("first_name", entry.actorFirstName);
        actor->set("last_name", entry.actorLastName);
        summary->set("actor", actor);
    }
    Poco::Dynamic::Var changes = http::json::parseBody(entry.changes);
    domain::FieldValues values{{"id", entry.id},
                               {"timestamp", entry.timestamp},
                               {"operation", entry.operation},
                               {"changes", changes},
                               {"object1", entry.object1}};
    domain::FieldValues computed{{"type", std::string("activity_stream")},
                                 {"url", activityUrl(entry.id)},
                                 {"related", related},
                                 {"summary_fields", summary},
                                 {"object2", std::string()},
                                 {"object_association", std::string()},
                                 {"action_node", nodeName},
                                 {"object_type", std::string()}};
    return renderFields(domain::activityFields(), values, computed);
}

Poco::JSON::Object::Ptr renderUser(const domain::User& user, const UserCapabilities& caps) {
    std::string url = userUrl(user.id);
    auto related =
        newObject();  // of AWX's user sub-lists (roles, teams, credentials...) appreg serves this one
    related->set("activity_stream", url + "activity_stream/");
    auto summary = newObject();
    summary->set("user_capabilities", renderCapabilities(caps));
    domain::FieldValues computed{{"type", std::string("user")},
                                 {"url", url},
                                 {"related", related},
                                 {"summary_fields", summary},
                                 {"password", std::string(domain::kEncryptedPassword)}};
    return renderFields(domain::userFields(), domain::userValues(user), computed);
}

Poco::JSON::Object::Ptr userChanges(const domain::User& user) {
    auto obj = newObject();
    domain::FieldValues values = domain::userValues(user);
    for (const auto* f : domain::userFields().writableFields()) {
        if (f->name != "password") obj->set(f->name, values.at(f->name));
    }
    obj->set("id", user.id);
    return obj;
}

Poco::JSON::Object::Ptr changedValues(const Poco::JSON::Object::Ptr& before,
                                      const Poco::JSON::Object::Ptr& after) {
    auto changes = newObject();
    for (const auto& name : before->getNames()) {
        Poco::Dynamic::Var oldValue = before->get(name), newValue = after->get(name);
        if (http::json::stringify(oldValue) == http::json::stringify(newValue)) continue;
        Poco::JSON::Array::Ptr pair = new Poco::JSON::Array();
        pair->add(oldValue);
        pair->add(newValue);
        changes->set(name, pair);
    }
    return changes;
}

}  // namespace appreg::api
