#pragma once

#include "appreg/api/Stores.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"
#include "appreg/http/Router.h"

namespace appreg::api {

/// `/api/v2/applications/`: the OAuth2 application registry.
class ApplicationsApi {
public:
    explicit ApplicationsApi(Stores& stores) : _stores(stores) {}

    /// POST /api/v2/applications/: validates as AWX does (all field errors at once, then DOT's redirect rules and
    /// (name, organization) uniqueness under `__all__`), generates client_id and client_secret, stores the secret
    /// only hashed, records the activity entry in the same transaction, and answers 201 with the secret shown once.
    http::Response create(const http::Request& request, const http::PathParams& params);

private:
    Stores& _stores;
};

}  // namespace appreg::api
