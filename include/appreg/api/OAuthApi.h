#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "appreg/api/Authenticator.h"
#include "appreg/api/Stores.h"
#include "appreg/api/TokensApi.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"
#include "appreg/http/Router.h"

namespace appreg::api {

/// The OAuth2 endpoints under `/api/o/`, as django-oauth-toolkit answers them for AWX (RFC 6749, RFC 7009):
/// `token/` for the `password` and `refresh_token` grants, `revoke_token/`. Form-encoded requests; the client
/// authenticates with HTTP Basic `client_id:client_secret` or with `client_id` (and `client_secret`) in the
/// form; a public client with `client_id` alone. Errors are `{"error": ..., "error_description": ...}`.
class OAuthApi {
public:
    OAuthApi(Stores& stores, Authenticator& authenticator, TokensApi& tokens, std::int64_t lifetimeSeconds)
        : _stores(stores),
          _authenticator(authenticator),
          _tokens(tokens),
          _lifetimeSeconds(lifetimeSeconds) {}

    /// POST /api/o/token/.
    http::Response token(const http::Request& request, const http::PathParams& params);
    /// POST /api/o/revoke_token/: 200 whether or not the token existed (RFC 7009 §2.2).
    http::Response revoke(const http::Request& request, const http::PathParams& params);

private:
    Stores& _stores;
    Authenticator& _authenticator;
    TokensApi& _tokens;
    std::int64_t _lifetimeSeconds;

    struct Form;
    store::ApplicationRow authenticateClient(const http::Request& request, const Form& form);
    http::Response passwordGrant(const http::Request& request, const Form& form);
    http::Response refreshGrant(const http::Request& request, const Form& form);
    http::Response issued(const TokensApi::Issued& issued);
};

}  // namespace appreg::api
