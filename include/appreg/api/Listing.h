#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <Poco/JSON/Array.h>

#include "appreg/domain/ListQuery.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"

namespace appreg::api {

/// Counts the rows a query matches.
using CountRows = std::function<std::int64_t(const domain::ListQuery&)>;
/// Renders one page of them into `results`.
using RenderPage =
    std::function<void(const domain::ListQuery&, std::int64_t offset, int limit, Poco::JSON::Array& results)>;

/// A paginated AWX list response `{count, next, previous, results}` for a request: parses the list parameters
/// against `resource`, counts, resolves the page (404 "Invalid page."), renders it and builds the relative
/// next/previous links with the query kept. Throws http::ApiError for bad parameters.
http::Response listResponse(const http::Request& request, const domain::ListResource& resource,
                            const CountRows& count, const RenderPage& render);

}  // namespace appreg::api
