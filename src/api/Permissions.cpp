#include "appreg/api/Permissions.h"

#include <cmath>

#include <Poco/NumberParser.h>

namespace appreg::api {

const char* const kPermissionDenied = "You do not have permission to perform this action.";

http::ApiError permissionDenied() { return http::ApiError::detail(403, kPermissionDenied); }

void require(bool allowed) {
    if (!allowed) throw permissionDenied();
}

std::optional<store::Visibility> visibilityOf(const domain::Caller& caller) {
    if (caller.readsEverything()) return std::nullopt;
    store::Visibility v;
    v.userId = caller.user.id;
    v.organizations = caller.roles.all();
    v.adminOrganizations = caller.roles.admin;
    return v;
}

void checkOrganizationForApplication(const domain::Caller& caller, const Poco::JSON::Object& body,
                                     const std::function<bool(std::int64_t)>& exists) {
    if (caller.isSuperuser()) return;
    if (!body.has("organization") || body.isNull("organization")) throw permissionDenied();
    Poco::Dynamic::Var value = body.get("organization");
    // AWX's get_object_from_data: Python's int(value): an integer, a string of digits, a float truncated.
    std::optional<std::int64_t> id;
    if (value.isInteger() && !value.isBoolean()) {
        id = value.convert<std::int64_t>();
    } else if (value.isString()) {
        Poco::Int64 parsed = 0;
        std::string text = domain::trim(value.extract<std::string>());
        if (Poco::NumberParser::tryParse64(text, parsed)) id = parsed;
    } else if (value.isNumeric() && !value.isBoolean()) {
        double d = value.convert<double>();
        if (std::isfinite(d) && std::fabs(d) < 9e18) id = static_cast<std::int64_t>(std::trunc(d));
    }
    if (!id) throw http::ApiError::detail(400, "Bad data found in related field organization.");
    if (!exists(*id)) throw http::ApiError::detail(400, "Organization matching query does not exist.");
    if (!domain::access::canAddApplication(caller, *id)) throw permissionDenied();
}

}  // namespace appreg::api
