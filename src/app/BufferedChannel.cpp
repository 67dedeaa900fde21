#include "appreg/app/BufferedChannel.h"

namespace appreg::app {

BufferedChannel::BufferedChannel(Poco::AutoPtr<Poco::Channel> sink, std::chrono::milliseconds interval,
                                 std::size_t limit)
    : _sink(std::move(sink)), _interval(interval), _limit(limit), _writer(&BufferedChannel::run, this) {}

BufferedChannel::~BufferedChannel() { close(); }

void BufferedChannel::log(const Poco::Message& message) {
    std::unique_lock<std::mutex> lock(_mutex);
    if (_closed || message.getPriority() < Poco::Message::PRIO_INFORMATION) {
        writeWaiting(lock, &message);
        return;
    }
    const bool first = _waiting.empty();
    if (!first) _waiting += '\n';
    _waiting += message.getText();
    if (_waiting.size() >= _limit) {
        writeWaiting(lock, nullptr);
    } else if (first) {
        _wake.notify_one();  // the writer sleeps until there is something to write
    }
}

void BufferedChannel::flush() {
    std::unique_lock<std::mutex> lock(_mutex);
    writeWaiting(lock, nullptr);
}

void BufferedChannel::close() {
    {
        std::unique_lock<std::mutex> lock(_mutex);
        if (_closed) return;
        _closed = true;
        writeWaiting(lock, nullptr);
    }
    _wake.notify_one();
    _writer.join();
}

void BufferedChannel::run() {
    std::unique_lock<std::mutex> lock(_mutex);
    while (!_closed) {
        _wake.wait(lock, [this] { return _closed || !_waiting.empty(); });
        // Gather the lines of one interval into one write.
        _wake.wait_for(lock, _interval, [this] { return _closed; });
        writeWaiting(lock, nullptr);
        lock.lock();
    }
}

void BufferedChannel::writeWaiting(std::unique_lock<std::mutex>& lock, const Poco::Message* after) {
    // The sink's lock is taken before _mutex is let go, so the writes reach the sink in the order in which
    // their lines were taken; the write itself runs without _mutex, so other threads add lines meanwhile.
    std::string text;
    text.swap(_waiting);
    std::lock_guard<std::mutex> sinkLock(_sinkMutex);
    lock.unlock();
    if (!text.empty()) {
        // The sink ends the text with a line break, as it does every message.
        Poco::Message lines("appreg", std::string(), Poco::Message::PRIO_INFORMATION);
        lines.setText(std::move(text));
        _sink->log(lines);
    }
    if (after != nullptr) _sink->log(*after);
}

}  // namespace appreg::app
