#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "appreg/domain/Sha256.h"

namespace appreg::api {

/// Basic credentials verified recently, shared by every worker thread, so that a client sending the same
/// username and password on each request pays for PBKDF2 once per `lifetime` instead of on every request.
///
/// Nothing secret is kept: an entry is keyed by HMAC-SHA256(username, password) under a random key made at
/// start (never stored), and remembers the user id and the password hash it was checked against; a changed
/// password (a different stored hash) or a deleted user misses. Bounded: at most `capacity` entries, the
/// oldest dropped first; entries expire after `lifetime`.
class CredentialCache {
public:
    CredentialCache(std::size_t capacity, std::chrono::seconds lifetime);

    /// The keyed digest of a username/password pair.
    std::string key(const std::string& username, const std::string& password) const;

    /// Whether `key` was verified for this user and this stored password hash within the lifetime.
    bool contains(const std::string& key, std::int64_t userId, const std::string& passwordHash);
    void remember(const std::string& key, std::int64_t userId, const std::string& passwordHash);

    std::size_t size() const;

private:
    struct Entry {
        std::int64_t userId;
        std::string passwordHash;
        std::chrono::steady_clock::time_point expires;
    };
    const domain::HmacSha256 _hmac;  ///< under a random key made at start
    const std::size_t _capacity;
    const std::chrono::seconds _lifetime;
    mutable std::mutex _mutex;
    std::map<std::string, Entry> _entries;
    std::deque<std::string> _order;  ///< keys, oldest first (a key appears once)
};

}  // namespace appreg::api
