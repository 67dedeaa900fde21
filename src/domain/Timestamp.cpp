#include "appreg/domain/Timestamp.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace appreg::domain {

std::int64_t nowMicros() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string formatTimestamp(std::int64_t micros) {
    std::time_t secs = static_cast<std::time_t>(micros / 1000000);
    long frac = static_cast<long>(micros % 1000000);
    if (frac < 0) {
        frac += 1000000;
        --secs;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
    return buf;
}

}  // namespace appreg::domain
