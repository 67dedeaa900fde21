#include "appreg/domain/Application.h"

#include "appreg/domain/RedirectUris.h"

namespace appreg::domain {

const FieldTable& applicationFields() {
    static const FieldTable table(concatFields(commonFields("application", "o_auth2_application", "Application"), {
        {.name = "name", .type = FieldType::String, .label = "Name", .helpText = "Name of this application.",
         .required = true, .allowBlank = false, .maxLength = 255, .column = "name", .searchable = true},
        {.name = "description", .type = FieldType::String, .label = "Description",
         .helpText = "Optional description of this application.", .defaultValue = std::string(),
         .column = "description", .searchable = true},
        {.name = "client_id", .type = FieldType::String, .label = "Client ID", .readOnly = true,
         .column = "client_id", .preventSearch = true},
        {.name = "client_secret", .type = FieldType::String, .label = "Client Secret", .readOnly = true,
         .column = "client_secret_hash", .preventSearch = true},
        {.name = "client_type", .type = FieldType::Choice, .label = "Client Type",
         .helpText = "Set to Public or Confidential depending on how secure the client device is.",
         .required = true, .choices = {{"confidential", "Confidential"}, {"public", "Public"}},
         .column = "client_type"},
        {.name = "redirect_uris", .type = FieldType::String, .label = "Redirect URIs",
         .helpText = "Allowed URIs list, space separated", .keepOnPut = true, .defaultValue = std::string(),
         .column = "redirect_uris"},
        {.name = "authorization_grant_type", .type = FieldType::Choice, .label = "Authorization Grant Type",
         .helpText = "The Grant type the user must use for acquire tokens for this application.",
         .required = true, .readOnlyOnUpdate = true,
         .choices = {{"authorization-code", "Authorization code"}, {"password", "Resource owner password-based"}},
         .column = "authorization_grant_type"},
        {.name = "skip_authorization", .type = FieldType::Boolean, .label = "Skip Authorization",
         .helpText = "Set True to skip authorization step for completely trusted applications.",
         .defaultValue = false, .column = "skip_authorization"},
        {.name = "organization", .type = FieldType::PrimaryKey, .label = "Organization",
         .helpText = "Organization containing this application.", .required = true,
         .column = "organization_id", .relatedModel = "Organization"},
    }));
    return table;
}

std::vector<std::string> cleanApplication(const Application& app) {
    std::vector<std::string> messages;
    if (auto err = checkRedirectUris(app.redirectUris, app.authorizationGrantType)) messages.push_back(*err);
    return messages;
}

FieldValues applicationValues(const Application& app) {
    return {
        {"id", app.id},
        {"created", app.created},
        {"modified", app.modified},
        {"name", app.name},
        {"description", app.description},
        {"client_id", app.clientId},
        {"client_type", app.clientType},
        {"redirect_uris", app.redirectUris},
        {"authorization_grant_type", app.authorizationGrantType},
        {"skip_authorization", app.skipAuthorization},
        {"organization", app.organizationId},
    };
}

void applyApplicationValues(const FieldValues& values, Application& app) {
    for (const auto& [name, value] : values) {
        if (name == "name") app.name = value.extract<std::string>();
        else if (name == "description") app.description = value.extract<std::string>();
        else if (name == "client_type") app.clientType = value.extract<std::string>();
        else if (name == "redirect_uris") app.redirectUris = value.extract<std::string>();
        else if (name == "authorization_grant_type") app.authorizationGrantType = value.extract<std::string>();
        else if (name == "skip_authorization") app.skipAuthorization = value.extract<bool>();
        else if (name == "organization") app.organizationId = value.extract<std::int64_t>();
    }
}

}  // namespace appreg::domain
