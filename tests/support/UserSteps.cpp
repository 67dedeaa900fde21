#include "UserSteps.h"

#include "JsonAssert.h"
#include "TestSuperuser.h"

#include <stdexcept>

namespace appreg::test {

std::string UserSteps::writeWorkerConfig(const TempDir& dir, const std::string& extraLines,
                                         const std::string& name) {
    return dir.writeFile(name,
                         "# written by the tests (UserSteps): cheap password hashes\n"
                         "auth.password_iterations = " +
                             std::to_string(TestSuperuser::kPasswordIterations) + "\n" + extraLines);
}

ApiClient UserSteps::as(const std::string& socketPath, std::optional<std::string> authorization) {
    ApiClient client(socketPath);
    client.setAuthorization(std::move(authorization));
    return client;
}

std::string UserSteps::basic(const std::string& username, const std::string& password) {
    return TestSuperuser::basic(username, password);
}

long long UserSteps::createUser(const ApiClient& api, const std::string& username,
                                const std::string& password, const ApiSteps::Fields& extra) {
    std::string body = "{\"username\": " + JsonAssert::quote(username) +
                       ", \"password\": " + JsonAssert::quote(password) + "}";
    for (const auto& [key, value] : extra) body = JsonAssert::with(body, key, value);
    return ApiSteps::expect(api.post("/api/v2/users/", body), 201, "POST /api/v2/users/ " + body)
        ->getValue<long long>("id");
}

namespace {

void membership(const ApiClient& api, long long organization, long long user, const std::string& list,
                bool disassociate) {
    const std::string uri = ApiSteps::organizationPath(organization) + list + "/";
    const std::string body =
        "{\"id\": " + std::to_string(user) + (disassociate ? ", \"disassociate\": true}" : "}");
    const FcgiResponse response = api.post(uri, body);
    if (response.status != 204) {
        throw std::runtime_error("POST " + uri + " " + body + " should answer 204: " + response.describe());
    }
}

}  // namespace

void UserSteps::grant(const ApiClient& api, long long organization, long long user, const std::string& list) {
    membership(api, organization, user, list, false);
}

void UserSteps::revoke(const ApiClient& api, long long organization, long long user,
                       const std::string& list) {
    membership(api, organization, user, list, true);
}

std::string UserSteps::form(const Form& fields) {
    std::string body;
    for (const auto& [name, value] : fields) {
        if (!body.empty()) body += '&';
        body += ApiSteps::encode(name) + "=" + ApiSteps::encode(value);
    }
    return body;
}

FcgiResponse UserSteps::postForm(const std::string& socketPath, const std::string& uri, const Form& fields,
                                 std::optional<std::string> authorization) {
    return as(socketPath, std::move(authorization))
        .send("POST", uri, form(fields), "application/x-www-form-urlencoded");
}

Poco::JSON::Object::Ptr UserSteps::passwordGrant(const std::string& socketPath, const std::string& clientId,
                                                 const std::string& clientSecret, const std::string& username,
                                                 const std::string& password, const std::string& scope) {
    Form fields = {{"grant_type", "password"}, {"username", username}, {"password", password}};
    if (!scope.empty()) fields.emplace_back("scope", scope);
    const FcgiResponse response =
        postForm(socketPath, "/api/o/token/", fields, basic(clientId, clientSecret));
    return ApiSteps::expect(response, 200, "password grant for " + username + " through client " + clientId);
}

std::string UserSteps::text(const Poco::JSON::Object::Ptr& object, const std::string& key) {
    if (!object || !object->has(key) || !object->get(key).isString()) {
        throw std::runtime_error("no string \"" + key + "\" in " +
                                 (object ? JsonAssert::toJson(object) : "null"));
    }
    return object->getValue<std::string>(key);
}

}  // namespace appreg::test
