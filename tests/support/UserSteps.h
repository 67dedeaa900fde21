#pragma once

#include "ApiClient.h"
#include "ApiSteps.h"
#include "FcgiClient.h"
#include "TempDir.h"

#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace appreg::test {

/// Shortcuts of the authentication and role suites: users and their organization roles created through the
/// API, clients that authenticate as someone else, and the OAuth2 token endpoint. Like ApiSteps, every setup
/// call throws std::runtime_error with the whole response when the worker does not answer as it must.
class UserSteps {
public:
    using Form = std::vector<std::pair<std::string, std::string>>;

    /// The worker configuration of these suites, written as <dir>/<name>: cheap password hashes
    /// (`auth.password_iterations = TestSuperuser::kPasswordIterations`, so that POST /users/ does not spend
    /// 0.7 s per user), then `extraLines` verbatim. Returns the path, for `--config`.
    static std::string writeWorkerConfig(const TempDir& dir, const std::string& extraLines = "",
                                         const std::string& name = "worker.properties");

    /// A client of the worker on `socketPath` that sends `authorization` as HTTP_AUTHORIZATION (std::nullopt:
    /// none, an anonymous client).
    static ApiClient as(const std::string& socketPath, std::optional<std::string> authorization);
    /// "Basic " + base64(username:password).
    static std::string basic(const std::string& username, const std::string& password);
    /// "Bearer " + token.
    static std::string bearer(const std::string& token) { return "Bearer " + token; }

    /// POST /api/v2/users/ {"username", "password", ...extra} that must answer 201; returns the id.
    static long long createUser(const ApiClient& api, const std::string& username,
                                const std::string& password, const ApiSteps::Fields& extra = {});

    /// POST /api/v2/organizations/<org>/<list>/ {"id": user} (list "users" for the member role, "admins" for
    /// the admin role) that must answer 204.
    static void grant(const ApiClient& api, long long organization, long long user, const std::string& list);
    /// The same with "disassociate": true.
    static void revoke(const ApiClient& api, long long organization, long long user, const std::string& list);

    /// An application/x-www-form-urlencoded body (names and values percent-encoded).
    static std::string form(const Form& fields);

    /// POST `uri` (/api/o/token/ or /api/o/revoke_token/) with the form as application/x-www-form-urlencoded,
    /// sending `authorization` (the client's Basic credentials, or none).
    static FcgiResponse postForm(const std::string& socketPath, const std::string& uri, const Form& fields,
                                 std::optional<std::string> authorization);

    /// The password grant that must answer 200, the client authenticated with HTTP Basic (client_id and, if
    /// not empty, client_secret); returns the parsed body (access_token, refresh_token, ...).
    static Poco::JSON::Object::Ptr passwordGrant(const std::string& socketPath, const std::string& clientId,
                                                 const std::string& clientSecret, const std::string& username,
                                                 const std::string& password, const std::string& scope = "");

    /// The string value of `key`, or throws naming the body.
    static std::string text(const Poco::JSON::Object::Ptr& object, const std::string& key);
};

}  // namespace appreg::test
