#include "appreg/api/Authenticator.h"

#include <cctype>
#include <cstdint>

#include "appreg/domain/Passwords.h"
#include "appreg/domain/Secrets.h"
#include "appreg/domain/Timestamp.h"
#include "appreg/http/ApiError.h"

namespace appreg::api {

const char* const kNotAuthenticated = "Authentication credentials were not provided.";
const char* const kInvalidCredentials = "Invalid username/password.";
const char* const kWwwAuthenticate = "Bearer realm=api authorization_url=/api/o/authorize/";

namespace {

http::ApiError unauthorized(const char* message) {
    http::ApiError error = http::ApiError::detail(401, message);
    error.withHeader("WWW-Authenticate", kWwwAuthenticate);
    return error;
}

/// The scheme (case-insensitive, as RFC 7235) and the rest, trimmed.
bool splitScheme(const std::string& value, const std::string& scheme, std::string& rest) {
    if (value.size() < scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(value[i])) != scheme[i]) return false;
    }
    if (value.size() > scheme.size() && value[scheme.size()] != ' ') return false;
    rest = domain::trim(value.substr(scheme.size()));
    return true;
}

}  // namespace

namespace {

/// Standard Base64 with padding (RFC 4648 §4), strictly: a length that is a multiple of 4, '=' only as the
/// last one or two characters. None for anything else. Written out rather than through Poco's stream decoder,
/// which reports bad input by throwing from inside the stream (and leaked the partly decoded string doing
/// so).
std::optional<std::string> decodeBase64(const std::string& text) {
    if (text.empty() || text.size() % 4 != 0) return std::nullopt;
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    std::size_t padding = 0;
    if (text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        std::uint32_t group = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const bool pad = last && j >= 4 - padding;
            int v = pad ? 0 : value(text[i + j]);
            if (v < 0) return std::nullopt;
            group = (group << 6) | static_cast<std::uint32_t>(v);
        }
        out += static_cast<char>((group >> 16) & 0xff);
        if (!(last && padding == 2)) out += static_cast<char>((group >> 8) & 0xff);
        if (!(last && padding >= 1)) out += static_cast<char>(group & 0xff);
    }
    return out;
}

}  // namespace

std::optional<BasicCredentials> parseBasic(const std::string& authorization) {
    std::string encoded;
    if (!splitScheme(authorization, "basic", encoded) || encoded.empty()) return std::nullopt;
    auto decoded = decodeBase64(encoded);
    if (!decoded) return std::nullopt;
    auto colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

std::optional<domain::User> Authenticator::checkPassword(const std::string& username,
                                                         const std::string& password) {
    auto user = _stores.users.findByUsername(username);
    if (!user) {
        // As Django's ModelBackend: hash anyway, so that an unknown name costs what a wrong password costs.
        domain::hashPassword(password, _dummyIterations);
        return std::nullopt;
    }
    const std::string key = _cache.key(username, password);
    if (_cache.contains(key, user->id, user->passwordHash)) return user;
    if (!domain::verifyPassword(password, user->passwordHash)) return std::nullopt;
    _cache.remember(key, user->id, user->passwordHash);
    return user;
}

domain::Caller Authenticator::callerFor(domain::User user, bool readScope) {
    domain::Caller caller;
    caller.roles = _stores.users.roles(user.id);
    caller.user = std::move(user);
    caller.readScope = readScope;
    return caller;
}

const Authenticator::Known* Authenticator::known(const std::string& key, std::int64_t version) const {
    if (version != _knownVersion) return nullptr;
    auto found = _known.find(key);
    return found == _known.end() ? nullptr : &found->second;
}

void Authenticator::remember(const std::string& key, std::int64_t version, const domain::Caller& caller,
                             const std::string& expires) {
    if (version != _knownVersion || _known.size() >= 64) {
        _known.clear();
        _knownVersion = version;
    }
    _known[key] = Known{caller, expires};
}

domain::Caller Authenticator::authenticate(const std::string& authorization) {
    const std::string value = domain::trim(authorization);
    if (value.empty()) throw unauthorized(kNotAuthenticated);
    std::string token;
    if (splitScheme(value, "bearer", token)) {
        // DRF answers a bad or expired token like a missing one (awx-reference.md §4.4).
        if (token.empty() || token.find(' ') != std::string::npos) throw unauthorized(kNotAuthenticated);
        const std::string digest = domain::sha256Hex(token);
        const std::string key = "bearer " + digest;
        const std::string now = domain::formatTimestamp(domain::nowMicros());
        // The version first: a commit after it makes what is read below count as older than it is, never
        // newer.
        const std::int64_t version = _stores.users.credentialChanges();
        if (const Known* hit = known(key, version)) {
            if (hit->expires <= now) throw unauthorized(kNotAuthenticated);
            return hit->caller;
        }
        auto row = _stores.tokens.findByDigest(digest);
        if (!row || !row->token.userId || row->token.expires <= now) throw unauthorized(kNotAuthenticated);
        auto user = _stores.users.find(*row->token.userId);
        if (!user) throw unauthorized(kNotAuthenticated);
        bool write = (" " + row->token.scope + " ").find(" write ") != std::string::npos;
        domain::Caller caller = callerFor(std::move(*user), !write);
        remember(key, version, caller, row->token.expires);
        return caller;
    }
    std::string ignored;
    // No authenticator claims another scheme: the request is anonymous, as in DRF.
    if (!splitScheme(value, "basic", ignored)) throw unauthorized(kNotAuthenticated);
    auto credentials = parseBasic(value);
    if (!credentials) throw unauthorized(kInvalidCredentials);
    const std::string key = "basic " + _cache.key(credentials->username, credentials->password);
    const std::int64_t version = _stores.users.credentialChanges();
    if (const Known* hit = known(key, version)) return hit->caller;
    auto user = checkPassword(credentials->username, credentials->password);
    if (!user) throw unauthorized(kInvalidCredentials);
    domain::Caller caller = callerFor(std::move(*user), false);
    remember(key, version, caller, std::string());
    return caller;
}

}  // namespace appreg::api
