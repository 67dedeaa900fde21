#include "appreg/api/PingApi.h"

#include "appreg/http/ApiError.h"
#include "appreg/http/Json.h"

namespace appreg::api {

http::Response PingApi::get(const http::Request&, const http::PathParams&) {
    std::int64_t one = 0;
    store::Query probe(_stores.connection, "SELECT 1");
    if (probe.next()) one = probe.integer(0);
    auto obj = http::json::newObject();
    obj->set("version", std::string(APPREG_VERSION));
    obj->set("active_node", _nodeName);
    obj->set("database", one == 1 ? "ok" : "unavailable");
    return http::Response::json(one == 1 ? 200 : 503, obj);
}

}  // namespace appreg::api
