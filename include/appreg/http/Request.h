#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <Poco/Dynamic/Var.h>

namespace appreg::http {

/// One HTTP request as the front server handed it to the worker, independent of FastCGI.
/// The transport fills it; handlers only read it.
struct Request {
    std::string method;         ///< upper-case, e.g. "POST"
    std::string path;           ///< raw (undecoded) path of REQUEST_URI, up to the first '?', prefix stripped
    std::string query;          ///< raw query string, without '?'
    std::string contentType;    ///< CONTENT_TYPE, may be empty
    std::string authorization;  ///< HTTP_AUTHORIZATION, may be empty
    std::string body;  ///< the complete body (the transport guarantees it is complete and within the limit)
    std::string requestId;  ///< 32 hex characters, echoed as X-API-Request-Id
    /// The body as JSON once it has parsed (api::checkJsonBody, before authentication): readJsonObject takes
    /// it from here instead of parsing the body a second time (a create spent ~4 % of its CPU doing so).
    mutable std::optional<Poco::Dynamic::Var> parsedBody;

    /// Splits a REQUEST_URI into path and query (raw, nothing decoded).
    static void splitUri(const std::string& uri, std::string& path, std::string& query);

    /// The decoded query parameters, in order of appearance ('+' is a space, %XX decoded).
    std::vector<std::pair<std::string, std::string>> queryParams() const;

    /// The fields of an `application/x-www-form-urlencoded` body, in order; none for any other body.
    std::vector<std::pair<std::string, std::string>> formParams() const;

    /// The media type of Content-Type, lower-cased and without parameters ("application/json").
    std::string mediaType() const;
};

/// The name=value pairs of a query string or form body ('+' is a space, %XX decoded), in order.
std::vector<std::pair<std::string, std::string>> parseUrlEncoded(const std::string& text);

/// Decodes %XX sequences and '+' (as a space) of a query-string component. Invalid escapes are kept as they
/// are.
std::string percentDecode(const std::string& s, bool plusIsSpace);

}  // namespace appreg::http
