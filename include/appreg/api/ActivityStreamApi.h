#pragma once

#include <optional>
#include <string>

#include "appreg/api/ApplicationsApi.h"
#include "appreg/api/OrganizationsApi.h"
#include "appreg/api/Stores.h"
#include "appreg/api/TokensApi.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"
#include "appreg/http/Router.h"

namespace appreg::api {

/// `/api/v2/activity_stream/` and the per-object history sub-lists (read-only).
class ActivityStreamApi {
public:
    ActivityStreamApi(Stores& stores, ApplicationsApi& applications, OrganizationsApi& organizations,
                      TokensApi& tokens, std::string nodeName)
        : _stores(stores),
          _applications(applications),
          _organizations(organizations),
          _tokens(tokens),
          _nodeName(std::move(nodeName)) {}

    http::Response list(const http::Request& request, const http::PathParams& params);
    http::Response get(const http::Request& request, const http::PathParams& params);
    /// GET /api/v2/applications/{id}/activity_stream/.
    http::Response listForApplication(const http::Request& request, const http::PathParams& params);
    /// GET /api/v2/organizations/{id}/activity_stream/.
    http::Response listForOrganization(const http::Request& request, const http::PathParams& params);
    /// GET /api/v2/tokens/{id}/activity_stream/.
    http::Response listForToken(const http::Request& request, const http::PathParams& params);

private:
    Stores& _stores;
    ApplicationsApi& _applications;
    OrganizationsApi& _organizations;
    TokensApi& _tokens;
    std::string _nodeName;

    http::Response listScoped(const http::Request& request, const std::optional<store::ActivityScope>& scope);
};

}  // namespace appreg::api
