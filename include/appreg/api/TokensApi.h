#pragma once

#include <cstdint>
#include <optional>

#include "appreg/api/ApplicationsApi.h"
#include "appreg/api/Stores.h"
#include "appreg/domain/FieldTable.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"
#include "appreg/http/Router.h"

namespace appreg::api {

/// `/api/v2/tokens/` and `/api/v2/applications/{id}/tokens/`: OAuth2 access tokens (awx-reference.md §5.1).
/// A token and its refresh token are 30 characters from the CSPRNG, stored only as SHA-256 digests and shown
/// in clear only in the 201 that creates them.
class TokensApi {
public:
    TokensApi(Stores& stores, ApplicationsApi& applications, std::int64_t lifetimeSeconds,
              const domain::Caller& caller)
        : _stores(stores), _applications(applications), _lifetimeSeconds(lifetimeSeconds), _caller(caller) {}

    http::Response list(const http::Request& request, const http::PathParams& params);
    /// POST /api/v2/tokens/: `application` optional (none: a personal token without a refresh token).
    http::Response create(const http::Request& request, const http::PathParams& params);
    /// GET /api/v2/applications/{id}/tokens/.
    http::Response listForApplication(const http::Request& request, const http::PathParams& params);
    /// POST /api/v2/applications/{id}/tokens/: the application comes from the URL.
    http::Response createForApplication(const http::Request& request, const http::PathParams& params);
    http::Response get(const http::Request& request, const http::PathParams& params);
    /// PUT or PATCH /api/v2/tokens/{id}/: only description and scope change.
    http::Response update(const http::Request& request, const http::PathParams& params,
                          domain::WriteMode mode);
    http::Response remove(const http::Request& request, const http::PathParams& params);

    /// The token or 404 `No OAuth2AccessToken matches the given query.`
    store::TokenRow require(std::int64_t id);
    /// The token, which the caller may read: 404 if it does not exist, 403 if the caller may not see it.
    store::TokenRow requireReadable(std::int64_t id);

    /// A token just issued, with its secrets in clear (shown once).
    struct Issued {
        domain::Token token;
        std::string clearToken;
        std::optional<std::string> clearRefresh;
    };
    /// Inside a write (`writer`): generates the access token (and a refresh token when the token has an
    /// application), stamps created/modified/expires, inserts it and records its create entry. `token` brings
    /// description, scope, user and application.
    Issued issue(Stores& writer, domain::Token token,
                 const std::optional<std::string>& applicationName) const;

private:
    Stores& _stores;
    ApplicationsApi& _applications;
    std::int64_t _lifetimeSeconds;
    const domain::Caller& _caller;

    http::Response listScoped(const http::Request& request, std::optional<std::int64_t> applicationId);
    http::Response createToken(const http::Request& request, std::optional<std::int64_t> applicationId);
};

}  // namespace appreg::api
