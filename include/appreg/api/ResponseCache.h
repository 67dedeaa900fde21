#pragma once

#include <cstddef>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>

#include "appreg/http/Response.h"
#include "appreg/store/CountCache.h"

namespace appreg::api {

/// The list responses one worker thread answered, each valid for the store::DataVersion it was read at
/// (docs/decisions.md, "List responses remembered").
///
/// A list page is a count, a page query and 25 rendered objects with their related names and capabilities;
/// when nothing was committed since, by any connection of any process, the same caller asking for the same
/// page gets the same bytes. Any commit changes the version and retires every entry. Bounded by the size of
/// the bodies it holds; the least recently used entry goes first. Used by one thread.
class ResponseCache {
public:
    /// `budgetBytes` 0 disables the cache. A body larger than a quarter of the budget is not kept.
    explicit ResponseCache(std::size_t budgetBytes) : _budget(budgetBytes) {}

    /// The response remembered for `key` at `version`, if any.
    std::optional<http::Response> find(const std::string& key, const store::DataVersion& version);
    /// Remembers `response` for `key` at `version`; entries of another version are forgotten first.
    void remember(const std::string& key, const store::DataVersion& version, const http::Response& response);

    std::size_t size() const { return _entries.size(); }
    std::size_t bytes() const { return _bytes; }

private:
    struct Entry {
        http::Response response;
        std::list<std::string>::iterator use;  ///< its place in _uses
    };
    std::size_t _budget;
    std::size_t _bytes = 0;  ///< keys and bodies held
    store::DataVersion _version{-1, -1};
    std::unordered_map<std::string, Entry> _entries;
    std::list<std::string> _uses;  ///< keys, most recently used first

    static std::size_t cost(const std::string& key, const http::Response& response);
    void clear();
};

}  // namespace appreg::api
