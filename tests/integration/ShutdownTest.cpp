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
    CPPUNIT_TEST(testSigtermAnswersRequestAlreadyReceived);
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
        const int before = settledSocketCount();
        UniqueFd idle = api().fcgi().connectRaw();
        waitUntilAccepted(before);
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
        // A slow client (or Apache's mod_proxy_fcgi, which streams bodies as they arrive): the head and the
        // first body record, a pause, the stop, then the rest of the body. Repeated, because where exactly
        // the worker is when the signal lands varies from run to run.
        for (int round = 0; round < 10; ++round) {
            const std::string context = "round " + std::to_string(round) + ": ";
            const std::string body =
                ApiClient::seedApplication(organization(), "in flight " + std::to_string(round));
            const FcgiClient::Params params =
                FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
            const std::string first =
                FcgiClient::beginRequest() +
                FcgiClient::record(FcgiClient::kParams, FcgiClient::encodeParams(params)) +
                FcgiClient::record(FcgiClient::kParams, "") +
                FcgiClient::record(FcgiClient::kStdin, body.substr(0, 10));
            const std::string rest = FcgiClient::record(FcgiClient::kStdin, body.substr(10)) +
                                     FcgiClient::record(FcgiClient::kStdin, "");
            APPREG_ASSERT_STATUS(200, api().get("/api/v2/ping/"));  // a worker that was busy just before
            UniqueFd connection = api().fcgi().connectRaw();
            CPPUNIT_ASSERT(FcgiClient::writeAll(connection.get(), first));
            // The client's pause: this is the scenario, not a wait for the worker.
            std::this_thread::sleep_for(std::chrono::milliseconds(20));

            worker().sendSignal(SIGTERM);
            CPPUNIT_ASSERT_MESSAGE(context + "the worker never took SIGTERM",
                                   worker().waitUntilSignalTaken(SIGTERM));
            CPPUNIT_ASSERT(FcgiClient::writeAll(connection.get(), rest));
            const FcgiResponse response =
                FcgiClient::readResponse(connection.get(), std::chrono::seconds(10));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(context + response.describe() + "\n" + worker().log(), 201,
                                         response.status);
            assertExitsCleanlyAfterSigterm(context);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(context + "rows", static_cast<long long>(round + 1),
                                         database().count("applications"));
            worker().start();
        }
    }

    void testSigtermAnswersRequestAlreadyReceived() {
        // The whole request is on the socket when the stop comes: it is answered, not reset.
        for (int round = 0; round < 10; ++round) {
            const std::string context = "round " + std::to_string(round) + ": ";
            const std::string body =
                ApiClient::seedApplication(organization(), "received " + std::to_string(round));
            APPREG_ASSERT_STATUS(200, api().get("/api/v2/ping/"));  // a worker that was busy just before
            UniqueFd connection = api().fcgi().connectRaw();
            CPPUNIT_ASSERT(FcgiClient::writeAll(connection.get(), createRequest(body)));
            worker().sendSignal(SIGTERM);
            const FcgiResponse response =
                FcgiClient::readResponse(connection.get(), std::chrono::seconds(10));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(context + response.describe() + "\n" + worker().log(), 201,
                                         response.status);
            assertExitsCleanlyAfterSigterm(context);
            worker().start();
        }
    }

protected:
    int workerThreads() const override { return 4; }

private:
    /// A complete FastCGI create request (records as a front server sends them).
    static std::string createRequest(const std::string& body) {
        const FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        return FcgiClient::beginRequest() +
               FcgiClient::record(FcgiClient::kParams, FcgiClient::encodeParams(params)) +
               FcgiClient::record(FcgiClient::kParams, "") + FcgiClient::record(FcgiClient::kStdin, body) +
               FcgiClient::record(FcgiClient::kStdin, "");
    }

    /// Waits (bounded) until the worker holds one more connection than `before`.
    /// The worker's open sockets once the connections of earlier requests are gone: the worker closes an
    /// answered connection when the client has closed its end too (or after 2 s), so a count taken at once
    /// may still include one, and a new connection could then replace it without the count rising.
    int settledSocketCount() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
        int count = worker().openSockets();
        int unchanged = 0;
        while (unchanged < 10 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            const int now = worker().openSockets();
            unchanged = now == count ? unchanged + 1 : 0;
            count = now;
        }
        return count;
    }

    void waitUntilAccepted(int before) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (worker().openSockets() <= before && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        CPPUNIT_ASSERT_MESSAGE("the worker never accepted the connection", worker().openSockets() > before);
    }

    void assertExitsCleanlyAfterSigterm(const std::string& context) {
        const auto status = worker().waitForExit(std::chrono::seconds(8));
        CPPUNIT_ASSERT_MESSAGE(context + "still running 8 s after SIGTERM", status.has_value());
        CPPUNIT_ASSERT_MESSAGE(context + status->describe() + "\n" + worker().log(), status->isExit(0));
    }

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
