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

/// The non-empty body of `request` as JSON, parsed once per request.
const Poco::Dynamic::Var& parsedBody(const http::Request& request) {
    if (!request.parsedBody) request.parsedBody = http::json::parseBody(request.body);
    return *request.parsedBody;
}

}  // namespace

void checkJsonBody(const http::Request& request) {
    checkMediaType(request);
    if (!request.body.empty()) parsedBody(request);
}

Poco::JSON::Object::Ptr readJsonObject(const http::Request& request) {
    checkMediaType(request);
    if (request.body.empty())
        return http::json::newObject();  // no body at all is {} (DRF); whitespace is not
    const Poco::Dynamic::Var& parsed = parsedBody(request);
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
