#include "appreg/api/PingApi.h"

#include "appreg/http/ApiError.h"
#include "appreg/http/Json.h"

using namespace Poco::Data::Keywords;

namespace appreg::api {

http::Response PingApi::get(const http::Request&, const http::PathParams&) {
    int one = 0;
    store::translateErrors([&] { _stores.connection.session() << "SELECT 1", into(one), now; });
    auto obj = http::json::newObject();
    obj->set("version", std::string(APPREG_VERSION));
    obj->set("active_node", _nodeName);
    obj->set("database", one == 1 ? "ok" : "unavailable");
    return http::Response::json(one == 1 ? 200 : 503, obj);
}

}  // namespace appreg::api
