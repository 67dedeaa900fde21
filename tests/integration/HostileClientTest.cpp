// Hostile and broken clients on the worker's own socket (issue 6): idle connections, clients that stop or
// break off mid-record, bodies that disagree with CONTENT_LENGTH, clients that vanish mid-body or before
// reading the answer, clients that keep the connection open after it, thousands of parameters, a 10 MB body
// without CONTENT_LENGTH, invalid UTF-8, NUL bytes and 2^64 in JSON and in the request line. Each must end in
// the documented error or a dropped connection, write nothing, and leave the service to everyone else: a
// well-behaved client (ServiceProbe) runs through every test and must get every answer in under 2 s (the
// worker's head timeout is 1 s; request.read_timeout_ms is 1.5 s here).
//
// FastCgiProtocolTest and RequestBodyTest hold the single-request cases; this suite adds several clients at
// once, the timing bound for the others, and the edge cases.

#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "ServiceProbe.h"
#include "WorkerFixture.h"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <thread>

using namespace appreg::test;

namespace {

constexpr long kBoundMs = 2000;  // every request of the well-behaved client
constexpr int kThreads = 4;      // the production default (conf/appreg.properties)

using Clock = std::chrono::steady_clock;

long msSince(Clock::time_point begin) {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - begin).count());
}

std::string requestStream(const FcgiClient::Params& params, const std::string& body) {
    std::string bytes = FcgiClient::beginRequest();
    bytes += FcgiClient::record(FcgiClient::kParams, FcgiClient::encodeParams(params));
    bytes += FcgiClient::record(FcgiClient::kParams, "");
    if (!body.empty()) {
        bytes += FcgiClient::record(FcgiClient::kStdin, body);
    }
    bytes += FcgiClient::record(FcgiClient::kStdin, "");
    return bytes;
}

/// Closes with a TCP-style reset where the socket type allows it (SO_LINGER 0); on a unix socket it is a
/// plain close, which is what a killed client process looks like.
void abortConnection(UniqueFd& fd) {
    linger hard{1, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    fd.reset();
}

long residentKb(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::stol(line.substr(6));
        }
    }
    return -1;
}

}  // namespace

class HostileClientTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(HostileClientTest);
    CPPUNIT_TEST(testSeveralIdleConnectionsAtOnce);
    CPPUNIT_TEST(testClientsThatStopMidRecord);
    CPPUNIT_TEST(testTruncatedStreams);
    CPPUNIT_TEST(testBodiesThatDisagreeWithContentLength);
    CPPUNIT_TEST(testClientsThatVanishMidBodyOrBeforeTheAnswer);
    CPPUNIT_TEST(testClientsThatKeepTheConnectionOpenAfterTheAnswer);
    CPPUNIT_TEST(testThousandsOfParameters);
    CPPUNIT_TEST(testThousandsOfParametersOneRecordEach);
    CPPUNIT_TEST(testTenMegabyteBodiesWithoutContentLength);
    CPPUNIT_TEST(testInvalidUtf8NulBytesAndHugeIntegersInJson);
    CPPUNIT_TEST(testInvalidUtf8InTheRequestGetsValidJson);
    CPPUNIT_TEST(testSlowReaderOfAnAnswerLargerThanTheSocketBuffer);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override {
        WorkerFixture::setUp();
        organization();
        counts_ = rowCounts();
        probe_ = std::make_unique<ServiceProbe>(worker().socketPath());
    }

    void tearDown() override {
        probe_.reset();
        WorkerFixture::tearDown();
    }

    void testSeveralIdleConnectionsAtOnce() {
        // Sixteen times as many connections as worker threads, none of which ever sends a byte (a slowloris
        // client, or a port scanner). The worker drops each after its 1 s head timeout and frees its
        // descriptor; meanwhile the well-behaved client must still be answered.
        constexpr int kIdle = 16 * kThreads;
        const int socketsBefore = worker().openSockets();
        std::vector<UniqueFd> idle;
        for (int i = 0; i < kIdle; ++i) {
            idle.push_back(api().fcgi().connectRaw());
        }
        const auto begin = Clock::now();
        long lastDropMs = 0;
        for (UniqueFd& fd : idle) {
            const auto left = std::chrono::milliseconds(8000 - msSince(begin));
            const FcgiResponse r =
                FcgiClient::readResponse(fd.get(), std::max(left, std::chrono::milliseconds(1)));
            CPPUNIT_ASSERT_MESSAGE("an idle connection got an answer: " + r.describe(), !r.ended);
            CPPUNIT_ASSERT_MESSAGE("an idle connection was not dropped within 8 s: " + r.transportError,
                                   r.transportError.find("timed out") == std::string::npos);
            lastDropMs = msSince(begin);
        }
        CPPUNIT_ASSERT_MESSAGE(
            "the last idle connection was dropped after " + std::to_string(lastDropMs) + " ms",
            lastDropMs < 3000);
        idle.clear();
        CPPUNIT_ASSERT_MESSAGE(worker().log(),
                               worker().log().find("did not arrive within") != std::string::npos);
        APPREG_ASSERT_PROBE_HEALTHY(*probe_, kBoundMs);
        // Every descriptor of a dropped connection was closed (the probe's own connection is gone too).
        const auto deadline = Clock::now() + std::chrono::seconds(2);
        while (worker().openSockets() > socketsBefore && Clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        CPPUNIT_ASSERT_MESSAGE("the worker still holds " + std::to_string(worker().openSockets()) +
                                   " sockets, it held " + std::to_string(socketsBefore) + " before",
                               worker().openSockets() <= socketsBefore);
        assertNothingWritten();
    }

    void testClientsThatStopMidRecord() {
        // Clients stall at once inside the BEGIN_REQUEST header and inside a PARAMS record (eight of each,
        // twice the worker threads), and inside a STDIN record of a valid create (one fewer than the worker
        // threads: a client that has sent its whole head holds a worker thread until
        // request.read_timeout_ms). The first ones are dropped at the head timeout (1 s), the others at the
        // read timeout (1.5 s here), refused (a 400 nobody reads, or dropped); nothing is written, and the
        // well-behaved client is still served.
        const std::string body = ApiClient::seedApplication(organization(), "stalled");
        const auto params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        const std::string whole = requestStream(params, body);
        const std::string encoded = FcgiClient::encodeParams(params);
        struct Stall {
            std::string bytes;
            long limitMs;
        };
        std::vector<Stall> stalls;
        for (int i = 0; i < 2 * kThreads; ++i) {
            stalls.push_back({whole.substr(0, 4), 3000});
            stalls.push_back({FcgiClient::beginRequest() +
                                  FcgiClient::recordHeader(FcgiClient::kParams, 200) + encoded.substr(0, 100),
                              3000});
        }
        for (int i = 0; i < kThreads - 1; ++i) {
            stalls.push_back({whole.substr(0, whole.size() - 16 - body.size() / 2), 4000});  // half the body
        }
        std::vector<std::future<std::pair<FcgiResponse, long>>> results;
        for (const Stall& stall : stalls) {
            results.push_back(std::async(std::launch::async, [this, bytes = stall.bytes] {
                UniqueFd fd = api().fcgi().connectRaw();
                FcgiClient::writeAll(fd.get(), bytes);  // and then nothing more, without closing
                const auto begin = Clock::now();
                FcgiResponse r = FcgiClient::readResponse(fd.get(), std::chrono::seconds(10));
                return std::make_pair(r, msSince(begin));
            }));
        }
        for (std::size_t i = 0; i < results.size(); ++i) {
            auto [r, ms] = results[i].get();
            const std::string what =
                "stall " + std::to_string(i) + " (" + std::to_string(ms) + " ms): " + r.describe();
            CPPUNIT_ASSERT_MESSAGE(what, r.transportError.find("timed out") == std::string::npos);
            CPPUNIT_ASSERT_MESSAGE(what, !r.ended || r.status == 400);
            CPPUNIT_ASSERT_MESSAGE("dropped too late: " + what, ms < stalls[i].limitMs);
        }
        APPREG_ASSERT_PROBE_HEALTHY(*probe_, kBoundMs);
        assertNothingWritten();
    }

    void testTruncatedStreams() {
        // A valid create, cut off at every record boundary, inside every record header, inside the PARAMS and
        // STDIN contents, with the write side closed after the cut (the client's process exited). Never a
        // 201: a dropped connection or a 400.
        const std::string body = ApiClient::seedApplication(organization(), "truncated");
        const auto params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        const std::string whole = requestStream(params, body);
        std::vector<std::size_t> cuts;
        for (std::size_t pos = 0; pos + 8 <= whole.size();) {
            const auto* h = reinterpret_cast<const unsigned char*>(whole.data() + pos);
            const std::size_t content = (static_cast<std::size_t>(h[4]) << 8) | h[5];
            for (std::size_t k : {std::size_t(0), std::size_t(3), std::size_t(7), std::size_t(8)}) {
                if (pos + k < whole.size()) {
                    cuts.push_back(pos + k);
                }
            }
            if (content > 1) {
                cuts.push_back(pos + 8 + content / 2);
            }
            pos += 8 + content + h[6];
        }
        cuts.push_back(whole.size() - 1);
        // A cut inside the head waits for the head timeout (1 s), so a few run at once.
        std::size_t next = 0;
        while (next < cuts.size()) {
            std::vector<std::future<std::string>> batch;
            for (int i = 0; i < kThreads - 1 && next < cuts.size(); ++i, ++next) {
                const std::size_t cut = cuts[next];
                batch.push_back(std::async(std::launch::async, [this, &whole, cut] {
                    const FcgiResponse r =
                        api().fcgi().requestRaw(whole.substr(0, cut), true, std::chrono::seconds(5));
                    if (r.ended && r.status != 400) {
                        return "cut at byte " + std::to_string(cut) + " of " + std::to_string(whole.size()) +
                               ": " + r.describe();
                    }
                    if (!r.ended && r.transportError.find("timed out") != std::string::npos) {
                        return "cut at byte " + std::to_string(cut) + ": not dropped within 5 s";
                    }
                    return std::string();
                }));
            }
            for (auto& f : batch) {
                const std::string problem = f.get();
                CPPUNIT_ASSERT_MESSAGE(problem, problem.empty());
            }
        }
        // The same create, whole, still works afterwards.
        APPREG_ASSERT_STATUS(201, api().fcgi().requestRaw(whole, false));
        counts_["applications"] += 1;
        counts_["activity_stream"] += 1;
        APPREG_ASSERT_PROBE_HEALTHY(*probe_, kBoundMs);
        assertNothingWritten();
    }

    void testBodiesThatDisagreeWithContentLength() {
        const std::string body = ApiClient::seedApplication(organization(), "length");
        const std::string size = std::to_string(body.size());
        const std::string tooLarge = "Request body exceeds the limit of 1048576 bytes.";
        const struct {
            std::string contentLength;
            int status;
            std::string detail;
        } cases[] = {
            {"0", 400, "Request body is longer than its Content-Length."},
            {std::to_string(body.size() - 1), 400, "Request body is longer than its Content-Length."},
            {std::to_string(body.size() + 1), 400, "Request body is shorter than its Content-Length."},
            {"1048576", 400, "Request body is shorter than its Content-Length."},
            {"1048577", 413, tooLarge},
            {"999999999999999999", 413, tooLarge},
            {"99999999999999999999999", 400, "Invalid Content-Length."},
            {"18446744073709551616", 400, "Invalid Content-Length."},
            {"+" + size, 400, "Invalid Content-Length."},
            {"-1", 400, "Invalid Content-Length."},
            {" " + size, 400, "Invalid Content-Length."},
            {size + " ", 400, "Invalid Content-Length."},
            {"0x10", 400, "Invalid Content-Length."},
        };
        for (const auto& c : cases) {
            auto params =
                FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
            FcgiClient::setParam(params, "CONTENT_LENGTH", c.contentLength);
            const FcgiResponse r = api().fcgi().request(params, body);
            APPREG_ASSERT_RESPONSE(c.status, "{\"detail\": " + JsonAssert::quote(c.detail) + "}", r);
        }
        APPREG_ASSERT_PROBE_HEALTHY(*probe_, kBoundMs);
        assertNothingWritten();
    }

    void testClientsThatVanishMidBodyOrBeforeTheAnswer() {
        const long long org = organization();
        const std::string valid = ApiClient::seedApplication(org, "vanishing");
        const auto params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", valid);
        const std::string whole = requestStream(params, valid);
        const std::string halfBody = whole.substr(0, whole.size() - 16 - valid.size() / 2);

        // 20 clients send the head and half the body, then their process dies.
        for (int i = 0; i < 20; ++i) {
            UniqueFd fd = api().fcgi().connectRaw();
            FcgiClient::writeAll(fd.get(), halfBody);
            abortConnection(fd);
        }
        // 10 send a complete create that fails validation, and leave without reading the 400.
        const std::string invalid = JsonAssert::with(valid, "client_type", "\"bogus\"");
        const auto invalidParams =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", invalid);
        for (int i = 0; i < 10; ++i) {
            UniqueFd fd = api().fcgi().connectRaw();
            FcgiClient::writeAll(fd.get(), requestStream(invalidParams, invalid));
            abortConnection(fd);
        }
        // 10 ask for the largest answer there is (OPTIONS, a few kB) and leave without reading it.
        for (int i = 0; i < 10; ++i) {
            UniqueFd fd = api().fcgi().connectRaw();
            FcgiClient::writeAll(
                fd.get(), requestStream(FcgiClient::standardParams("OPTIONS", ApiClient::kApplications), ""));
            abortConnection(fd);
        }
        // Every worker thread is still there: as many concurrent requests as threads, twice, all answered
        // fast.
        for (int round = 0; round < 2; ++round) {
            std::vector<std::future<std::pair<FcgiResponse, long>>> burst;
            for (int i = 0; i < kThreads; ++i) {
                burst.push_back(std::async(std::launch::async, [this] {
                    const auto begin = Clock::now();
                    FcgiResponse r = api().get("/api/v2/applications/");
                    return std::make_pair(r, msSince(begin));
                }));
            }
            for (auto& f : burst) {
                auto [r, ms] = f.get();
                APPREG_ASSERT_STATUS(200, r);
                CPPUNIT_ASSERT_MESSAGE("took " + std::to_string(ms) + " ms", ms < kBoundMs);
            }
        }
        assertNothingWritten();

        // A complete, valid create whose client leaves before the answer: the request was whole, so it is
        // carried out, exactly once (the client can find it by name), and the worker shrugs off the write
        // error.
        {
            UniqueFd fd = api().fcgi().connectRaw();
            FcgiClient::writeAll(fd.get(), whole);
            abortConnection(fd);
        }
        const auto deadline = Clock::now() + std::chrono::seconds(5);
        while (database().count("applications") == counts_["applications"] && Clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        APPREG_ASSERT_PROBE_HEALTHY(*probe_, kBoundMs);
        CPPUNIT_ASSERT_EQUAL(counts_["applications"] + 1, database().count("applications"));
        CPPUNIT_ASSERT_EQUAL(
            1LL, database().queryInt("SELECT count(*) FROM applications WHERE name = 'vanishing'"));
        CPPUNIT_ASSERT_EQUAL(counts_["activity_stream"] + 1, database().count("activity_stream"));
        CPPUNIT_ASSERT_MESSAGE("worker died", worker().running());
    }

    void testClientsThatKeepTheConnectionOpenAfterTheAnswer() {
        // Three times as many clients as worker threads each send a request, read the whole answer
        // (END_REQUEST) and then neither close nor send anything (no FCGI_KEEP_CONN). Having answered, the
        // worker has nothing more to do for them: every one of them, and the well-behaved client, gets its
        // answer in under 2 s, and the connections are closed from the worker's side.
        constexpr int kClients = 3 * kThreads;
        const std::string ping = requestStream(FcgiClient::standardParams("GET", "/api/v2/ping/"), "");
        const auto begin = Clock::now();
        std::vector<std::future<std::pair<FcgiResponse, long>>> clients;
        std::vector<UniqueFd> kept(kClients);
        for (int i = 0; i < kClients; ++i) {
            kept[i] = api().fcgi().connectRaw();
            clients.push_back(std::async(std::launch::async, [fd = kept[i].get(), &ping, begin] {
                FcgiClient::writeAll(fd, ping);
                FcgiResponse r = FcgiClient::readResponse(fd, std::chrono::seconds(20));
                return std::make_pair(r, msSince(begin));
            }));
        }
        std::vector<long> answeredAfter;
        for (auto& f : clients) {
            auto [r, ms] = f.get();
            APPREG_ASSERT_STATUS(200, r);
            answeredAfter.push_back(ms);
        }
        std::sort(answeredAfter.begin(), answeredAfter.end());
        std::string times;
        for (long ms : answeredAfter) {
            times += std::to_string(ms) + " ";
        }
        CPPUNIT_ASSERT_MESSAGE(
            std::to_string(kClients) + " clients that keep their socket open after the answer (" +
                std::to_string(kThreads) + " worker threads) got their answers after " + times + "ms",
            answeredAfter.back() < kBoundMs);
        APPREG_ASSERT_PROBE_HEALTHY(*probe_, kBoundMs);
        assertNothingWritten();
    }

    void testSlowReaderOfAnAnswerLargerThanTheSocketBuffer() {
        // A ~560 KB answer (200 organizations with long descriptions), more than twice what a unix socket
        // buffers, to a client that waits before it reads: the worker's one sendmsg waits for room, and the
        // client gets every byte, in order.
        const std::string description(2500, 'd');
        for (int i = 0; i < 200; ++i) {
            const std::string name = "slow-" + std::to_string(1000 + i);
            APPREG_ASSERT_STATUS(
                201, api().post(ApiClient::kOrganizations, R"({"name": ")" + name + R"(", "description": ")" +
                                                               name + description + R"("})"));
        }
        UniqueFd fd = api().fcgi().connectRaw();
        CPPUNIT_ASSERT(FcgiClient::writeAll(
            fd.get(), requestStream(FcgiClient::standardParams(
                                        "GET", "/api/v2/organizations/?name__startswith=slow-&page_size=200"),
                                    "")));
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const FcgiResponse r = FcgiClient::readResponse(fd.get(), std::chrono::seconds(20));
        APPREG_ASSERT_STATUS(200, r);
        CPPUNIT_ASSERT_MESSAGE(std::to_string(r.body.size()) + " bytes", r.body.size() > 500000);
        const auto results = JsonAssert::parseObject(r.body)->getArray("results");
        CPPUNIT_ASSERT_EQUAL(std::size_t{200}, results->size());
        for (unsigned i = 0; i < 200; ++i) {
            const std::string name = "slow-" + std::to_string(1000 + i);
            CPPUNIT_ASSERT_EQUAL(name, results->getObject(i)->getValue<std::string>("name"));
            CPPUNIT_ASSERT_EQUAL(name + description,
                                 results->getObject(i)->getValue<std::string>("description"));
        }
        APPREG_ASSERT_PROBE_HEALTHY(*probe_, kBoundMs);
    }

    void testThousandsOfParameters() {
        // 3000 extra headers packed as a web server packs them (about 45 kB): served. 20000 (over 64 KiB):
        // 431.
        for (const int n : {3000, 20000}) {
            auto params = FcgiClient::standardParams("GET", "/api/v2/ping/");
            for (int i = 0; i < n; ++i) {
                params.emplace_back("HTTP_X_H" + std::to_string(i), "v");
            }
            const FcgiResponse r = api().fcgi().request(params, "");
            if (n == 3000) {
                APPREG_ASSERT_STATUS(200, r);
            } else {
                APPREG_ASSERT_RESPONSE(
                    431, R"({"detail": "Request header fields exceed the limit of 65536 bytes."})", r);
            }
        }
        APPREG_ASSERT_PROBE_HEALTHY(*probe_, kBoundMs);
        assertNothingWritten();
    }

    void testThousandsOfParametersOneRecordEach() {
        // FastCGI lets a client send every name-value pair in a PARAMS record of its own. 3500 short pairs
        // are about 45 kB of parameters, well within the documented 64 KiB, but 3500 record headers (plus
        // padding) on top. Documented outcome: served (200), or at worst the 431 of oversized parameters; not
        // a connection dropped without an answer.
        auto params = FcgiClient::standardParams("GET", "/api/v2/ping/");
        std::string bytes = FcgiClient::beginRequest();
        bytes += FcgiClient::record(FcgiClient::kParams, FcgiClient::encodeParams(params));
        std::size_t pairBytes = FcgiClient::encodeParams(params).size();
        constexpr int kPairs = 3500;
        for (int i = 0; i < kPairs; ++i) {
            const std::string pair = FcgiClient::encodeParams({{"HTTP_" + std::to_string(i), "v"}});
            pairBytes += pair.size();
            bytes += FcgiClient::record(FcgiClient::kParams, pair);
        }
        bytes += FcgiClient::record(FcgiClient::kParams, "") + FcgiClient::record(FcgiClient::kStdin, "");
        CPPUNIT_ASSERT(pairBytes < 65536);
        const FcgiResponse r = api().fcgi().requestRaw(bytes, false, std::chrono::seconds(5));
        CPPUNIT_ASSERT_MESSAGE(std::to_string(pairBytes) + " bytes of parameters in " +
                                   std::to_string(kPairs + 1) + " records (" + std::to_string(bytes.size()) +
                                   " bytes of head): " + r.describe(),
                               r.ended && (r.status == 200 || r.status == 431));
        APPREG_ASSERT_PROBE_HEALTHY(*probe_, kBoundMs);
        assertNothingWritten();
    }

    void testTenMegabyteBodiesWithoutContentLength() {
        // Three clients at once (one worker thread stays free) stream 10 MB each into a create, without
        // CONTENT_LENGTH (what Apache does with large chunked bodies): each gets 413 once the worker has read
        // limit+1 bytes, and the worker's memory stays bounded by the limit, not by what was sent.
        const std::string body = "{\"name\": \"" + std::string(10 * 1024 * 1024, 'x') + "\"}";
        auto params = FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        FcgiClient::removeParam(params, "CONTENT_LENGTH");
        const long rssBefore = residentKb(worker().pid());
        std::vector<std::future<std::pair<FcgiResponse, long>>> clients;
        for (int i = 0; i < kThreads - 1; ++i) {
            clients.push_back(std::async(std::launch::async, [this, &params, &body] {
                const auto begin = Clock::now();
                FcgiResponse r = api().fcgi().request(params, body, std::chrono::seconds(20));
                return std::make_pair(r, msSince(begin));
            }));
        }
        for (auto& f : clients) {
            auto [r, ms] = f.get();
            APPREG_ASSERT_RESPONSE(413, R"({"detail": "Request body exceeds the limit of 1048576 bytes."})",
                                   r);
            CPPUNIT_ASSERT_MESSAGE("took " + std::to_string(ms) + " ms", ms < 10000);
        }
        const long rssAfter = residentKb(worker().pid());
        CPPUNIT_ASSERT_MESSAGE("resident memory grew from " + std::to_string(rssBefore) + " kB to " +
                                   std::to_string(rssAfter) + " kB",
                               rssAfter - rssBefore < 64 * 1024);
        APPREG_ASSERT_PROBE_HEALTHY(*probe_, kBoundMs);
        assertNothingWritten();
    }

    void testInvalidUtf8NulBytesAndHugeIntegersInJson() {
        const long long org = organization();
        const auto app = api().createApplicationOk(ApiClient::seedApplication(org, "target"));
        const std::string appId = std::to_string(app->getValue<long long>("id"));
        const std::string appUri = "/api/v2/applications/" + appId + "/";
        counts_ = rowCounts();
        const std::string before = api().get(appUri).body;

        // Each write endpoint with a valid body whose string field STRING is replaced by the case's raw JSON.
        const struct {
            std::string method, uri, body;
        } targets[] = {
            {"POST", ApiClient::kApplications, ApiClient::seedApplication(org, "STRING")},
            {"PATCH", appUri, R"({"name": "STRING"})"},
            {"PUT", appUri, ApiClient::seedApplication(org, "STRING")},
            {"POST", ApiClient::kOrganizations, R"({"name": "STRING", "description": "d"})"},
            {"POST", "/api/v2/tokens/",
             R"({"description": "STRING", "scope": "read", "application": )" + appId + "}"},
            {"POST", appUri + "tokens/", R"({"description": "STRING", "scope": "read"})"},
        };
        const struct {
            std::string string;    ///< replaces "STRING", quotes included
            std::string prefix;    ///< inserted after the opening brace
            std::string expected;  ///< the start of the detail, or (starting with '!') a field error's text
        } cases[] = {
            {"\"\xff\"", "", "JSON parse error - "},
            {"\"a\xc0\xaf\"", "", "JSON parse error - Invalid UTF-8"},         // overlong '/'
            {"\"\xed\xa0\x80\"", "", "JSON parse error - Invalid UTF-8"},      // encoded surrogate
            {"\"\xe2\x82\"", "", "JSON parse error - Invalid UTF-8"},          // truncated sequence
            {"\"\xf4\x90\x80\x80\"", "", "JSON parse error - Invalid UTF-8"},  // beyond U+10FFFF
            {std::string("\"a\0b\"", 5), "", "JSON parse error - Invalid control character at"},
            {"\"\\ud800\"", "", "JSON parse error - Invalid \\uXXXX escape: lone surrogate"},
            {"\"a\\u0000b\"", "", "!Null characters are not allowed."},
            {"\"x\"", "\"id\": 18446744073709551616, ", "JSON parse error - Integer out of range"},
            {"\"x\"", "\"id\": 9223372036854775808, ", "JSON parse error - Integer out of range"},
            {"\"x\"", "\"id\": -9223372036854775809, ", "JSON parse error - Integer out of range"},
            {"\"x\"", "\"id\": 1e400, ", "JSON parse error - Number out of range"},
        };
        for (const auto& t : targets) {
            for (const auto& c : cases) {
                std::string json = t.body;
                json.replace(json.find("\"STRING\""), 8, c.string);
                json.insert(1, c.prefix);
                const FcgiResponse r = api().send(t.method, t.uri, json);
                const std::string what =
                    t.method + " " + t.uri + " " + JsonAssert::quote(json) + ": " + r.describe();
                CPPUNIT_ASSERT_EQUAL_MESSAGE(what, 400, r.status);
                Poco::JSON::Object::Ptr parsed;
                try {
                    parsed = JsonAssert::parseObject(r.body);
                } catch (const std::exception&) {
                    CPPUNIT_FAIL("the answer is not JSON: " + what);
                }
                if (c.expected[0] == '!') {
                    CPPUNIT_ASSERT_MESSAGE(what, r.body.find(c.expected.substr(1)) != std::string::npos);
                } else {
                    CPPUNIT_ASSERT_MESSAGE(what, parsed->has("detail"));
                    CPPUNIT_ASSERT_MESSAGE(what,
                                           parsed->getValue<std::string>("detail").rfind(c.expected, 0) == 0);
                }
            }
        }
        CPPUNIT_ASSERT_EQUAL(before, api().get(appUri).body);
        APPREG_ASSERT_PROBE_HEALTHY(*probe_, kBoundMs);
        assertNothingWritten();
    }

    void testInvalidUtf8InTheRequestGetsValidJson() {
        // Query keys and values are percent-decoded, and some error messages quote them, or the method, or
        // the path. A response must still be JSON, which is UTF-8 (RFC 8259): the quoted bytes may not pass
        // through raw. (Web servers refuse such methods, but anyone who can reach the socket can send them.)
        const std::pair<std::string, std::string> requests[] = {
            {"GET", "/api/v2/applications/?skip%CC=true"},
            {"GET", "/api/v2/applications/?name%FF__icontains=x"},
            {"GET", "/api/v2/applications/?order_by=%FF"},
            {"GET", "/api/v2/applications/?id=%FF"},
            {"GET", "/api/v2/applications/?search=%FF&page=%FF"},
            {"GET", "/api/v2/tokens/?scope%C3=1"},
            {"GET", "/api/v2/applications/\xff/"},
            {"G\xffT", "/api/v2/ping/"},
            {"BREW\xc2", "/api/v2/applications/"},
            {"\xe2\x82", "/api/v2/applications/1/"},
        };
        std::string problems;
        for (const auto& [method, uri] : requests) {
            const FcgiResponse r = api().fcgi().request(FcgiClient::standardParams(method, uri), "");
            const std::string what =
                JsonAssert::quote(method + " " + uri) + " -> " + std::to_string(r.status);
            if (!r.ended || r.status < 400 || r.status > 405) {
                problems += "\n" + what + ": " + r.describe();
                continue;
            }
            try {
                JsonAssert::parseObject(r.body);
            } catch (const std::exception& e) {
                problems += "\n" + what + ", body not valid JSON: " + e.what();
            }
        }
        CPPUNIT_ASSERT_MESSAGE(problems, problems.empty());
        APPREG_ASSERT_PROBE_HEALTHY(*probe_, kBoundMs);
        assertNothingWritten();
    }

protected:
    int workerThreads() const override { return kThreads; }
    void prepare(const TempDir& dir) override {
        config_ = dir.writeFile("hostile.properties", "request.read_timeout_ms = 1500\n");
    }
    std::vector<std::string> workerArgs() const override { return {"--config", config_}; }

private:
    std::map<std::string, long long> rowCounts() {
        std::map<std::string, long long> counts;
        for (const char* table : {"organizations", "applications", "tokens", "activity_stream"}) {
            counts[table] = database().count(table);
        }
        return counts;
    }

    void assertNothingWritten() {
        CPPUNIT_ASSERT_MESSAGE("the worker died:\n" + worker().log(), worker().running());
        for (const auto& [table, count] : rowCounts()) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE("rows in " + table, counts_[table], count);
        }
    }

    std::string config_;
    std::map<std::string, long long> counts_;
    std::unique_ptr<ServiceProbe> probe_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(HostileClientTest);
