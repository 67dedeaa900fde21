#include "appreg/domain/ListQuery.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <set>

#include "appreg/domain/Timestamp.h"
#include "appreg/http/ApiError.h"
#include "appreg/http/Json.h"

namespace appreg::domain {

namespace {

using http::ApiError;

const std::set<std::string>& reservedParams() {
    static const std::set<std::string> reserved = {"page",        "page_size",      "format", "order",
                                                   "order_by",    "search",         "type",   "host_filter",
                                                   "count_disabled", "no_truncate", "limit",  "validate"};
    return reserved;
}

const std::map<std::string, Lookup>& lookups() {
    static const std::map<std::string, Lookup> all = {
        {"exact", Lookup::Exact},          {"iexact", Lookup::IExact},         {"contains", Lookup::Contains},
        {"icontains", Lookup::IContains},  {"startswith", Lookup::StartsWith}, {"istartswith", Lookup::IStartsWith},
        {"endswith", Lookup::EndsWith},    {"iendswith", Lookup::IEndsWith},   {"gt", Lookup::Gt},
        {"gte", Lookup::Gte},              {"lt", Lookup::Lt},                 {"lte", Lookup::Lte},
        {"in", Lookup::In},                {"isnull", Lookup::IsNull}};
    return all;
}

std::vector<std::string> splitOn(const std::string& s, const std::string& sep) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        auto pos = s.find(sep, start);
        if (pos == std::string::npos) {
            parts.push_back(s.substr(start));
            return parts;
        }
        parts.push_back(s.substr(start, pos - start));
        start = pos + sep.size();
    }
}

[[noreturn]] void noField(const std::string& model, const std::string& name) {
    throw ApiError::detail(400, model + " has no field named '" + name + "'");
}

void refuseSecret(const FieldSpec& f) {
    if (f.preventSearch) throw ApiError::detail(403, "Filtering on " + f.name + " is not allowed.");
}

/// Resolves "name" or "organization__name" (the FK itself resolves to its column: `organization` = org id).
/// Consumes path parts; what is left may be a lookup.
FieldRef resolvePath(const std::vector<std::string>& parts, std::size_t& used, const ListResource& r) {
    const FieldSpec* f = r.table->find(parts[0]);
    if (!f || !f->stored()) noField(r.modelName, parts[0]);
    refuseSecret(*f);
    used = 1;
    FieldRef ref{"", f};
    if (f->type == FieldType::PrimaryKey && parts.size() > 1 && lookups().count(parts[1]) == 0) {
        auto rel = r.related.find(f->name);
        if (rel == r.related.end()) noField(r.modelName, parts[0] + "__" + parts[1]);
        const FieldSpec* rf = rel->second->find(parts[1]);
        if (!rf || !rf->stored()) noField(f->relatedModel, parts[1]);
        refuseSecret(*rf);
        ref = FieldRef{f->name, rf};
        used = 2;
    }
    return ref;
}

bool parseBool(const std::string& raw, bool& out) {
    std::string v = raw;
    for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (v == "true" || v == "1" || v == "t") {
        out = true;
        return true;
    }
    if (v == "false" || v == "0" || v == "f") {
        out = false;
        return true;
    }
    return false;
}

bool parseInt(const std::string& raw, std::int64_t& out) {
    std::string s = trim(raw);
    if (s.empty()) return false;
    std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == s.size() || s.find_first_not_of("0123456789", i) != std::string::npos) return false;
    errno = 0;
    out = std::strtoll(s.c_str(), nullptr, 10);
    return errno != ERANGE;
}

