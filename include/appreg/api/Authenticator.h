#pragma once

#include <optional>
#include <string>

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
    Stores& _stores;
    CredentialCache& _cache;
    unsigned _dummyIterations;

    domain::Caller callerFor(domain::User user, bool readScope);
};

}  // namespace appreg::api
