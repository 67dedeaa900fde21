#include "appreg/api/TokensApi.h"

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

domain::FieldValues validateBody(Stores& stores, const Poco::JSON::Object& body, domain::WriteMode mode) {
    return validatedFields(domain::tokenFields(), body, mode, [&stores](const std::string&, std::int64_t id) {
        return stores.applications.find(id).has_value();
    });
}

}  // namespace

store::TokenRow TokensApi::require(std::int64_t id) {
    auto row = _stores.tokens.find(id);
    if (!row) throw http::ApiError::detail(404, "No OAuth2AccessToken matches the given query.");
    return *row;
}

store::TokenRow TokensApi::requireReadable(std::int64_t id) {
    store::TokenRow row = require(id);
    api::require(domain::access::canReadToken(_caller, row.token.userId, row.applicationOrganizationId));
    return row;
}

http::Response TokensApi::listScoped(const http::Request& request,
                                     std::optional<std::int64_t> applicationId) {
    const auto visibility = visibilityOf(_caller);
    return listResponse(
        request, store::tokenListResource(),
        [&](const domain::ListQuery& q) { return _stores.tokens.count(q, visibility, applicationId); },
        [&](const domain::ListQuery& q, std::int64_t offset, int limit, Poco::JSON::Array& results) {
            for (const auto& row : _stores.tokens.page(q, offset, limit, visibility, applicationId)) {
                results.add(renderToken(row, std::nullopt, std::nullopt));
            }
        });
}

http::Response TokensApi::list(const http::Request& request, const http::PathParams&) {
    return listScoped(request, std::nullopt);
}

http::Response TokensApi::listForApplication(const http::Request& request, const http::PathParams& params) {
    _applications.requireReadable(params.at(0));
    return listScoped(request, params.at(0));
}

http::Response TokensApi::create(const http::Request& request, const http::PathParams&) {
    return createToken(request, std::nullopt);
}

http::Response TokensApi::createForApplication(const http::Request& request, const http::PathParams& params) {
    // For a superuser a missing application is a 400 on `application`, not a 404 (awx-reference.md §5.1): the
    // id from the URL is validated as data. Everyone else meets the parent lookup first: 404, or 403 for an
    // application they may not read.
    if (!_caller.isSuperuser()) _applications.requireReadable(params.at(0));
    return createToken(request, params.at(0));
}

http::Response TokensApi::createToken(const http::Request& request,
                                      std::optional<std::int64_t> applicationId) {
    auto body = readJsonObject(request);
    if (applicationId) body->set("application", *applicationId);
    domain::Token token;
    domain::applyTokenValues(validateBody(_stores, *body, domain::WriteMode::Create), token);
    token.userId = _caller.user.id;
    if (token.applicationId && !_caller.isSuperuser()) {
        // OAuth2TokenAccess.can_add: the caller must be able to read the application.
        auto app = _stores.applications.find(*token.applicationId);
        api::require(!app || domain::access::canReadApplication(_caller, app->org.id));
    }

    Issued issued;
    std::optional<std::string> applicationName;
    _stores.write([&](Stores& w) {
        if (token.applicationId) {
            auto app = w.applications.find(*token.applicationId);
            if (!app) {
                domain::FieldErrors errors;
                errors.add("application", "Invalid pk \"" + std::to_string(*token.applicationId) +
                                              "\" - object does not exist.");
                throw http::ApiError(400, errors.toJson());
            }
            applicationName = app->app.name;
        }
        issued = issue(w, token, applicationName);
    });
    store::TokenRow row{issued.token,          applicationName,        std::nullopt,
                        _caller.user.username, _caller.user.firstName, _caller.user.lastName};
    http::Response response =
        http::Response::json(201, renderToken(row, issued.clearToken, issued.clearRefresh));
    response.setHeader("Location", tokenUrl(issued.token.id));
    return response;
}

TokensApi::Issued TokensApi::issue(Stores& writer, domain::Token token,
                                   const std::optional<std::string>& applicationName) const {
    Issued issued;
    issued.clearToken = domain::randomAlphanumeric(domain::kTokenLength);
    token.tokenDigest = domain::sha256Hex(issued.clearToken);
    if (token.applicationId) {
        issued.clearRefresh = domain::randomAlphanumeric(domain::kTokenLength);
        token.refreshTokenDigest = domain::sha256Hex(*issued.clearRefresh);
    }
    std::int64_t now = domain::nowMicros();
    token.created = token.modified = domain::formatTimestamp(now);
    token.expires = domain::formatTimestamp(now + _lifetimeSeconds * 1000000);
    token.id = writer.tokens.insert(token);
    writer.activity.record("create", "o_auth2_access_token", token.id,
                           http::json::stringify(tokenChanges(token, applicationName)), token.created);
    issued.token = token;
    return issued;
}

http::Response TokensApi::get(const http::Request&, const http::PathParams& params) {
    return http::Response::json(200, renderToken(requireReadable(params.at(0)), std::nullopt, std::nullopt));
}

http::Response TokensApi::update(const http::Request& request, const http::PathParams& params,
                                 domain::WriteMode mode) {
    auto body = readJsonObject(request);
    store::TokenRow current = requireReadable(params.at(0));
    api::require(
        domain::access::canChangeToken(_caller, current.token.userId, current.applicationOrganizationId));
    auto values = validateBody(_stores, *body, mode);
    store::TokenRow row;
    _stores.write([&](Stores& w) {
        auto current = w.tokens.find(params.at(0));
        if (!current) throw http::ApiError::detail(404, "No OAuth2AccessToken matches the given query.");
        row = *current;
        domain::Token before = row.token;
        domain::applyTokenValues(values, row.token);
        row.token.modified = domain::formatTimestamp(domain::nowMicros());
        w.tokens.update(row.token);
        auto changes = changedValues(tokenChanges(before, row.applicationName),
                                     tokenChanges(row.token, row.applicationName));
        if (changes->size() > 0) {
            w.activity.record("update", "o_auth2_access_token", row.token.id, http::json::stringify(changes),
                              row.token.modified);
        }
    });
    return http::Response::json(200, renderToken(row, std::nullopt, std::nullopt));
}

http::Response TokensApi::remove(const http::Request&, const http::PathParams& params) {
    store::TokenRow current = requireReadable(params.at(0));
    api::require(
        domain::access::canChangeToken(_caller, current.token.userId, current.applicationOrganizationId));
    _stores.write([&](Stores& w) {
        auto row = w.tokens.find(params.at(0));
        if (!row) throw http::ApiError::detail(404, "No OAuth2AccessToken matches the given query.");
        w.activity.record("delete", "o_auth2_access_token", row->token.id,
                          http::json::stringify(tokenChanges(row->token, row->applicationName)),
                          domain::formatTimestamp(domain::nowMicros()));
        w.tokens.remove(row->token.id);
    });
    return http::Response::noContent();
}

}  // namespace appreg::api
