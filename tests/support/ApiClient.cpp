#include "ApiClient.h"

#include "JsonAssert.h"
#include "TestSuperuser.h"

#include <stdexcept>

namespace appreg::test {

ApiClient::ApiClient(std::string socketPath)
    : client_(std::move(socketPath)), authorization_(TestSuperuser::authorization()) {}

FcgiResponse ApiClient::send(const std::string& method, const std::string& uri, const std::string& body,
                             const std::string& contentType, std::chrono::milliseconds timeout) const {
    FcgiClient::Params params =
        FcgiClient::standardParams(method, uri, body.empty() ? "" : contentType, body);
    if (authorization_) {
        FcgiClient::setParam(params, FcgiClient::kAuthorization, *authorization_);
    } else {
        FcgiClient::removeParam(params, FcgiClient::kAuthorization);
    }
    return client_.request(params, body, timeout);
}

long long ApiClient::createOrganization(const std::string& name, const std::string& description) const {
    const std::string body = "{\"name\": " + JsonAssert::quote(name) +
                             ", \"description\": " + JsonAssert::quote(description) + "}";
    const FcgiResponse response = post(kOrganizations, body);
    if (response.status != 201) {
        throw std::runtime_error("creating organization " + name + " failed: " + response.describe());
    }
    return JsonAssert::parseObject(response.body)->getValue<long long>("id");
}

Poco::JSON::Object::Ptr ApiClient::createApplicationOk(const std::string& json) const {
    const FcgiResponse response = createApplication(json);
    if (response.status != 201) {
        throw std::runtime_error("creating application " + json + " failed: " + response.describe());
    }
    return JsonAssert::parseObject(response.body);
}

std::string ApiClient::seedApplication(long long organization, const std::string& name) {
    return "{\"authorization_grant_type\": \"password\", \"client_type\": \"confidential\", \"name\": " +
           JsonAssert::quote(name) + ", \"organization\": " + std::to_string(organization) + "}";
}

}  // namespace appreg::test
