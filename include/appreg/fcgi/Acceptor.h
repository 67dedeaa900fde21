#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "appreg/fcgi/RecordCheck.h"

namespace appreg::fcgi {

/// A connection whose request head has arrived and been checked: ready for a worker thread.
struct ReadyConnection {
    int fd = -1;
    bool tooLarge = false;   ///< the parameters exceed the limit: answer 431 instead of serving
    unsigned requestId = 0;  ///< of the BEGIN_REQUEST record (for the 431)
};

/// How many worker threads run requests at once (issue 7). Handing a connection to a sleeping worker costs a
/// wake-up and a context switch each; a worker that finds the next connection queued when it finishes takes
/// it without sleeping. So ready connections wake sleeping workers only while fewer than `maxRunning` workers
/// run, and only once the acceptor has queued everything of its pass over epoll's events: a worker woken
/// after each connection took the core from the acceptor before it had queued the rest (issue 7's
/// measurements). A worker that waits (for its write's commit) does not count as running. If the workers that
/// run are all busy for `stall` (a slow request) while connections wait, one more is woken, and again after
/// each further `stall`: a long request delays the others by at most that.
struct RunLimit {
    int maxRunning =
        std::numeric_limits<int>::max();  ///< the default: no limit, every ready connection wakes
    std::chrono::milliseconds stall{2};
};

/// One thread that owns the listening socket and every connection that is not being served: it accepts, waits
/// (in one epoll set, not a thread each) until a connection's request head (BEGIN_REQUEST and all PARAMS
/// records) has arrived, checks it with checkRequestHead, and queues it for the worker threads. An idle
/// client costs a file descriptor and is dropped after `headTimeoutMs`; it never holds a worker. Kept-alive
/// connections come back here between requests. Uses no libfcgi.
class Acceptor {
public:
    Acceptor(int listenFd, int headTimeoutMs, int readTimeoutMs, RecordLimits limits, RunLimit runLimit = {});
    ~Acceptor();
    Acceptor(const Acceptor&) = delete;
    Acceptor& operator=(const Acceptor&) = delete;

    /// One worker thread's place in the RunLimit: it runs from the connection next() returns until its next
    /// call to next(), except between waits() and resumes(). Used by that one thread only.
    class Worker {
    public:
        explicit Worker(Acceptor& acceptor) : _acceptor(acceptor) {}
        ~Worker();
        Worker(const Worker&) = delete;
        Worker& operator=(const Worker&) = delete;
        /// Blocks until a connection is ready for this worker; nothing once stopped and every ready
        /// connection was handed out.
        std::optional<ReadyConnection> next();
        /// This worker is about to block (e.g. until its write commits) and no longer counts as running.
        void waits();
        /// It runs again.
        void resumes();

    private:
        friend class Acceptor;
        Acceptor& _acceptor;
        bool _running = false;
        bool _woken = false;  ///< taken off the sleepers for a connection (under the mutex)
        /// Its own futex word, not a condition variable: 0 while it sleeps, 1 once woken. The waker sets it
        /// under the mutex and calls FUTEX_WAKE only after releasing the mutex, so the woken worker does not
        /// run straight into the mutex its waker still holds (with a condition variable signalled under the
        /// mutex it did: a futex wait and wake more per hand-over, issue 7). FUTEX_WAKE reads no memory, so
        /// the word's address may be woken even after the worker has gone (at worst a spurious wake-up of
        /// whichever thread waits there, which checks its own word and sleeps again).
        std::atomic<std::uint32_t> _wakeWord{0};
    };

    /// Takes back a kept-alive connection after its request was served, to wait for its next request.
    void giveBack(int fd);
    /// Takes over the close of a connection whose answer was sent: shuts down the sending side and discards
    /// what the peer still sends until it closes or `lingerMs` pass, then closes. Closing at once could reset
    /// a TCP connection before the peer read the answer; lingering in the worker thread (as libfcgi does,
    /// 2 s) would let a client that keeps its socket open hold a worker. A unix-socket connection whose
    /// request was read to its end (`peerDone`: the empty FCGI_STDIN came) and that has nothing unread is
    /// closed at once, in the calling thread: there, closing cannot take the answer away. When the answer
    /// came before the end of the request (413, 431), the peer may still be writing: Apache sends the empty
    /// FCGI_STDIN in a write of its own, and if that write fails it answers 503 instead of relaying ours.
    void closeGracefully(int fd, bool peerDone);
    /// Stops accepting. Connections already accepted or queued by the kernel whose request head is complete
    /// are still handed out; the others are closed. Returns at once; next() drains.
    void stop();

