#include "appreg/api/Api.h"

#include <chrono>
#include <cstdio>

#include <Poco/Logger.h>

#include "appreg/http/ApiError.h"

namespace appreg::api {

namespace {

/// Wraps a handler so that a database that cannot serve the request answers 503 with a JSON detail
/// (nothing was written: the transaction rolled back) and the reason goes to the log.
template <typename Resource, typename Method>
http::Handler guarded(Resource& resource, Method method) {
    return [&resource, method](const http::Request& request, const http::PathParams& params) {
        try {
            return (resource.*method)(request, params);
        } catch (const store::DatabaseUnavailable& e) {
            Poco::Logger::get("appreg").warning("request %s: %s", request.requestId, std::string(e.what()));
            throw http::ApiError::detail(503, "The database is unavailable. Try again later.");
        }
    };
}

}  // namespace

Api::Api(const ApiSettings& settings, store::Database& database)
    : _connection(database.connect()),
      _stores(*_connection),
      _applications(_stores),
      _organizations(_stores),
      _ping(_stores, settings.nodeName) {
    _router.add("GET", "/api/v2/ping/", guarded(_ping, &PingApi::get));
    _router.add("POST", "/api/v2/applications/", guarded(_applications, &ApplicationsApi::create));
    _router.add("POST", "/api/v2/organizations/", guarded(_organizations, &OrganizationsApi::create));
    _router.add("GET", "/api/v2/organizations/{id}/", guarded(_organizations, &OrganizationsApi::get));
}

http::Response Api::handle(const http::Request& request) {
    auto start = std::chrono::steady_clock::now();
    http::Response response = _router.dispatch(request);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char time[32];
    std::snprintf(time, sizeof time, "%.3fs", seconds);
    response.setHeader("X-API-Request-Id", request.requestId);
    response.setHeader("X-API-Time", time);
    return response;
}

}  // namespace appreg::api
