#pragma once

#include "appreg/api/ApplicationsApi.h"
#include "appreg/api/Stores.h"
#include "appreg/domain/FieldTable.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"
#include "appreg/http/Router.h"

namespace appreg::api {

/// `/api/v2/organizations/`: the owners of applications (API.md §6).
class OrganizationsApi {
public:
    OrganizationsApi(Stores& stores, ApplicationsApi& applications, const domain::Caller& caller)
        : _stores(stores), _applications(applications), _caller(caller) {}

    http::Response list(const http::Request& request, const http::PathParams& params);
    /// POST /api/v2/organizations/: name required, not blank, at most 512 characters, unique.
    http::Response create(const http::Request& request, const http::PathParams& params);
    http::Response get(const http::Request& request, const http::PathParams& params);
    /// PUT or PATCH /api/v2/organizations/{id}/.
    http::Response update(const http::Request& request, const http::PathParams& params,
                          domain::WriteMode mode);
    /// DELETE /api/v2/organizations/{id}/: its applications and their tokens go with it.
    http::Response remove(const http::Request& request, const http::PathParams& params);

    /// GET /api/v2/organizations/{id}/applications/.
    http::Response listApplications(const http::Request& request, const http::PathParams& params);
    /// POST /api/v2/organizations/{id}/applications/: the organization comes from the URL.
    http::Response createApplication(const http::Request& request, const http::PathParams& params);

    /// The organization or 404 `No Organization matches the given query.`
    domain::Organization require(std::int64_t id);
    /// The organization, which the caller may read: 404 if it does not exist, 403 if the caller may not see
    /// it.
    domain::Organization requireReadable(std::int64_t id);

private:
    Stores& _stores;
    ApplicationsApi& _applications;
    const domain::Caller& _caller;

    UserCapabilities capabilities(const domain::Organization& org) const;
};

}  // namespace appreg::api
