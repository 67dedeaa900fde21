#pragma once

#include <cstdint>
#include <string>

namespace appreg::domain {

/// Microseconds since the Unix epoch, from the system clock.
std::int64_t nowMicros();

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, always six fraction digits): the API's one timestamp format.
/// It sorts lexicographically in time order, so the store keeps it as text.
std::string formatTimestamp(std::int64_t micros);

}  // namespace appreg::domain
