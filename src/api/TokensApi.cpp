#include "appreg/api/TokensApi.h"

#include "appreg/api/Listing.h"
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

http::Response TokensApi::listScoped(const http::Request& request, std::optional<std::int64_t> applicationId) {
    return listResponse(
        request, store::tokenListResource(),
        [&](const domain::ListQuery& q) { return _stores.tokens.count(q, applicationId); },
        [&](const domain::ListQuery& q, std::int64_t offset, int limit, Poco::JSON::Array& results) {
            for (const auto& row : _stores.tokens.page(q, offset, limit, applicationId)) {
                results.add(renderToken(row.token, row.applicationName, std::nullopt, std::nullopt));
            }
        });
}

http::Response TokensApi::list(const http::Request& request, const http::PathParams&) {
    return listScoped(request, std::nullopt);
}

http::Response TokensApi::listForApplication(const http::Request& request, const http::PathParams& params) {
    _applications.require(params.at(0));
    return listScoped(request, params.at(0));
}

http::Response TokensApi::create(const http::Request& request, const http::PathParams&) {
    return createToken(request, std::nullopt);
}

http::Response TokensApi::createForApplication(const http::Request& request, const http::PathParams& params) {
    // A missing application is the superuser's 400 on `application`, not a 404 (awx-reference.md §5.1): the
    // id from the URL is validated as data.
    return createToken(request, params.at(0));
}

http::Response TokensApi::createToken(const http::Request& request, std::optional<std::int64_t> applicationId) {
    auto body = readJsonObject(request);
    if (applicationId) body->set("application", *applicationId);
    domain::Token token;
    domain::applyTokenValues(validateBody(_stores, *body, domain::WriteMode::Create), token);

    const std::string clearToken = domain::randomAlphanumeric(domain::kTokenLength);
    std::optional<std::string> clearRefresh;
    token.tokenDigest = domain::sha256Hex(clearToken);
    if (token.applicationId) {
        clearRefresh = domain::randomAlphanumeric(domain::kTokenLength);
        token.refreshTokenDigest = domain::sha256Hex(*clearRefresh);
    }
    std::int64_t now = domain::nowMicros();
    token.created = token.modified = domain::formatTimestamp(now);
    token.expires = domain::formatTimestamp(now + _lifetimeSeconds * 1000000);

    std::optional<std::string> applicationName;
    _stores.write([&](Stores& w) {
        if (token.applicationId) {
            auto app = w.applications.find(*token.applicationId);
            if (!app) {
                domain::FieldErrors errors;
                errors.add("application",
                           "Invalid pk \"" + std::to_string(*token.applicationId) + "\" - object does not exist.");
                throw http::ApiError(400, errors.toJson());
            }
            applicationName = app->app.name;
        }
        token.id = w.tokens.insert(token);
        w.activity.record("create", "o_auth2_access_token", token.id,
                          http::json::stringify(tokenChanges(token, applicationName)), token.created);
    });
    http::Response response =
        http::Response::json(201, renderToken(token, applicationName, clearToken, clearRefresh));
    response.setHeader("Location", tokenUrl(token.id));
    return response;
}

http::Response TokensApi::get(const http::Request&, const http::PathParams& params) {
    store::TokenRow row = require(params.at(0));
    return http::Response::json(200, renderToken(row.token, row.applicationName, std::nullopt, std::nullopt));
}

http::Response TokensApi::update(const http::Request& request, const http::PathParams& params,
                                 domain::WriteMode mode) {
    auto body = readJsonObject(request);
    require(params.at(0));
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
        auto changes =
            changedValues(tokenChanges(before, row.applicationName), tokenChanges(row.token, row.applicationName));
        if (changes->size() > 0) {
            w.activity.record("update", "o_auth2_access_token", row.token.id, http::json::stringify(changes),
                              row.token.modified);
        }
    });
    return http::Response::json(200, renderToken(row.token, row.applicationName, std::nullopt, std::nullopt));
}

http::Response TokensApi::remove(const http::Request&, const http::PathParams& params) {
    require(params.at(0));
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
