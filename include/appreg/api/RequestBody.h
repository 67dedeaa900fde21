#pragma once

#include <Poco/JSON/Object.h>

#include "appreg/domain/FieldTable.h"
#include "appreg/http/Request.h"

namespace appreg::api {

/// The JSON object body of a write request, as AWX's parser and serializer see it (awx-reference.md §3.1):
/// a non-empty body needs `Content-Type: application/json` (else 415), must be valid JSON (else 400
/// "JSON parse error - ..."), and must be an object; an empty body is `{}` (a body of only whitespace is a
/// parse error, as in DRF); a literal `null` is 400 `{"__all__": ["This field may not be null."]}`. Throws
/// http::ApiError.
Poco::JSON::Object::Ptr readJsonObject(const http::Request& request);

/// The errors of readJsonObject that AWX raises while authenticating (its OAuth2 authenticator parses the
/// body): 415 for a non-JSON media type, 400 for JSON that does not parse or is not an object. They win over
/// 401 (awx-reference.md §3.1), so they are checked before the caller is known.
void checkJsonBody(const http::Request& request);

/// Validates a body against a field table; throws http::ApiError 400 with every field error at once.
domain::FieldValues validatedFields(const domain::FieldTable& table, const Poco::JSON::Object& body,
                                    domain::WriteMode mode, const domain::ExistsCheck& exists);

}  // namespace appreg::api