int digits(const std::string& s, std::size_t pos, std::size_t n) {
    if (pos + n > s.size()) return -1;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/// Django's datetime parsing for filters (`YYYY-MM-DD`, then optionally `[T ]HH:MM[:SS[.ffffff]]` and `Z` or
/// `±HH[:MM]`), normalised to the stored form `YYYY-MM-DDTHH:MM:SS.ffffffZ` so that text order is time order.
bool parseDateTime(const std::string& raw, std::string& out) {
    std::string s = trim(raw);
    int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || s[4] != '-' || s[7] != '-') return false;
    int hour = 0, minute = 0, second = 0, offsetMinutes = 0;
    long micros = 0;
    std::size_t pos = 10;
    if (pos < s.size()) {
        if (s[pos] != 'T' && s[pos] != ' ') return false;
        hour = digits(s, pos + 1, 2);
        minute = digits(s, pos + 4, 2);
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || s[pos + 3] != ':') return false;
        pos += 6;
        if (pos < s.size() && s[pos] == ':') {
            second = digits(s, pos + 1, 2);
            if (second < 0 || second > 59) return false;
            pos += 3;
            if (pos < s.size() && s[pos] == '.') {
                std::size_t start = ++pos;
                while (pos < s.size() && pos - start < 6 && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
                if (pos == start) return false;
                std::string frac = s.substr(start, pos - start);
                frac.resize(6, '0');
                micros = std::stol(frac);
            }
        }
        if (pos < s.size()) {
            if (s[pos] == 'Z' && pos + 1 == s.size()) {
                pos += 1;
            } else if (s[pos] == '+' || s[pos] == '-') {
                int oh = digits(s, pos + 1, 2), om = 0;
                std::size_t next = pos + 3;
                if (next < s.size() && s[next] == ':') ++next;
                if (next < s.size()) om = digits(s, next, 2), next += 2;
                if (oh < 0 || om < 0 || next != s.size()) return false;
                offsetMinutes = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
                pos = next;
            } else {
                return false;
            }
        }
    }
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    std::time_t t = timegm(&tm);
    if (tm.tm_mday != day) return false;  // e.g. February 30th
    out = formatTimestamp((static_cast<std::int64_t>(t) - offsetMinutes * 60) * 1000000 + micros);
    return true;
}

Poco::Dynamic::Var convertValue(const FieldRef& ref, Lookup lookup, const std::string& raw) {
    const FieldSpec& f = *ref.field;
    bool textLookup = lookup == Lookup::IExact || lookup == Lookup::Contains || lookup == Lookup::IContains ||
                      lookup == Lookup::StartsWith || lookup == Lookup::IStartsWith || lookup == Lookup::EndsWith ||
                      lookup == Lookup::IEndsWith;
    if (textLookup) return raw;
    switch (f.type) {
        case FieldType::Boolean: {
            bool b;
            if (!parseBool(raw, b)) throw ApiError::detail(400, "Unable to convert \"" + raw + "\" to boolean");
            return b;
        }
        case FieldType::PrimaryKey:
        case FieldType::Integer: {
            std::int64_t v;
            if (!parseInt(raw, v)) {
                if (f.type == FieldType::PrimaryKey) throw ApiError::detail(400, "Invalid " + f.name + " id: " + raw);
                // Django's message for an integer field, as AWX passes it through: a JSON-encoded list.
                std::string shown;
                for (char c : raw) {
                    if (c == '"' || c == '\\') shown += '\\';
                    shown += c;
                }
                throw ApiError::detail(400, "[\"\u201c" + shown + "\u201d value must be an integer.\"]");
            }
            return v;
        }
        case FieldType::DateTime: {
            std::string normalised;
            if (!parseDateTime(raw, normalised)) {
                std::string shown;
                for (char c : raw) {
                    if (c == '"' || c == '\\') shown += '\\';
                    shown += c;
                }
                throw ApiError::detail(400, "[\"\u201c" + shown +
                                                "\u201d value has an invalid format. It must be in YYYY-MM-DD "
                                                "HH:MM[:ss[.uuuuuu]][TZ] format.\"]");
            }
            return normalised;
        }
        default: return raw;
    }
}

Filter parseFilter(const std::string& key, const std::string& value, const ListResource& r) {
    std::vector<std::string> parts = splitOn(key, "__");
    Filter filter;
    if (parts.size() > 1 && parts[0] == "not") {
        filter.negate = true;
        parts.erase(parts.begin());
    }
    std::size_t used = 0;
    filter.ref = resolvePath(parts, used, r);
    if (used < parts.size()) {
        auto l = lookups().find(parts[used]);
        if (l == lookups().end() || used + 1 != parts.size()) noField(r.modelName, key);
        filter.lookup = l->second;
    }
    if (filter.lookup == Lookup::IsNull) {
        bool b;
        if (!parseBool(value, b)) throw ApiError::detail(400, "Unable to convert \"" + value + "\" to boolean");
        filter.values.push_back(b);
    } else if (filter.lookup == Lookup::In) {
        if (value.empty()) throw ApiError::detail(400, "cannot provide empty value for __in");
        for (const auto& item : splitOn(value, ",")) filter.values.push_back(convertValue(filter.ref, Lookup::Exact, item));
    } else {
        filter.values.push_back(convertValue(filter.ref, filter.lookup, value));
    }
    return filter;
}

