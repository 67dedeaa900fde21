#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <Poco/Util/AbstractConfiguration.h>

#include "appreg/store/Database.h"

namespace appreg::app {

/// Every setting of the worker, with its default. conf/appreg.properties documents each key.
struct Config {
    /// Default `threads` on SQLite: a write holds its thread until its group commits, so the thread count
    /// bounds a group; a thread costs a connection with a 512 KiB page cache.
    static constexpr int kSqliteThreads = 48;
    /// Default `threads` on PostgreSQL: each thread holds a server connection (max_connections is 100).
    static constexpr int kPostgresThreads = 16;

    store::DatabaseOptions db;  ///< db.path, db.synchronous, db.busy_timeout_ms
    std::string listen;         ///< listen: "" (inherited fd 0 / fd 3), "unix:PATH" or "HOST:PORT"
    int listenBacklog = 128;    ///< listen.backlog
    std::string listenGroup;    ///< listen.group: group of a socket created by `listen`
    /// threads; by default kSqliteThreads on SQLite, kPostgresThreads on PostgreSQL (issue 7)
    int threads = kSqliteThreads;
    /// threads.running: how many of them run requests at once (fcgi::RunLimit); a thread waiting for its
    /// write's commit does not count. By default defaultRunning().
    int running = kSqliteThreads;
    std::size_t maxBodyBytes = 1048576;  ///< request.max_body_bytes
    std::string pathPrefix;              ///< http.path_prefix, stripped from REQUEST_URI before routing
    std::string nodeName;                ///< node.name (default: the host name)
    int shutdownGraceMs = 5000;          ///< shutdown.grace_ms
    int readTimeoutMs = 30000;           ///< request.read_timeout_ms
    bool logRequests = true;             ///< log.requests
    std::string logFile;  ///< log.file: append log lines here instead of stderr (SIGHUP reopens it)
    std::int64_t tokenLifetimeSeconds = 31536000000;  ///< oauth2.access_token_expire_seconds (AWX's default)
    int passwordIterations = 600000;  ///< auth.password_iterations: PBKDF2 iterations of new password hashes
    int credentialCacheSize =
        10000;  ///< auth.credential_cache_size: verified Basic credentials kept (0: none)
    int credentialCacheSeconds = 300;  ///< auth.credential_cache_seconds: how long one stays verified
    int listCacheBytes = 524288;       ///< cache.list_bytes: list responses kept per thread (0: none)

    /// Default `threads.running`: on SQLite two per core this process may use (`cores`), so that the next
    /// connection is usually taken by a thread that has just finished one instead of waking another; on
    /// PostgreSQL every thread, as each waits for the server in every query. At most `threads`.
    static int defaultRunning(store::Backend backend, int threads, int cores);
    /// The cores this process may run on (its CPU affinity), at least 1.
    static int usableCores();

    /// Reads the keys from a (layered) configuration, keeping defaults for absent ones.
    /// Throws std::invalid_argument naming the key of any invalid value.
    static Config from(const Poco::Util::AbstractConfiguration& conf);
};

}  // namespace appreg::app
