#include "appreg/fcgi/Acceptor.h"

#include <linux/futex.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <Poco/Logger.h>

namespace appreg::fcgi {

namespace {

Poco::Logger& logger() { return Poco::Logger::get("appreg"); }

using Clock = std::chrono::steady_clock;

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "a futex word is a plain 32-bit integer");

std::uint32_t* futexWord(std::atomic<std::uint32_t>& word) { return reinterpret_cast<std::uint32_t*>(&word); }

/// Sleeps while `word` is 0 (returns at once if it is not; may return spuriously).
void futexWait(std::atomic<std::uint32_t>& word) {
    syscall(SYS_futex, futexWord(word), FUTEX_WAIT_PRIVATE, 0u, nullptr, nullptr, 0u);
}

}  // namespace

void Acceptor::wakeUp(std::uint32_t* word) {
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0u);
}

Acceptor::Acceptor(int listenFd, int headTimeoutMs, int readTimeoutMs, RecordLimits limits, RunLimit runLimit)
    : _listenFd(listenFd),
      _headTimeoutMs(headTimeoutMs),
      _readTimeoutMs(readTimeoutMs),
      _limits(limits),
      _peekBuffer(requestHeadCapacity(limits)),
      _runLimit(runLimit) {
    if (_runLimit.maxRunning < 1) _runLimit.maxRunning = 1;
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    _localPeers = getsockname(listenFd, reinterpret_cast<sockaddr*>(&address), &length) == 0 &&
                  address.ss_family == AF_UNIX;
    _epollFd = epoll_create1(EPOLL_CLOEXEC);
    _wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (_epollFd < 0 || _wakeFd < 0)
        throw std::runtime_error("epoll/eventfd: " + std::string(std::strerror(errno)));
    epoll_event listenEvent{};
    listenEvent.events = EPOLLIN;
    listenEvent.data.fd = _listenFd;
    epoll_event wakeEvent{};
    wakeEvent.events = EPOLLIN;
    wakeEvent.data.fd = _wakeFd;
    if (epoll_ctl(_epollFd, EPOLL_CTL_ADD, _listenFd, &listenEvent) != 0 ||
        epoll_ctl(_epollFd, EPOLL_CTL_ADD, _wakeFd, &wakeEvent) != 0) {
        throw std::runtime_error("epoll_ctl: " + std::string(std::strerror(errno)));
    }
    _thread = std::thread(&Acceptor::run, this);
}

Acceptor::~Acceptor() {
    stop();
    _thread.join();
    std::lock_guard<std::mutex> lock(_mutex);
    for (const auto& c : _ready) close(c.fd);  // never handed out (the workers are gone)
    for (const auto& c : _givenBack) close(c.fd);
    close(_wakeFd);
    close(_epollFd);
}

Acceptor::Worker::~Worker() {
    if (!_running) return;
    std::lock_guard<std::mutex> lock(_acceptor._mutex);
    --_acceptor._running;
}

std::optional<ReadyConnection> Acceptor::Worker::next() {
    Acceptor& a = _acceptor;
    std::unique_lock<std::mutex> lock(a._mutex);
    if (_running) {
        _running = false;
        --a._running;
    }
    while (a._ready.empty() && !a._finished) {
        _woken = false;
        _wakeWord.store(0, std::memory_order_relaxed);
        a._sleepers.push_back(this);
        lock.unlock();
        while (_wakeWord.load(std::memory_order_acquire) == 0) futexWait(_wakeWord);
        lock.lock();
        if (_woken) {
            --a._waking;
        } else {  // finished while asleep
            a._sleepers.erase(std::find(a._sleepers.begin(), a._sleepers.end(), this));
        }
        // A worker that was running may have taken the connection meanwhile: then back to sleep.
    }
    if (a._ready.empty()) return std::nullopt;
    ReadyConnection c = a._ready.front();
    a._ready.pop_front();
    a._progress = Clock::now();
    _running = true;
    ++a._running;
    return c;
}

void Acceptor::Worker::waits() {
    Acceptor& a = _acceptor;
    std::uint32_t* wake = nullptr;
    {
        std::lock_guard<std::mutex> lock(a._mutex);
        if (!_running) return;
        _running = false;
        --a._running;
        wake = a.wakeOneIfBelowLimit();
    }
    if (wake != nullptr) wakeUp(wake);
}

void Acceptor::Worker::resumes() {
    std::lock_guard<std::mutex> lock(_acceptor._mutex);
    if (_running) return;
    _running = true;
    ++_acceptor._running;
}

int Acceptor::idleWorkers() {
    std::lock_guard<std::mutex> lock(_mutex);
    return static_cast<int>(_sleepers.size());
}

std::uint32_t* Acceptor::wakeLastSleeper() {
    Worker* worker = _sleepers.back();
    _sleepers.pop_back();
    worker->_woken = true;
    ++_waking;
    worker->_wakeWord.store(1, std::memory_order_release);
    // Only the address leaves the mutex: once it is released the worker may run, return from next() and be
    // gone.
    return futexWord(worker->_wakeWord);
}

