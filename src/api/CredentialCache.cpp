#include "appreg/api/CredentialCache.h"

#include <algorithm>

#include "appreg/domain/Secrets.h"

namespace appreg::api {

CredentialCache::CredentialCache(std::size_t capacity, std::chrono::seconds lifetime)
    : _hmac(domain::randomBytes(32)), _capacity(capacity), _lifetime(lifetime) {}

std::string CredentialCache::key(const std::string& username, const std::string& password) const {
    // The padded key blocks were hashed when the cache was made: a key costs two SHA-256 compressions for a
    // short pair (issue 7: Poco's HMACEngine set up anew, or even reused, was a third of a Basic request's
    // authentication). The length prefix keeps ("ab", "c") and ("a", "bc") apart.
    return domain::toHex(_hmac.mac(std::to_string(username.size()) + ":" + username + password));
}

bool CredentialCache::contains(const std::string& key, std::int64_t userId, const std::string& passwordHash) {
    std::lock_guard<std::mutex> lock(_mutex);
    auto it = _entries.find(key);
    if (it == _entries.end()) return false;
    const Entry& e = it->second;
    if (e.expires <= std::chrono::steady_clock::now()) return false;
    return e.userId == userId && domain::constantTimeEquals(e.passwordHash, passwordHash);
}

void CredentialCache::remember(const std::string& key, std::int64_t userId, const std::string& passwordHash) {
    if (_capacity == 0) return;
    std::lock_guard<std::mutex> lock(_mutex);
    auto expires = std::chrono::steady_clock::now() + _lifetime;
    auto it = _entries.find(key);
    if (it != _entries.end()) {
        it->second = Entry{userId, passwordHash, expires};
        _order.erase(std::find(_order.begin(), _order.end(), key));
    } else {
        while (_entries.size() >= _capacity) {
            _entries.erase(_order.front());
            _order.pop_front();
        }
        _entries.emplace(key, Entry{userId, passwordHash, expires});
    }
    _order.push_back(key);
}

std::size_t CredentialCache::size() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _entries.size();
}

}  // namespace appreg::api
