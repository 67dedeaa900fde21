#include "appreg/api/ApplicationsApi.h"

#include <functional>
#include <limits>
#include <optional>

#include "appreg/api/Listing.h"
#include "appreg/api/Permissions.h"
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

TokenSummary toSummary(const store::TokenSummaryRow& row) {
    TokenSummary s;
    s.count = row.count;
    for (const auto& [id, scope] : row.first) s.results.push_back({id, scope});
    return s;
}

domain::FieldValues validateBody(const Poco::JSON::Object& body, domain::WriteMode mode,
                                 const std::function<bool(std::int64_t)>& orgExists) {
    return validatedFields(domain::applicationFields(), body, mode,
                           [&orgExists](const std::string&, std::int64_t id) { return orgExists(id); });
}

/// Inside the write transaction: the model-level checks (DOT's clean(), then uniqueness) on the merged
/// object. Returns the application's organization, which must still exist.
domain::Organization checkMerged(Stores& stores, const domain::Application& app) {
    std::vector<std::string> messages = domain::cleanApplication(app);
    // A duplicate alone is the UNIQUE constraint's to find (rethrowConstraint gives the same 400), which
    // spares the writer a lookup per write; next to other errors it is looked up, to be listed with them.
    if (!messages.empty()) {
        if (stores.applications.nameTaken(app.name, app.organizationId, app.id))
            messages.push_back(kDuplicate);
        throw allErrors(messages);
    }
    auto org = stores.organizations.find(app.organizationId);
    if (!org) throw missingOrganization(app.organizationId);  // deleted since validation
    return *org;
}

/// Turns the database's own refusal into the same 400 the checks above give (a race the checks lost).
[[noreturn]] void rethrowConstraint(const store::ConstraintViolation& e, std::int64_t organizationId) {
    if (e.kind() == store::ConstraintViolation::Kind::Unique) throw allErrors({kDuplicate});
    if (e.kind() == store::ConstraintViolation::Kind::ForeignKey) throw missingOrganization(organizationId);
    throw e;
}

}  // namespace

store::ApplicationRow ApplicationsApi::require(std::int64_t id) {
    auto row = _stores.applications.find(id);
    if (!row) throw http::ApiError::detail(404, "No OAuth2Application matches the given query.");
    return *row;
}

store::ApplicationRow ApplicationsApi::requireReadable(std::int64_t id) {
    store::ApplicationRow row = require(id);
    api::require(domain::access::canReadApplication(_caller, row.org.id));
    return row;
}

UserCapabilities ApplicationsApi::capabilities(const domain::Organization& org) const {
    bool change = domain::access::canChangeApplication(_caller, org.id);
    return UserCapabilities{change, change};
}

http::json::Raw ApplicationsApi::render(const store::ApplicationRow& row,
                                        const std::optional<std::string>& clearSecret) {
    auto summaries = _stores.tokens.summaries({row.app.id});
    return renderApplication(row.app, row.org, clearSecret, capabilities(row.org),
                             toSummary(summaries[row.app.id]));
}

http::Response ApplicationsApi::list(const http::Request& request,
                                     std::optional<std::int64_t> organizationId) {
    const auto visibility = visibilityOf(_caller);
    return listResponse(
        request, store::applicationListResource(),
        [&](const domain::ListQuery& q) { return _stores.applications.count(q, visibility, organizationId); },
        [&](const domain::ListQuery& q, std::int64_t offset, int limit, Poco::JSON::Array& results) {
            auto rows = _stores.applications.page(q, offset, limit, visibility, organizationId);
            std::vector<std::int64_t> ids;
            for (const auto& r : rows) ids.push_back(r.app.id);
            auto summaries = _stores.tokens.summaries(ids);
            for (const auto& r : rows) {
                results.add(renderApplication(r.app, r.org, std::nullopt, capabilities(r.org),
                                              toSummary(summaries[r.app.id])));
            }
        });
}