std::uint32_t* Acceptor::wakeOneIfBelowLimit() {
    if (_ready.empty() || _sleepers.empty() || _running + _waking >= _runLimit.maxRunning) return nullptr;
    return wakeLastSleeper();
}

void Acceptor::relieveStall() {
    std::uint32_t* wake = nullptr;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_ready.empty() || _sleepers.empty() || Clock::now() - _progress < _runLimit.stall) return;
        wake = wakeLastSleeper();
        _progress = Clock::now();  // the next one after another `stall`
    }
    wakeUp(wake);
}

std::optional<Clock::time_point> Acceptor::stallDeadline() {
    std::lock_guard<std::mutex> lock(_mutex);
    // With no worker left to wake there is nothing to be due (and a deadline in the past would spin).
    if (_ready.empty() || _sleepers.empty()) return std::nullopt;
    return _progress + _runLimit.stall;
}

void Acceptor::giveBack(int fd) { handBack(Returned{fd, false}); }

void Acceptor::closeGracefully(int fd, bool peerDone) {
    if (_localPeers && peerDone) {
        // A unix-socket connection cannot be reset: the answer stays readable in the peer's queue whatever
        // this side does, so when the peer has sent its whole request and nothing is unread it is closed
        // here, without the hand-over to the Acceptor thread (two wake-ups and an epoll registration per
        // request, issue 7's profile). A peer still sending would see its next write fail (EPIPE).
        int unread = 0;
        if (ioctl(fd, FIONREAD, &unread) == 0 && unread == 0) {
            close(fd);
            return;
        }
    }
    if (shutdown(fd, SHUT_WR) != 0) {  // the peer is gone already
        close(fd);
        return;
    }
    handBack(Returned{fd, true});
}

void Acceptor::handBack(Returned connection) {
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_finished) {
            close(connection.fd);
            return;
        }
        _givenBack.push_back(connection);
    }
    std::uint64_t one = 1;
    if (write(_wakeFd, &one, sizeof one) < 0) logger().error("cannot wake the acceptor");
}

void Acceptor::stop() {
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_stopRequested) return;
        _stopRequested = true;
    }
    std::uint64_t one = 1;
    if (write(_wakeFd, &one, sizeof one) < 0) logger().error("cannot wake the acceptor");
}

void Acceptor::queue(ReadyConnection connection) {
    std::lock_guard<std::mutex> lock(_mutex);
    if (_ready.empty()) _progress = Clock::now();
    _ready.push_back(connection);
}

void Acceptor::wakeForQueued() {
    {
        std::lock_guard<std::mutex> lock(_mutex);
        while (static_cast<std::size_t>(_waking) < _ready.size()) {
            std::uint32_t* wake = wakeOneIfBelowLimit();
            if (wake == nullptr) break;
            _toWake.push_back(wake);
        }
    }
    for (std::uint32_t* wake : _toWake) wakeUp(wake);
    _toWake.clear();
}

void Acceptor::watch(int fd, std::optional<Clock::time_point> deadline, bool draining) {
    _pending[fd] = Pending{deadline, draining, false};
    // Often settled at the first look, without the epoll set: the head came with the connection, or the peer
    // has closed already (two epoll_ctl calls fewer per request, issue 7's profile).
    const bool settled = draining ? drain(fd) : examine(fd, false);
    if (settled) return;
    epoll_event event{};
    // Edge-triggered: peeking leaves the bytes unread, so level-triggered readiness would never clear. Adding
    // a descriptor that is readable already reports it, so nothing that arrived since the look is missed.
    event.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    event.data.fd = fd;
    if (epoll_ctl(_epollFd, EPOLL_CTL_ADD, fd, &event) != 0) {
        logger().warning("epoll_ctl: %s", std::string(std::strerror(errno)));
        forget(fd, true);
        return;
    }
    _pending[fd].inEpoll = true;
}

bool Acceptor::drain(int fd) {
    char sink[4096];
    for (;;) {
        ssize_t n = recv(fd, sink, sizeof sink, MSG_DONTWAIT);
        if (n > 0) continue;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;
        forget(fd, true);  // the peer closed too (or the connection failed)
        return true;
    }
}

void Acceptor::forget(int fd, bool closeIt) {
    auto it = _pending.find(fd);
    if (it != _pending.end()) {
        if (it->second.inEpoll) epoll_ctl(_epollFd, EPOLL_CTL_DEL, fd, nullptr);
        _pending.erase(it);
    }
    if (closeIt) close(fd);
}

void Acceptor::acceptAll() {
    for (;;) {
        int fd = accept4(_listenFd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                logger().warning("accept failed: %s", std::string(std::strerror(errno)));
            }
            return;
        }
        const int readTimeoutMs = _readTimeoutMs.load();
        timeval timeout{readTimeoutMs / 1000, (readTimeoutMs % 1000) * 1000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        watch(fd, Clock::now() + std::chrono::milliseconds(_headTimeoutMs));
    }
}

