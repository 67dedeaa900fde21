#include "appreg/fcgi/FcgiServer.h"

#include <fcgiapp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <thread>
#include <vector>

#include <Poco/Logger.h>

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

Poco::Logger& logger() { return Poco::Logger::get("appreg"); }

/// The text with every byte outside printable ASCII shown as '?', so a hostile path cannot forge log lines.
std::string printable(const std::string& s) {
    if (s.empty()) return "-";
    std::string out = s.substr(0, 512);
    for (auto& c : out) {
        if (c < 0x21 || c > 0x7e) c = '?';
    }
    return out;
}

std::string statusLine(int status) {
    return "Status: " + std::to_string(status) + " " + http::reasonPhrase(status) + "\r\n";
}

}  // namespace

FcgiServer::FcgiServer(ListenSocket& socket, ServerOptions options, HandlerFactory factory)
    : _socket(socket), _options(std::move(options)), _factory(std::move(factory)) {}

void FcgiServer::blockSignals() {
    sigset_t set = stopSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int FcgiServer::run() {
    // An idle client on a unix socket holds the accepting thread in libfcgi's "keeper" poll; keep that short
    // unless the operator chose a value (read by FCGX_Init).
    setenv("LIBFCGI_IS_AF_UNIX_KEEPER_POLL_TIMEOUT", "500", 0);
    if (FCGX_Init() != 0) {
        logger().fatal("FCGX_Init failed");
        return 1;
    }
    _wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (_wakeFd < 0) {
        logger().fatal("eventfd: %s", std::string(std::strerror(errno)));
        return 1;
    }

    std::vector<std::thread> workers;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _running = _options.threads;
    }
    for (int i = 0; i < _options.threads; ++i) workers.emplace_back(&FcgiServer::workerLoop, this, i);
    logger().information("appreg-fcgi %s serving on %s with %d threads", std::string(APPREG_VERSION),
                         _socket.description(), _options.threads);

    // This thread waits for a stop signal, or for every worker to have ended on its own (start-up failure).
    sigset_t set = stopSignals();
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(_mutex);
            if (_running == 0) break;
        }
        timespec tick{0, 200 * 1000 * 1000};
        int sig = sigtimedwait(&set, nullptr, &tick);
        if (sig == SIGTERM || sig == SIGINT) {
            logger().information("signal %d: no longer accepting, finishing in-flight requests", sig);
            break;
        }
        if (sig == SIGHUP) logger().information("SIGHUP ignored (the configuration is read at start only)");
    }

    _stopping = true;
    FCGX_ShutdownPending();
    std::uint64_t one = 1;
    if (write(_wakeFd, &one, sizeof one) < 0) logger().error("cannot wake the worker threads");

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
    close(_wakeFd);
    logger().information("stopped");
    return 0;
}

void FcgiServer::workerLoop(int index) {
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

    FCGX_Request request;
    if (FCGX_InitRequest(&request, _socket.fd(), FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
        logger().fatal("worker thread %d: FCGX_InitRequest failed", index);
        return;
    }
    while (!_stopping) {
        // Wait for a connection (or, on a kept-alive connection, the next request) or the stop signal.
        pollfd fds[2] = {{request.ipcFd >= 0 ? request.ipcFd : _socket.fd(), POLLIN, 0}, {_wakeFd, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            logger().error("poll: %s", std::string(std::strerror(errno)));
            break;
        }
        if (fds[1].revents != 0 || _stopping) break;
        int rc = FCGX_Accept_r(&request);
        if (rc < 0) {
            if (_stopping) break;
            if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR) continue;  // another thread took it
            logger().warning("accept failed: %s", std::string(std::strerror(-rc)));
            std::this_thread::sleep_for(std::chrono::milliseconds(50));  // e.g. EMFILE: do not spin
            continue;
        }
        serveOne(&request, handler);
        FCGX_Finish_r(&request);
    }
    FCGX_Free(&request, 1);
}

void FcgiServer::serveOne(void* opaque, const RequestHandler& handler) {
    auto& request = *static_cast<FCGX_Request*>(opaque);
    auto start = std::chrono::steady_clock::now();

    std::map<std::string, std::string> params;
    for (char** p = request.envp; p && *p; ++p) {
        const char* eq = std::strchr(*p, '=');
        if (eq) params.emplace(std::string(*p, static_cast<std::size_t>(eq - *p)), std::string(eq + 1));
    }
    http::BodyReader readBody = [&request](char* buf, std::size_t n) -> long {
        int got = FCGX_GetStr(buf, static_cast<int>(n), request.in);
        if (got < static_cast<int>(n) && FCGX_GetError(request.in) != 0) return -1;
        return got;
    };
    auto built = http::buildCgiRequest(params, readBody, _options.maxBodyBytes, _options.pathPrefix);
    http::Response response = built.error ? *built.error : handler(built.request);

    std::string head = statusLine(response.status);
    if (response.status != 204) head += "Content-Type: application/json\r\n";
    for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
    head += "\r\n";
    FCGX_PutStr(head.data(), static_cast<int>(head.size()), request.out);
    if (!response.body.empty()) FCGX_PutStr(response.body.data(), static_cast<int>(response.body.size()), request.out);
    int writeError = FCGX_GetError(request.out);

    if (_options.logRequests) {
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        char line[64];
        std::snprintf(line, sizeof line, "%.2fms", ms);
        logger().information("%s %s %d %s %s%s", printable(built.request.method), printable(built.request.path),
                             response.status, std::string(line), response.header("X-API-Request-Id"),
                             std::string(writeError != 0 ? " (client gone)" : ""));
    }
}

}  // namespace appreg::fcgi
