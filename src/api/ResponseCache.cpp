#include "appreg/api/ResponseCache.h"

namespace appreg::api {

std::size_t ResponseCache::cost(const std::string& key, const http::Response& response) {
    std::size_t bytes = key.size() + response.body.size();
    for (const auto& [name, value] : response.headers) bytes += name.size() + value.size();
    return bytes;
}

void ResponseCache::clear() {
    _entries.clear();
    _uses.clear();
    _bytes = 0;
}

std::optional<http::Response> ResponseCache::find(const std::string& key, const store::DataVersion& version) {
    if (version != _version) return std::nullopt;
    auto found = _entries.find(key);
    if (found == _entries.end()) return std::nullopt;
    _uses.splice(_uses.begin(), _uses, found->second.use);
    return found->second.response;
}

void ResponseCache::remember(const std::string& key, const store::DataVersion& version,
                             const http::Response& response) {
    if (version != _version) {
        clear();
        _version = version;
    }
    const std::size_t bytes = cost(key, response);
    if (bytes > _budget / 4) return;
    if (auto old = _entries.find(key); old != _entries.end()) {
        _bytes -= cost(key, old->second.response);
        _uses.erase(old->second.use);
        _entries.erase(old);
    }
    while (_bytes + bytes > _budget && !_uses.empty()) {
        auto last = _entries.find(_uses.back());
        _bytes -= cost(last->first, last->second.response);
        _entries.erase(last);
        _uses.pop_back();
    }
    _uses.push_front(key);
    _entries.emplace(key, Entry{response, _uses.begin()});
    _bytes += bytes;
}

}  // namespace appreg::api
