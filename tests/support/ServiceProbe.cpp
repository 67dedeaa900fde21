#include "ServiceProbe.h"

#include "FcgiClient.h"

#include <algorithm>

namespace appreg::test {

std::string ServiceProbe::Report::describe(long boundMs) const {
    std::string text = std::to_string(requests) + " requests, slowest " + std::to_string(maxMs) + " ms, " +
                       std::to_string(slowMs.size()) + " over " + std::to_string(boundMs) + " ms";
    if (!slowMs.empty()) {
        text += " (";
        for (std::size_t i = 0; i < slowMs.size() && i < 20; ++i) {
            text += (i ? ", " : "") + std::to_string(slowMs[i]) + " ms";
        }
        text += slowMs.size() > 20 ? ", ...)" : ")";
    }
    text += ", " + std::to_string(failures.size()) + " failed";
    for (std::size_t i = 0; i < failures.size() && i < 5; ++i) {
        text += "\n  " + failures[i];
    }
    return text;
}

ServiceProbe::ServiceProbe(std::string socketPath, std::chrono::milliseconds pause,
                           std::chrono::milliseconds timeout)
    : socketPath_(std::move(socketPath)), pause_(pause), timeout_(timeout), thread_([this] { loop(); }) {}

ServiceProbe::~ServiceProbe() {
    stopping_ = true;
    if (thread_.joinable()) {
        thread_.join();
    }
}

ServiceProbe::Report ServiceProbe::stop(long boundMs) {
    // One more request that began after the test's abuse must complete too (and a short test still gets one).
    const int before = completed_.load();
    const auto deadline = std::chrono::steady_clock::now() + 2 * timeout_ + pause_;
    while (completed_.load() < before + 2 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    stopping_ = true;
    if (thread_.joinable()) {
        thread_.join();
    }
    std::lock_guard<std::mutex> lock(mutex_);
    Report report;
    report.requests = static_cast<int>(durationsMs_.size());
    report.failures = failures_;
    for (long ms : durationsMs_) {
        report.maxMs = std::max(report.maxMs, ms);
        if (ms >= boundMs) {
            report.slowMs.push_back(ms);
        }
    }
    return report;
}

void ServiceProbe::loop() {
    const FcgiClient client(socketPath_);
    const char* const uris[] = {"/api/v2/ping/", "/api/v2/applications/"};
    for (int i = 0; !stopping_; ++i) {
        const std::string uri = uris[i % 2];
        const auto begin = std::chrono::steady_clock::now();
        std::string failure;
        try {
            const FcgiResponse response =
                client.request(FcgiClient::standardParams("GET", uri), "", timeout_);
            if (!response.ended || response.status != 200) {
                failure = "GET " + uri + ": " + response.describe();
            }
        } catch (const std::exception& e) {
            failure = "GET " + uri + ": " + e.what();
        }
        const long ms = static_cast<long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin)
                .count());
        {
            std::lock_guard<std::mutex> lock(mutex_);
            durationsMs_.push_back(ms);
            if (!failure.empty()) {
                failures_.push_back(failure);
            }
        }
        ++completed_;
        std::this_thread::sleep_for(pause_);
    }
}

}  // namespace appreg::test
