// Graceful stop under load (issue 6): SIGTERM while eight clients keep the worker busy with creates and
// reads. No in-flight request may be lost: each request either completed with a full response (END_REQUEST, a
// documented status, a JSON body; a 201 is in the database), or was never accepted (connection refused, or
// closed/reset before any byte of a response; such a create is not in the database). The worker exits with
// status 0 within one second of the signal. Several rounds, the worker restarted on the same database.

#include "DatabaseFile.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <atomic>
#include <csignal>
#include <iostream>
#include <mutex>
#include <thread>

using namespace appreg::test;

namespace {

constexpr int kRounds = 4;
constexpr int kClients = 8;

struct Outcome {
    enum Kind { kCompleted, kNeverAccepted, kLost } kind = kLost;
    bool create = false;
    std::string name;    ///< of a create
    std::string detail;  ///< for a lost request: what the client saw
};

}  // namespace

class GracefulStopTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(GracefulStopTest);
    CPPUNIT_TEST(testSigtermUnderLoadLosesNoRequest);
    CPPUNIT_TEST_SUITE_END();

public:
    void testSigtermUnderLoadLosesNoRequest() {
        const long long org = organization();
        std::string figures;
        int totalCompleted = 0, totalRefused = 0;
        for (int round = 0; round < kRounds; ++round) {
            if (round > 0) {
                worker().start();
            }
            std::atomic<bool> signalled{false};
            std::atomic<int> completedBeforeSignal{0}, completedAfterSignal{0};
            std::mutex mutex;
            std::vector<Outcome> outcomes;
            std::vector<std::thread> clients;
            for (int c = 0; c < kClients; ++c) {
                clients.emplace_back([&, c] {
                    // Until the worker is gone: a client stops at its first refused connection after the
                    // signal.
                    for (int seq = 0;; ++seq) {
                        Outcome o;
                        o.create = seq % 2 == 0;
                        o.name = "stop-" + std::to_string(round) + "-" + std::to_string(c) + "-" +
                                 std::to_string(seq);
                        const std::string uri =
                            o.create ? ApiClient::kApplications
                                     : (seq % 4 == 1 ? "/api/v2/applications/?page_size=5" : "/api/v2/ping/");
                        classify(o, uri, org);
                        if (o.kind == Outcome::kCompleted) {
                            ++(signalled ? completedAfterSignal : completedBeforeSignal);
                        }
                        const bool done = o.kind != Outcome::kCompleted && signalled;
                        {
                            std::lock_guard<std::mutex> lock(mutex);
                            outcomes.push_back(std::move(o));
                        }
                        if (done || seq > 100000) {
                            return;
                        }
                    }
                });
            }
            // Let the load build up, then stop the worker in the middle of it.
            const auto loadStart = std::chrono::steady_clock::now();
            while (completedBeforeSignal < 40 &&
                   std::chrono::steady_clock::now() - loadStart < std::chrono::seconds(10)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50 + 37 * round));
            // Two more creates are caught with half their head sent when the signal comes; the rest follows
            // at once. Each must be answered in full, or closed unanswered and not carried out.
            std::vector<std::pair<std::string, UniqueFd>> halfway;
            for (int i = 0; i < 2; ++i) {
                const std::string name = "halfway-" + std::to_string(round) + "-" + std::to_string(i);
                const std::string body = ApiClient::seedApplication(org, name);
                std::string bytes = FcgiClient::beginRequest();
                bytes += FcgiClient::record(FcgiClient::kParams,
                                            FcgiClient::encodeParams(FcgiClient::standardParams(
                                                "POST", ApiClient::kApplications, "application/json", body)));
                bytes += FcgiClient::record(FcgiClient::kParams, "") +
                         FcgiClient::record(FcgiClient::kStdin, body) +
                         FcgiClient::record(FcgiClient::kStdin, "");
                UniqueFd fd = api().fcgi().connectRaw();
                FcgiClient::writeAll(fd.get(), bytes.substr(0, 40));
                halfway.emplace_back(name + "\n" + bytes.substr(40), std::move(fd));
            }
            const auto signalledAt = std::chrono::steady_clock::now();
            signalled = true;
            worker().sendSignal(SIGTERM);
            for (auto& [nameAndRest, fd] : halfway) {
                FcgiClient::writeAll(fd.get(),
                                     nameAndRest.substr(nameAndRest.find('\n') + 1));  // may fail: gone
            }
            for (auto& [nameAndRest, fd] : halfway) {
                Outcome o;
                o.create = true;
                o.name = nameAndRest.substr(0, nameAndRest.find('\n'));
                const FcgiResponse r = FcgiClient::readResponse(fd.get(), std::chrono::seconds(10));
                fd.reset();  // as a web server does once it has the answer (HostileClientTest covers one that
                             // does not)
                judge(o, r, "POST (head split around the signal)");
                std::lock_guard<std::mutex> lock(mutex);
                outcomes.push_back(std::move(o));
            }
            const auto status = worker().waitForExit(std::chrono::seconds(10));
            const long stopMs = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                      std::chrono::steady_clock::now() - signalledAt)
                                                      .count());
            for (std::thread& t : clients) {
                t.join();
            }
            CPPUNIT_ASSERT_MESSAGE("still running 10 s after SIGTERM", status.has_value());
            const std::string stopped = "round " + std::to_string(round) + ": " + status->describe() + " " +
                                        std::to_string(stopMs) + " ms after SIGTERM, under load from " +
                                        std::to_string(kClients) + " clients";
            CPPUNIT_ASSERT_MESSAGE(stopped + "\n" + tail(worker().log()),
                                   status->isExit(0) && stopMs <= 1000);

            const DatabaseFile db(worker().databasePath());
            int completed = 0, refused = 0;
            for (const Outcome& o : outcomes) {
                CPPUNIT_ASSERT_MESSAGE("round " + std::to_string(round) + ": a request was lost: " + o.detail,
                                       o.kind != Outcome::kLost);
                (o.kind == Outcome::kCompleted ? completed : refused) += 1;
                if (o.create) {
                    const long long stored =
                        db.queryInt("SELECT count(*) FROM applications WHERE name = '" + o.name + "'");
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(
                        o.name +
                            (o.kind == Outcome::kCompleted ? " was acknowledged" : " was never accepted"),
                        o.kind == Outcome::kCompleted ? 1LL : 0LL, stored);
                }
            }
            totalCompleted += completed;
            totalRefused += refused;
            figures += " " + std::to_string(stopMs) + " ms (" + std::to_string(completed) + " completed, " +
                       std::to_string(completedAfterSignal.load()) + " of them answered after the signal, " +
                       std::to_string(refused) + " never accepted);";
        }
        // Every acknowledged create has its activity entry, nothing else was written (the superuser's entry
        // is create-superuser's).
        const DatabaseFile db(worker().databasePath());
        CPPUNIT_ASSERT_EQUAL(db.count("applications") + db.count("organizations") + db.count("users"),
                             db.count("activity_stream"));
        std::cerr << "  [GracefulStopTest: SIGTERM to exit:" << figures << " " << totalCompleted
                  << " completed, " << totalRefused << " never accepted, 0 lost]\n";
    }

