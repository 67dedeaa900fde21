#include "appreg/http/Request.h"

#include <cctype>

namespace appreg::http {

namespace {
int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::string percentDecode(const std::string& s, bool plusIsSpace) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+' && plusIsSpace) {
            out += ' ';
        } else if (c == '%' && i + 2 < s.size()) {
            int hi = hexValue(s[i + 1]);
            int lo = hexValue(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
            } else {
                out += c;
            }
        } else {
            out += c;
        }
    }
    return out;
}

void Request::splitUri(const std::string& uri, std::string& path, std::string& query) {
    auto q = uri.find('?');
    if (q == std::string::npos) {
        path = uri;
        query.clear();
    } else {
        path = uri.substr(0, q);
        query = uri.substr(q + 1);
    }
}

std::vector<std::pair<std::string, std::string>> Request::queryParams() const {
    return parseUrlEncoded(query);
}

std::vector<std::pair<std::string, std::string>> Request::formParams() const {
    if (mediaType() != "application/x-www-form-urlencoded") return {};
    return parseUrlEncoded(body);
}

std::vector<std::pair<std::string, std::string>> parseUrlEncoded(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto amp = text.find('&', start);
        if (amp == std::string::npos) amp = text.size();
        std::string part = text.substr(start, amp - start);
        if (!part.empty()) {
            auto eq = part.find('=');
            std::string key = percentDecode(part.substr(0, eq), true);
            std::string value =
                eq == std::string::npos ? std::string() : percentDecode(part.substr(eq + 1), true);
            out.emplace_back(std::move(key), std::move(value));
        }
        start = amp + 1;
    }
    return out;
}

std::string Request::mediaType() const {
    std::string type = contentType.substr(0, contentType.find(';'));
    std::size_t b = 0, e = type.size();
    while (b < e && std::isspace(static_cast<unsigned char>(type[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(type[e - 1]))) --e;
    std::string out = type.substr(b, e - b);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace appreg::http
