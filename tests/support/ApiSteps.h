#pragma once

#include "ApiClient.h"
#include "FcgiClient.h"
#include "JsonAssert.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <string>
#include <utility>
#include <vector>

namespace appreg::test {

/// Shortcuts of the API suites (lists, detail, tokens, activity stream): the setup calls a test makes before
/// it checks anything, each throwing std::runtime_error with the whole response when the worker does not
/// answer as it must, and readers of list bodies.
class ApiSteps {
public:
    using Fields = std::vector<std::pair<std::string, std::string>>;  ///< key -> JSON value text

    /// The detail path of an object: "/api/v2/<collection>/<id>/".
    static std::string path(const std::string& collection, long long id);
    static std::string applicationPath(long long id) { return path("applications", id); }
    static std::string organizationPath(long long id) { return path("organizations", id); }
    static std::string tokenPath(long long id) { return path("tokens", id); }

    /// A create body for an application: name, client_type "confidential", authorization_grant_type
    /// "password" and organization, then `overrides` (set in place, or appended).
    static std::string applicationBody(long long organization, const std::string& name,
                                       const Fields& overrides = {});

    /// POST /api/v2/applications/ that must answer 201; the parsed body.
    static Poco::JSON::Object::Ptr createApplication(const ApiClient& api, long long organization,
                                                     const std::string& name, const Fields& overrides = {});
    /// Same, returning the id only.
    static long long createApplicationId(const ApiClient& api, long long organization,
                                         const std::string& name, const Fields& overrides = {});

    /// POST /api/v2/applications/<app>/tokens/ with `json`, which must answer 201; the parsed body.
    static Poco::JSON::Object::Ptr createToken(const ApiClient& api, long long application,
                                               const std::string& json = "{}");

    /// A request that must answer `status`; the parsed body (an object).
    static Poco::JSON::Object::Ptr expect(const FcgiResponse& response, int status, const std::string& what);
    /// GET `uri` that must answer 200; the parsed body.
    static Poco::JSON::Object::Ptr getOk(const ApiClient& api, const std::string& uri);

    /// The "results" array of a list body (throws when it is missing).
    static Poco::JSON::Array::Ptr results(const Poco::JSON::Object::Ptr& list);
    /// The string value of `key` of every item of the list's results, in order.
    static std::vector<std::string> column(const Poco::JSON::Object::Ptr& list, const std::string& key);
    /// The ids of the list's results, in order.
    static std::vector<long long> ids(const Poco::JSON::Object::Ptr& list);
    /// The list's "count".
    static long long count(const Poco::JSON::Object::Ptr& list);
    /// GET `uri` (a list) and its count.
    static long long countOf(const ApiClient& api, const std::string& uri);

    /// Percent-encodes a query value (RFC 3986 unreserved characters kept).
    static std::string encode(const std::string& value);

    /// The single text value a query on the database file returns (a read connection of its own, as
    /// DatabaseFile::queryInt); throws on SQL errors or when there is no row.
    static std::string queryText(const std::string& databasePath, const std::string& sql);

    /// Lower-case hex SHA-256 of `data`.
    static std::string sha256Hex(const std::string& data);

    /// Joins numbers for messages and query values ("1,2,3").
    static std::string joinIds(const std::vector<long long>& ids, const std::string& separator = ",");
};

}  // namespace appreg::test
