#include "appreg/api/ApplicationsApi.h"

#include "appreg/api/Representation.h"
#include "appreg/api/RequestBody.h"
#include "appreg/domain/Secrets.h"
#include "appreg/domain/Timestamp.h"
#include "appreg/http/ApiError.h"
#include "appreg/http/Json.h"

namespace appreg::api {

namespace {

const char* const kDuplicate = "Application with this Name and Organization already exists.";

http::ApiError allErrors(const std::vector<std::string>& messages) {
    domain::FieldErrors errors;
    for (const auto& m : messages) errors.add("__all__", m);
    return http::ApiError(400, errors.toJson());
}

http::ApiError missingOrganization(std::int64_t id) {
    domain::FieldErrors errors;
    errors.add("organization", "Invalid pk \"" + std::to_string(id) + "\" - object does not exist.");
    return http::ApiError(400, errors.toJson());
}

}  // namespace

http::Response ApplicationsApi::create(const http::Request& request, const http::PathParams&) {
    auto body = readJsonObject(request);
    domain::FieldErrors errors;
    auto values = domain::applicationFields().validate(
        *body, domain::WriteMode::Create,
        [this](const std::string&, std::int64_t id) { return _stores.organizations.exists(id); }, errors);
    if (!errors.empty()) throw http::ApiError(400, errors.toJson());

    domain::Application app;
    domain::applyApplicationValues(values, app);
    std::vector<std::string> messages = domain::cleanApplication(app);

    const std::string secret = domain::randomAlphanumeric(domain::kClientSecretLength);
    app.clientId = domain::randomAlphanumeric(domain::kClientIdLength);
    app.clientSecretHash = domain::hashSecret(secret);
    app.created = app.modified = domain::formatTimestamp(domain::nowMicros());

    domain::Organization org;
    {
        // Uniqueness is decided under the write lock, and the UNIQUE constraint backs it up, so two racing
        // creates of the same (name, organization) cannot both succeed.
        store::WriteTransaction tx(_stores.connection);
        if (_stores.applications.nameTaken(app.name, app.organizationId)) messages.push_back(kDuplicate);
        if (!messages.empty()) throw allErrors(messages);
        auto found = _stores.organizations.find(app.organizationId);
        if (!found) throw missingOrganization(app.organizationId);  // deleted since validation
        org = *found;
        try {
            app.id = _stores.applications.insert(app);
        } catch (const store::ConstraintViolation& e) {
            if (e.kind() == store::ConstraintViolation::Kind::Unique) throw allErrors({kDuplicate});
            if (e.kind() == store::ConstraintViolation::Kind::ForeignKey) throw missingOrganization(app.organizationId);
            throw;
        }
        _stores.activity.record("create", "o_auth2_application", app.id,
                                http::json::stringify(applicationChanges(app, org)), app.created);
        tx.commit();
    }
    // A new application has no tokens yet.
    http::Response response = http::Response::json(201, renderApplication(app, org, secret, UserCapabilities{}, {}));
    response.setHeader("Location", applicationUrl(app.id));
    return response;
}

}  // namespace appreg::api
