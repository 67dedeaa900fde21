// Stopping the worker (systemctl stop, a deploy): SIGTERM ends it with status 0 within a second when it is
// idle, and a request already in progress is finished, not cut off (platform-notes §2.4).

#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <csignal>
#include <thread>

using namespace appreg::test;

class ShutdownTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(ShutdownTest);
    CPPUNIT_TEST(testSigtermExitsCleanlyAndQuickly);
    CPPUNIT_TEST(testSigintExitsCleanly);
    CPPUNIT_TEST(testSigtermWithIdleClientConnected);
    CPPUNIT_TEST(testSigtermAfterBurstOfRequests);
    CPPUNIT_TEST(testSigtermFinishesInFlightRequest);
    CPPUNIT_TEST_SUITE_END();

public:
    void testSigtermExitsCleanlyAndQuickly() {
        APPREG_ASSERT_STATUS(200, api().get("/api/v2/ping/"));
        assertStopsCleanly(worker().stop(std::chrono::seconds(8)));
    }

    void testSigintExitsCleanly() {
        // Ctrl-C in a terminal.
        APPREG_ASSERT_STATUS(200, api().get("/api/v2/ping/"));
        worker().sendSignal(SIGINT);
        const auto status = worker().waitForExit(std::chrono::seconds(2));
        CPPUNIT_ASSERT_MESSAGE("still running 2 s after SIGINT", status.has_value());
        CPPUNIT_ASSERT_MESSAGE(status->describe(), status->isExit(0));
    }

    void testSigtermWithIdleClientConnected() {
        // A client that connected and has not sent anything yet (libfcgi waits up to 500 ms for its first
        // bytes) when the stop comes must not hold the shutdown up.
        const int before = worker().openSockets();
        UniqueFd idle = api().fcgi().connectRaw();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (worker().openSockets() == before && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        CPPUNIT_ASSERT_MESSAGE("the worker never accepted the connection", worker().openSockets() > before);
        assertStopsCleanly(worker().stop(std::chrono::seconds(8)));
    }

    void testSigtermAfterBurstOfRequests() {
        // Every worker thread has been busy; all of them must notice the stop.
        for (int round = 0; round < 3; ++round) {
            std::vector<std::thread> clients;
            for (int c = 0; c < 8; ++c) {
                clients.emplace_back([this] {
                    for (int i = 0; i < 10; ++i) {
                        try {
                            api().get("/api/v2/ping/");
                        } catch (const std::exception&) {
                            // counted below through the worker's answers to the last ping
                        }
                    }
                });
            }
            for (std::thread& client : clients) {
                client.join();
            }
            APPREG_ASSERT_STATUS(200, api().get("/api/v2/ping/"));
            assertStopsCleanly(worker().stop(std::chrono::seconds(8)));
            worker().start();
        }
    }

    void testSigtermFinishesInFlightRequest() {
        const std::string body = ApiClient::seedApplication(organization(), "in flight");
        const FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        UniqueFd connection = api().fcgi().connectRaw();
        std::string head = FcgiClient::beginRequest();
        head += FcgiClient::record(FcgiClient::kParams, FcgiClient::encodeParams(params));
        head += FcgiClient::record(FcgiClient::kParams, "");
        head += FcgiClient::record(FcgiClient::kStdin, body.substr(0, 10));
        CPPUNIT_ASSERT(FcgiClient::writeAll(connection.get(), head));

        worker().sendSignal(SIGTERM);
        CPPUNIT_ASSERT_MESSAGE("the worker never took SIGTERM", worker().waitUntilSignalTaken(SIGTERM));

        // The rest of the request arrives after the stop began: it is still served, and committed.
        const std::string rest = FcgiClient::record(FcgiClient::kStdin, body.substr(10)) +
                                 FcgiClient::record(FcgiClient::kStdin, "");
        CPPUNIT_ASSERT(FcgiClient::writeAll(connection.get(), rest));
        const FcgiResponse response = FcgiClient::readResponse(connection.get(), std::chrono::seconds(10));
        APPREG_ASSERT_STATUS(201, response);

        const auto status = worker().waitForExit(std::chrono::seconds(5));
        CPPUNIT_ASSERT_MESSAGE("still running 5 s after SIGTERM", status.has_value());
        CPPUNIT_ASSERT_MESSAGE(status->describe() + "\n" + worker().log(), status->isExit(0));
        CPPUNIT_ASSERT_EQUAL(1LL, database().count("applications"));
    }

protected:
    int workerThreads() const override { return 4; }

private:
    /// Stopped with a grace longer than the worker's own (shutdown.grace_ms, 5 s), so that a slow stop shows
    /// as what the worker did, not as our SIGKILL.
    void assertStopsCleanly(const WorkerProcess::StopResult& stopped) {
        CPPUNIT_ASSERT_MESSAGE("after SIGTERM: " + stopped.status.describe() + "\n" + worker().log(),
                               stopped.status.isExit(0));
        CPPUNIT_ASSERT_MESSAGE("SIGTERM was ignored; SIGKILL needed", !stopped.killed);
        CPPUNIT_ASSERT_MESSAGE("took " + std::to_string(stopped.elapsedMs) + " ms to exit",
                               stopped.elapsedMs <= 1000);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ShutdownTest);