protected:
    int workerThreads() const override { return 4; }

private:
    static std::string tail(const std::string& log) {
        return log.size() > 3000 ? "..." + log.substr(log.size() - 3000) : log;
    }

    /// Sends one request and sorts out what became of it.
    void classify(Outcome& o, const std::string& uri, long long org) {
        FcgiResponse r;
        try {
            if (o.create) {
                r = api().send("POST", uri, ApiClient::seedApplication(org, o.name), "application/json",
                               std::chrono::seconds(10));
            } else {
                r = api().send("GET", uri, "", "application/json", std::chrono::seconds(10));
            }
        } catch (const std::exception& e) {
            o.kind = Outcome::kNeverAccepted;  // connect() refused: the socket is closed or gone
            return;
        }
        judge(o, r, (o.create ? "POST " : "GET ") + uri);
    }

    /// Sorts out an answer (or its absence).
    static void judge(Outcome& o, const FcgiResponse& r, const std::string& request) {
        const std::string what = request + ": " + r.describe();
        if (r.ended) {
            const int expected = o.create ? 201 : 200;
            bool json = true;
            try {
                JsonAssert::parseObject(r.body);
            } catch (const std::exception&) {
                json = false;
            }
            o.kind = r.status == expected && json ? Outcome::kCompleted : Outcome::kLost;
            o.detail = "unexpected answer to " + what;
        } else if (r.stdoutRaw.empty() && r.transportError.find("timed out") == std::string::npos) {
            o.kind = Outcome::kNeverAccepted;  // closed or reset before any byte of an answer
        } else {
            o.kind =
                Outcome::kLost;  // a partial answer, or no answer at all while the connection stayed open
            o.detail = what;
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(GracefulStopTest);
