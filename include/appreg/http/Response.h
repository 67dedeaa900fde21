#pragma once

#include <string>
#include <utility>
#include <vector>

#include <Poco/JSON/Object.h>

#include "appreg/http/Json.h"

namespace appreg::http {

/// One HTTP response as a value: the transport serialises it, handlers build it.
/// Every response of the API is JSON; a HEAD response keeps its headers and drops the body.
struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;  ///< besides Content-Type, which is always JSON
    std::string body;                                          ///< serialised JSON; empty only for 204

    /// A response whose body is the given JSON value.
    static Response json(int status, const Poco::Dynamic::Var& body);
    /// A JSON response whose body is already written.
    static Response json(int status, json::Raw body);
    /// A `{"detail": message}` response.
    static Response detail(int status, const std::string& message);
    /// 204 No Content.
    static Response noContent();

    /// Adds (or replaces) a header.
    void setHeader(const std::string& name, const std::string& value);
    /// The value of a header, or "" when absent. Names compare case-insensitively.
    std::string header(const std::string& name) const;
};

/// The reason phrase of a status code ("Created" for 201); "Unknown" for codes the API never uses.
const char* reasonPhrase(int status);

}  // namespace appreg::http
