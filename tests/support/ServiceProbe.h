#pragma once

#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace appreg::test {

/// A well-behaved client on its own thread, for tests that abuse the worker on another connection: it sends
/// read-only requests (GET /api/v2/ping/ and GET /api/v2/applications/ in turn) one after another, with a
/// short pause, and records how long each took and whether it got a complete 200. It never writes, so tests
/// can still count rows.
class ServiceProbe {
public:
    struct Report {
        int requests = 0;
        long maxMs = 0;                     ///< the slowest request
        std::vector<long> slowMs;           ///< every request over the bound given to report()
        std::vector<std::string> failures;  ///< requests that did not get a complete 200 (with the reason)

        /// "N requests, max M ms, K over B ms, F failed: ..." for assertion messages.
        std::string describe(long boundMs) const;
    };

    /// Starts probing `socketPath` at once; each request gives up after `timeout`.
    explicit ServiceProbe(std::string socketPath,
                          std::chrono::milliseconds pause = std::chrono::milliseconds(20),
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Stops (and joins) the thread.
    ~ServiceProbe();

    ServiceProbe(const ServiceProbe&) = delete;
    ServiceProbe& operator=(const ServiceProbe&) = delete;

    /// Waits until two more requests have completed (so at least one began after this call), then stops
    /// probing and returns what happened; requests slower than `boundMs` are listed in slowMs.
    Report stop(long boundMs);

    /// Requests completed so far.
    int completed() const { return completed_.load(); }

private:
    void loop();

    std::string socketPath_;
    std::chrono::milliseconds pause_;
    std::chrono::milliseconds timeout_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> completed_{0};
    std::mutex mutex_;
    std::vector<long> durationsMs_;
    std::vector<std::string> failures_;
    std::thread thread_;
};

}  // namespace appreg::test

/// Stops the probe and fails unless every one of its requests got a complete 200 within `boundMs`.
#define APPREG_ASSERT_PROBE_HEALTHY(probe, boundMs)                                                    \
    do {                                                                                               \
        const auto appregProbeReport = (probe).stop(boundMs);                                          \
        std::cerr << "  [well-behaved client: " << appregProbeReport.describe(boundMs) << "]\n";       \
        CPPUNIT_ASSERT_MESSAGE("the well-behaved client: " + appregProbeReport.describe(boundMs),      \
                               appregProbeReport.requests > 0 && appregProbeReport.failures.empty() && \
                                   appregProbeReport.slowMs.empty());                                  \
    } while (false)
