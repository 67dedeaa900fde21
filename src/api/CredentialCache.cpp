#include "appreg/api/CredentialCache.h"

#include <algorithm>
#include <atomic>
#include <memory>

#include <Poco/DigestEngine.h>
#include <Poco/HMACEngine.h>

#include "appreg/domain/Secrets.h"
#include "appreg/domain/Sha256Engine.h"

namespace appreg::api {

namespace {

std::atomic<std::uint64_t> g_instances{0};

}  // namespace

CredentialCache::CredentialCache(std::size_t capacity, std::chrono::seconds lifetime)
    : _secret(domain::randomBytes(32)), _instance(++g_instances), _capacity(capacity), _lifetime(lifetime) {}

std::string CredentialCache::key(const std::string& username, const std::string& password) const {
    // Each thread keeps one HMAC engine for this cache's secret and reuses it: after a digest the engine has
    // hashed the inner padded key again, ready for the next one, so a key costs the data's block and the
    // outer hash instead of a new engine's allocations and set-up as well (a third of a Basic request's
    // authentication, issue 7). Told apart by instance, not address: a cache made where a destroyed one was
    // gets an engine of its own secret.
    struct Engine {
        std::uint64_t owner = 0;
        std::unique_ptr<Poco::HMACEngine<domain::Sha256Engine>> hmac;
    };
    thread_local Engine engine;
    if (engine.owner != _instance || !engine.hmac) {
        engine.hmac = std::make_unique<Poco::HMACEngine<domain::Sha256Engine>>(_secret);
        engine.owner = _instance;
    }
    // The length prefix keeps ("ab", "c") and ("a", "bc") apart.
    engine.hmac->update(std::to_string(username.size()) + ":" + username + password);
    return Poco::DigestEngine::digestToHex(engine.hmac->digest());
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
