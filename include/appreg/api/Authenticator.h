#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "appreg/api/CredentialCache.h"
#include "appreg/api/Stores.h"
#include "appreg/domain/Access.h"

namespace appreg::api {

/// The 401 texts (API.md §2: AWX's, without its login-session sentence) and header.
extern const char* const kNotAuthenticated;
extern const char* const kInvalidCredentials;
extern const char* const kWwwAuthenticate;

/// Username and password of an `Authorization: Basic` value; none if it is not one or does not decode.
struct BasicCredentials {
    std::string username;
    std::string password;
};
std::optional<BasicCredentials> parseBasic(const std::string& authorization);

/// Turns an Authorization header into the caller (API.md §7): HTTP Basic checked against the user's
/// PBKDF2 hash (through the CredentialCache), or `Bearer <access token>` looked up by its SHA-256 digest and
/// refused once expired. Throws http::ApiError 401 (with WWW-Authenticate) for missing or bad credentials.
class Authenticator {
public:
    Authenticator(Stores& stores, CredentialCache& cache, unsigned dummyIterations)
        : _stores(stores), _cache(cache), _dummyIterations(dummyIterations) {}

    domain::Caller authenticate(const std::string& authorization);

    /// The user with this username and password, or none. Costs one PBKDF2 unless the cache knows the pair;
    /// an unknown username costs the same (a hash is computed anyway), so timing does not tell which names
    /// exist.
    std::optional<domain::User> checkPassword(const std::string& username, const std::string& password);

private:
    /// A caller this thread has authenticated, with the token's expiry for Bearer.
    struct Known {
        domain::Caller caller;
        std::string expires;
    };

    Stores& _stores;
    CredentialCache& _cache;
    unsigned _dummyIterations;
    /// Callers by credential key (an HMAC of Basic credentials, or a token's digest), all valid while
    /// UserStore::credentialChanges() stays at `_knownVersion`: until a user, role or token changes, the same
    /// credentials need no lookup (two to three queries of every request, issue 7). Writes to applications,
    /// organizations or the activity stream do not retire them.
    std::unordered_map<std::string, Known> _known;
    std::int64_t _knownVersion = -1;

    domain::Caller callerFor(domain::User user, bool readScope);
    const Known* known(const std::string& key, std::int64_t version) const;
    void remember(const std::string& key, std::int64_t version, const domain::Caller& caller,
                  const std::string& expires);
};

}  // namespace appreg::api
