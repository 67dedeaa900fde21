#include "appreg/app/LogFormatter.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <limits>

namespace appreg::app {

namespace {

/// PatternFormatter's names for %p, by Poco::Message::Priority (1, PRIO_FATAL, to 8, PRIO_TRACE).
constexpr const char* kPriorityNames[] = {"",       "Fatal",       "Critical", "Error", "Warning",
                                          "Notice", "Information", "Debug",    "Trace"};

const char* priorityName(Poco::Message::Priority priority) {
    const auto index = static_cast<std::size_t>(priority);
    return index < std::size(kPriorityNames) ? kPriorityNames[index] : "";
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
