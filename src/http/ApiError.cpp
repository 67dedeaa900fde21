#include "appreg/http/ApiError.h"

#include "appreg/http/Json.h"

namespace appreg::http {

ApiError::ApiError(int status, Poco::Dynamic::Var body, std::string logMessage)
    : std::runtime_error(logMessage.empty() ? "HTTP " + std::to_string(status) : logMessage),
      _status(status),
      _body(std::move(body)) {}

ApiError ApiError::detail(int status, const std::string& message) {
    auto obj = json::newObject();
    obj->set("detail", message);
    return ApiError(status, obj, message);
}

ApiError& ApiError::withHeader(const std::string& name, const std::string& value) {
    _headers.emplace_back(name, value);
    return *this;
}

Response ApiError::toResponse() const {
    Response response = Response::json(_status, _body);
    for (const auto& [name, value] : _headers) response.setHeader(name, value);
    return response;
}

}  // namespace appreg::http
