#pragma once

#include <cstdint>
#include <string>

#include "appreg/api/OrganizationsApi.h"
#include "appreg/api/Representation.h"
#include "appreg/api/Stores.h"
#include "appreg/domain/Access.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"
#include "appreg/http/Router.h"

namespace appreg::api {

/// `/api/v2/users/`, `/api/v2/me/` and the membership sub-lists `/api/v2/organizations/{id}/users/` and
/// `/admins/` (API.md §7, awx-reference.md §7). Passwords are stored only as PBKDF2 hashes and shown as
/// "$encrypted$".
class UsersApi {
public:
    UsersApi(Stores& stores, OrganizationsApi& organizations, unsigned passwordIterations,
             const domain::Caller& caller)
        : _stores(stores),
          _organizations(organizations),
          _passwordIterations(passwordIterations),
          _caller(caller) {}

    http::Response list(const http::Request& request, const http::PathParams& params);
    /// POST /api/v2/users/: username (unique) and password required.
    http::Response create(const http::Request& request, const http::PathParams& params);
    http::Response get(const http::Request& request, const http::PathParams& params);
    /// PUT or PATCH /api/v2/users/{id}/; a non-empty password other than "$encrypted$" replaces the password.
    http::Response update(const http::Request& request, const http::PathParams& params,
                          domain::WriteMode mode);
    /// DELETE /api/v2/users/{id}/: the user's roles and tokens go with them.
    http::Response remove(const http::Request& request, const http::PathParams& params);
    /// GET /api/v2/me/: a list of one, the caller (as AWX).
    http::Response me(const http::Request& request, const http::PathParams& params);

    /// GET /api/v2/organizations/{id}/users/ (role "member") or /admins/ (role "admin").
    http::Response listMembers(const http::Request& request, const http::PathParams& params,
                               const std::string& role);
    /// POST to the same: `{"id": N}` gives user N the role, `{"id": N, "disassociate": true}` takes it; 204.
    http::Response changeMembership(const http::Request& request, const http::PathParams& params,
                                    const std::string& role);

    /// The user, whom the caller may see: 404 if they do not exist, 403 if the caller may not see them.
    domain::User requireReadable(std::int64_t id);

private:
    Stores& _stores;
    OrganizationsApi& _organizations;
    unsigned _passwordIterations;
    const domain::Caller& _caller;

    domain::User require(std::int64_t id);
    UserCapabilities capabilities(const domain::User& user, const domain::OrganizationRoles& roles) const;
    Poco::JSON::Object::Ptr render(const domain::User& user);
    http::Response listScoped(const http::Request& request, const store::UserScope& scope);
};

}  // namespace appreg::api
