// (name, organization) is unique "enforced by the database so that two racing requests cannot both win"
// (API.md §4).

#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <condition_variable>
#include <mutex>
#include <thread>

using namespace appreg::test;

class ConcurrencyTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(ConcurrencyTest);
    CPPUNIT_TEST(testRacingDuplicateCreatesHaveOneWinner);
    CPPUNIT_TEST(testRacingDuplicateOrganizationsHaveOneWinner);
    CPPUNIT_TEST(testParallelDistinctCreatesAllSucceed);
    CPPUNIT_TEST_SUITE_END();

public:
    void testRacingDuplicateCreatesHaveOneWinner() {
        const long long org = organization();
        constexpr int kRounds = 20;
        for (int round = 0; round < kRounds; ++round) {
            const std::string body = ApiClient::seedApplication(org, "race-" + std::to_string(round));
            const std::vector<FcgiResponse> responses = raceRequests(ApiClient::kApplications, body, 2);
            int created = 0;
            int duplicates = 0;
            for (const FcgiResponse& response : responses) {
                if (response.status == 201) {
                    ++created;
                } else {
                    APPREG_ASSERT_RESPONSE(
                        400,
                        R"({"__all__": ["Application with this Name and Organization already exists."]})",
                        response);
                    ++duplicates;
                }
            }
            CPPUNIT_ASSERT_EQUAL_MESSAGE("round " + std::to_string(round) + ": exactly one 201", 1, created);
            CPPUNIT_ASSERT_EQUAL_MESSAGE("round " + std::to_string(round) + ": exactly one duplicate", 1,
                                         duplicates);
        }
        CPPUNIT_ASSERT_EQUAL(static_cast<long long>(kRounds), database().count("applications"));
    }

    void testRacingDuplicateOrganizationsHaveOneWinner() {
        for (int round = 0; round < 10; ++round) {
            const std::string body = "{\"name\": \"org-race-" + std::to_string(round) + "\"}";
            int created = 0;
            for (const FcgiResponse& response : raceRequests(ApiClient::kOrganizations, body, 2)) {
                if (response.status == 201) {
                    ++created;
                } else {
                    APPREG_ASSERT_RESPONSE(
                        400, R"({"name": ["Organization with this Name already exists."]})", response);
                }
            }
            CPPUNIT_ASSERT_EQUAL_MESSAGE("round " + std::to_string(round) + ": exactly one 201", 1, created);
        }
    }

    void testParallelDistinctCreatesAllSucceed() {
        // Writers on several threads must not fail with "database is locked" (SQLITE_BUSY) or a pool error.
        const long long org = organization();
        constexpr int kThreads = 8;
        constexpr int kPerThread = 10;
        std::vector<std::vector<FcgiResponse>> results(kThreads);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kPerThread; ++i) {
                    const std::string name = "parallel-" + std::to_string(t) + "-" + std::to_string(i);
                    try {
                        results[t].push_back(api().createApplication(ApiClient::seedApplication(org, name)));
                    } catch (const std::exception& e) {
                        FcgiResponse failed;
                        failed.transportError = e.what();
                        results[t].push_back(failed);
                    }
                }
            });
        }
        for (std::thread& thread : threads) {
            thread.join();
        }
        for (const auto& perThread : results) {
            for (const FcgiResponse& response : perThread) {
                APPREG_ASSERT_STATUS(201, response);
            }
        }
        CPPUNIT_ASSERT_EQUAL(static_cast<long long>(kThreads * kPerThread), database().count("applications"));
    }

protected:
    int workerThreads() const override { return 4; }

private:
    /// Sends the same POST from `n` threads released at the same moment.
    std::vector<FcgiResponse> raceRequests(const std::string& uri, const std::string& body, int n) {
        std::vector<FcgiResponse> responses(static_cast<std::size_t>(n));
        std::mutex mutex;
        std::condition_variable released;
        int ready = 0;
        bool go = false;
        std::vector<std::thread> threads;
        for (int i = 0; i < n; ++i) {
            threads.emplace_back([&, i] {
                // Connect before the start line, so both requests reach the worker together.
                const FcgiClient::Params params =
                    FcgiClient::standardParams("POST", uri, "application/json", body);
                std::string bytes = FcgiClient::beginRequest();
                bytes += FcgiClient::record(FcgiClient::kParams, FcgiClient::encodeParams(params));
                bytes += FcgiClient::record(FcgiClient::kParams, "");
                bytes += FcgiClient::record(FcgiClient::kStdin, body);
                bytes += FcgiClient::record(FcgiClient::kStdin, "");
                UniqueFd connection;
                std::string error;
                try {
                    connection = api().fcgi().connectRaw();
                } catch (const std::exception& e) {
                    error = e.what();
                }
                {
                    std::unique_lock<std::mutex> lock(mutex);
                    ++ready;
                    released.notify_all();
                    released.wait(lock, [&] { return go; });
                }
                if (!connection.valid()) {
                    responses[static_cast<std::size_t>(i)].transportError = error;
                    return;
                }
                FcgiClient::writeAll(connection.get(), bytes);
                responses[static_cast<std::size_t>(i)] =
                    FcgiClient::readResponse(connection.get(), std::chrono::seconds(10));
            });
        }
        {
            std::unique_lock<std::mutex> lock(mutex);
            released.wait(lock, [&] { return ready == n; });
            go = true;
            released.notify_all();
        }
        for (std::thread& thread : threads) {
            thread.join();
        }
        return responses;
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConcurrencyTest);
