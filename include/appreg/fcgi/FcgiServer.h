#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

#include "appreg/fcgi/ListenSocket.h"
#include "appreg/fcgi/RecordCheck.h"
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
    int readTimeoutMs = 30000;  ///< a connection that stalls longer while sending or receiving is dropped
    int headTimeoutMs = 1000;   ///< the BEGIN_REQUEST and PARAMS records must arrive within this time
};

/// The only code that touches libfcgi: N threads accept on the shared listening socket (no accept mutex,
/// platform-notes §2.2), read each request into a Request value, and write the Response back.
///
/// The threads accept connections themselves and hand each one to libfcgi only after the head of its request
/// (BEGIN_REQUEST and all PARAMS records) has arrived within headTimeoutMs and passed checkRequestHead: Debian's
/// libfcgi aborts the process on crafted parameter lengths (platform-notes §2.6), and its own accept would park
/// a thread for 2 s on an idle client (§2.2). Accepted connections get read/write timeouts, so a client that
/// stalls mid-body cannot hold a thread for ever.
///
/// SIGTERM/SIGINT stop it: waiting for new connections stops at once; requests in flight finish, and so do
/// connections already queued on the socket or kept alive with a request pending; run() returns 0. It never
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
    /// Waits for the next connection (or, on a kept-alive one, its next request). Once stopping, returns only
    /// connections that already have something to serve, then -1.
    int nextConnection(int keptFd);
    /// Accepts one queued connection (non-blocking) and gives it the read/write time-outs; -1 if none.
    int acceptOne();
    /// Whether a well-formed request head arrived on `fd` in time.
    bool awaitRequestHead(int fd);
    /// Answers 431 on a connection whose parameters are over the limit, without libfcgi.
    void refuseTooLarge(int fd, unsigned requestId, const RecordLimits& limits);
};

}  // namespace appreg::fcgi
