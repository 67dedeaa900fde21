#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <Poco/Dynamic/Var.h>

#include "appreg/http/Response.h"

namespace appreg::http {

/// The one error type of the API: an HTTP status and the JSON body the client gets.
/// Any layer that must refuse a request throws it; the Router turns it into a Response in one place.
class ApiError : public std::runtime_error {
public:
    ApiError(int status, Poco::Dynamic::Var body, std::string logMessage = {});

    /// `{"detail": message}` with the given status.
    static ApiError detail(int status, const std::string& message);

    /// Adds a header to the response (e.g. WWW-Authenticate on a 401).
    ApiError& withHeader(const std::string& name, const std::string& value);

    int status() const { return _status; }
    const Poco::Dynamic::Var& body() const { return _body; }
    Response toResponse() const;

private:
    int _status;
    Poco::Dynamic::Var _body;
    std::vector<std::pair<std::string, std::string>> _headers;
};

}  // namespace appreg::http
