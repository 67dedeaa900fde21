#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "appreg/api/ActivityStreamApi.h"
#include "appreg/api/ApplicationsApi.h"
#include "appreg/api/OrganizationsApi.h"
#include "appreg/api/PingApi.h"
#include "appreg/api/TokensApi.h"
#include "appreg/http/Router.h"
#include "appreg/store/Database.h"

namespace appreg::api {

/// What the API layer needs to know of the worker's configuration.
struct ApiSettings {
    std::string nodeName;                           ///< reported by /api/v2/ping/ and activity entries
    std::int64_t tokenLifetimeSeconds = 31536000000;  ///< access tokens expire this long after creation (AWX's default)
};

/// The whole API for one worker thread: its own database connection, the stores on it, the resources and the
/// router that binds them to paths (API.md §1). Not shared between threads.
class Api {
public:
    Api(const ApiSettings& settings, store::Database& database);

    /// Answers one request; never throws. Adds the headers every response carries (X-API-Request-Id, X-API-Time).
    http::Response handle(const http::Request& request);

    const http::Router& router() const { return _router; }

private:
    std::unique_ptr<store::Connection> _connection;
    Stores _stores;
    ApplicationsApi _applications;
    OrganizationsApi _organizations;
    TokensApi _tokens;
    ActivityStreamApi _activity;
    PingApi _ping;
    http::Router _router;

    void addRoute(const std::string& method, const std::string& pattern, http::Handler handler);
};

}  // namespace appreg::api
