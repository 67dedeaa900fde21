#pragma once

#include <optional>
#include <string>

#include "appreg/api/ApplicationsApi.h"
#include "appreg/api/OrganizationsApi.h"
#include "appreg/api/Stores.h"
#include "appreg/api/TokensApi.h"
#include "appreg/api/UsersApi.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"
#include "appreg/http/Router.h"

namespace appreg::api {

/// `/api/v2/activity_stream/` and the per-object history sub-lists (read-only).
class ActivityStreamApi {
public:
    ActivityStreamApi(Stores& stores, ApplicationsApi& applications, OrganizationsApi& organizations,
                      TokensApi& tokens, UsersApi& users, std::string nodeName, const domain::Caller& caller)
        : _stores(stores),
          _applications(applications),
          _organizations(organizations),
          _tokens(tokens),
          _users(users),
          _nodeName(std::move(nodeName)),
          _caller(caller) {}

    http::Response list(const http::Request& request, const http::PathParams& params);
    http::Response get(const http::Request& request, const http::PathParams& params);
    /// GET /api/v2/applications/{id}/activity_stream/.
    http::Response listForApplication(const http::Request& request, const http::PathParams& params);
    /// GET /api/v2/organizations/{id}/activity_stream/.
    http::Response listForOrganization(const http::Request& request, const http::PathParams& params);
    /// GET /api/v2/tokens/{id}/activity_stream/.
    http::Response listForToken(const http::Request& request, const http::PathParams& params);
    /// GET /api/v2/users/{id}/activity_stream/.
    http::Response listForUser(const http::Request& request, const http::PathParams& params);

private:
    Stores& _stores;
    ApplicationsApi& _applications;
    OrganizationsApi& _organizations;
    TokensApi& _tokens;
    UsersApi& _users;
    std::string _nodeName;
    const domain::Caller& _caller;

    http::Response listScoped(const http::Request& request, const std::optional<store::ActivityScope>& scope);
};

}  // namespace appreg::api
