#pragma once

#include "appreg/api/Stores.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"
#include "appreg/http/Router.h"

namespace appreg::api {

/// `/api/v2/organizations/`: the owners of applications (API.md §6).
class OrganizationsApi {
public:
    explicit OrganizationsApi(Stores& stores) : _stores(stores) {}

    /// POST /api/v2/organizations/: name required, not blank, at most 512 characters, unique.
    http::Response create(const http::Request& request, const http::PathParams& params);
    /// GET /api/v2/organizations/{id}/.
    http::Response get(const http::Request& request, const http::PathParams& params);

private:
    Stores& _stores;
};

}  // namespace appreg::api
