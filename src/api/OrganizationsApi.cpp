#include "appreg/api/OrganizationsApi.h"

#include <limits>

#include "appreg/api/Listing.h"
#include "appreg/api/Permissions.h"
#include "appreg/api/Representation.h"
#include "appreg/api/RequestBody.h"
#include "appreg/domain/Timestamp.h"
#include "appreg/http/ApiError.h"
#include "appreg/http/Json.h"

namespace appreg::api {

namespace {

http::ApiError duplicateName() {
    domain::FieldErrors errors;
    errors.add("name", "Organization with this Name already exists.");
    return http::ApiError(400, errors.toJson());
}

domain::FieldValues validateBody(const Poco::JSON::Object& body, domain::WriteMode mode) {
    // An organization refers to nothing, so no existence check is ever asked.
    return validatedFields(domain::organizationFields(), body, mode,
                           [](const std::string&, std::int64_t) { return false; });
}

}  // namespace

domain::Organization OrganizationsApi::require(std::int64_t id) {
    auto org = _stores.organizations.find(id);
    if (!org) throw http::ApiError::detail(404, "No Organization matches the given query.");
    return *org;
}

domain::Organization OrganizationsApi::requireReadable(std::int64_t id) {
    domain::Organization org = require(id);
    api::require(domain::access::canReadOrganization(_caller, org.id));
    return org;
}

UserCapabilities OrganizationsApi::capabilities(const domain::Organization& org) const {
    bool change = domain::access::canChangeOrganization(_caller, org.id);
    return UserCapabilities{change, change};
}

http::Response OrganizationsApi::list(const http::Request& request, const http::PathParams&) {
    const auto visibility = visibilityOf(_caller);
    return listResponse(
        request, store::organizationListResource(),
        [&](const domain::ListQuery& q) { return _stores.organizations.count(q, visibility); },
        [&](const domain::ListQuery& q, std::int64_t offset, int limit, Poco::JSON::Array& results) {
            for (const auto& org : _stores.organizations.page(q, offset, limit, visibility)) {
                results.add(renderOrganization(org, capabilities(org)));
            }
        });
}

http::Response OrganizationsApi::create(const http::Request& request, const http::PathParams&) {
    auto body = readJsonObject(request);
    api::require(domain::access::canAddOrganization(_caller));
    domain::Organization org;
    domain::applyOrganizationValues(validateBody(*body, domain::WriteMode::Create), org);
    org.created = org.modified = domain::formatTimestamp(domain::nowMicros());
    _stores.write([&](Stores& w) {
        if (w.organizations.nameTaken(org.name)) throw duplicateName();
        try {
            org.id = w.organizations.insert(org);
        } catch (const store::ConstraintViolation& e) {
            if (e.kind() == store::ConstraintViolation::Kind::Unique) throw duplicateName();
            throw;
        }
        w.activity.record("create", "organization", org.id, http::json::stringify(organizationChanges(org)),
                          org.created);
    });
    http::Response response = http::Response::json(201, renderOrganization(org, capabilities(org)));
    response.setHeader("Location", organizationUrl(org.id));
    return response;
}

http::Response OrganizationsApi::get(const http::Request&, const http::PathParams& params) {
    domain::Organization org = requireReadable(params.at(0));
    return http::Response::json(200, renderOrganization(org, capabilities(org)));
}

http::Response OrganizationsApi::update(const http::Request& request, const http::PathParams& params,
                                        domain::WriteMode mode) {
    auto body = readJsonObject(request);
    api::require(domain::access::canChangeOrganization(_caller, requireReadable(params.at(0)).id));
    auto values = validateBody(*body, mode);
    domain::Organization org;
    _stores.write([&](Stores& w) {
        auto before = w.organizations.find(params.at(0));
        if (!before) throw http::ApiError::detail(404, "No Organization matches the given query.");
        org = *before;
        domain::applyOrganizationValues(values, org);
        if (w.organizations.nameTaken(org.name, org.id)) throw duplicateName();
        org.modified = domain::formatTimestamp(domain::nowMicros());
        try {
            w.organizations.update(org);
        } catch (const store::ConstraintViolation& e) {
            if (e.kind() == store::ConstraintViolation::Kind::Unique) throw duplicateName();
            throw;
        }
        auto changes = changedValues(organizationChanges(*before), organizationChanges(org));
        if (changes->size() > 0) {
            w.activity.record("update", "organization", org.id, http::json::stringify(changes), org.modified);
        }
    });
    return http::Response::json(200, renderOrganization(org, capabilities(org)));
}

http::Response OrganizationsApi::remove(const http::Request&, const http::PathParams& params) {
    api::require(domain::access::canChangeOrganization(_caller, requireReadable(params.at(0)).id));
    _stores.write([&](Stores& w) {
        auto org = w.organizations.find(params.at(0));
        if (!org) throw http::ApiError::detail(404, "No Organization matches the given query.");
        std::string now = domain::formatTimestamp(domain::nowMicros());
        domain::ListQuery all = domain::parseListQuery({}, store::applicationListResource());
        for (const auto& row :
             w.applications.page(all, 0, std::numeric_limits<int>::max(), std::nullopt, org->id)) {
            ApplicationsApi::recordDeletion(w, row, now);
        }
        w.activity.record("delete", "organization", org->id, http::json::stringify(organizationChanges(*org)),
                          now);
        w.organizations.remove(org->id);
    });
    return http::Response::noContent();
}

http::Response OrganizationsApi::listApplications(const http::Request& request,
                                                  const http::PathParams& params) {
    requireReadable(params.at(0));
    return _applications.list(request, params.at(0));
}

http::Response OrganizationsApi::createApplication(const http::Request& request,
                                                   const http::PathParams& params) {
    requireReadable(params.at(0));
    return _applications.create(request, params.at(0));
}

}  // namespace appreg::api
