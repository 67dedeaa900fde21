#include "appreg/store/Dialect.h"

#include <algorithm>
#include <stdexcept>

namespace appreg::store {

namespace {

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

DatabaseLocation parseDatabaseLocation(const std::string& db) {
    if (db.empty()) throw std::invalid_argument("the database must not be empty");
    if (startsWith(db, "postgresql://") || startsWith(db, "postgres://")) return {Backend::PostgreSQL, db};
    if (startsWith(db, "sqlite:")) {
        std::string path = db.substr(7);
        if (startsWith(path, "//"))
            path = path.substr(2);  // sqlite:///var/lib/... as well as sqlite:/var/lib/...
        if (path.empty()) throw std::invalid_argument("sqlite: names no file");
        return {Backend::SQLite, path};
    }
    const auto scheme = db.find("://");
    if (scheme != std::string::npos && db.find('/') > scheme) {
        throw std::invalid_argument("unknown database scheme \"" + db.substr(0, scheme) +
                                    "\" (use a SQLite path, sqlite:PATH or postgresql://...)");
    }
    return {Backend::SQLite, db};
}

std::string redactDatabaseLocation(const std::string& db) {
    const auto scheme = db.find("://");
    if (scheme == std::string::npos) return db;
    const auto authorityStart = scheme + 3;
    auto authorityEnd = db.find_first_of("/?#", authorityStart);
    if (authorityEnd == std::string::npos) authorityEnd = db.size();
    const auto at = db.rfind('@', authorityEnd);
    std::string out = db;
    if (at != std::string::npos && at > authorityStart) {
        const auto colon = db.find(':', authorityStart);
        if (colon != std::string::npos && colon < at) out = db.substr(0, colon + 1) + "***" + db.substr(at);
    }
    // A password may also come as a query parameter (?password=...).
    for (std::size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
        if (p == 0 || (out[p - 1] != '?' && out[p - 1] != '&')) continue;
        const auto end = out.find('&', p);
        out = out.substr(0, p + 9) + "***" + (end == std::string::npos ? std::string() : out.substr(end));
    }
    return out;
}

namespace dialect {

std::string contains(Backend backend, const std::string& haystack, const std::string& needle) {
    return (backend == Backend::SQLite ? "instr(" : "strpos(") + haystack + ", " + needle + ") > 0";
}

std::string suffix(Backend backend, const std::string& expr, const std::string& lengthOf) {
    if (backend == Backend::SQLite) return "substr(" + expr + ", -length(" + lengthOf + "))";
    return "right(" + expr + ", length(" + lengthOf + "))";
}

const char* beginRead(Backend backend) {
    return backend == Backend::SQLite ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
}

const char* beginWrite(Backend backend) { return backend == Backend::SQLite ? "BEGIN IMMEDIATE" : "BEGIN"; }

const char* writeLock() {
    // One application-chosen 64-bit key ("appreg" in ASCII); transaction-scoped, so it cannot outlive a
    // connection that died mid-transaction.
    return "SELECT pg_advisory_xact_lock(112101713)";
}

std::string toPostgresPlaceholders(const std::string& sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    int n = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (c == '\'' || c == '"') {
            const auto end = sql.find(c, i + 1);
            const auto stop = end == std::string::npos ? sql.size() : end + 1;
            out.append(sql, i, stop - i);
            i = stop - 1;
        } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
            const auto end = sql.find('\n', i);
            const auto stop = end == std::string::npos ? sql.size() : end;
            out.append(sql, i, stop - i);
            i = stop - 1;
        } else if (c == '?') {
            // "?NNN" is SQLite's numbered parameter, which PostgreSQL writes "$NNN"; a bare "?" takes the
            // next number after the largest so far, as in SQLite.
            std::size_t digits = i + 1;
            while (digits < sql.size() && sql[digits] >= '0' && sql[digits] <= '9') ++digits;
            if (digits > i + 1) {
                const int number = std::stoi(sql.substr(i + 1, digits - i - 1));
                n = std::max(n, number);
                out += '$' + std::to_string(number);
                i = digits - 1;
            } else {
                out += '$' + std::to_string(++n);
            }
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace dialect

}  // namespace appreg::store
