#include "appreg/api/UsersApi.h"

#include <limits>

#include "appreg/api/Listing.h"
#include "appreg/api/Permissions.h"
#include "appreg/api/RequestBody.h"
#include "appreg/domain/Passwords.h"
#include "appreg/domain/Timestamp.h"
#include "appreg/http/ApiError.h"
#include "appreg/http/Json.h"

namespace appreg::api {

namespace {

const char* const kNoUser = "No User matches the given query.";
const char* const kUsernameTaken = "A user with that username already exists.";

/// Validates a user body: every field error at once, with the password rule of AWX's UserSerializer and the
/// username's uniqueness among them. Returns the values and the new password ("" = unchanged).
domain::FieldValues validateUser(Stores& stores, const Poco::JSON::Object& body, domain::WriteMode mode,
                                 std::int64_t userId, std::string& password) {
    domain::FieldErrors errors;
    auto values = domain::userFields().validate(
        body, mode, [](const std::string&, std::int64_t) { return false; }, errors);
    password.clear();
    if (auto it = values.find("password"); it != values.end()) {
        password = it->second.extract<std::string>();
        if (password == domain::kEncryptedPassword) password.clear();  // the rendered placeholder: unchanged
    }
    if (mode == domain::WriteMode::Create && password.empty() && !errors.has("password")) {
        errors.add("password", "Password required for new User.");
    }
    if (auto it = values.find("username"); it != values.end() && !errors.has("username")) {
        if (stores.users.usernameTaken(it->second.extract<std::string>(), userId))
            errors.add("username", kUsernameTaken);
    }
    if (!errors.empty()) throw http::ApiError(400, errors.toJson());
    return values;
}

/// Whether the body sets is_superuser or is_system_auditor to true (`user` none) or to another value than the
/// user's.
bool setsFlags(const Poco::JSON::Object& body, const domain::User* user) {
    auto sets = [&](const char* name, bool current) {
        if (!body.has(name)) return false;
        Poco::Dynamic::Var v = body.get(name);
        return v.isBoolean() && v.extract<bool>() != current;
    };
    return sets("is_superuser", user && user->isSuperuser) ||
           sets("is_system_auditor", user && user->isSystemAuditor);
}

[[noreturn]] void usernameTaken() {
    domain::FieldErrors errors;
    errors.add("username", kUsernameTaken);
    throw http::ApiError(400, errors.toJson());
}

}  // namespace

domain::User UsersApi::require(std::int64_t id) {
    auto user = _stores.users.find(id);
    if (!user) throw http::ApiError::detail(404, kNoUser);
    return *user;
}

domain::User UsersApi::requireReadable(std::int64_t id) {
    domain::User user = require(id);
    api::require(domain::access::canReadUser(_caller, user, _stores.users.roles(user.id)));
    return user;
}

UserCapabilities UsersApi::capabilities(const domain::User& user,
                                        const domain::OrganizationRoles& roles) const {
    return UserCapabilities{domain::access::canChangeUser(_caller, user, roles, false),
                            domain::access::canDeleteUser(_caller, user, roles)};
}

Poco::JSON::Object::Ptr UsersApi::render(const domain::User& user) {
    return renderUser(user, capabilities(user, _stores.users.roles(user.id)));
}

http::Response UsersApi::listScoped(const http::Request& request, const store::UserScope& scope) {
    return listResponse(
        request, store::userListResource(),
        [&](const domain::ListQuery& q) { return _stores.users.count(q, scope); },
        [&](const domain::ListQuery& q, std::int64_t offset, int limit, Poco::JSON::Array& results) {
            for (const auto& user : _stores.users.page(q, offset, limit, scope)) results.add(render(user));
        });
}

http::Response UsersApi::list(const http::Request& request, const http::PathParams&) {
    store::UserScope scope;
    if (!_caller.readsEverything() && _caller.roles.admin.empty()) {  // as domain::access::canReadUser
        scope.organizations = _caller.roles.all();
        scope.self = _caller.user.id;
        scope.superusers = true;
    }
    return listScoped(request, scope);
}

http::Response UsersApi::me(const http::Request& request, const http::PathParams&) {
    store::UserScope scope;
    scope.organizations = std::set<std::int64_t>{};
    scope.self = _caller.user.id;
    return listScoped(request, scope);
}

http::Response UsersApi::create(const http::Request& request, const http::PathParams&) {
    auto body = readJsonObject(request);
    api::require(domain::access::canAddUser(_caller, setsFlags(*body, nullptr)));
    std::string password;
    auto values = validateUser(_stores, *body, domain::WriteMode::Create, 0, password);
    domain::User user;
    domain::applyUserValues(values, user);
    user.passwordHash = domain::hashPassword(password, _passwordIterations);
    user.created = user.modified = domain::formatTimestamp(domain::nowMicros());
    _stores.write([&](Stores& w) {
        if (w.users.usernameTaken(user.username)) usernameTaken();
        try {
            user.id = w.users.insert(user);
        } catch (const store::ConstraintViolation& e) {
            if (e.kind() == store::ConstraintViolation::Kind::Unique) usernameTaken();
            throw;
        }
        w.activity.record("create", "user", user.id, http::json::stringify(userChanges(user)), user.created);
    });
    http::Response response = http::Response::json(201, render(user));
    response.setHeader("Location", userUrl(user.id));
    return response;
}

http::Response UsersApi::get(const http::Request&, const http::PathParams& params) {
    return http::Response::json(200, render(requireReadable(params.at(0))));
}

http::Response UsersApi::update(const http::Request& request, const http::PathParams& params,
                                domain::WriteMode mode) {
    auto body = readJsonObject(request);
    domain::User current = requireReadable(params.at(0));
    api::require(domain::access::canChangeUser(_caller, current, _stores.users.roles(current.id),
                                               setsFlags(*body, &current)));
    std::string password;
    auto values = validateUser(_stores, *body, mode, current.id, password);
    // Hashing is slow: done before the write, outside the writer's transaction.
    std::string newHash =
        password.empty() ? std::string() : domain::hashPassword(password, _passwordIterations);
    domain::User user;
    _stores.write([&](Stores& w) {
        auto before = w.users.find(current.id);
        if (!before) throw http::ApiError::detail(404, kNoUser);
        user = *before;
        domain::applyUserValues(values, user);
        if (!newHash.empty()) user.passwordHash = newHash;
        if (w.users.usernameTaken(user.username, user.id)) usernameTaken();
        user.modified = domain::formatTimestamp(domain::nowMicros());
        try {
            w.users.update(user);
        } catch (const store::ConstraintViolation& e) {
            if (e.kind() == store::ConstraintViolation::Kind::Unique) usernameTaken();
            throw;
        }
        auto changes = changedValues(userChanges(*before), userChanges(user));
        if (changes->size() > 0) {
            w.activity.record("update", "user", user.id, http::json::stringify(changes), user.modified);
        }
    });
    return http::Response::json(200, render(user));
}

http::Response UsersApi::remove(const http::Request&, const http::PathParams& params) {
    domain::User user = requireReadable(params.at(0));
    api::require(_caller.mayWrite() &&
                 domain::access::canDeleteUser(_caller, user, _stores.users.roles(user.id)));
    _stores.write([&](Stores& w) {
        auto row = w.users.find(user.id);
        if (!row) throw http::ApiError::detail(404, kNoUser);
        const std::string now = domain::formatTimestamp(domain::nowMicros());
        // The user's tokens go with them, each leaving its delete entry (as an application's do).
        auto owned = domain::parseListQuery({{"user", std::to_string(row->id)}}, store::tokenListResource());
        for (const auto& t : w.tokens.page(owned, 0, std::numeric_limits<int>::max(), std::nullopt)) {
            w.activity.record("delete", "o_auth2_access_token", t.token.id,
                              http::json::stringify(tokenChanges(t.token, t.applicationName)), now);
        }
        w.activity.record("delete", "user", row->id, http::json::stringify(userChanges(*row)), now);
        w.users.remove(row->id);
    });
    return http::Response::noContent();
}

http::Response UsersApi::listMembers(const http::Request& request, const http::PathParams& params,
                                     const std::string& role) {
    _organizations.requireReadable(params.at(0));
    store::UserScope scope;
    scope.roleOrganization = params.at(0);
    scope.role = role;
    return listScoped(request, scope);
}

http::Response UsersApi::changeMembership(const http::Request& request, const http::PathParams& params,
                                          const std::string& role) {
    auto body = readJsonObject(request);
    domain::Organization org = _organizations.requireReadable(params.at(0));
    api::require(domain::access::canAdministerMembership(_caller, org.id));
    // appreg never creates a user through this sub-list (AWX would): the body names an existing user.
    if (!body->has("id") || body->isNull("id")) {
        domain::FieldErrors errors;
        errors.add("id", "This field is required.");
        throw http::ApiError(400, errors.toJson());
    }
    Poco::Dynamic::Var id = body->get("id");
    if (!id.isInteger() || id.isBoolean()) {
        auto message = http::json::newObject();
        message->set("msg", "\"id\" field must be an integer.");
        throw http::ApiError(400, message);
    }
    // As AWX's SubListAttachDetachAPIView: the key's presence decides, whatever its value.
    const bool disassociate = body->has("disassociate");
    std::int64_t userId = id.convert<std::int64_t>();
    _stores.write([&](Stores& w) {
        if (!w.users.find(userId)) throw http::ApiError::detail(400, "User matching query does not exist.");
        if (disassociate) {
            w.users.revoke(org.id, userId, role);
        } else {
            w.users.grant(org.id, userId, role);
        }
    });
    return http::Response::noContent();
}

}  // namespace appreg::api
