#pragma once

#include "FcgiClient.h"

#include <Poco/JSON/Object.h>

#include <chrono>
#include <optional>
#include <string>

namespace appreg::test {

/// The REST API of one worker, spoken through FcgiClient with the params a front server sends, authenticated
/// as the test superuser unless told otherwise (setAuthorization). Creating the objects a test needs (an
/// organization, the seed application) is one call that throws std::runtime_error, with the response, when
/// the worker does not answer 201.
class ApiClient {
public:
    explicit ApiClient(std::string socketPath);

    /// One request; `contentType` defaults to application/json when there is a body.
    FcgiResponse send(const std::string& method, const std::string& uri, const std::string& body = "",
                      const std::string& contentType = "application/json",
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    FcgiResponse get(const std::string& uri) const { return send("GET", uri); }
    FcgiResponse post(const std::string& uri, const std::string& json) const {
        return send("POST", uri, json);
    }
    /// POST /api/v2/applications/.
    FcgiResponse createApplication(const std::string& json) const { return post(kApplications, json); }

    /// POST /api/v2/organizations/ {"name", "description"}; returns the new id.
    long long createOrganization(const std::string& name, const std::string& description = "") const;

    /// POST /api/v2/applications/ that must succeed; returns the parsed 201 body.
    Poco::JSON::Object::Ptr createApplicationOk(const std::string& json) const;

    /// The request body of the documented create example, for organization `organization`.
    static std::string seedApplication(long long organization, const std::string& name = "test app");

    /// The HTTP_AUTHORIZATION of every request (what a front server forwards from `Authorization:`): the test
    /// superuser's Basic credentials until changed, e.g. to TestSuperuser::basic(user, password) or
    /// "Bearer <token>"; std::nullopt sends none (an anonymous client).
    void setAuthorization(std::optional<std::string> value) { authorization_ = std::move(value); }

    const FcgiClient& fcgi() const { return client_; }

    static constexpr const char* kApplications = "/api/v2/applications/";
    static constexpr const char* kOrganizations = "/api/v2/organizations/";

private:
    FcgiClient client_;
    std::optional<std::string> authorization_;
};

}  // namespace appreg::test
