#include "appreg/store/CountCache.h"

namespace appreg::store {

std::optional<std::int64_t> CountCache::find(const std::string& key, const DataVersion& version) const {
    if (version != _version) return std::nullopt;
    auto found = _counts.find(key);
    if (found == _counts.end()) return std::nullopt;
    return found->second;
}

void CountCache::remember(const std::string& key, const DataVersion& version, std::int64_t count) {
    if (version != _version || _counts.size() >= _capacity) {
        _counts.clear();
        _version = version;
    }
    _counts[key] = count;
}

}  // namespace appreg::store
