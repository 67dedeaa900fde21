#include "appreg/domain/RedirectUris.h"

#include <arpa/inet.h>

#include <cctype>
#include <vector>

namespace appreg::domain {

namespace {

constexpr std::size_t kMaxUrlLength = 2048;  // Django's URLValidator.max_length

std::vector<std::string> splitWhitespace(const std::string& s) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        std::size_t start = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool isAlnum(unsigned char c) { return std::isalnum(c) != 0; }

/// The first character of a host as DOT's unanchored regex sees it: a letter or digit (hostname, IPv4, dotless
/// domain), a non-ASCII character (Django's `ul` range), or an IPv6 literal in brackets.
bool hostStartsValid(const std::string& rest) {
    if (rest.empty()) return false;
    unsigned char c = static_cast<unsigned char>(rest[0]);
    if (isAlnum(c) || c >= 0x80) return true;
    if (c == '[') {
        auto close = rest.find(']');
        if (close == std::string::npos || close == 1) return false;
        for (std::size_t i = 1; i < close; ++i) {
            char h = static_cast<char>(std::tolower(static_cast<unsigned char>(rest[i])));
            if (!(std::isxdigit(static_cast<unsigned char>(h)) || h == ':' || h == '.')) return false;
        }
        return true;
    }
    return false;
}

struct SplitUri {
    std::string scheme;
    std::string netloc;
    std::string fragment;
    bool hasFragment = false;
};

/// Python's urlsplit for the parts the validators look at.
SplitUri urlsplit(const std::string& uri) {
    SplitUri out;
    auto colon = uri.find(':');
    std::string rest = uri;
    if (colon != std::string::npos && colon > 0 && std::isalpha(static_cast<unsigned char>(uri[0]))) {
        bool schemeChars = true;
        for (std::size_t i = 0; i < colon; ++i) {
            char c = uri[i];
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) schemeChars = false;
        }
        if (schemeChars) {
            out.scheme = lower(uri.substr(0, colon));
            rest = uri.substr(colon + 1);
        }
    }
    if (rest.compare(0, 2, "//") == 0) {
        auto end = rest.find_first_of("/?#", 2);
        out.netloc = rest.substr(2, end == std::string::npos ? std::string::npos : end - 2);
    }
    auto hash = rest.find('#');
    if (hash != std::string::npos) {
        out.hasFragment = true;
        out.fragment = rest.substr(hash + 1);
    }
    return out;
}

/// Django's check of a bracketed IPv6 netloc (`[addr]` with an optional port).
bool ipv6NetlocValid(const std::string& netloc) {
    auto at = netloc.rfind('@');
    std::string hostport = at == std::string::npos ? netloc : netloc.substr(at + 1);
    if (hostport.empty() || hostport[0] != '[') return true;
    auto close = hostport.find(']');
    if (close == std::string::npos) return false;  // urlsplit: "Invalid IPv6 URL"
    std::string addr = hostport.substr(1, close - 1);
    std::string port = hostport.substr(close + 1);
    if (!port.empty()) {
        if (port[0] != ':' || port.size() < 2 || port.size() > 6) return false;
        for (std::size_t i = 1; i < port.size(); ++i) {
            if (!std::isdigit(static_cast<unsigned char>(port[i]))) return false;
        }
    }
    unsigned char buf[16];
    return inet_pton(AF_INET6, addr.c_str(), buf) == 1;
}

/// Django URLValidator with DOT's relaxed, unanchored regex: `scheme://` then a plausible host.
bool looksLikeUrl(const std::string& uri) {
    if (uri.size() > kMaxUrlLength) return false;
    auto sep = uri.find("://");
    if (sep == std::string::npos || sep == 0) return false;
    if (!std::isalpha(static_cast<unsigned char>(uri[0]))) return false;
    for (std::size_t i = 0; i < sep; ++i) {
        char c = uri[i];
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+')) return false;
    }
    if (!hostStartsValid(uri.substr(sep + 3))) return false;
    SplitUri parts = urlsplit(uri);
    if (parts.netloc.empty()) return false;  // urlsplit(value).hostname is None
    return ipv6NetlocValid(parts.netloc);
}

}  // namespace

std::optional<std::string> checkRedirectUris(const std::string& redirectUris, const std::string& grantType) {
    auto uris = splitWhitespace(redirectUris);
    if (uris.empty()) {
        if (grantType == "authorization-code")
            return "redirect_uris cannot be empty with grant_type " + grantType;
        return std::nullopt;
    }
    for (const auto& uri : uris) {
        if (!looksLikeUrl(uri)) return std::string("Enter a valid URL.");
        SplitUri parts = urlsplit(uri);
        if (parts.hasFragment && !parts.fragment.empty()) return std::string("Redirect URIs must not contain fragments");
        if (parts.scheme != "http" && parts.scheme != "https") return "Unauthorized redirect scheme: " + parts.scheme;
    }
    return std::nullopt;
}

}  // namespace appreg::domain
