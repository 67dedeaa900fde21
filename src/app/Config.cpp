#include "appreg/app/Config.h"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace appreg::app {

namespace {

int intKey(const Poco::Util::AbstractConfiguration& conf, const std::string& key, int def, int min, int max) {
    if (!conf.hasProperty(key)) return def;
    int v;
    try {
        v = conf.getInt(key);
    } catch (const Poco::Exception&) {
        throw std::invalid_argument(key + ": not an integer: " + conf.getRawString(key, ""));
    }
    if (v < min || v > max) {
        throw std::invalid_argument(key + ": must be between " + std::to_string(min) + " and " +
                                    std::to_string(max));
    }
    return v;
}

std::string hostName() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    return buf;
}

}  // namespace

int Config::defaultRunning(store::Backend backend, int threads, int cores) {
    if (backend == store::Backend::PostgreSQL) return threads;
    return std::clamp(2 * cores, 1, threads);
}

int Config::usableCores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? static_cast<int>(online) : 1;
}

Config Config::from(const Poco::Util::AbstractConfiguration& conf) {
    Config c;
    c.db.path = conf.getString("db.path", c.db.path);
    try {
        store::parseDatabaseLocation(c.db.path);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("db.path: ") + e.what());
    }
    c.db.synchronous = conf.getString("db.synchronous", c.db.synchronous);
    for (auto& ch : c.db.synchronous) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (c.db.synchronous != "OFF" && c.db.synchronous != "NORMAL" && c.db.synchronous != "FULL" &&
        c.db.synchronous != "EXTRA") {
        throw std::invalid_argument("db.synchronous: must be OFF, NORMAL, FULL or EXTRA");
    }
    c.db.checkpointPages = intKey(conf, "db.checkpoint_pages", c.db.checkpointPages, 0, 1000000);
    c.db.busyTimeoutMs = intKey(conf, "db.busy_timeout_ms", c.db.busyTimeoutMs, 0, 600000);
    c.db.statementTimeoutMs = intKey(conf, "db.statement_timeout_ms", c.db.statementTimeoutMs, 1, 3600000);
    c.db.connectTimeoutS = intKey(conf, "db.connect_timeout_s", c.db.connectTimeoutS, 2, 600);
    c.db.passwordFile = conf.getString("db.password_file", c.db.passwordFile);
    c.listen = conf.getString("listen", c.listen);
    c.listenBacklog = intKey(conf, "listen.backlog", c.listenBacklog, 1, 65535);
    c.listenGroup = conf.getString("listen.group", c.listenGroup);
    c.threads =
        intKey(conf, "threads",
               c.db.backend() == store::Backend::PostgreSQL ? kPostgresThreads : kSqliteThreads, 1, 256);
    c.running =
        intKey(conf, "threads.running", defaultRunning(c.db.backend(), c.threads, usableCores()), 1, 256);
    c.maxBodyBytes = static_cast<std::size_t>(
        intKey(conf, "request.max_body_bytes", static_cast<int>(c.maxBodyBytes), 1, 1 << 30));
    c.pathPrefix = conf.getString("http.path_prefix", c.pathPrefix);
    if (!c.pathPrefix.empty() && (c.pathPrefix[0] != '/' || c.pathPrefix.back() == '/')) {
        throw std::invalid_argument("http.path_prefix: must start with '/' and not end with '/' (e.g. /awx)");
    }
    c.nodeName = conf.getString("node.name", hostName());
    c.shutdownGraceMs = intKey(conf, "shutdown.grace_ms", c.shutdownGraceMs, 0, 600000);
    c.readTimeoutMs = intKey(conf, "request.read_timeout_ms", c.readTimeoutMs, 100, 3600000);
    c.logFile = conf.getString("log.file", c.logFile);
    c.passwordIterations = intKey(conf, "auth.password_iterations", c.passwordIterations, 1000, 10000000);
    c.credentialCacheSize = intKey(conf, "auth.credential_cache_size", c.credentialCacheSize, 0, 10000000);
    c.credentialCacheSeconds =
        intKey(conf, "auth.credential_cache_seconds", c.credentialCacheSeconds, 1, 86400);
    c.listCacheBytes = intKey(conf, "cache.list_bytes", c.listCacheBytes, 0, 1 << 30);
    try {
        c.logRequests = conf.getBool("log.requests", c.logRequests);
    } catch (const Poco::Exception&) {
        throw std::invalid_argument("log.requests: must be true or false");
    }
    if (conf.hasProperty("oauth2.access_token_expire_seconds")) {
        std::string raw = conf.getString("oauth2.access_token_expire_seconds");
        try {
            c.tokenLifetimeSeconds = static_cast<std::int64_t>(std::stoll(raw));
        } catch (const std::exception&) {
            throw std::invalid_argument("oauth2.access_token_expire_seconds: not an integer: " + raw);
        }
        // Up to ~3000 years ahead: the timestamp format has four-digit years.
        if (c.tokenLifetimeSeconds < 1 || c.tokenLifetimeSeconds > 90000000000LL) {
            throw std::invalid_argument(
                "oauth2.access_token_expire_seconds: must be between 1 and 90000000000");
        }
    }
    return c;
}

}  // namespace appreg::app
