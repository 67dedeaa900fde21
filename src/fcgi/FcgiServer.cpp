#include "appreg/fcgi/FcgiServer.h"

#include <fcgiapp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

#include <Poco/Logger.h>

#include "appreg/fcgi/RecordCheck.h"
#include "appreg/http/CgiRequest.h"

namespace appreg::fcgi {

namespace {

sigset_t stopSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
}

/// Looked up once: Logger::get takes a process-wide lock and searches a map on every call.
Poco::Logger& logger() {
    static Poco::Logger& appreg = Poco::Logger::get("appreg");
    return appreg;
}

/// The calling worker thread's place in the Acceptor's RunLimit; null on every other thread. Thread-local
/// because the code that blocks (the group commit, below the transport) is called through the API layers,
/// which know nothing of threads; currentThreadWaits() finds the worker from the thread alone.
thread_local Acceptor::Worker* t_worker = nullptr;

/// The text with every byte outside printable ASCII shown as '?', so a hostile path cannot forge log lines.
std::string printable(const std::string& s) {
    if (s.empty()) return "-";
    std::string out = s.substr(0, 512);
    for (auto& c : out) {
        if (c < 0x21 || c > 0x7e) c = '?';
    }
    return out;
}

/// Sends all of `bytes` (within the connection's send time-out); false if the peer is gone or too slow.
bool sendAll(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

std::string statusLine(int status) {
    return "Status: " + std::to_string(status) + " " + http::reasonPhrase(status) + "\r\n";
}

}  // namespace

FcgiServer::FcgiServer(ListenSocket& socket, ServerOptions options, HandlerFactory factory)
    : _socket(socket),
      _options(std::move(options)),
      _factory(std::move(factory)),
      _maxBodyBytes(_options.reloadable.maxBodyBytes),
      _logRequests(_options.reloadable.logRequests) {}

void FcgiServer::prepareProcess() {
    sigset_t set = stopSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // Read by FCGX_Init. libfcgi closes a connection itself only when FCGX_Accept_r cannot read its request
    // (workerLoop closes or hands over every other one); it must not then wait up to 2 s in a worker thread
    // for the peer to close.
    setenv("LIBFCGI_OS_CLOSE_POLL_TIMEOUT", "0", 1);
}

int FcgiServer::run() {
    if (FCGX_Init() != 0) {
        logger().fatal("FCGX_Init failed");
        return 1;
    }

    RunLimit runLimit;
    if (_options.maxRunning > 0) runLimit.maxRunning = _options.maxRunning;
    Acceptor acceptor(_socket.fd(), _options.headTimeoutMs, _options.reloadable.readTimeoutMs, RecordLimits{},
                      runLimit);
    std::vector<std::thread> workers;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _running = _options.threads;
    }
    for (int i = 0; i < _options.threads; ++i) {
        workers.emplace_back(&FcgiServer::workerLoop, this, i, std::ref(acceptor));
    }
    const std::string running = _options.maxRunning > 0 && _options.maxRunning < _options.threads
                                    ? " (at most " + std::to_string(_options.maxRunning) + " running)"
                                    : "";
    logger().information("appreg-fcgi %s serving on %s with %d threads%s", std::string(APPREG_VERSION),
                         _socket.description(), _options.threads, running);

    // This thread waits for a stop signal, or for every worker to have ended on its own (start-up failure).
    sigset_t set = stopSignals();
    bool signalled = false;
    while (!signalled) {
        {
            std::lock_guard<std::mutex> lock(_mutex);
            if (_running == 0) break;
        }
        timespec tick{0, 200 * 1000 * 1000};
        int sig = sigtimedwait(&set, nullptr, &tick);
        if (sig == SIGTERM || sig == SIGINT) {
            logger().information("signal %d: no longer accepting, finishing in-flight requests", sig);
            signalled = true;
        }
        if (sig == SIGHUP) reload(acceptor);
    }

    FCGX_ShutdownPending();
    acceptor.stop();

    std::unique_lock<std::mutex> lock(_mutex);
    bool finished = _done.wait_for(lock, std::chrono::milliseconds(_options.shutdownGraceMs),
                                   [this] { return _running == 0; });
    if (!finished) {
        logger().error("%d worker threads still busy after %d ms; exiting without them", _running,
                       _options.shutdownGraceMs);
        std::_Exit(1);  // the stuck threads hold no acknowledged write: a response is sent only after commit
    }
    lock.unlock();
    for (auto& t : workers) t.join();
    if (!signalled) {
        logger().fatal("every worker thread failed to start");
        return 1;
    }
    logger().information("stopped");
    return 0;
}

void FcgiServer::reload(Acceptor& acceptor) {
    if (!_options.onReload) {
        logger().information("SIGHUP ignored (no configuration file to reload)");
        return;
    }
    std::optional<ReloadableOptions> next = _options.onReload();
    if (!next) return;  // the hook said why
    _maxBodyBytes = next->maxBodyBytes;
    _logRequests = next->logRequests;
    acceptor.setReadTimeout(next->readTimeoutMs);
    logger().information(
        "SIGHUP: reloaded request.max_body_bytes=%z log.requests=%s request.read_timeout_ms=%d",
        next->maxBodyBytes, std::string(next->logRequests ? "true" : "false"), next->readTimeoutMs);
}

void FcgiServer::currentThreadWaits() {
    if (t_worker != nullptr) t_worker->waits();
}

void FcgiServer::currentThreadResumes() {
    if (t_worker != nullptr) t_worker->resumes();
}

