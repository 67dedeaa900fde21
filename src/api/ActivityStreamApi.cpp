#include "appreg/api/ActivityStreamApi.h"

#include "appreg/api/Listing.h"
#include "appreg/api/Representation.h"
#include "appreg/http/ApiError.h"

namespace appreg::api {

http::Response ActivityStreamApi::listScoped(const http::Request& request,
                                             const std::optional<store::ActivityScope>& scope) {
    return listResponse(
        request, store::activityListResource(),
        [&](const domain::ListQuery& q) { return _stores.activity.count(q, scope); },
        [&](const domain::ListQuery& q, std::int64_t offset, int limit, Poco::JSON::Array& results) {
            for (const auto& row : _stores.activity.page(q, offset, limit, scope)) {
                results.add(renderActivity(row.entry, row.objectExists, row.objectName, row.objectDescription,
                                           _nodeName));
            }
        });
}

http::Response ActivityStreamApi::list(const http::Request& request, const http::PathParams&) {
    return listScoped(request, std::nullopt);
}

http::Response ActivityStreamApi::get(const http::Request&, const http::PathParams& params) {
    auto row = _stores.activity.find(params.at(0));
    if (!row) throw http::ApiError::detail(404, "No ActivityStream matches the given query.");
    return http::Response::json(
        200, renderActivity(row->entry, row->objectExists, row->objectName, row->objectDescription, _nodeName));
}

http::Response ActivityStreamApi::listForApplication(const http::Request& request, const http::PathParams& params) {
    _applications.require(params.at(0));
    return listScoped(request, store::ActivityScope{"o_auth2_application", params.at(0)});
}

http::Response ActivityStreamApi::listForOrganization(const http::Request& request, const http::PathParams& params) {
    _organizations.require(params.at(0));
    return listScoped(request, store::ActivityScope{"organization", params.at(0)});
}

http::Response ActivityStreamApi::listForToken(const http::Request& request, const http::PathParams& params) {
    _tokens.require(params.at(0));
    return listScoped(request, store::ActivityScope{"o_auth2_access_token", params.at(0)});
}

}  // namespace appreg::api
