#include "appreg/app/LogFormatter.h"

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <limits>

namespace appreg::app {

namespace {

/// PatternFormatter's names for %p.
const char* priorityName(Poco::Message::Priority priority) {
    switch (priority) {
        case Poco::Message::PRIO_FATAL:
            return "Fatal";
        case Poco::Message::PRIO_CRITICAL:
            return "Critical";
        case Poco::Message::PRIO_ERROR:
            return "Error";
        case Poco::Message::PRIO_WARNING:
            return "Warning";
        case Poco::Message::PRIO_NOTICE:
            return "Notice";
        case Poco::Message::PRIO_INFORMATION:
            return "Information";
        case Poco::Message::PRIO_DEBUG:
            return "Debug";
        case Poco::Message::PRIO_TRACE:
            return "Trace";
    }
    return "";
}

}  // namespace

void LogFormatter::format(const Poco::Message& message, std::string& text) {
    const std::int64_t micros = message.getTime().epochMicroseconds();
    std::int64_t second = micros / 1000000;
    std::int64_t fraction = micros % 1000000;
    if (fraction < 0) {  // before 1970: the second below, as DateTime counts it
        fraction += 1000000;
        --second;
    }
    thread_local std::int64_t cachedSecond = std::numeric_limits<std::int64_t>::min();
    thread_local char cached[64] = {};  // 19 characters for any year of four digits
    if (second != cachedSecond) {
        const std::time_t t = static_cast<std::time_t>(second);
        std::tm parts{};
        gmtime_r(&t, &parts);
        std::snprintf(cached, sizeof cached, "%04d-%02d-%02dT%02d:%02d:%02d", parts.tm_year + 1900,
                      parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
        cachedSecond = second;
    }
    char fractionText[16];
    std::snprintf(fractionText, sizeof fractionText, ".%06dZ ", static_cast<int>(fraction));
    text += cached;
    text += fractionText;
    text += priorityName(message.getPriority());
    text += ' ';
    text += message.getText();
}

}  // namespace appreg::app
