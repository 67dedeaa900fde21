#include "appreg/api/OAuthApi.h"

#include <map>

#include "appreg/api/Representation.h"
#include "appreg/domain/Secrets.h"
#include "appreg/domain/Timestamp.h"
#include "appreg/domain/Token.h"
#include "appreg/http/ApiError.h"
#include "appreg/http/Json.h"

namespace appreg::api {

namespace {

/// An OAuth2 error response (RFC 6749 §5.2), as oauthlib words it.
http::ApiError oauthError(int status, const std::string& error, const std::string& description = {}) {
    auto body = http::json::newObject();
    body->set("error", error);
    if (!description.empty()) body->set("error_description", description);
    http::ApiError e(status, body, "OAuth2 " + error);
    e.withHeader("Cache-Control", "no-store");
    e.withHeader("Pragma", "no-cache");
    return e;
}

/// oauthlib's 401s carry a Bearer challenge naming the error.
http::ApiError unauthorizedError(const std::string& error) {
    http::ApiError e = oauthError(401, error);
    e.withHeader("WWW-Authenticate", "Bearer error=\"" + error + "\"");
    return e;
}

http::ApiError invalidClient() { return unauthorizedError("invalid_client"); }

/// AWX's scopes; a token request without `scope` gets all of them (DOT's DEFAULT_SCOPES `__all__`).
const char* const kAllScopes = "read write";

std::string normalisedScope(const std::string& requested) {
    // "write read" and "read  write" mean the same set; the stored form lists read first.
    bool read = false, write = false;
    std::size_t start = 0;
    while (start < requested.size()) {
        auto end = requested.find(' ', start);
        if (end == std::string::npos) end = requested.size();
        std::string word = requested.substr(start, end - start);
        if (word == "read") {
            read = true;
        } else if (word == "write") {
            write = true;
        } else if (!word.empty()) {
            throw oauthError(400, "invalid_scope");
        }
        start = end + 1;
    }
    if (!read && !write) throw oauthError(400, "invalid_scope");
    return read && write ? "read write" : read ? "read" : "write";
}

/// Names `actor` in the activity entries recorded while it lives (the token endpoint's caller is a client,
/// not a user: the token's owner is the actor).
class ActorScope {
public:
    ActorScope(store::ActivityStreamStore& activity, const domain::User& actor)
        : _activity(activity), _previous(activity.actor()) {
        _activity.setActor(store::ActivityActor{actor.id, actor.username, actor.firstName, actor.lastName});
    }
    ~ActorScope() { _activity.setActor(_previous); }
    ActorScope(const ActorScope&) = delete;
    ActorScope& operator=(const ActorScope&) = delete;

private:
    store::ActivityStreamStore& _activity;
    std::optional<store::ActivityActor> _previous;
};

bool within(const std::string& scope, const std::string& allowed) {
    return allowed == "read write" || scope == allowed;
}

}  // namespace

struct OAuthApi::Form {
    std::map<std::string, std::string> values;
    std::map<std::string, int> counts;