void FcgiServer::workerLoop(int index, Acceptor& acceptor) {
    struct Exit {
        FcgiServer& server;
        ~Exit() {
            std::lock_guard<std::mutex> lock(server._mutex);
            --server._running;
            server._done.notify_all();
        }
    } exitGuard{*this};

    RequestHandler handler;
    try {
        handler = _factory();
    } catch (const std::exception& e) {
        logger().fatal("worker thread %d cannot start: %s", index, std::string(e.what()));
        return;
    }

    // libfcgi never accepts for itself: it gets connections the Acceptor checked. Its listening socket is one
    // that can never have connections, so a fallback accept inside FCGX_Accept_r fails at once.
    int neverListening = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    FCGX_Request request;
    if (neverListening < 0 || FCGX_InitRequest(&request, neverListening, 0) != 0) {
        logger().fatal("worker thread %d: cannot set up libfcgi", index);
        if (neverListening >= 0) close(neverListening);
        return;
    }
    Acceptor::Worker worker(acceptor);
    t_worker = &worker;
    struct Unregister {
        ~Unregister() { t_worker = nullptr; }
    } unregister;
    while (auto connection = worker.next()) {
        if (connection->tooLarge) {
            if (refuseTooLarge(connection->fd, connection->requestId, acceptor.limits())) {
                acceptor.closeGracefully(connection->fd, false);  // answered before its parameters ended
            } else {
                close(connection->fd);
            }
            continue;
        }
        request.ipcFd = connection->fd;
        request.keepConnection = 1;  // makes FCGX_Accept_r read this connection instead of accepting one
        if (FCGX_Accept_r(&request) < 0) {
            request.ipcFd = -1;  // libfcgi refused the stream and closed the connection itself
            continue;
        }
        const bool sent = serveOne(&request, handler);
        const bool failed = !sent || FCGX_GetError(request.in) != 0;
        const bool keepAlive = request.keepConnection != 0;
        // False when the answer came before the body ended (over the limit): the peer may still be sending
        // the rest, which is discarded, and which no kept-alive connection could be read past.
        const bool requestReadToItsEnd = FCGX_HasSeenEOF(request.in) != 0;
        const int fd = request.ipcFd;
        // serveOne wrote the whole response, END_REQUEST included, so libfcgi only frees the request: it
        // writes nothing more and closes nothing. (FCGX_Finish_r would write END_REQUEST a second time, and
        // close a connection the web server did not ask to keep by lingering in this thread for up to 2 s
        // until the peer closes; the Acceptor does that instead.)
        request.keepConnection = 1;  // so that the next FCGX_Accept_r closes nothing either
        FCGX_Free(&request, 0);
        request.ipcFd = -1;
        if (failed) {
            close(fd);  // a stream failed: nothing more can be said on this connection (as libfcgi does)
        } else if (keepAlive && requestReadToItsEnd) {
            acceptor.giveBack(fd);  // FCGI_KEEP_CONN: the Acceptor waits for its next request
        } else {
            acceptor.closeGracefully(fd, requestReadToItsEnd);
        }
    }
    FCGX_Free(&request, 1);
    close(neverListening);
}

bool FcgiServer::refuseTooLarge(int fd, unsigned requestId, const RecordLimits& limits) {
    logger().warning("refused a request whose parameters exceed %z bytes", limits.maxParamsBytes);
    if (requestId == 0) return false;
    std::string message =
        "Request header fields exceed the limit of " + std::to_string(limits.maxParamsBytes) + " bytes.";
    // Best effort within the send time-out.
    return sendAll(fd, encodeResponse(requestId, 431, http::reasonPhrase(431),
                                      http::Response::detail(431, message).body));
}

bool FcgiServer::serveOne(void* opaque, const RequestHandler& handler) {
    auto& request = *static_cast<FCGX_Request*>(opaque);
    auto start = std::chrono::steady_clock::now();

    // Only the parameters the request is built from, viewed where libfcgi keeps them: a front server sends
    // 20-30 (lighttpd's SERVER_*, REMOTE_*, every HTTP_ header), and copying them all into a map cost a
    // detail request ~7 of its ~76 µs of CPU; copying the 8 it reads, ~13 allocations (bench/README.md, issue
    // 7).
    http::CgiParams params;
    for (char** p = request.envp; p && *p; ++p) {
        const char* eq = std::strchr(*p, '=');
        if (eq == nullptr) continue;
        params.offer(std::string_view(*p, static_cast<std::size_t>(eq - *p)), eq + 1);
    }
    http::BodyReader readBody = [&request](char* buf, std::size_t n) -> long {
        int got = FCGX_GetStr(buf, static_cast<int>(n), request.in);
        if (got < static_cast<int>(n) && FCGX_GetError(request.in) != 0) return -1;
        return got;
    };
    auto built = http::buildCgiRequest(params, readBody, _maxBodyBytes.load(), _options.pathPrefix);
    http::Response response =
        built.error ? *built.error : handler(built.request);  // HEAD: bodiless either way

    std::string head = statusLine(response.status);
    if (response.status != 204) head += "Content-Type: application/json\r\n";
    for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
    head += "\r\n";
    const bool sent =
        sendAll(request.ipcFd, encodeStdout(static_cast<unsigned>(request.requestId), head, response.body));

    if (_logRequests.load()) {
        double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        char elapsed[32];
        std::snprintf(elapsed, sizeof elapsed, " %d %.2fms ", response.status, ms);
        // Joined by hand: Poco::format's parsing was a third of this line's cost.
        std::string line = printable(built.request.method);
        line += ' ';
        line += printable(built.request.path);
        line += elapsed;
        line += response.header("X-API-Request-Id");
        if (!sent) line += " (client gone)";
        logger().information(line);
    }
    return sent;
}

}  // namespace appreg::fcgi
