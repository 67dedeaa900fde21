#pragma once

#include <cstdint>
#include <optional>

#include "appreg/api/Representation.h"
#include "appreg/api/Stores.h"
#include "appreg/domain/Access.h"
#include "appreg/domain/FieldTable.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"
#include "appreg/http/Router.h"

namespace appreg::api {

/// `/api/v2/applications/`: the OAuth2 application registry.
class ApplicationsApi {
public:
    /// `caller` is the authenticated caller of the request being served (set by Api before each request).
    ApplicationsApi(Stores& stores, const domain::Caller& caller) : _stores(stores), _caller(caller) {}

    /// GET /api/v2/applications/ (and /organizations/{id}/applications/ with `organizationId`): paginated,
    /// filtered, searched and ordered as AWX.
    http::Response list(const http::Request& request,
                        std::optional<std::int64_t> organizationId = std::nullopt);
    /// POST /api/v2/applications/: validates as AWX does (all field errors at once, then DOT's redirect rules
    /// and (name, organization) uniqueness under `__all__`), generates client_id and client_secret, stores
    /// the secret only hashed, records the activity entry in the same transaction, and answers 201 with the
    /// secret shown once. With `organizationId` (the org sub-list) the organization comes from the URL,
    /// whatever the body says.
    http::Response create(const http::Request& request,
                          std::optional<std::int64_t> organizationId = std::nullopt);
    /// GET /api/v2/applications/{id}/.
    http::Response get(const http::Request& request, const http::PathParams& params);
    /// PUT (WriteMode::Replace) or PATCH (WriteMode::Partial) /api/v2/applications/{id}/: the grant type
    /// stays, redirect and uniqueness rules are checked on the merged object, an update entry records what
    /// changed.
    http::Response update(const http::Request& request, const http::PathParams& params,
                          domain::WriteMode mode);
    /// DELETE /api/v2/applications/{id}/: 204; its tokens go with it.
    http::Response remove(const http::Request& request, const http::PathParams& params);

    /// The application or 404 `No OAuth2Application matches the given query.`
    store::ApplicationRow require(std::int64_t id);
    /// The application, which the caller may read: 404 if it does not exist, 403 if the caller may not see
    /// it.
    store::ApplicationRow requireReadable(std::int64_t id);
    /// Inside a write (`writer` are the writer's stores): the delete entries of an application about to be
    /// deleted and of each of its tokens.
    static void recordDeletion(Stores& writer, const store::ApplicationRow& row,
                               const std::string& timestamp);
    /// Renders an application with its token summary.
    http::json::Raw render(const store::ApplicationRow& row,
                           const std::optional<std::string>& clearSecret = {});

private:
    Stores& _stores;
    const domain::Caller& _caller;

    UserCapabilities capabilities(const domain::Organization& org) const;
};

}  // namespace appreg::api
