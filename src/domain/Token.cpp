#include "appreg/domain/Token.h"

#include <set>
#include <sstream>

namespace appreg::domain {

const char* const kInvalidScope = "Must be a simple space-separated string with allowed scopes ['read', 'write'].";

const FieldTable& tokenFields() {
    static const FieldTable table(concatFields(commonFields("access token", "o_auth2_access_token", "Access Token"), {
        {.name = "description", .type = FieldType::String, .label = "Description",
         .helpText = "Optional description of this access token.", .defaultValue = std::string(),
         .column = "description", .searchable = true},
        {.name = "user", .type = FieldType::PrimaryKey, .label = "User",
         .helpText = "The user representing the token owner", .readOnly = true, .column = "user_id",
         .relatedModel = "User"},
        {.name = "token", .type = FieldType::String, .label = "Token", .readOnly = true, .column = "token_digest",
         .preventSearch = true},
        {.name = "refresh_token", .type = FieldType::String, .label = "Refresh Token", .readOnly = true,
         .column = "refresh_token_digest", .preventSearch = true},
        {.name = "application", .type = FieldType::PrimaryKey, .label = "Application",
         .readOnlyOnUpdate = true, .column = "application_id", .relatedModel = "OAuth2Application"},
        {.name = "expires", .type = FieldType::DateTime, .label = "Expires", .readOnly = true, .column = "expires"},
        {.name = "scope", .type = FieldType::String, .label = "Scope",
         .helpText = "Allowed scopes, further restricts user's permissions. Must be a simple space-separated "
                     "string with allowed scopes ['read', 'write'].",
         .defaultValue = std::string("write"), .column = "scope", .nullable = false,
         .validator = [](const std::string& scope) -> std::optional<std::string> {
             if (validScope(scope)) return std::nullopt;
             return std::string(kInvalidScope);
         }},
    }));
    return table;
}

bool validScope(const std::string& scope) {
    if (scope.empty()) return false;
    std::set<std::string> seen;
    std::size_t start = 0;
    while (start <= scope.size()) {
        auto space = scope.find(' ', start);
        if (space == std::string::npos) space = scope.size();
        std::string word = scope.substr(start, space - start);
        if ((word != "read" && word != "write") || !seen.insert(word).second) return false;
        start = space + 1;
    }
    return true;
}

FieldValues tokenValues(const Token& t) {
    FieldValues v{{"id", t.id},           {"created", t.created}, {"modified", t.modified},
                  {"description", t.description}, {"expires", t.expires}, {"scope", t.scope}};
    v["user"] = t.userId ? Poco::Dynamic::Var(*t.userId) : Poco::Dynamic::Var();
    v["application"] = t.applicationId ? Poco::Dynamic::Var(*t.applicationId) : Poco::Dynamic::Var();
    return v;
}

void applyTokenValues(const FieldValues& values, Token& t) {
    for (const auto& [name, value] : values) {
        if (name == "description") t.description = value.extract<std::string>();
        else if (name == "scope") t.scope = value.extract<std::string>();
        else if (name == "application") t.applicationId = value.isEmpty() ? std::nullopt : std::optional<std::int64_t>(value.extract<std::int64_t>());
    }
}

}  // namespace appreg::domain
