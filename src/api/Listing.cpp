#include "appreg/api/Listing.h"

#include "appreg/http/Json.h"

namespace appreg::api {

http::Response listResponse(const http::Request& request, const domain::ListResource& resource,
                            const CountRows& count, const RenderPage& render) {
    auto params = request.queryParams();
    domain::ListQuery query = domain::parseListQuery(params, resource);
    std::int64_t total = query.matchesNothing ? 0 : count(query);
    domain::PageWindow window = domain::resolvePage(query, total);

    Poco::JSON::Array::Ptr results = new Poco::JSON::Array();
    if (!query.matchesNothing && total > 0) render(query, window.offset, window.limit, *results);

    auto body = http::json::newObject();
    if (!query.countDisabled) {
        body->set("count", total);
        Poco::Dynamic::Var next, previous;  // null unless there is such a page
        if (window.number < window.pages)
            next = domain::pageLink(request.path, params, window.number + 1, query.pageSizeCapped);
        if (window.number > 1) {
            // DRF drops `page` altogether for the first page.
            previous = domain::pageLink(request.path, params, window.number == 2 ? 0 : window.number - 1,
                                        query.pageSizeCapped);
        }
        body->set("next", next);
        body->set("previous", previous);
    }
    body->set("results", results);
    return http::Response::json(200, body);
}

}  // namespace appreg::api
