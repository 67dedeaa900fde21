// The FastCGI socket from the point of view of a misbehaving or unusual peer: kept-alive connections, idle or
// aborted clients, a stray HTTP client, oversized or malicious params. Whatever arrives, the worker keeps
// serving
// ("No request ends in a crashed worker", API.md §3).

#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <sys/socket.h>

#include <chrono>

using namespace appreg::test;

class FastCgiProtocolTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(FastCgiProtocolTest);
    CPPUNIT_TEST(testKeptAliveConnectionServesSeveralRequests);
    CPPUNIT_TEST(testIdleConnectionDoesNotStallOtherClients);
    CPPUNIT_TEST(testHttpOnTheSocketIsDropped);
    CPPUNIT_TEST(testAbortedRequestWritesNothing);
    CPPUNIT_TEST(testOversizedParamsAreSurvived);
    CPPUNIT_TEST(testUnknownRoleIsRefused);
    CPPUNIT_TEST(testParamsLengthOverflowDoesNotCrashTheWorker);
    CPPUNIT_TEST_SUITE_END();

public:
    void testKeptAliveConnectionServesSeveralRequests() {
        // nginx with fastcgi_keep_conn sends one request after another on one connection (FCGI_KEEP_CONN).
        UniqueFd connection = api().fcgi().connectRaw();
        for (int i = 0; i < 3; ++i) {
            std::string bytes = FcgiClient::beginRequest(1, true);
            bytes += FcgiClient::record(
                FcgiClient::kParams,
                FcgiClient::encodeParams(FcgiClient::standardParams("GET", "/api/v2/ping/")));
            bytes += FcgiClient::record(FcgiClient::kParams, "");
            bytes += FcgiClient::record(FcgiClient::kStdin, "");
            CPPUNIT_ASSERT_MESSAGE("request " + std::to_string(i + 1) + " could not be sent",
                                   FcgiClient::writeAll(connection.get(), bytes));
            const FcgiResponse response = FcgiClient::readResponse(connection.get(), std::chrono::seconds(5));
            CPPUNIT_ASSERT_MESSAGE("request " + std::to_string(i + 1) + ": " + response.describe(),
                                   response.ended);
            APPREG_ASSERT_STATUS(200, response);
        }
    }

    void testIdleConnectionDoesNotStallOtherClients() {
        UniqueFd idle = api().fcgi().connectRaw();
        const auto begin = std::chrono::steady_clock::now();
        APPREG_ASSERT_STATUS(200, api().get("/api/v2/ping/"));
        const auto elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin);
        CPPUNIT_ASSERT_MESSAGE(
            "a ping took " + std::to_string(elapsed.count()) + " ms next to one idle connection",
            elapsed.count() < 300);
    }

    void testHttpOnTheSocketIsDropped() {
        // Someone points an HTTP client at the FastCGI socket.
        const FcgiResponse response = api().fcgi().requestRaw(
            "GET /api/v2/ping/ HTTP/1.1\r\nHost: localhost\r\n\r\n", true, std::chrono::seconds(5));
        CPPUNIT_ASSERT_MESSAGE("an HTTP request got a FastCGI answer: " + response.describe(),
                               !response.ended);
        assertStillServing();
    }

    void testAbortedRequestWritesNothing() {
        const std::string body = ApiClient::seedApplication(organization());
        const FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        std::string bytes = FcgiClient::beginRequest();
        bytes += FcgiClient::record(FcgiClient::kParams, FcgiClient::encodeParams(params));
        bytes += FcgiClient::record(FcgiClient::kParams, "");
        bytes += FcgiClient::record(FcgiClient::kStdin, body.substr(0, body.size() / 2));
        bytes += FcgiClient::record(FcgiClient::kAbortRequest, "");
        api().fcgi().requestRaw(bytes, true, std::chrono::seconds(5));
        assertStillServing();
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("applications"));
    }

    void testOversizedParamsAreSurvived() {
        FcgiClient::Params params = FcgiClient::standardParams("GET", "/api/v2/ping/");
        FcgiClient::setParam(params, "HTTP_X_LARGE", std::string(256 * 1024, 'x'));
        const FcgiResponse response = api().fcgi().request(params, "");
        CPPUNIT_ASSERT_MESSAGE(response.describe(), response.ended);
        JsonAssert::parseObject(response.body);  // an answer, in JSON, whatever its status
        assertStillServing();
    }

    void testUnknownRoleIsRefused() {
        // Role 2 (AUTHORIZER) is not served; the peer gets END_REQUEST, the worker goes on.
        std::string begin(8, '\0');
        begin[1] = 2;
        std::string bytes = FcgiClient::record(FcgiClient::kBeginRequest, begin);
        bytes +=
            FcgiClient::record(FcgiClient::kParams,
                               FcgiClient::encodeParams(FcgiClient::standardParams("GET", "/api/v2/ping/")));
        bytes += FcgiClient::record(FcgiClient::kParams, "");
        bytes += FcgiClient::record(FcgiClient::kStdin, "");
        api().fcgi().requestRaw(bytes, true, std::chrono::seconds(5));
        assertStillServing();
    }

    void testParamsLengthOverflowDoesNotCrashTheWorker() {
        // CVE-2025-23016: name and value lengths whose sum overflows. Debian 12's libfcgi aborts the whole
        // process on this stream (platform-notes §2.6); anyone who can connect to the socket could stop the
        // service.
        std::string lengths;
        for (int i = 0; i < 2; ++i) {
            lengths += std::string("\xc0\x00\x00\x00", 4);  // 0x40000000 with the 4-byte flag
        }
        std::string bytes = FcgiClient::beginRequest();
        bytes += FcgiClient::record(FcgiClient::kParams, lengths + std::string(4000, 'A'));
        bytes += FcgiClient::record(FcgiClient::kParams, "");
        api().fcgi().requestRaw(bytes, true, std::chrono::seconds(5));
        const auto died = worker().waitForExit(std::chrono::milliseconds(200));
        CPPUNIT_ASSERT_MESSAGE(
            "the worker died: " + (died ? died->describe() : std::string()) + "\n" + worker().log(),
            !died.has_value());
        assertStillServing();
    }

private:
    void assertStillServing() {
        CPPUNIT_ASSERT_MESSAGE("the worker died:\n" + worker().log(), worker().running());
        APPREG_ASSERT_STATUS(200, api().get("/api/v2/ping/"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(FastCgiProtocolTest);
