// libFuzzer target for request bodies: the whole input is the JSON body of every write endpoint in turn
// (POST/PUT/PATCH of applications, organizations and tokens, and the nested creates), through the real
// router, parser, validation and SQLite store. Each write starts from the seed state (FuzzWorld).
//
// Every response must be documented (FuzzWorld::checkResponse). A write that succeeded must also read back:
// the object it names answers GET with 200, and the activity stream that recorded it renders as JSON, so a
// value the validator let in cannot break a later response.
//
// The writes authenticate as the superuser (FuzzWorld::authorization()). Each input is also sent once without
// credentials, to the first endpoint: a parse or media-type error may answer before authentication does (as
// in AWX), but an anonymous write must never succeed.

#include <cstddef>
#include <cstdint>
#include <string>

#include "FuzzWorld.h"

namespace {

struct Endpoint {
    const char* method;
    const char* path;
    const char* readBack;  ///< GET after a 200 (nullptr: use the Location of a 201)
};

const Endpoint kEndpoints[] = {
    {"POST", "/api/v2/applications/", nullptr},
    {"PUT", "/api/v2/applications/1/", "/api/v2/applications/1/"},
    {"PATCH", "/api/v2/applications/1/", "/api/v2/applications/1/"},
    {"POST", "/api/v2/organizations/", nullptr},
    {"PUT", "/api/v2/organizations/1/", "/api/v2/organizations/1/"},
    {"PATCH", "/api/v2/organizations/1/", "/api/v2/organizations/1/"},
    {"POST", "/api/v2/organizations/1/applications/", nullptr},
    {"POST", "/api/v2/tokens/", nullptr},
    {"PUT", "/api/v2/tokens/1/", "/api/v2/tokens/1/"},
    {"PATCH", "/api/v2/tokens/1/", "/api/v2/tokens/1/"},
    {"POST", "/api/v2/applications/1/tokens/", nullptr},
};

appreg::http::Request makeRequest(const std::string& method, const std::string& path, const std::string& body,
                                  bool anonymous = false) {
    appreg::http::Request r;
    r.method = method;
    appreg::http::Request::splitUri(path, r.path, r.query);
    r.contentType = body.empty() ? "" : "application/json";
    r.body = body;
    if (!anonymous) r.authorization = appreg::fuzz::FuzzWorld::authorization();
    r.requestId = "0123456789abcdef0123456789abcdef";
    return r;
}

void get(appreg::fuzz::FuzzWorld& world, const std::string& path, const char* where) {
    auto request = makeRequest("GET", path, "");
    auto response = world.handle(request);
    appreg::fuzz::FuzzWorld::checkResponse(request, response, where);
    if (response.status != 200) appreg::fuzz::FuzzWorld::fail(request, response, where, "expected 200");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& world = appreg::fuzz::FuzzWorld::get();
    const std::string body(reinterpret_cast<const char*>(data), size);
    {
        world.reset();
        auto request = makeRequest(kEndpoints[0].method, kEndpoints[0].path, body, true);
        auto response = world.handle(request);
        appreg::fuzz::FuzzWorld::checkResponse(request, response, "fuzz_json_body (anonymous)");
        if (response.status < 300) {
            appreg::fuzz::FuzzWorld::fail(request, response, "fuzz_json_body (anonymous)",
                                          "an anonymous write succeeded");
        }
    }
    for (const Endpoint& e : kEndpoints) {
        world.reset();
        auto request = makeRequest(e.method, e.path, body);
        auto response = world.handle(request);
        appreg::fuzz::FuzzWorld::checkResponse(request, response, "fuzz_json_body");
        std::string readBack;
        if (response.status == 201) {
            readBack = response.header("Location");
        } else if (response.status == 200 && e.readBack != nullptr) {
            readBack = e.readBack;
        }
        if (!readBack.empty()) {
            get(world, readBack, "fuzz_json_body (read back)");
            get(world, "/api/v2/activity_stream/?order_by=-id&page_size=2",
                "fuzz_json_body (activity stream)");
        }
    }
    return 0;
}
