#include "appreg/api/Representation.h"

#include <Poco/JSON/Array.h>

#include "appreg/http/Json.h"

namespace appreg::api {

using http::json::newObject;

const char* const kCensored = "************";

std::string applicationUrl(std::int64_t id) { return "/api/v2/applications/" + std::to_string(id) + "/"; }
std::string organizationUrl(std::int64_t id) { return "/api/v2/organizations/" + std::to_string(id) + "/"; }

namespace {

Poco::JSON::Object::Ptr renderCapabilities(const UserCapabilities& caps) {
    auto obj = newObject();
    obj->set("edit", caps.edit);
    obj->set("delete", caps.remove);
    return obj;
}

}  // namespace

Poco::JSON::Object::Ptr renderApplication(const domain::Application& app, const domain::Organization& org,
                                          const std::optional<std::string>& clearSecret,
                                          const UserCapabilities& caps, const TokenSummary& tokens) {
    auto obj = newObject();
    std::string url = applicationUrl(app.id);
    obj->set("id", app.id);
    obj->set("type", "o_auth2_application");
    obj->set("url", url);

    auto related = newObject();
    related->set("tokens", url + "tokens/");
    related->set("activity_stream", url + "activity_stream/");
    related->set("organization", organizationUrl(org.id));
    obj->set("related", related);

    auto summary = newObject();
    auto orgSummary = newObject();
    orgSummary->set("id", org.id);
    orgSummary->set("name", org.name);
    orgSummary->set("description", org.description);
    summary->set("organization", orgSummary);
    summary->set("user_capabilities", renderCapabilities(caps));
    auto tokenSummary = newObject();
    tokenSummary->set("count", tokens.count);
    Poco::JSON::Array::Ptr tokenList = new Poco::JSON::Array();
    for (const auto& t : tokens.results) {
        auto entry = newObject();
        entry->set("id", t.id);
        entry->set("token", kCensored);
        entry->set("scope", t.scope);
        tokenList->add(entry);
    }
    tokenSummary->set("results", tokenList);
    summary->set("tokens", tokenSummary);
    obj->set("summary_fields", summary);

    obj->set("created", app.created);
    obj->set("modified", app.modified);
    domain::FieldValues values = domain::applicationValues(app);
    for (const auto& f : domain::applicationFields().fields()) {
        if (f.name == "client_secret") {
            if (app.clientType == "confidential") obj->set("client_secret", clearSecret ? *clearSecret : kCensored);
            continue;
        }
        obj->set(f.name, values.at(f.name));
    }
    return obj;
}

Poco::JSON::Object::Ptr renderOrganization(const domain::Organization& org, const UserCapabilities& caps) {
    auto obj = newObject();
    std::string url = organizationUrl(org.id);
    obj->set("id", org.id);
    obj->set("type", "organization");
    obj->set("url", url);
    auto related = newObject();
    related->set("applications", url + "applications/");
    related->set("activity_stream", url + "activity_stream/");
    obj->set("related", related);
    auto summary = newObject();
    summary->set("user_capabilities", renderCapabilities(caps));
    obj->set("summary_fields", summary);
    obj->set("created", org.created);
    obj->set("modified", org.modified);
    domain::FieldValues values = domain::organizationValues(org);
    for (const auto& f : domain::organizationFields().fields()) obj->set(f.name, values.at(f.name));
    return obj;
}

Poco::JSON::Object::Ptr applicationChanges(const domain::Application& app, const domain::Organization& org) {
    auto obj = newObject();
    domain::FieldValues values = domain::applicationValues(app);
    for (const auto& f : domain::applicationFields().fields()) {
        if (f.readOnly) continue;  // client_id and client_secret are not tracked (AWX excludes the secret)
        if (f.name == "organization") {
            obj->set(f.name, org.name + "-" + std::to_string(org.id));
        } else {
            obj->set(f.name, values.at(f.name));
        }
    }
    obj->set("id", app.id);
    return obj;
}

Poco::JSON::Object::Ptr organizationChanges(const domain::Organization& org) {
    auto obj = newObject();
    domain::FieldValues values = domain::organizationValues(org);
    for (const auto& f : domain::organizationFields().fields()) obj->set(f.name, values.at(f.name));
    obj->set("id", org.id);
    return obj;
}

}  // namespace appreg::api
