// threads.running (issue 7): at most that many worker threads run requests at once, so that the next
// connection is usually taken by a thread that just finished one instead of waking another. A request that
// takes long must still not hold up the others: after 2 ms without progress one more thread is woken.

#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <chrono>
#include <fstream>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <utility>

using namespace appreg::test;

namespace {
using Clock = std::chrono::steady_clock;

long msBetween(Clock::time_point a, Clock::time_point b) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(b - a).count());
}
}  // namespace

class RunLimitTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(RunLimitTest);
    CPPUNIT_TEST(testASlowRequestDoesNotHoldUpTheOthers);
    CPPUNIT_TEST(testWritesAreAnsweredUnderTheLimit);
    CPPUNIT_TEST_SUITE_END();

    /// PBKDF2 iterations of the users created here: one POST /users/ hashes for seconds (0.7 s per 600,000).
    static constexpr int kSlowIterations = 4000000;
    std::string config_;

protected:
    int workerThreads() const override { return 4; }
    void prepare(const TempDir& dir) override {
        config_ = dir.path() + "/worker.properties";
        std::ofstream(config_) << "threads.running = 1\n"
                               << "auth.password_iterations = " << kSlowIterations << "\n";
    }
    std::vector<std::string> workerArgs() const override { return {"--config", config_}; }

public:
    void testASlowRequestDoesNotHoldUpTheOthers() {
        CPPUNIT_ASSERT_MESSAGE(worker().log(), worker().waitForLog("with 4 threads (at most 1 running)"));
        // The one thread allowed to run hashes a new user's password.
        auto slow = std::async(std::launch::async, [this] {
            FcgiResponse r =
                api().send("POST", "/api/v2/users/", R"({"username": "slow", "password": "a-long-password"})",
                           "application/json", std::chrono::seconds(120));
            return std::make_pair(r, Clock::now());
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(300));

        const auto begin = Clock::now();
        const FcgiResponse ping = api().get("/api/v2/ping/");
        const FcgiResponse list = api().get(ApiClient::kApplications);
        const auto answered = Clock::now();
        APPREG_ASSERT_STATUS(200, ping);
        APPREG_ASSERT_STATUS(200, list);

        auto [created, createdAt] = slow.get();
        APPREG_ASSERT_STATUS(201, created);
        CPPUNIT_ASSERT_MESSAGE(
            "the slow request ended before the others were answered, so it held nothing up: "
            "the test proved nothing (hashing took " +
                std::to_string(msBetween(begin, createdAt)) + " ms after they were sent)",
            createdAt > answered);
        CPPUNIT_ASSERT_MESSAGE("two requests behind a slow one took " +
                                   std::to_string(msBetween(begin, answered)) + " ms; the slow one ended " +
                                   std::to_string(msBetween(answered, createdAt)) + " ms later",
                               msBetween(begin, answered) < 1000);
    }

    void testWritesAreAnsweredUnderTheLimit() {
        // Threads that wait for their commit do not count: sixteen creates at once from four threads all end.
        const long long org = organization();
        std::vector<std::future<FcgiResponse>> creates;
        for (int i = 0; i < 16; ++i) {
            creates.push_back(std::async(std::launch::async, [this, org, i] {
                return api().createApplication(
                    ApiClient::seedApplication(org, "limited " + std::to_string(i)));
            }));
        }
        std::set<std::string> locations;
        for (auto& c : creates) {
            const FcgiResponse created = c.get();
            APPREG_ASSERT_STATUS(201, created);
            locations.insert(created.header("Location"));
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t{16}, locations.size());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RunLimitTest);
