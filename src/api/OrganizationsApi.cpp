#include "appreg/api/OrganizationsApi.h"

#include "appreg/api/Representation.h"
#include "appreg/api/RequestBody.h"
#include "appreg/domain/Timestamp.h"
#include "appreg/http/ApiError.h"
#include "appreg/http/Json.h"

namespace appreg::api {

namespace {
const char* const kDuplicateName = "Organization with this Name already exists.";

http::ApiError duplicateName() {
    domain::FieldErrors errors;
    errors.add("name", kDuplicateName);
    return http::ApiError(400, errors.toJson());
}
}  // namespace

http::Response OrganizationsApi::create(const http::Request& request, const http::PathParams&) {
    auto body = readJsonObject(request);
    domain::FieldErrors errors;
    auto values = domain::organizationFields().validate(
        *body, domain::WriteMode::Create, [](const std::string&, std::int64_t) { return false; }, errors);
    if (!errors.empty()) throw http::ApiError(400, errors.toJson());

    domain::Organization org;
    domain::applyOrganizationValues(values, org);
    org.created = org.modified = domain::formatTimestamp(domain::nowMicros());
    {
        store::WriteTransaction tx(_stores.connection);
        if (_stores.organizations.nameTaken(org.name)) throw duplicateName();
        try {
            org.id = _stores.organizations.insert(org);
        } catch (const store::ConstraintViolation& e) {
            if (e.kind() == store::ConstraintViolation::Kind::Unique) throw duplicateName();
            throw;
        }
        _stores.activity.record("create", "organization", org.id, http::json::stringify(organizationChanges(org)),
                                org.created);
        tx.commit();
    }
    http::Response response = http::Response::json(201, renderOrganization(org, UserCapabilities{}));
    response.setHeader("Location", organizationUrl(org.id));
    return response;
}

http::Response OrganizationsApi::get(const http::Request&, const http::PathParams& params) {
    auto org = _stores.organizations.find(params.at(0));
    if (!org) throw http::ApiError::detail(404, "No Organization matches the given query.");
    return http::Response::json(200, renderOrganization(*org, UserCapabilities{}));
}

}  // namespace appreg::api