http::Response ApplicationsApi::create(const http::Request& request,
                                       std::optional<std::int64_t> organizationId) {
    auto body = readJsonObject(request);
    if (organizationId) body->set("organization", *organizationId);
    // The organization is read once, for the checks and for the activity entry's text (below).
    std::optional<domain::Organization> named;
    const std::function<bool(std::int64_t)> orgExists = [this, &named](std::int64_t id) {
        if (!named || named->id != id) named = _stores.organizations.find(id);
        return named.has_value();
    };
    if (body->size() == 0) {
        // AWX lets an empty body through to validation (400) if the caller administers any organization.
        api::require(domain::access::canAddSomeApplication(_caller));
    } else {
        checkOrganizationForApplication(_caller, *body, orgExists);
    }
    domain::Application app;
    domain::applyApplicationValues(validateBody(*body, domain::WriteMode::Create, orgExists), app);

    const std::string secret = domain::randomAlphanumeric(domain::kClientSecretLength);
    app.clientId = domain::randomAlphanumeric(domain::kClientIdLength);
    app.clientSecretHash = domain::hashSecret(secret);
    app.created = app.modified = domain::formatTimestamp(domain::nowMicros());

    // The activity entry's text but for the id, made here rather than by the one writer thread, which bounds
    // creates per second. It names the organization as read above; the writer makes it again in the rare
    // case that the organization was renamed in between.
    if (named && named->id != app.organizationId) named.reset();
    const std::string changes = named ? applicationChangesWithoutId(app, *named) : std::string();

    store::ApplicationRow row;
    // Uniqueness is decided by the one writer, and the UNIQUE constraint backs it up, so two racing creates
    // of the same (name, organization) cannot both succeed.
    _stores.write([&](Stores& w) {
        row.org = checkMerged(w, app);
        try {
            app.id = w.applications.insert(app);
        } catch (const store::ConstraintViolation& e) {
            rethrowConstraint(e, app.organizationId);
        }
        w.activity.record(
            "create", "o_auth2_application", app.id,
            withChangedId(
                named && named->name == row.org.name ? changes : applicationChangesWithoutId(app, row.org),
                app.id),
            app.created);
    });
    row.app = app;
    // A new application has no tokens yet.
    http::Response response =
        http::Response::json(201, renderApplication(app, row.org, secret, capabilities(row.org), {}));
    response.setHeader("Location", applicationUrl(app.id));
    return response;
}

http::Response ApplicationsApi::get(const http::Request&, const http::PathParams& params) {
    return http::Response::json(200, render(requireReadable(params.at(0))));
}

http::Response ApplicationsApi::update(const http::Request& request, const http::PathParams& params,
                                       domain::WriteMode mode) {
    auto body = readJsonObject(request);
    store::ApplicationRow before = requireReadable(params.at(0));
    api::require(domain::access::canChangeApplication(_caller, before.org.id));
    const std::function<bool(std::int64_t)> orgExists = [this](std::int64_t id) {
        return _stores.organizations.exists(id);
    };
    if (body->has("organization")) checkOrganizationForApplication(_caller, *body, orgExists);
    auto values = validateBody(*body, mode, orgExists);
    _stores.write([&](Stores& w) {
        auto current = w.applications.find(before.app.id);  // re-read by the writer
        if (!current) throw http::ApiError::detail(404, "No OAuth2Application matches the given query.");
        before = *current;
        domain::Application app = before.app;
        domain::applyApplicationValues(values, app);
        domain::Organization org = checkMerged(w, app);
        app.modified = domain::formatTimestamp(domain::nowMicros());  // auto_now: every save
        try {
            w.applications.update(app);
        } catch (const store::ConstraintViolation& e) {
            rethrowConstraint(e, app.organizationId);
        }
        auto changes =
            changedValues(applicationChanges(before.app, before.org), applicationChanges(app, org));
        if (changes->size() > 0) {
            w.activity.record("update", "o_auth2_application", app.id, http::json::stringify(changes),
                              app.modified);
        }
    });
    return http::Response::json(200, render(require(before.app.id)));
}

void ApplicationsApi::recordDeletion(Stores& writer, const store::ApplicationRow& row,
                                     const std::string& timestamp) {
    // The tokens go with the application (ON DELETE CASCADE); each leaves its own delete entry, as AWX's
    // post_delete signals do.
    domain::ListQuery all = domain::parseListQuery({}, store::tokenListResource());
    for (const auto& t :
         writer.tokens.page(all, 0, std::numeric_limits<int>::max(), std::nullopt, row.app.id)) {
        writer.activity.record("delete", "o_auth2_access_token", t.token.id,
                               http::json::stringify(tokenChanges(t.token, t.applicationName)), timestamp);
    }
    writer.activity.record("delete", "o_auth2_application", row.app.id,
                           http::json::stringify(applicationChanges(row.app, row.org)), timestamp);
}

http::Response ApplicationsApi::remove(const http::Request&, const http::PathParams& params) {
    store::ApplicationRow row = requireReadable(params.at(0));
    api::require(domain::access::canChangeApplication(_caller, row.org.id));
    _stores.write([&](Stores& w) {
        auto row = w.applications.find(params.at(0));
        if (!row) throw http::ApiError::detail(404, "No OAuth2Application matches the given query.");
        recordDeletion(w, *row, domain::formatTimestamp(domain::nowMicros()));
        w.applications.remove(row->app.id);
    });
    return http::Response::noContent();
}

}  // namespace appreg::api
