#include "appreg/api/RequestBody.h"

#include "appreg/domain/FieldTable.h"
#include "appreg/http/ApiError.h"
#include "appreg/http/Json.h"

namespace appreg::api {

namespace {

void checkMediaType(const http::Request& request) {
    if (!request.body.empty() && request.mediaType() != "application/json") {
        throw http::ApiError::detail(
            415,
            "You did not use correct Content-Type in your HTTP request. If you are using our "
            "REST API, the Content-Type must be application/json");
    }
}

}  // namespace

void checkJsonBody(const http::Request& request) {
    checkMediaType(request);
    if (!request.body.empty()) http::json::parseBody(request.body);
}

Poco::JSON::Object::Ptr readJsonObject(const http::Request& request) {
    checkMediaType(request);
    if (request.body.empty())
        return http::json::newObject();  // no body at all is {} (DRF); whitespace is not
    Poco::Dynamic::Var parsed = http::json::parseBody(request.body);
    if (parsed.isEmpty()) {
        domain::FieldErrors errors;
        errors.add("__all__", "This field may not be null.");
        throw http::ApiError(400, errors.toJson());
    }
    return parsed.extract<Poco::JSON::Object::Ptr>();
}

domain::FieldValues validatedFields(const domain::FieldTable& table, const Poco::JSON::Object& body,
                                    domain::WriteMode mode, const domain::ExistsCheck& exists) {
    domain::FieldErrors errors;
    auto values = table.validate(body, mode, exists, errors);
    if (!errors.empty()) throw http::ApiError(400, errors.toJson());
    return values;
}

}  // namespace appreg::api
