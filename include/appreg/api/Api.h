#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "appreg/api/ActivityStreamApi.h"
#include "appreg/api/ApplicationsApi.h"
#include "appreg/api/Authenticator.h"
#include "appreg/api/CredentialCache.h"
#include "appreg/api/OAuthApi.h"
#include "appreg/api/OrganizationsApi.h"
#include "appreg/api/PingApi.h"
#include "appreg/api/ResponseCache.h"
#include "appreg/api/TokensApi.h"
#include "appreg/api/UsersApi.h"
#include "appreg/domain/Passwords.h"
#include "appreg/http/Router.h"
#include "appreg/store/Database.h"

namespace appreg::api {

/// What the API layer needs to know of the worker's configuration.
struct ApiSettings {
    std::string nodeName;  ///< reported by /api/v2/ping/ and activity entries
    std::int64_t tokenLifetimeSeconds =
        31536000000;  ///< access tokens expire this long after creation (AWX's default)
    unsigned passwordIterations =
        domain::kDefaultPasswordIterations;  ///< PBKDF2 iterations of new password hashes
    CredentialCache* credentials = nullptr;  ///< shared by every worker thread; required
    std::size_t listCacheBytes = 524288;  ///< list responses each thread remembers (ResponseCache); 0: none
};

/// The whole API for one worker thread: its own database connection, the stores on it, the resources and the
/// router that binds them to paths (API.md §1). Not shared between threads.
///
/// Every route but `/api/v2/ping/` and the OAuth2 endpoints under `/api/o/` (which authenticate the client
/// themselves) needs credentials: the router's guard authenticates the caller once per request, before the
/// method is looked at, refuses a read-scope token anything but GET, HEAD and OPTIONS, and sets the caller
/// the resources see (they hold a reference to it) and the actor of the activity entries.
class Api {
public:
    Api(const ApiSettings& settings, store::Database& database);

    /// Answers one request; never throws. Adds the headers every response carries (X-API-Request-Id,
    /// X-API-Time).
    http::Response handle(const http::Request& request);

    const http::Router& router() const { return _router; }

private:
    std::unique_ptr<store::Connection> _connection;
    Stores _stores;
    domain::Caller _caller;  ///< of the request being served
    Authenticator _authenticator;
    ApplicationsApi _applications;
    OrganizationsApi _organizations;
    TokensApi _tokens;
    UsersApi _users;
    ActivityStreamApi _activity;
    OAuthApi _oauth;
    PingApi _ping;
    http::Router _router;
    ResponseCache _lists;  ///< list responses of this thread

    void addRoute(const std::string& method, const std::string& pattern, http::Handler handler);
    /// A GET list route whose 200 responses the thread remembers (ResponseCache).
    void addListRoute(const std::string& pattern, http::Handler handler);
    void authenticate(const http::Request& request, const std::string& pattern);
    /// Whether an OPTIONS response offers its write action: `offer`'s answer, false where it throws the API's
    /// 403 or 404.
    static bool offers(const std::function<bool(const http::PathParams&)>& offer,
                       const http::PathParams& params);
};

}  // namespace appreg::api
