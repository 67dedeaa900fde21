#include "appreg/app/BufferedChannel.h"

namespace appreg::app {

BufferedChannel::BufferedChannel(Poco::AutoPtr<Poco::Channel> sink, std::chrono::milliseconds interval,
                                 std::size_t limit)
    : _sink(std::move(sink)), _interval(interval), _limit(limit), _writer(&BufferedChannel::run, this) {}

BufferedChannel::~BufferedChannel() { close(); }

void BufferedChannel::log(const Poco::Message& message) {
    std::lock_guard<std::mutex> lock(_mutex);
    if (_closed || message.getPriority() < Poco::Message::PRIO_INFORMATION) {
        writeWaiting();
        _sink->log(message);
        return;
    }
    const bool first = _waiting.empty();
    if (!first) _waiting += '\n';
    _waiting += message.getText();
    if (_waiting.size() >= _limit) {
        writeWaiting();
    } else if (first) {
        _wake.notify_one();  // the writer sleeps until there is something to write
    }
}

void BufferedChannel::flush() {
    std::lock_guard<std::mutex> lock(_mutex);
    writeWaiting();
}

void BufferedChannel::close() {
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_closed) return;
        _closed = true;
        writeWaiting();
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
        writeWaiting();
    }
}

void BufferedChannel::writeWaiting() {
    if (_waiting.empty()) return;
    // The sink ends the text with a line break, as it does every message.
    Poco::Message lines("appreg", std::string(), Poco::Message::PRIO_INFORMATION);
    lines.setText(std::move(_waiting));
    _waiting.clear();
    _sink->log(lines);
}

}  // namespace appreg::app
