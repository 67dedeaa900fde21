// The Acceptor's RunLimit (issue 7): a ready connection wakes a sleeping worker only while fewer than
// maxRunning workers run; a worker that waits (for its commit) frees its place; a stall wakes one more; the
// worker that went to sleep last is woken first. On a unix socket of the test's own, with clients that send a
// complete FastCGI request head, as lighttpd does.
#include <cppunit/extensions/HelperMacros.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "appreg/fcgi/Acceptor.h"

using namespace appreg::fcgi;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

/// A request head lighttpd would send: BEGIN_REQUEST (responder) and one empty PARAMS record.
std::string requestHead() {
    const char begin[] = {1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    const char params[] = {1, 4, 0, 1, 0, 0, 0, 0};
    return std::string(begin, sizeof begin) + std::string(params, sizeof params);
}

class Socket {
public:
    Socket() {
        char pattern[] = "/tmp/appreg-acceptor-XXXXXX";
        if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp");
        dir_ = pattern;
        path_ = dir_ + "/s";
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un address = this->address();
        if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            listen(fd_, 64) != 0) {
            throw std::runtime_error(std::string("listening socket: ") + std::strerror(errno));
        }
    }
    ~Socket() {
        for (int c : clients_) ::close(c);
        ::close(fd_);
        ::unlink(path_.c_str());
        ::rmdir(dir_.c_str());
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    int fd() const { return fd_; }

    /// Connects a client that sends a complete request head at once.
    void connectClient() {
        int c = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address = this->address();
        const std::string head = requestHead();
        if (c < 0 || connect(c, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            write(c, head.data(), head.size()) != static_cast<ssize_t>(head.size())) {
            throw std::runtime_error(std::string("client: ") + std::strerror(errno));
        }
        clients_.push_back(c);
    }

private:
    std::string dir_, path_;
    int fd_ = -1;
    std::vector<int> clients_;

    sockaddr_un address() const {
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
        return a;
    }
};

/// A worker thread of its own: takes one connection and reports it (and when), then holds it until told.
class SleepingWorker {
public:
    explicit SleepingWorker(Acceptor& acceptor) : acceptor_(acceptor), worker_(acceptor) {
        const int idle = acceptor.idleWorkers();
        got_ = std::async(std::launch::async, [this] {
            auto c = worker_.next();
            if (c) ::close(c->fd);
            return std::make_pair(c.has_value(), Clock::now());
        });
        // Asleep before the test goes on: a worker that comes to next() while a connection waits takes it.
        const auto deadline = Clock::now() + 5s;
        while (acceptor.idleWorkers() == idle && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
        if (acceptor.idleWorkers() == idle)
            throw std::runtime_error("the worker did not go to sleep in next()");
    }
    /// Stops the acceptor first, so that a test failing half-way does not wait forever for this thread.
    ~SleepingWorker() { acceptor_.stop(); }
    SleepingWorker(const SleepingWorker&) = delete;
    SleepingWorker& operator=(const SleepingWorker&) = delete;
    /// Whether it got a connection within `wait`.
    bool got(std::chrono::milliseconds wait) { return got_.wait_for(wait) == std::future_status::ready; }
    Clock::time_point when() { return got_.get().second; }

private:
    Acceptor& acceptor_;
    Acceptor::Worker worker_;
    std::future<std::pair<bool, Clock::time_point>> got_;
};

/// A worker that has taken a connection and is serving it; the connection is closed at the end.
class BusyWorker {
public:
    BusyWorker(Acceptor& acceptor, Socket& socket) : worker(acceptor) {
        socket.connectClient();
        auto c = worker.next();
        if (!c) throw std::runtime_error("the first worker got no connection");
        fd_ = c->fd;
    }
    ~BusyWorker() { ::close(fd_); }
    BusyWorker(const BusyWorker&) = delete;
    BusyWorker& operator=(const BusyWorker&) = delete;

    Acceptor::Worker worker;

private:
    int fd_ = -1;
};

}  // namespace

class AcceptorTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(AcceptorTest);
    CPPUNIT_TEST(testWithoutALimitEveryReadyConnectionWakesAWorker);
    CPPUNIT_TEST(testAtTheLimitTheRunningWorkerTakesTheNextConnection);
    CPPUNIT_TEST(testAWaitingWorkerLetsASleepingOneRun);
    CPPUNIT_TEST(testAStallWakesOneMoreWorker);
    CPPUNIT_TEST(testTheWorkerThatSleptLastIsWokenFirst);
    CPPUNIT_TEST_SUITE_END();

public:
    void testWithoutALimitEveryReadyConnectionWakesAWorker() {
        Socket socket;
        Acceptor acceptor(socket.fd(), 5000, 5000, RecordLimits{});
        BusyWorker busy(acceptor, socket);
        SleepingWorker other(acceptor);
        socket.connectClient();
        CPPUNIT_ASSERT_MESSAGE("with no limit a second worker serves while the first is busy", other.got(5s));
    }

    void testAtTheLimitTheRunningWorkerTakesTheNextConnection() {
        Socket socket;
        Acceptor acceptor(socket.fd(), 5000, 5000, RecordLimits{}, RunLimit{1, 60s});
        BusyWorker running(acceptor, socket);
        SleepingWorker sleeping(acceptor);
        socket.connectClient();
        CPPUNIT_ASSERT_MESSAGE("a second worker was woken although one ran and the limit is one",
                               !sleeping.got(300ms));
        // The running worker finds it queued when it asks for its next one, without sleeping.
        auto second = running.worker.next();
        CPPUNIT_ASSERT(second.has_value());
        ::close(second->fd);
        CPPUNIT_ASSERT(!sleeping.got(0ms));
        acceptor.stop();
        CPPUNIT_ASSERT_MESSAGE("stop() wakes every sleeping worker", sleeping.got(5s));
    }

    void testAWaitingWorkerLetsASleepingOneRun() {
        Socket socket;
        Acceptor acceptor(socket.fd(), 5000, 5000, RecordLimits{}, RunLimit{1, 60s});
        BusyWorker writer(acceptor, socket);
        SleepingWorker sleeping(acceptor);
        socket.connectClient();
        CPPUNIT_ASSERT(!sleeping.got(300ms));
        writer.worker.waits();  // e.g. until its write commits
        CPPUNIT_ASSERT_MESSAGE("the waiting worker's place went to nobody", sleeping.got(5s));
        writer.worker.resumes();
    }

    void testAStallWakesOneMoreWorker() {
        Socket socket;
        constexpr auto kStall = 200ms;
        Acceptor acceptor(socket.fd(), 5000, 5000, RecordLimits{}, RunLimit{1, kStall});
        BusyWorker slow(acceptor, socket);
        SleepingWorker sleeping(acceptor);
        const auto queued = Clock::now();
        socket.connectClient();
        CPPUNIT_ASSERT_MESSAGE("a connection waited more than 5 s behind a slow request", sleeping.got(5s));
        const auto waited = sleeping.when() - queued;
        CPPUNIT_ASSERT_MESSAGE("woken before the stall time: the limit did not hold",
                               waited >= kStall - 20ms);
    }

    void testTheWorkerThatSleptLastIsWokenFirst() {
        // Last in, first out: the threads that serve stay few and warm (a condition variable's notify_one
        // woke the longest sleeper, so every thread in turn).
        Socket socket;
        Acceptor acceptor(socket.fd(), 5000, 5000, RecordLimits{});
        SleepingWorker first(acceptor);
        SleepingWorker last(acceptor);
        socket.connectClient();
        CPPUNIT_ASSERT_MESSAGE("the worker that went to sleep last did not get the connection", last.got(5s));
        CPPUNIT_ASSERT_MESSAGE("one connection woke two workers", !first.got(300ms));
        socket.connectClient();
        CPPUNIT_ASSERT_MESSAGE("the other worker did not get the next connection", first.got(5s));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(AcceptorTest);
