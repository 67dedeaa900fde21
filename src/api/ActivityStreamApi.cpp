#include "appreg/api/ActivityStreamApi.h"

#include "appreg/api/Listing.h"
#include "appreg/api/Permissions.h"
#include "appreg/api/Representation.h"
#include "appreg/http/ApiError.h"

namespace appreg::api {

http::Response ActivityStreamApi::listScoped(const http::Request& request,
                                             const std::optional<store::ActivityScope>& scope) {
    const auto visibility = visibilityOf(_caller);
    return listResponse(
        request, store::activityListResource(),
        [&](const domain::ListQuery& q) { return _stores.activity.count(q, visibility, scope); },
        [&](const domain::ListQuery& q, std::int64_t offset, int limit, Poco::JSON::Array& results) {
            for (const auto& row : _stores.activity.page(q, offset, limit, visibility, scope)) {
                results.add(renderActivity(row, _nodeName));
            }
        });
}

http::Response ActivityStreamApi::list(const http::Request& request, const http::PathParams&) {
    return listScoped(request, std::nullopt);
}

http::Response ActivityStreamApi::get(const http::Request&, const http::PathParams& params) {
    auto row = _stores.activity.find(params.at(0));
    if (!row) throw http::ApiError::detail(404, "No ActivityStream matches the given query.");
    if (auto visibility = visibilityOf(_caller)) {
        auto one =
            domain::parseListQuery({{"id", std::to_string(row->entry.id)}}, store::activityListResource());
        api::require(_stores.activity.count(one, visibility) > 0);
    }
    return http::Response::json(200, renderActivity(*row, _nodeName));
}

http::Response ActivityStreamApi::listForApplication(const http::Request& request,
                                                     const http::PathParams& params) {
    _applications.requireReadable(params.at(0));
    return listScoped(request, store::ActivityScope{"o_auth2_application", params.at(0)});
}

http::Response ActivityStreamApi::listForOrganization(const http::Request& request,
                                                      const http::PathParams& params) {
    _organizations.requireReadable(params.at(0));
    return listScoped(request, store::ActivityScope{"organization", params.at(0)});
}

http::Response ActivityStreamApi::listForUser(const http::Request& request, const http::PathParams& params) {
    _users.requireReadable(params.at(0));
    return listScoped(request, store::ActivityScope{"user", params.at(0)});
}

http::Response ActivityStreamApi::listForToken(const http::Request& request, const http::PathParams& params) {
    _tokens.requireReadable(params.at(0));
    return listScoped(request, store::ActivityScope{"o_auth2_access_token", params.at(0)});
}

}  // namespace appreg::api