bool Acceptor::examine(int fd, bool final) {
    ssize_t n = recv(fd, _peekBuffer.data(), _peekBuffer.size(), MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        if (final) forget(fd, true);
        return final;
    }
    if (n <= 0) {  // the peer closed (e.g. the end of a kept-alive connection) or the connection failed
        forget(fd, true);
        return true;
    }
    auto size = static_cast<std::size_t>(n);
    switch (checkRequestHead(_peekBuffer.data(), size, _limits)) {
        case RecordVerdict::Acceptable:
            forget(fd, false);
            queue(ReadyConnection{fd, false, 0});
            return true;
        case RecordVerdict::TooLarge:
            forget(fd, false);
            queue(ReadyConnection{fd, true, beginRequestId(_peekBuffer.data(), size)});
            return true;
        case RecordVerdict::Refuse:
            logger().warning("dropped a connection with a malformed FastCGI request head");
            forget(fd, true);
            return true;
        case RecordVerdict::Incomplete:
            break;
    }
    if (size == _peekBuffer.size()) {
        // The head does not fit in what the worker is willing to look at (e.g. parameters in thousands of
        // tiny records): too large, answered as such.
        forget(fd, false);
        queue(ReadyConnection{fd, true, beginRequestId(_peekBuffer.data(), size)});
        return true;
    }
    if (final) {
        forget(fd, true);
        return true;
    }
    auto& pending = _pending[fd];
    // A kept-alive connection has no deadline while idle; once its next request begins, the head must follow.
    if (!pending.deadline) pending.deadline = Clock::now() + std::chrono::milliseconds(_headTimeoutMs);
    return false;
}

void Acceptor::finish() {
    // Last pass: what the kernel already accepted, and what waits here, is served if its head is complete.
    acceptAll();
    {
        std::lock_guard<std::mutex> lock(_mutex);
        for (const auto& c : _givenBack) _pending[c.fd] = Pending{std::nullopt, c.draining};
        _givenBack.clear();
    }
    for (const auto& [fd, pending] : std::map<int, Pending>(_pending)) {
        if (pending.draining) {
            forget(fd, true);  // answered already; the process is leaving, so it lingers no longer
        } else {
            examine(fd, true);
        }
    }
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _finished = true;
        for (Worker* worker : _sleepers) {  // each takes itself off
            worker->_wakeWord.store(1, std::memory_order_release);
            _toWake.push_back(futexWord(worker->_wakeWord));
        }
    }
    for (std::uint32_t* wake : _toWake) wakeUp(wake);
    _toWake.clear();
}

void Acceptor::run() {
    std::vector<epoll_event> events(64);
    for (;;) {
        // Kept-alive connections given back by the workers, and the stop request.
        std::vector<Returned> givenBack;
        bool stopping;
        {
            std::lock_guard<std::mutex> lock(_mutex);
            givenBack.swap(_givenBack);
            stopping = _stopRequested;
        }
        for (const auto& c : givenBack) {
            if (c.draining) {
                watch(c.fd, Clock::now() + std::chrono::milliseconds(lingerMs), true);
            } else {
                watch(c.fd, std::nullopt);
            }
        }
        if (stopping) {
            finish();
            return;
        }

        int timeoutMs = -1;
        auto now = Clock::now();
        auto until = [&](Clock::time_point deadline) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
            if (timeoutMs < 0 || left < timeoutMs) timeoutMs = static_cast<int>(left < 0 ? 0 : left);
        };
        for (const auto& [fd, pending] : _pending) {
            if (pending.deadline) until(*pending.deadline);
        }
        if (auto stalled = stallDeadline()) until(*stalled);
        // What this pass queued (and what came back above), before waiting again.
        wakeForQueued();
        int n = epoll_wait(_epollFd, events.data(), static_cast<int>(events.size()), timeoutMs);
        if (n < 0 && errno != EINTR) {
            logger().error("epoll_wait: %s", std::string(std::strerror(errno)));
            finish();
            return;
        }
        for (int i = 0; i < n; ++i) {
            int fd = events[static_cast<std::size_t>(i)].data.fd;
            if (fd == _wakeFd) {
                std::uint64_t count;
                while (read(_wakeFd, &count, sizeof count) > 0) {
                }
            } else if (fd == _listenFd) {
                acceptAll();
            } else if (auto it = _pending.find(fd); it != _pending.end()) {
                if (it->second.draining) {
                    drain(fd);
                } else {
                    examine(fd, false);
                }
            }
        }
        relieveStall();
        // Heads that did not arrive in time.
        now = Clock::now();
        std::vector<std::pair<int, bool>> late;
        for (const auto& [fd, pending] : _pending) {
            if (pending.deadline && *pending.deadline <= now) late.emplace_back(fd, pending.draining);
        }
        for (const auto& [fd, draining] : late) {
            if (!draining) {
                logger().warning("dropped a connection whose request head did not arrive within %d ms",
                                 _headTimeoutMs);
            }
            forget(fd, true);
        }
    }
}

}  // namespace appreg::fcgi
