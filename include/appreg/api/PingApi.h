#pragma once

#include <string>

#include "appreg/api/Stores.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"
#include "appreg/http/Router.h"

namespace appreg::api {

/// `/api/v2/ping/`: anonymous health check: version, node name and whether the database answers.
class PingApi {
public:
    PingApi(Stores& stores, std::string nodeName) : _stores(stores), _nodeName(std::move(nodeName)) {}

    http::Response get(const http::Request& request, const http::PathParams& params);

private:
    Stores& _stores;
    std::string _nodeName;
};

}  // namespace appreg::api
