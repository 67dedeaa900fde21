#include "appreg/api/Api.h"

#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <stdexcept>

#include <Poco/Logger.h>

#include "appreg/api/Options.h"
#include "appreg/api/Permissions.h"
#include "appreg/api/RequestBody.h"
#include "appreg/domain/Access.h"
#include "appreg/domain/ActivityEntry.h"
#include "appreg/domain/Application.h"
#include "appreg/domain/Organization.h"
#include "appreg/domain/Token.h"
#include "appreg/http/ApiError.h"

namespace appreg::api {

using domain::WriteMode;
using http::PathParams;
using http::Request;
using http::Response;
using W = OptionsView::Write;

namespace {

CredentialCache& requireCache(const ApiSettings& settings) {
    if (settings.credentials == nullptr) throw std::invalid_argument("ApiSettings.credentials must be set");
    return *settings.credentials;
}

}  // namespace

Api::Api(const ApiSettings& settings, store::Database& database)
    : _connection(database.connect()),
      _stores(*_connection, database),
      _authenticator(_stores, requireCache(settings), settings.passwordIterations),
      _applications(_stores, _caller),
      _organizations(_stores, _applications, _caller),
      _tokens(_stores, _applications, settings.tokenLifetimeSeconds, _caller),
      _users(_stores, _organizations, settings.passwordIterations, _caller),
      _activity(_stores, _applications, _organizations, _tokens, _users, settings.nodeName, _caller),
      _oauth(_stores, _authenticator, _tokens, settings.tokenLifetimeSeconds),
      _ping(_stores, settings.nodeName),
      _lists(settings.listCacheBytes) {
    _router.setGuard([this](const Request& r, const std::string& pattern) { authenticate(r, pattern); });
    auto& apps = _applications;
    auto& orgs = _organizations;
    auto& tokens = _tokens;
    auto& users = _users;
    auto& activity = _activity;
    auto& oauth = _oauth;
    // OPTIONS lists POST or PUT under `actions` only when the caller may do it (awx-reference.md §4.5, DRF's
    // metadata: a permission check for that method, and for PUT the object, whose 403 or 404 only drops the
    // action). `offer` answers for a view that has one; a view with a write action must have it.
    auto options = [](OptionsView view, std::function<bool(const PathParams&)> offer = nullptr) {
        if (view.write != W::None && !offer) throw std::logic_error("OPTIONS of " + view.name + ": no offer");
        return [view, offer = std::move(offer)](const Request&, const PathParams& params) {
            OptionsView shown = view;
            if (shown.write != W::None && !offers(offer, params)) shown.write = W::None;
            return optionsResponse(shown);
        };
    };
    const domain::Caller& caller = _caller;
    const auto* appTable = &domain::applicationFields();
    const auto* orgTable = &domain::organizationFields();
    const auto* tokenTable = &domain::tokenFields();
    const auto* activityTable = &domain::activityFields();

    addRoute("GET", "/api/v2/ping/",
             [this](const Request& r, const PathParams& p) { return _ping.get(r, p); });

    const std::string appList = "/api/v2/applications/", appDetail = "/api/v2/applications/{id}/";
    addListRoute(appList, [&apps](const Request& r, const PathParams&) { return apps.list(r); });
    addRoute("POST", appList, [&apps](const Request& r, const PathParams&) { return apps.create(r); });
    addRoute("OPTIONS", appList,
             options({"OAuth 2 Applications", "List and create OAuth 2 applications.", "o_auth2_application",
                      appTable, W::Post, true},
                     [&caller](const PathParams&) { return domain::access::canAddSomeApplication(caller); }));
    addRoute("GET", appDetail, [&apps](const Request& r, const PathParams& p) { return apps.get(r, p); });
    addRoute("PUT", appDetail, [&apps](const Request& r, const PathParams& p) {
        return apps.update(r, p, WriteMode::Replace);
    });
    addRoute("PATCH", appDetail, [&apps](const Request& r, const PathParams& p) {
        return apps.update(r, p, WriteMode::Partial);
    });
    addRoute("DELETE", appDetail,
             [&apps](const Request& r, const PathParams& p) { return apps.remove(r, p); });
    addRoute("OPTIONS", appDetail,
             options({"OAuth 2 Application Detail", "Retrieve, update and delete one OAuth 2 application.",
                      "o_auth2_application", appTable, W::Put, false},
                     [&caller, &apps](const PathParams& p) {
                         return domain::access::canChangeApplication(caller,
                                                                     apps.requireReadable(p.at(0)).org.id);
                     }));

    const std::string appTokens = "/api/v2/applications/{id}/tokens/";
    addListRoute(appTokens, [&tokens](const Request& r, const PathParams& p) {
        return tokens.listForApplication(r, p);
    });
    addRoute("POST", appTokens,
             [&tokens](const Request& r, const PathParams& p) { return tokens.createForApplication(r, p); });
    addRoute("OPTIONS", appTokens,
             options({"OAuth 2 Application Tokens", "List and create the access tokens of one application.",
                      "o_auth2_access_token", tokenTable, W::Post, true},
                     [&caller, &apps](const PathParams& p) {
                         apps.requireReadable(p.at(0));  // a token of any application the caller can read
                         return caller.mayWrite();
                     }));
    const std::string appActivity = "/api/v2/applications/{id}/activity_stream/";
    addListRoute(appActivity, [&activity](const Request& r, const PathParams& p) {
        return activity.listForApplication(r, p);
    });
    addRoute("OPTIONS", appActivity,
             options({"OAuth 2 Application Activity Stream", "The history of one application.",
                      "activity_stream", activityTable, W::None, true}));

    const std::string orgList = "/api/v2/organizations/", orgDetail = "/api/v2/organizations/{id}/";
    addListRoute(orgList, [&orgs](const Request& r, const PathParams& p) { return orgs.list(r, p); });
    addRoute("POST", orgList, [&orgs](const Request& r, const PathParams& p) { return orgs.create(r, p); });
    addRoute(
        "OPTIONS", orgList,
        options({"Organizations", "List and create organizations.", "organization", orgTable, W::Post, true},
                [&caller](const PathParams&) { return domain::access::canAddOrganization(caller); }));
    addRoute("GET", orgDetail, [&orgs](const Request& r, const PathParams& p) { return orgs.get(r, p); });
    addRoute("PUT", orgDetail, [&orgs](const Request& r, const PathParams& p) {
        return orgs.update(r, p, WriteMode::Replace);
    });
    addRoute("PATCH", orgDetail, [&orgs](const Request& r, const PathParams& p) {
        return orgs.update(r, p, WriteMode::Partial);
    });
    addRoute("DELETE", orgDetail,
             [&orgs](const Request& r, const PathParams& p) { return orgs.remove(r, p); });
    addRoute("OPTIONS", orgDetail,
             options({"Organization Detail", "Retrieve, update and delete one organization.", "organization",
                      orgTable, W::Put, false},
                     [&caller, &orgs](const PathParams& p) {
                         return domain::access::canChangeOrganization(caller,
                                                                      orgs.requireReadable(p.at(0)).id);
                     }));
    const std::string orgApps = "/api/v2/organizations/{id}/applications/";
    addListRoute(orgApps,
                 [&orgs](const Request& r, const PathParams& p) { return orgs.listApplications(r, p); });
    addRoute("POST", orgApps,
             [&orgs](const Request& r, const PathParams& p) { return orgs.createApplication(r, p); });
    addRoute(
        "OPTIONS", orgApps,
        options({"Organization OAuth2 Applications", "List and create the applications of one organization.",
                 "o_auth2_application", appTable, W::Post, true},
                [&caller, &orgs](const PathParams& p) {
                    return domain::access::canAddApplication(caller, orgs.requireReadable(p.at(0)).id);
                }));
    const std::string orgActivity = "/api/v2/organizations/{id}/activity_stream/";
    addListRoute(orgActivity, [&activity](const Request& r, const PathParams& p) {
        return activity.listForOrganization(r, p);
    });
    addRoute("OPTIONS", orgActivity,
             options({"Organization Activity Stream", "The history of one organization.", "activity_stream",
                      activityTable, W::None, true}));

    const std::string tokenList = "/api/v2/tokens/", tokenDetail = "/api/v2/tokens/{id}/";
    addListRoute(tokenList, [&tokens](const Request& r, const PathParams& p) { return tokens.list(r, p); });
    addRoute("POST", tokenList,
             [&tokens](const Request& r, const PathParams& p) { return tokens.create(r, p); });
    addRoute("OPTIONS", tokenList,
             options({"OAuth2 Tokens", "List and create OAuth2 access tokens.", "o_auth2_access_token",
                      tokenTable, W::Post, true},
                     [&caller](const PathParams&) { return caller.mayWrite(); }));  // a personal token
    addRoute("GET", tokenDetail,
             [&tokens](const Request& r, const PathParams& p) { return tokens.get(r, p); });
    addRoute("PUT", tokenDetail, [&tokens](const Request& r, const PathParams& p) {
        return tokens.update(r, p, WriteMode::Replace);
    });
    addRoute("PATCH", tokenDetail, [&tokens](const Request& r, const PathParams& p) {
        return tokens.update(r, p, WriteMode::Partial);
    });
    addRoute("DELETE", tokenDetail,
             [&tokens](const Request& r, const PathParams& p) { return tokens.remove(r, p); });
    addRoute("OPTIONS", tokenDetail,
             options({"OAuth2 Token Detail", "Retrieve, update and delete one access token.",
                      "o_auth2_access_token", tokenTable, W::Put, false},
                     [&caller, &tokens](const PathParams& p) {
                         const store::TokenRow row = tokens.requireReadable(p.at(0));
                         return domain::access::canChangeToken(caller, row.token.userId,
                                                               row.applicationOrganizationId);
                     }));

    const std::string tokenActivity = "/api/v2/tokens/{id}/activity_stream/";
    addListRoute(tokenActivity,
                 [&activity](const Request& r, const PathParams& p) { return activity.listForToken(r, p); });
    addRoute("OPTIONS", tokenActivity,
             options({"OAuth2 Token Activity Stream", "The history of one access token.", "activity_stream",
                      activityTable, W::None, true}));

    const auto* userTable = &domain::userFields();
    const std::string userList = "/api/v2/users/", userDetail = "/api/v2/users/{id}/";
    addListRoute(userList, [&users](const Request& r, const PathParams& p) { return users.list(r, p); });
    addRoute("POST", userList,
             [&users](const Request& r, const PathParams& p) { return users.create(r, p); });
    addRoute("OPTIONS", userList,
             options({"Users", "List and create users.", "user", userTable, W::Post, true},
                     [&caller](const PathParams&) { return domain::access::canAddUser(caller, false); }));
    addRoute("GET", userDetail, [&users](const Request& r, const PathParams& p) { return users.get(r, p); });
    addRoute("PUT", userDetail, [&users](const Request& r, const PathParams& p) {
        return users.update(r, p, WriteMode::Replace);
    });
    addRoute("PATCH", userDetail, [&users](const Request& r, const PathParams& p) {
        return users.update(r, p, WriteMode::Partial);
    });
    addRoute("DELETE", userDetail,
             [&users](const Request& r, const PathParams& p) { return users.remove(r, p); });
    addRoute(
        "OPTIONS", userDetail,
        options({"User Detail", "Retrieve, update and delete one user.", "user", userTable, W::Put, false},
                [this, &caller, &users](const PathParams& p) {
                    const domain::User user = users.requireReadable(p.at(0));
                    return domain::access::canChangeUser(caller, user, _stores.users.roles(user.id), false);
                }));
    const std::string userActivity = "/api/v2/users/{id}/activity_stream/";
    addListRoute(userActivity,
                 [&activity](const Request& r, const PathParams& p) { return activity.listForUser(r, p); });
    addRoute("OPTIONS", userActivity,
             options({"User Activity Stream", "The history of one user.", "activity_stream", activityTable,
                      W::None, true}));
    addRoute("GET", "/api/v2/me/",
             [&users](const Request& r, const PathParams& p) { return users.me(r, p); });
    addRoute("OPTIONS", "/api/v2/me/",
             options({"Me", "The authenticated user.", "user", userTable, W::None, true}));
    for (const auto& [suffix, role] :
         {std::pair<std::string, std::string>{"users", "member"}, {"admins", "admin"}}) {
        const std::string members = "/api/v2/organizations/{id}/" + suffix + "/";
        const std::string r = role;
        addListRoute(members, [&users, r](const Request& q, const PathParams& p) {
            return users.listMembers(q, p, r);
        });
        addRoute("POST", members, [&users, r](const Request& q, const PathParams& p) {
            return users.changeMembership(q, p, r);
        });
        addRoute("OPTIONS", members,
                 options({role == "admin" ? "Organization Admins" : "Organization Users",
                          "The " + suffix +
                              " of one organization; POST {\"id\": N} associates a user, "
                              "{\"id\": N, \"disassociate\": true} removes them.",
                          "user", userTable, W::None, true}));
    }

    addRoute("POST", "/api/o/token/",
             [&oauth](const Request& r, const PathParams& p) { return oauth.token(r, p); });
    addRoute("POST", "/api/o/revoke_token/",
             [&oauth](const Request& r, const PathParams& p) { return oauth.revoke(r, p); });

    const std::string activityList = "/api/v2/activity_stream/",
                      activityDetail = "/api/v2/activity_stream/{id}/";
    addListRoute(activityList,
                 [&activity](const Request& r, const PathParams& p) { return activity.list(r, p); });
    addRoute("OPTIONS", activityList,
             options({"Activity Stream", "The history of every create, update and delete.", "activity_stream",
                      activityTable, W::None, true}));
    addRoute("GET", activityDetail,
             [&activity](const Request& r, const PathParams& p) { return activity.get(r, p); });
    addRoute("OPTIONS", activityDetail,
             options({"Activity Stream Detail", "One activity-stream entry.", "activity_stream",
                      activityTable, W::None, false}));
}

void Api::addRoute(const std::string& method, const std::string& pattern, http::Handler handler) {
    // A database that cannot serve the request answers 503 with a JSON detail (nothing was written: the
    // transaction rolled back); the reason goes to the log.
    _router.add(method, pattern,
                [handler = std::move(handler)](const Request& request, const PathParams& params) {
                    try {
                        return handler(request, params);
                    } catch (const store::DatabaseUnavailable& e) {
                        Poco::Logger::get("appreg").warning("request %s: %s", request.requestId,
                                                            std::string(e.what()));
                        throw http::ApiError::detail(503, "The database is unavailable. Try again later.");
                    }
                });
}

bool Api::offers(const std::function<bool(const PathParams&)>& offer, const PathParams& params) {
    try {
        return offer(params);
    } catch (const http::ApiError&) {
        return false;  // the object is not there for this caller (404) or not readable (403)
    }
}

void Api::addListRoute(const std::string& pattern, http::Handler handler) {
    addRoute("GET", pattern,
             [this, handler = std::move(handler)](const Request& request, const PathParams& params) {
                 // Runs after the guard: the caller is authenticated, and the request's read transaction is
                 // open, so the version read here is that of the snapshot the page would be read from.
                 // Everything a list shows follows from the database, the caller and the URI: the same caller
                 // asking again before any commit gets the same bytes. The caller is the user and the token's
                 // scope (user_capabilities say what a read-scope token may not do).
                 const store::DataVersion version = _stores.connection.dataVersion();
                 std::string key = std::to_string(_caller.user.id);
                 key += _caller.readScope ? " read " : " ";
                 key += request.path;
                 key += '?';
                 key += request.query;
                 if (auto known = _lists.find(key, version)) return std::move(*known);
                 http::Response response = handler(request, params);
                 if (response.status == 200) _lists.remember(key, version, response);
                 return response;
             });
}

void Api::authenticate(const Request& request, const std::string& pattern) {
    _caller = domain::Caller{};
    _stores.activity.setActor(std::nullopt);
    if (pattern == "/api/v2/ping/" || pattern.rfind("/api/o/", 0) == 0) return;
    checkJsonBody(request);
    try {
        _caller = _authenticator.authenticate(request.authorization);
    } catch (const store::DatabaseUnavailable& e) {
        Poco::Logger::get("appreg").warning("request %s: %s", request.requestId, std::string(e.what()));
        throw http::ApiError::detail(503, "The database is unavailable. Try again later.");
    }
    _stores.activity.setActor(store::ActivityActor{_caller.user.id, _caller.user.username,
                                                   _caller.user.firstName, _caller.user.lastName});
    const std::string& m = request.method;
    if (_caller.readScope && m != "GET" && m != "HEAD" && m != "OPTIONS") throw permissionDenied();
}

Response Api::handle(const Request& request) {
    auto start = std::chrono::steady_clock::now();
    std::optional<store::ReadTransaction> snapshot;
    if (request.method == "GET" || request.method == "HEAD") {
        try {
            snapshot.emplace(_stores.connection);
        } catch (const store::DatabaseUnavailable&) {
            // Served without one: the reads themselves will say what is wrong.
        }
    }
    Response response = _router.dispatch(request);
    snapshot.reset();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    char time[32];
    std::snprintf(time, sizeof time, "%.3fs", seconds);
    response.setHeader("X-API-Request-Id", request.requestId);
    response.setHeader("X-API-Time", time);
    return response;
}

}  // namespace appreg::api
