#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

#include "appreg/fcgi/ListenSocket.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"

namespace appreg::fcgi {

/// Answers the requests of one worker thread.
using RequestHandler = std::function<http::Response(const http::Request&)>;
/// Makes the handler of one worker thread (each gets its own database connection); called on that thread.
using HandlerFactory = std::function<RequestHandler()>;

struct ServerOptions {
    int threads = 4;
    std::size_t maxBodyBytes = 1048576;
    std::string pathPrefix;
    int shutdownGraceMs = 5000;
    bool logRequests = true;
};

/// The only code that touches libfcgi: N threads accept on the shared listening socket (no accept mutex,
/// platform-notes §2.2), read each request into a Request value, and write the Response back.
/// SIGTERM/SIGINT stop it: accepting stops at once, in-flight requests finish, run() returns 0. It never
/// calls shutdown() on the listening socket, so a socket inherited from systemd stays usable for the next start.
class FcgiServer {
public:
    FcgiServer(ListenSocket& socket, ServerOptions options, HandlerFactory factory);

    /// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and every thread it creates later. Call it first
    /// thing in main, before libfcgi or any thread exists (libfcgi would otherwise swallow SIGTERM, §2.4).
    static void blockSignals();

    /// Serves until SIGTERM/SIGINT; returns the process exit code (0 after a clean stop, 1 if in-flight requests
    /// outlived shutdown.grace_ms or every worker thread failed to start).
    int run();

private:
    ListenSocket& _socket;
    ServerOptions _options;
    HandlerFactory _factory;
    int _wakeFd = -1;
    std::atomic<bool> _stopping{false};
    std::mutex _mutex;
    std::condition_variable _done;
    int _running = 0;

    void workerLoop(int index);
    void serveOne(void* request, const RequestHandler& handler);
};

}  // namespace appreg::fcgi
