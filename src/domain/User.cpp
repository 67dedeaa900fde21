#include "appreg/domain/User.h"

#include <cctype>
#include <regex>

namespace appreg::domain {

const char* const kEncryptedPassword = "$encrypted$";

namespace {

std::optional<std::string> validUsername(const std::string& username) {
    // Django's UnicodeUsernameValidator: \w (Unicode letters and digits) and @ . + - _. Non-ASCII bytes are
    // let through (they come from valid UTF-8, which the JSON check guarantees, and \w accepts letters of any
    // script).
    for (unsigned char c : username) {
        if (c >= 0x80 || std::isalnum(c) || c == '@' || c == '.' || c == '+' || c == '-' || c == '_')
            continue;
        return std::string(
            "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ "
            "characters.");
    }
    return std::nullopt;
}

std::optional<std::string> validEmail(const std::string& email) {
    if (email.empty()) return std::nullopt;
    // Django's EmailValidator, reduced to what it rejects in practice: one @, a non-empty dot-atom user part
    // and a domain of dot-separated labels.
    static const std::regex pattern(
        R"(^[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}$)");
    if (!std::regex_match(email, pattern)) return std::string("Enter a valid email address.");
    return std::nullopt;
}

}  // namespace

const FieldTable& userFields() {
    static const FieldTable table(concatFields(
        commonFields("user", "user", "User"),
        {
            {.name = "username",
             .type = FieldType::String,
             .label = "Username",
             .helpText = "Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.",
             .required = true,
             .allowBlank = false,
             .maxLength = 150,
             .column = "username",
             .searchable = true,
             .validator = validUsername},
            {.name = "first_name",
             .type = FieldType::String,
             .label = "First name",
             .maxLength = 150,
             .defaultValue = std::string(),
             .column = "first_name",
             .searchable = true},
            {.name = "last_name",
             .type = FieldType::String,
             .label = "Last name",
             .maxLength = 150,
             .defaultValue = std::string(),
             .column = "last_name",
             .searchable = true},
            {.name = "email",
             .type = FieldType::String,
             .label = "Email address",
             .maxLength = 254,
             .defaultValue = std::string(),
             .column = "email",
             .searchable = true,
             .validator = validEmail},
            {.name = "is_superuser",
             .type = FieldType::Boolean,
             .label = "Superuser status",
             .helpText = "Designates that this user has all permissions without explicitly assigning them.",
             .defaultValue = false,
             .column = "is_superuser"},
            {.name = "is_system_auditor",
             .type = FieldType::Boolean,
             .label = "System auditor",
             .defaultValue = false,
             .column = "is_system_auditor"},
            {.name = "password",
             .type = FieldType::String,
             .label = "Password",
             .helpText = "Field used to change the password.",
             .defaultValue = std::string(),
             .preventSearch = true},
        }));
    return table;
}

FieldValues userValues(const User& user) {
    return {{"id", user.id},
            {"created", user.created},
            {"modified", user.modified},
            {"username", user.username},
            {"first_name", user.firstName},
            {"last_name", user.lastName},
            {"email", user.email},
            {"is_superuser", user.isSuperuser},
            {"is_system_auditor", user.isSystemAuditor}};
}

void applyUserValues(const FieldValues& values, User& user) {
    for (const auto& [name, value] : values) {
        if (name == "username")
            user.username = value.extract<std::string>();
        else if (name == "first_name")
            user.firstName = value.extract<std::string>();
        else if (name == "last_name")
            user.lastName = value.extract<std::string>();
        else if (name == "email")
            user.email = value.extract<std::string>();
        else if (name == "is_superuser")
            user.isSuperuser = value.extract<bool>();
        else if (name == "is_system_auditor")
            user.isSystemAuditor = value.extract<bool>();
    }
}

std::set<std::int64_t> OrganizationRoles::all() const {
    std::set<std::int64_t> ids = admin;
    ids.insert(member.begin(), member.end());
    return ids;
}

}  // namespace appreg::domain
