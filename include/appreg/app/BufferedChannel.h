#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Message.h>

namespace appreg::app {

/// Collects informational log lines (the access lines) and hands them to `sink` in one write every
/// `interval`, or as soon as `limit` bytes wait; a warning, an error or a fatal message first writes what
/// waits and then itself, at once, so the log keeps its order and nothing that matters waits. A write per
/// line (a flush of the file or stderr, under the channel's lock, by up to 16 threads) was a tenth of a small
/// request's CPU time (issue 7; docs/decisions.md "log line").
///
/// Lines logged after close() go straight to the sink. Informational lines of the last `interval` are lost if
/// the process is killed; an orderly stop (close()) writes them.
class BufferedChannel : public Poco::Channel {
public:
    BufferedChannel(Poco::AutoPtr<Poco::Channel> sink, std::chrono::milliseconds interval,
                    std::size_t limit = 64 * 1024);

    void log(const Poco::Message& message) override;
    /// Writes what waits, now.
    void flush();
    /// Writes what waits and stops the thread that writes every `interval`.
    void close() override;

protected:
    ~BufferedChannel() override;

private:
    Poco::AutoPtr<Poco::Channel> _sink;
    std::chrono::milliseconds _interval;
    std::size_t _limit;
    std::mutex _mutex;  ///< guards what follows; never held while the sink writes
    std::condition_variable _wake;
    std::string _waiting;  ///< lines, joined by '\n'
    bool _closed = false;
    std::mutex _sinkMutex;  ///< one write to the sink at a time, taken while _mutex is held (then let go of)
    std::thread _writer;

    void run();
    /// Takes the waiting lines and writes them, then `after` if given. Called with `lock` (on _mutex) held;
    /// returns with it released: a slow sink (a full disk, a journal that throttles) holds up only the thread
    /// that writes, not every thread that logs a line meanwhile.
    void writeWaiting(std::unique_lock<std::mutex>& lock, const Poco::Message* after);
};

}  // namespace appreg::app
