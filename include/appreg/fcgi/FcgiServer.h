#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "appreg/fcgi/Acceptor.h"
#include "appreg/fcgi/ListenSocket.h"
#include "appreg/fcgi/RecordCheck.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"

namespace appreg::fcgi {

/// Answers the requests of one worker thread.
using RequestHandler = std::function<http::Response(const http::Request&)>;
/// Makes the handler of one worker thread (each gets its own database connection); called on that thread.
using HandlerFactory = std::function<RequestHandler()>;

/// The settings that SIGHUP may change while the worker runs.
struct ReloadableOptions {
    std::size_t maxBodyBytes = 1048576;
    bool logRequests = true;
    int readTimeoutMs = 30000;  ///< a connection that stalls longer while sending or receiving is dropped
};

/// Called on SIGHUP, on the thread that waits for signals: reopens what must be reopened (the log file) and
/// returns the new reloadable settings, or none to keep the current ones (e.g. an invalid config file).
using ReloadHook = std::function<std::optional<ReloadableOptions>()>;

struct ServerOptions {
    int threads = 4;
    int maxRunning = 0;  ///< RunLimit::maxRunning; 0: no limit (every thread may run)
    std::string pathPrefix;
    int shutdownGraceMs = 5000;
    int headTimeoutMs = 1000;  ///< the BEGIN_REQUEST and PARAMS records must arrive within this time
    ReloadableOptions reloadable;
    ReloadHook onReload;  ///< none: SIGHUP is ignored
};

/// The only code that touches libfcgi: N worker threads take connections from the Acceptor, let libfcgi read
/// each request into a Request value, and write the Response back.
///
/// libfcgi never accepts for itself: a connection reaches it only after the Acceptor has seen the head of its
/// request (BEGIN_REQUEST and all PARAMS records) arrive within headTimeoutMs and pass checkRequestHead.
/// Debian's libfcgi aborts the process on crafted parameter lengths (platform-notes §2.6), and its own accept
/// would park a thread for 2 s on an idle client (§2.2). Connections get read/write time-outs, so a client
/// that stalls mid-body holds a worker for at most readTimeoutMs.
///
/// SIGHUP calls ServerOptions::onReload and applies the settings it returns to the requests that start
/// afterwards. SIGTERM/SIGINT stop it: accepting stops at once; requests in flight finish, and so do
/// connections already queued on the socket (or kept alive) whose request head is complete; run() returns 0.
/// It never calls shutdown() on the listening socket, so a socket inherited from systemd stays usable for the
/// next start.
class FcgiServer {
public:
    FcgiServer(ListenSocket& socket, ServerOptions options, HandlerFactory factory);

    /// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and every thread it creates later (libfcgi
    /// would otherwise swallow SIGTERM, §2.4), and tells libfcgi never to linger when it closes a connection
    /// itself. Call it first thing in main, before libfcgi or any thread exists.
    static void prepareProcess();

    /// Serves until SIGTERM/SIGINT; returns the process exit code (0 after a clean stop, 1 if in-flight
    /// requests outlived shutdown.grace_ms or every worker thread failed to start).
    int run();

    /// Called by code below the transport (the group commit) on the thread that is about to block: if it is
    /// a worker thread, it no longer counts towards maxRunning (Acceptor::Worker::waits), so another worker
    /// may serve the connections that wait meanwhile. Does nothing on any other thread.
    static void currentThreadWaits();
    /// The thread runs again (Acceptor::Worker::resumes); does nothing on a thread that is not a worker.
    static void currentThreadResumes();

private:
    ListenSocket& _socket;
    ServerOptions _options;
    HandlerFactory _factory;
    std::mutex _mutex;
    std::condition_variable _done;
    int _running = 0;
    std::atomic<std::size_t> _maxBodyBytes;  ///< the reloadable settings, read by every request
    std::atomic<bool> _logRequests;

    void workerLoop(int index, Acceptor& acceptor);
    /// Reads the request libfcgi accepted, runs the handler and sends the whole response in one write
    /// (encodeStdout), not through libfcgi's 8 KiB output buffer (three writes for a ~20 KB list page).
    /// Returns false if the response could not be sent whole.
    bool serveOne(void* request, const RequestHandler& handler);
    void reload(Acceptor& acceptor);
    /// Sends the 431 answer on a connection whose parameters are over the limit, without libfcgi; false if it
    /// could not be sent whole.
    bool refuseTooLarge(int fd, unsigned requestId, const RecordLimits& limits);
};

}  // namespace appreg::fcgi