OrderTerm parseOrderTerm(const std::string& item, const ListResource& r) {
    OrderTerm term;
    std::string path = item;
    if (!path.empty() && path[0] == '-') {
        term.descending = true;
        path.erase(0, 1);
    }
    std::vector<std::string> parts = splitOn(path, "__");
    std::size_t used = 0;
    term.ref = resolvePath(parts, used, r);
    if (used != parts.size()) noField(r.modelName, path);
    // Django orders by a foreign key through the related model's own ordering: its name.
    if (term.ref.relation.empty() && term.ref.field->type == FieldType::PrimaryKey) {
        auto related = r.related.find(term.ref.field->name);
        if (related != r.related.end() && related->second->find("name")) {
            term.ref = FieldRef{term.ref.field->name, related->second->find("name")};
        }
    }
    return term;
}

std::string encodeComponent(const std::string& s) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~') {
            out += static_cast<char>(c);
        } else if (c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace

std::vector<std::string> splitSearchTerms(const std::string& search) {
    std::vector<std::string> terms;
    std::string current;
    bool quoted = false;
    auto flush = [&] {
        if (!current.empty()) terms.push_back(current);
        current.clear();
    };
    for (char c : search) {
        if (c == '"') {
            flush();
            quoted = !quoted;
        } else if (!quoted && (std::isspace(static_cast<unsigned char>(c)) || c == ',')) {
            flush();
        } else {
            current += c;
        }
    }
    flush();
    return terms;
}

ListQuery parseListQuery(const std::vector<std::pair<std::string, std::string>>& params, const ListResource& r) {
    for (const auto& [key, value] : params) {
        // Keys and values are quoted back in error messages, which must stay valid JSON.
        if (!http::json::validUtf8(key) || !http::json::validUtf8(value)) {
            throw ApiError::detail(400, "The query string is not valid UTF-8.");
        }
    }
    ListQuery q;
    std::vector<std::string> orderItems;
    for (const auto& [key, value] : params) {
        if (key == "page") {
            q.page = value;
        } else if (key == "page_size") {
            std::int64_t size;
            if (parseInt(value, size) && size > 0) {
                q.pageSizeCapped = size > kMaxPageSize;
                q.pageSize = static_cast<int>(std::min<std::int64_t>(size, kMaxPageSize));
            }
        } else if (key == "order_by" || key == "order") {
            for (const auto& item : splitOn(value, ",")) {
                if (!trim(item).empty()) orderItems.push_back(trim(item));
            }
        } else if (key == "search") {
            for (auto& t : splitSearchTerms(value)) q.searchTerms.push_back(std::move(t));
        } else if (key == "type") {
            bool ours = false;
            for (const auto& t : splitOn(value, ",")) ours = ours || t == r.typeName;
            if (!ours) q.matchesNothing = true;
        } else if (key == "count_disabled") {
            bool b;
            q.countDisabled = parseBool(value, b) && b;
        } else if (reservedParams().count(key) == 0) {
            q.filters.push_back(parseFilter(key, value, r));
        }
    }
    if (!orderItems.empty()) {
        for (const auto& item : orderItems) q.order.push_back(parseOrderTerm(item, r));
    } else {
        for (const auto& [path, descending] : r.defaultOrder) {
            OrderTerm t = parseOrderTerm(path, r);
            t.descending = descending;
            q.order.push_back(t);
        }
    }
    return q;
}

PageWindow resolvePage(const ListQuery& q, std::int64_t count) {
    PageWindow w;
    w.limit = q.pageSize;
    w.pages = std::max<std::int64_t>(1, (count + q.pageSize - 1) / q.pageSize);
    if (q.page == "last") {
        w.number = w.pages;
    } else {
        std::int64_t n;
        if (!parseInt(q.page, n) || n < 1 || n > w.pages) throw ApiError::detail(404, "Invalid page.");
        w.number = n;
    }
    w.offset = (w.number - 1) * q.pageSize;
    return w;
}

std::string pageLink(const std::string& path, const std::vector<std::pair<std::string, std::string>>& params,
                     std::int64_t page, bool pageSizeCapped) {
    // parse_qs groups the values of a key in order; urlencode(sorted(...)) then orders the keys.
    std::map<std::string, std::vector<std::string>> grouped;
    for (const auto& [k, v] : params) grouped[k].push_back(v);
    grouped.erase("page");
    if (page > 0) grouped["page"] = {std::to_string(page)};
    if (pageSizeCapped) grouped["page_size"] = {std::to_string(kMaxPageSize)};
    std::string query;
    for (const auto& [k, values] : grouped) {
        for (const auto& v : values) {
            if (!query.empty()) query += '&';
            query += encodeComponent(k) + "=" + encodeComponent(v);
        }
    }
    return query.empty() ? path : path + "?" + query;
}

}  // namespace appreg::domain
