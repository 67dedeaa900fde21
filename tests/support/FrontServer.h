#pragma once

#include "ChildProcess.h"
#include "TempDir.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace appreg::test {

/// What a front server talks to.
struct FrontServerBackend {
    /// Servers that connect to a running worker (lighttpd, Apache mod_proxy_fcgi, nginx): its unix socket.
    std::string socketPath;
    /// Apache mod_fcgid, which starts the worker itself: the program, its --config and --db.
    std::string binary;
    std::string configFile;
    std::string database;
};

/// One of the web servers the project documents (conf/*.conf), started by a test on 127.0.0.1 with the
/// shipped configuration file, only its substitutable values rewritten (addresses, paths, user). The e2e
/// scenarios (tests/e2e/servers/) run once per implementation: lighttpd, Apache with mod_proxy_fcgi, Apache
/// with mod_fcgid, nginx.
///
/// Constructors generate the configuration in the test's directory and throw std::runtime_error with an
/// explanation (and the install command) when the server or one of its modules is not installed: a missing
/// server fails the test, it is never skipped.
class FrontServer {
public:
    /// Things a scenario provokes on purpose; each server logs them in its own words.
    enum class Event {
        kBodyOverLimit,         ///< a Content-Length above the body limit
        kChunkedBodyOverLimit,  ///< a chunked body growing above the body limit
        kWorkerDown,            ///< the worker's socket refuses connections
    };

    virtual ~FrontServer() = default;

    /// "lighttpd", "Apache mod_proxy_fcgi", ... for messages.
    virtual std::string name() const = 0;
    /// The shipped configuration this instance was generated from (APPREG_SOURCE_DIR/conf/...).
    virtual std::string shippedConfigPath() const = 0;
    /// The generated configuration.
    virtual std::string configPath() const = 0;

    /// Starts the server in the foreground and waits until its port accepts connections; throws with its
    /// error output otherwise.
    virtual void start(std::chrono::milliseconds timeout = std::chrono::seconds(20)) = 0;
    /// Stops it (SIGTERM, then SIGKILL after a grace time) and reaps it.
    virtual ExitStatus stop() = 0;
    virtual int port() const = 0;

    /// The error log file(s) plus whatever the server wrote to its own stderr.
    virtual std::string errorLog() const = 0;
    /// True for log lines every run writes (start/stop notices, and for mod_fcgid the worker's own lines).
    virtual bool isRoutineLogLine(const std::string& line) const = 0;
    /// Substrings of the log lines the server writes for `event`.
    virtual std::vector<std::string> logLinesFor(Event event) const = 0;

    /// The largest request body the configuration lets through, in bytes (read from the configuration).
    virtual std::size_t bodyLimitBytes() const = 0;
    /// The status the server itself answers for a chunked body above the limit, or 0 when it streams such
    /// a body to the worker (which answers its own 413).
    virtual int chunkedOverLimitStatus() const = 0;

    /// True when the server starts the worker itself (mod_fcgid): the worker's log lines are then in the
    /// server's error log, and there is no socket to stop.
    virtual bool spawnsWorker() const { return false; }
    /// Status while the worker's socket refuses connections.
    virtual int workerDownStatus() const { return 503; }

    // ---- helpers shared by the implementations -------------------------------------------------------

    /// Whether this test process runs as root. Then the servers switch to www-data (Apache refuses to serve
    /// as root) and the worker's socket must belong to that group; otherwise everything runs as the current
    /// user.
    static bool runningAsRoot();
    /// The user the generated configurations run the server as: "www-data" as root, else the current user.
    static std::string serverUser();
    /// Its group: "www-data" as root, else the current group.
    static std::string serverGroup();

    /// Waits until 127.0.0.1:port accepts connections; throws std::runtime_error with `logs()` when `process`
    /// exits first or the timeout passes.
    static void waitForPort(ChildProcess& process, int port, std::chrono::milliseconds timeout,
                            const std::string& what, const std::function<std::string()>& logs);
    static bool portAcceptsConnections(int port);

    /// Throws std::runtime_error naming `package` when `path` is not an executable file.
    static void requireExecutable(const std::string& path, const std::string& what,
                                  const std::string& package);
    /// Throws when a process running as `user` could not execute (`executable`) or read `path`: judged from
    /// the permission bits of every directory on the way and of the file.
    static void requireReachableBy(const std::string& path, const std::string& user, bool executable);
    /// `path` when `user` can execute it where it is; otherwise a copy in `dir` (mode 0755) that it can: a
    /// checkout under a private directory (e.g. /root) is out of reach of www-data, which mod_fcgid runs the
    /// worker as.
    static std::string executableFor(const std::string& path, const std::string& user, const TempDir& dir);
    /// mkdir (mode 0755) that accepts an existing directory; chowns it to `owner` when not empty and root.
    static void makeDirectory(const std::string& path, const std::string& owner = "");
    /// chown `path` to `owner` and its primary group when running as root (otherwise everything already
    /// belongs to the user the servers run as); throws std::runtime_error when that fails.
    static void changeOwner(const std::string& path, const std::string& owner);
};

/// Which front server.
enum class FrontServerKind { kLighttpd, kApacheProxyFcgi, kApacheFcgid, kNginx };

/// Creates the server of that kind with its shipped configuration, generated into `dir`.
std::unique_ptr<FrontServer> makeFrontServer(FrontServerKind kind, const TempDir& dir,
                                             const FrontServerBackend& backend);

}  // namespace appreg::test