    const RecordLimits& limits() const { return _limits; }
    /// How many workers wait in next() for a connection now.
    int idleWorkers();
    /// The send/receive time-out of connections accepted from now on.
    void setReadTimeout(int readTimeoutMs) { _readTimeoutMs = readTimeoutMs; }

private:
    struct Pending {
        std::optional<std::chrono::steady_clock::time_point>
            deadline;           ///< none: a kept-alive connection, idle
        bool draining = false;  ///< answered and shut down for sending: read to the end, then close
        bool inEpoll = false;   ///< registered with the epoll set (not when settled at the first look)
    };
    struct Returned {
        int fd;
        bool draining;
    };
    static constexpr int lingerMs = 2000;

    int _listenFd;
    bool _localPeers = false;  ///< the listening socket is a unix socket
    int _headTimeoutMs;
    std::atomic<int> _readTimeoutMs;
    RecordLimits _limits;
    int _epollFd = -1;
    int _wakeFd = -1;  ///< stop() and giveBack() wake the acceptor thread
    std::vector<unsigned char> _peekBuffer;
    std::map<int, Pending> _pending;  ///< owned by the acceptor thread

    std::mutex _mutex;
    std::deque<ReadyConnection> _ready;
    RunLimit _runLimit;
    int _running = 0;  ///< workers that run requests (RunLimit)
    /// Workers waiting in next(), the one that went to sleep last at the back. That one is woken first: a
    /// few threads serve while the others stay asleep, with their stacks and their connections' page caches
    /// warm (a condition variable's notify_one wakes the longest sleeper, so every thread in turn).
    std::vector<Worker*> _sleepers;
    int _waking = 0;  ///< workers taken off _sleepers for a connection and not yet up
    /// When a worker last took a connection, or the queue last became non-empty: `stall` after it with
    /// connections still waiting, one more worker is woken.
    std::chrono::steady_clock::time_point _progress;
    std::vector<Returned> _givenBack;
    bool _stopRequested = false;
    bool _finished = false;  ///< the acceptor thread is done: no more connections will be queued
    std::thread _thread;

    void run();
    void acceptAll();
    void watch(int fd, std::optional<std::chrono::steady_clock::time_point> deadline, bool draining = false);
    void handBack(Returned connection);
    /// Discards what a draining connection received; closes it at its end. Returns true if it left.
    bool drain(int fd);
    /// Peeks at a pending connection: queues it, closes it, or leaves it waiting. Returns true if it left.
    bool examine(int fd, bool final);
    void forget(int fd, bool closeIt);
    void queue(ReadyConnection connection);
    /// Wakes sleeping workers for the queued connections, at most one each, while fewer than maxRunning
    /// run. Called once per pass, before the acceptor waits again.
    void wakeForQueued();
    /// Addresses of futex words to wake once _mutex is released (the acceptor thread's own).
    std::vector<std::uint32_t*> _toWake;
    void finish();
    /// Under _mutex: wakes a sleeping worker for the queued connections if fewer than maxRunning run.
    /// Returns the futex word to wake (wakeUp) once _mutex is released, or nullptr if it woke none.
    std::uint32_t* wakeOneIfBelowLimit();
    /// Under _mutex: takes the worker that went to sleep last off the sleepers and marks it woken. There must
    /// be one. Returns its futex word, for wakeUp once _mutex is released.
    std::uint32_t* wakeLastSleeper();
    /// Outside _mutex: wakes the thread sleeping on this futex word, if it still sleeps.
    static void wakeUp(std::uint32_t* word);
    /// Wakes one more worker if the queued connections have waited `stall` without one being taken.
    void relieveStall();
    /// Until when epoll_wait may sleep before relieveStall() is due; none if no connection waits for a
    /// sleeping worker.
    std::optional<std::chrono::steady_clock::time_point> stallDeadline();
};

}  // namespace appreg::fcgi
