#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Message.h>

#include "appreg/app/BufferedChannel.h"

using namespace appreg;

namespace {

/// What reached the sink: one entry per write.
class RecordingChannel : public Poco::Channel {
public:
    void log(const Poco::Message& message) override {
        std::lock_guard<std::mutex> lock(mutex);
        writes.push_back(message.getText());
    }
    std::vector<std::string> seen() {
        std::lock_guard<std::mutex> lock(mutex);
        return writes;
    }

private:
    std::mutex mutex;
    std::vector<std::string> writes;
};

Poco::Message line(const std::string& text,
                   Poco::Message::Priority priority = Poco::Message::PRIO_INFORMATION) {
    return Poco::Message("appreg", text, priority);
}

/// A sink whose first write blocks until unblock(): a full disk, or a journal that throttles.
class StuckChannel : public Poco::Channel {
public:
    void log(const Poco::Message& message) override {
        std::unique_lock<std::mutex> lock(mutex);
        if (writes.empty()) {
            entered = true;
            changed.notify_all();
            changed.wait(lock, [this] { return unblocked; });
        }
        writes.push_back(message.getText());
    }
    void waitUntilEntered() {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [this] { return entered; });
    }
    void unblock() {  // not release(): that name is RefCountedObject's, which AutoPtr calls
        std::lock_guard<std::mutex> lock(mutex);
        unblocked = true;
        changed.notify_all();
    }
    std::vector<std::string> seen() {
        std::lock_guard<std::mutex> lock(mutex);
        return writes;
    }

private:
    std::mutex mutex;
    std::condition_variable changed;
    bool entered = false;
    bool unblocked = false;
    std::vector<std::string> writes;
};

const auto kLong = std::chrono::hours(1);  // never reached: only flush, size and close write

}  // namespace

/// BufferedChannel: access lines batched into few writes, in order, warnings at once, nothing lost at close.
class BufferedChannelTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BufferedChannelTest);
    CPPUNIT_TEST(testLinesWaitForOneWrite);
    CPPUNIT_TEST(testWarningsWriteAtOnceAndInOrder);
    CPPUNIT_TEST(testSizeLimitWrites);
    CPPUNIT_TEST(testCloseWritesAndLaterLinesGoStraightThrough);
    CPPUNIT_TEST(testIntervalWrites);
    CPPUNIT_TEST(testManyThreadsLoseNothing);
    CPPUNIT_TEST(testASlowSinkHoldsUpOnlyTheThreadThatWrites);
    CPPUNIT_TEST_SUITE_END();

