#include <cppunit/extensions/HelperMacros.h>

#include <cstdint>
#include <string>
#include <vector>

#include <Poco/AutoPtr.h>
#include <Poco/Message.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Timestamp.h>

#include "appreg/app/LogFormatter.h"

using namespace appreg;

/// LogFormatter writes what Poco's PatternFormatter wrote with the worker's old pattern: log readers and the
/// tests that read the log (the access line's shape) see no difference.
class LogFormatterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LogFormatterTest);
    CPPUNIT_TEST(testSameLineAsThePatternFormatter);
    CPPUNIT_TEST(testTheSecondChangesWithinAThread);
    CPPUNIT_TEST_SUITE_END();

    static std::string withPattern(const Poco::Message& message) {
        Poco::AutoPtr<Poco::PatternFormatter> pattern(
            new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%FZ %p %t"));
        pattern->setProperty("times", "UTC");
        std::string text;
        pattern->format(message, text);
        return text;
    }

    static std::string withLogFormatter(const Poco::Message& message) {
        Poco::AutoPtr<app::LogFormatter> formatter(new app::LogFormatter);
        std::string text;
        formatter->format(message, text);
        return text;
    }

    static Poco::Message at(std::int64_t micros, Poco::Message::Priority priority, const std::string& text) {
        Poco::Message message("appreg", text, priority);
        message.setTime(Poco::Timestamp(micros));
        return message;
    }

public:
    void testSameLineAsThePatternFormatter() {
        const std::vector<std::int64_t> times{
            0,                 // 1970-01-01T00:00:00.000000
            999999,            // the last microsecond of a second
            1795817156000000,  // 2026-11-27, a whole second
            1795817156123456,
            951782400000001,   // 2000-02-29, a leap day
            4102444799999999,  // 2099-12-31T23:59:59.999999
        };
        const std::vector<Poco::Message::Priority> priorities{
            Poco::Message::PRIO_FATAL,   Poco::Message::PRIO_CRITICAL, Poco::Message::PRIO_ERROR,
            Poco::Message::PRIO_WARNING, Poco::Message::PRIO_NOTICE,   Poco::Message::PRIO_INFORMATION,
            Poco::Message::PRIO_DEBUG,   Poco::Message::PRIO_TRACE};
        for (std::int64_t t : times) {
            for (auto p : priorities) {
                const Poco::Message m = at(t, p, "GET /api/v2/ping/ 200 0.12ms 0123abcd");
                CPPUNIT_ASSERT_EQUAL(withPattern(m), withLogFormatter(m));
            }
        }
        CPPUNIT_ASSERT_EQUAL(std::string("2026-11-27T22:05:56.123456Z Warning x"),
                             withLogFormatter(at(1795817156123456, Poco::Message::PRIO_WARNING, "x")));
    }

    void testTheSecondChangesWithinAThread() {
        // The date and time kept for the thread's last second must not leak into the next one, nor back.
        Poco::AutoPtr<app::LogFormatter> formatter(new app::LogFormatter);
        for (std::int64_t t :
             {1795817156999999LL, 1795817157000000LL, 1795817156500000LL, 1795903556000000LL}) {
            const Poco::Message m = at(t, Poco::Message::PRIO_INFORMATION, "line");
            std::string text;
            formatter->format(m, text);
            CPPUNIT_ASSERT_EQUAL(withPattern(m), text);
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(LogFormatterTest);