    explicit Form(const http::Request& request) {
        for (auto& [name, value] : request.formParams()) {
            ++counts[name];
            values.emplace(name, value);
        }
    }
    std::optional<std::string> get(const std::string& name) const {
        auto it = values.find(name);
        if (it == values.end() || it->second.empty()) return std::nullopt;
        return it->second;
    }
    /// oauthlib: each named parameter present (else `invalid_request` with its message), and none of the
    /// OAuth2 parameters given twice.
    void requireParams(std::initializer_list<std::pair<const char*, const char*>> namesAndMessages) const {
        for (const auto& [name, message] : namesAndMessages) {
            if (!get(name)) throw oauthError(400, "invalid_request", message);
        }
        for (const char* name : {"client_id", "grant_type", "redirect_uri", "scope", "username", "password",
                                 "refresh_token", "token"}) {
            auto it = counts.find(name);
            if (it != counts.end() && it->second > 1) {
                throw oauthError(400, "invalid_request", std::string("Duplicate ") + name + " parameter.");
            }
        }
    }
};

store::ApplicationRow OAuthApi::authenticateClient(const http::Request& request, const Form& form) {
    std::optional<std::string> clientId, clientSecret;
    if (auto basic = parseBasic(request.authorization)) {
        // RFC 6749 §2.3.1: both parts are form-urlencoded inside the Basic credentials.
        clientId = http::percentDecode(basic->username, true);
        clientSecret = http::percentDecode(basic->password, true);
    } else {
        clientId = form.get("client_id");
        clientSecret = form.get("client_secret");
    }
    if (!clientId) throw invalidClient();
    auto app = _stores.applications.findByClientId(*clientId);
    if (!app) throw invalidClient();
    if (app->app.clientType == "confidential") {
        if (!clientSecret || !domain::verifySecret(*clientSecret, app->app.clientSecretHash))
            throw invalidClient();
    }
    return *app;
}

http::Response OAuthApi::issued(const TokensApi::Issued& issued) {
    auto body = http::json::newObject();
    body->set("access_token", issued.clearToken);
    body->set("expires_in", _lifetimeSeconds);
    body->set("token_type", "Bearer");
    body->set("scope", issued.token.scope);
    if (issued.clearRefresh) body->set("refresh_token", *issued.clearRefresh);
    http::Response response = http::Response::json(200, body);
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("Pragma", "no-cache");
    return response;
}

http::Response OAuthApi::token(const http::Request& request, const http::PathParams&) {
    Form form(request);
    // oauthlib hands a request without grant_type to its default (authorization_code) grant, which refuses
    // it.
    const std::string grant = form.get("grant_type").value_or("");
    if (grant == "password") return passwordGrant(request, form);
    if (grant == "refresh_token") return refreshGrant(request, form);
    if (grant == "client_credentials" || grant == "authorization_code") {
        // Grants DOT knows: the client is authenticated, and then the application's grant type (password or
        // authorization-code, neither of which is client_credentials) decides. appreg issues no authorization
        // codes (there is no /api/o/authorize/), so a code is never valid.
        store::ApplicationRow app = authenticateClient(request, form);
        if (grant == "client_credentials") throw oauthError(400, "unauthorized_client");
        if (!form.get("code")) throw oauthError(400, "invalid_request", "Missing code parameter.");
        if (app.app.authorizationGrantType != "authorization-code")
            throw oauthError(400, "unauthorized_client");
        throw oauthError(400, "invalid_grant");
    }
    throw oauthError(400, "unsupported_grant_type");
}

http::Response OAuthApi::passwordGrant(const http::Request& request, const Form& form) {
    // oauthlib: the client first, then the parameters.
    store::ApplicationRow app = authenticateClient(request, form);
    form.requireParams({{"username", "Request is missing username parameter."},
                        {"password", "Request is missing password parameter."}});
    auto user = _authenticator.checkPassword(*form.get("username"), *form.get("password"));
    if (!user) throw oauthError(400, "invalid_grant", "Invalid credentials given.");
    if (app.app.authorizationGrantType != "password") throw oauthError(400, "unauthorized_client");
    std::string scope = form.get("scope") ? normalisedScope(*form.get("scope")) : kAllScopes;

    domain::Token token;
    token.userId = user->id;
    token.applicationId = app.app.id;
    token.scope = scope;
    TokensApi::Issued result;
    ActorScope actor(_stores.activity, *user);
    _stores.write([&](Stores& w) {
        if (!w.applications.find(app.app.id)) throw invalidClient();  // deleted meanwhile
        result = _tokens.issue(w, token, app.app.name);
    });
    return issued(result);
}

http::Response OAuthApi::refreshGrant(const http::Request& request, const Form& form) {
    store::ApplicationRow app = authenticateClient(request, form);
    form.requireParams({{"refresh_token", "Missing refresh token parameter."}});
    const std::string digest = domain::sha256Hex(*form.get("refresh_token"));
    auto old = _stores.tokens.findByRefreshDigest(digest);
    if (!old || old->token.applicationId != app.app.id || !old->token.userId)
        throw oauthError(400, "invalid_grant");
    std::string scope = old->token.scope;
    if (auto requested = form.get("scope")) {
        scope = normalisedScope(*requested);
        if (!within(scope, old->token.scope)) throw unauthorizedError("invalid_scope");  // oauthlib: 401 here
    }
    auto user = _stores.users.find(*old->token.userId);
    if (!user) throw oauthError(400, "invalid_grant");

    domain::Token token;
    token.userId = user->id;
    token.applicationId = app.app.id;
    token.scope = scope;
    token.description = old->token.description;
    TokensApi::Issued result;
    ActorScope actor(_stores.activity, *user);
    _stores.write([&](Stores& w) {
        // The old pair is replaced: a refresh token works once (the writer re-reads it, so two racing
        // refreshes cannot both succeed).
        auto current = w.tokens.findByRefreshDigest(digest);
        if (!current) throw oauthError(400, "invalid_grant");
        w.activity.record("delete", "o_auth2_access_token", current->token.id,
                          http::json::stringify(tokenChanges(current->token, current->applicationName)),
                          domain::formatTimestamp(domain::nowMicros()));
        w.tokens.remove(current->token.id);
        result = _tokens.issue(w, token, app.app.name);
    });
    return issued(result);
}

http::Response OAuthApi::revoke(const http::Request& request, const http::PathParams&) {
    Form form(request);
    form.requireParams({{"token", "Missing token parameter."}});  // oauthlib: before the client, here
    store::ApplicationRow app = authenticateClient(request, form);
    const std::string digest = domain::sha256Hex(*form.get("token"));
    _stores.write([&](Stores& w) {
        // token_type_hint only says where to look first; both kinds are tried.
        auto row = w.tokens.findByDigest(digest);
        if (!row) row = w.tokens.findByRefreshDigest(digest);
        if (!row || row->token.applicationId != app.app.id)
            return;  // nothing of this client's: 200 all the same
        w.activity.record("delete", "o_auth2_access_token", row->token.id,
                          http::json::stringify(tokenChanges(row->token, row->applicationName)),
                          domain::formatTimestamp(domain::nowMicros()));
        w.tokens.remove(row->token.id);
    });
    // DOT answers an empty 200; appreg's responses are never empty (API.md §3), so it is `{}`.
    return http::Response::json(200, http::json::newObject());
}

}  // namespace appreg::api