public:
    void testLinesWaitForOneWrite() {
        Poco::AutoPtr<RecordingChannel> sink(new RecordingChannel);
        Poco::AutoPtr<app::BufferedChannel> channel(new app::BufferedChannel(sink, kLong));
        channel->log(line("GET /a 200"));
        channel->log(line("GET /b 200"));
        CPPUNIT_ASSERT(sink->seen().empty());
        channel->flush();
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), sink->seen().size());
        CPPUNIT_ASSERT_EQUAL(std::string("GET /a 200\nGET /b 200"), sink->seen()[0]);
        channel->flush();  // nothing waits: no empty write
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), sink->seen().size());
        channel->close();
    }

    void testWarningsWriteAtOnceAndInOrder() {
        Poco::AutoPtr<RecordingChannel> sink(new RecordingChannel);
        Poco::AutoPtr<app::BufferedChannel> channel(new app::BufferedChannel(sink, kLong));
        channel->log(line("GET /a 200"));
        channel->log(line("database locked", Poco::Message::PRIO_WARNING));
        channel->log(line("GET /b 503"));
        channel->log(line("cannot start", Poco::Message::PRIO_FATAL));
        const std::vector<std::string> expected{"GET /a 200", "database locked", "GET /b 503",
                                                "cannot start"};
        CPPUNIT_ASSERT(expected == sink->seen());
        channel->close();
    }

    void testSizeLimitWrites() {
        Poco::AutoPtr<RecordingChannel> sink(new RecordingChannel);
        Poco::AutoPtr<app::BufferedChannel> channel(new app::BufferedChannel(sink, kLong, 100));
        for (int i = 0; i < 10; ++i) channel->log(line(std::string(19, 'a' + i)));
        // Five lines and their separators are 99 bytes; the sixth brings 119 and a write. The other four
        // wait.
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), sink->seen().size());
        std::string six;
        for (int i = 0; i < 6; ++i) six += (i ? "\n" : "") + std::string(19, 'a' + i);
        CPPUNIT_ASSERT_EQUAL(six, sink->seen()[0]);
        channel->close();
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), sink->seen().size());
        CPPUNIT_ASSERT_EQUAL(std::string(19, 'g') + "\n" + std::string(19, 'h') + "\n" +
                                 std::string(19, 'i') + "\n" + std::string(19, 'j'),
                             sink->seen()[1]);
        channel->close();
    }

    void testCloseWritesAndLaterLinesGoStraightThrough() {
        Poco::AutoPtr<RecordingChannel> sink(new RecordingChannel);
        Poco::AutoPtr<app::BufferedChannel> channel(new app::BufferedChannel(sink, kLong));
        channel->log(line("last request"));
        channel->close();
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), sink->seen().size());
        channel->log(line("stopped"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), sink->seen().size());
        CPPUNIT_ASSERT_EQUAL(std::string("stopped"), sink->seen()[1]);
        channel->close();  // twice is harmless
    }

    void testIntervalWrites() {
        Poco::AutoPtr<RecordingChannel> sink(new RecordingChannel);
        Poco::AutoPtr<app::BufferedChannel> channel(
            new app::BufferedChannel(sink, std::chrono::milliseconds(20)));
        channel->log(line("GET /a 200"));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (sink->seen().empty() && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        CPPUNIT_ASSERT_MESSAGE("a line waited more than 10 s without a flush", !sink->seen().empty());
        CPPUNIT_ASSERT_EQUAL(std::string("GET /a 200"), sink->seen()[0]);
        channel->close();
    }

    void testManyThreadsLoseNothing() {
        Poco::AutoPtr<RecordingChannel> sink(new RecordingChannel);
        Poco::AutoPtr<app::BufferedChannel> channel(
            new app::BufferedChannel(sink, std::chrono::milliseconds(1), 4096));
        constexpr int kThreads = 8, kLines = 2000;
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kLines; ++i)
                    channel->log(line(std::to_string(t) + ":" + std::to_string(i)));
            });
        }
        for (auto& t : threads) t.join();
        channel->close();
        std::vector<int> next(kThreads, 0);
        std::size_t lines = 0;
        for (const std::string& write : sink->seen()) {
            std::size_t start = 0;
            while (start <= write.size()) {
                std::size_t end = write.find('\n', start);
                if (end == std::string::npos) end = write.size();
                const std::string text = write.substr(start, end - start);
                const auto colon = text.find(':');
                const int t = std::stoi(text.substr(0, colon));
                CPPUNIT_ASSERT_EQUAL_MESSAGE("lines of one thread in order", next[t],
                                             std::stoi(text.substr(colon + 1)));
                ++next[t];
                ++lines;
                start = end + 1;
            }
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t(kThreads * kLines), lines);
    }

    void testASlowSinkHoldsUpOnlyTheThreadThatWrites() {
        Poco::AutoPtr<StuckChannel> sink(new StuckChannel);
        Poco::AutoPtr<app::BufferedChannel> channel(new app::BufferedChannel(sink, kLong, 10));
        // This line reaches the limit: its thread writes, and the sink does not return.
        auto writer = std::async(std::launch::async, [&] { channel->log(line("0123456789")); });
        sink->waitUntilEntered();
        // Another thread's line meanwhile (under the limit) is taken at once, not after the stuck write.
        auto other = std::async(std::launch::async, [&] { channel->log(line("GET /b")); });
        const bool taken = other.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
        sink->unblock();
        writer.get();
        other.get();
        CPPUNIT_ASSERT_MESSAGE("a line waited for another thread's write to the sink", taken);
        channel->log(line("database locked", Poco::Message::PRIO_WARNING));
        const std::vector<std::string> expected{"0123456789", "GET /b", "database locked"};
        CPPUNIT_ASSERT(expected == sink->seen());
        channel->close();
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(BufferedChannelTest);
