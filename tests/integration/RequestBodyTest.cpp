// How the worker reads and parses a request body before any validation (awx-reference.md §3.1, API.md §2,
// platform-notes §2.5): parse errors, media types, bodies that do not match CONTENT_LENGTH, clients that
// vanish.

#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "WorkerFixture.h"

#include <chrono>
#include <thread>

using namespace appreg::test;

namespace {

const char* const kContentTypeError =
    R"({"detail": "You did not use correct Content-Type in your HTTP request. )"
    R"(If you are using our REST API, the Content-Type must be application/json"})";

const char* const kRequiredErrors =
    R"({"name": ["This field is required."], "client_type": ["This field is required."],
        "authorization_grant_type": ["This field is required."],
        "organization": ["This field is required."]})";

}  // namespace

class RequestBodyTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(RequestBodyTest);
    CPPUNIT_TEST(testMalformedJson);
    CPPUNIT_TEST(testTrailingGarbage);
    CPPUNIT_TEST(testInvalidUtf8);
    CPPUNIT_TEST(testNestingDeeperThan32);
    CPPUNIT_TEST(testJsonThatIsNotAnObject);
    CPPUNIT_TEST(testNullBody);
    CPPUNIT_TEST(testEmptyBodyIsAnEmptyObject);
    CPPUNIT_TEST(testDuplicateKeysLastOneWins);
    CPPUNIT_TEST(testMissingContentType);
    CPPUNIT_TEST(testWrongContentType);
    CPPUNIT_TEST(testContentTypeWithCharset);
    CPPUNIT_TEST(testBodyShorterThanContentLength);
    CPPUNIT_TEST(testBodyLongerThanContentLength);
    CPPUNIT_TEST(testNonNumericContentLength);
    CPPUNIT_TEST(testClientDisconnectsMidBody);
    CPPUNIT_TEST(testClientDisconnectsBeforeEndOfStdin);
    CPPUNIT_TEST(testBodyInManyRecords);
    CPPUNIT_TEST_SUITE_END();

public:
    void testMalformedJson() {
        for (const char* body : {R"({"name": )", R"({"name": "x",})", "{name: 1}", "{'a': 1}"}) {
            assertParseError(api().createApplication(body), body);
        }
    }

    void testTrailingGarbage() {
        assertParseError(api().createApplication(R"({} x)"), "{} x");
        assertParseError(api().createApplication(R"({}{})"), "{}{}");
    }

    void testInvalidUtf8() {
        assertParseError(api().createApplication("{\"name\": \"\xff\xfe\"}"), "invalid UTF-8");
    }

    void testNestingDeeperThan32() {
        const std::string deep = "{\"name\": " + std::string(40, '[') + std::string(40, ']') + "}";
        assertParseError(api().createApplication(deep), "40 nested arrays");
    }

    void testJsonThatIsNotAnObject() {
        for (const char* body : {"[1, 2]", "[]", R"("x")", "42", "true"}) {
            APPREG_ASSERT_RESPONSE(400, R"({"detail": "JSON parse error - not a JSON object"})",
                                   api().createApplication(body));
        }
    }

    void testNullBody() {
        APPREG_ASSERT_RESPONSE(400, R"({"__all__": ["This field may not be null."]})",
                               api().createApplication("null"));
    }

    void testEmptyBodyIsAnEmptyObject() {
        APPREG_ASSERT_RESPONSE(400, kRequiredErrors, api().createApplication(""));
        APPREG_ASSERT_RESPONSE(400, kRequiredErrors, api().send("POST", ApiClient::kApplications, "", ""));
        // No body, so nothing of the wrong type: the media type does not matter.
        FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "text/plain", "");
        APPREG_ASSERT_RESPONSE(400, kRequiredErrors, api().fcgi().request(params, ""));
    }

    void testDuplicateKeysLastOneWins() {
        const std::string body = R"({"name": "first", "name": "second", "client_type": "confidential",
            "authorization_grant_type": "password", "organization": )" +
                                 std::to_string(organization()) + "}";
        const auto created = api().createApplicationOk(body);
        CPPUNIT_ASSERT_EQUAL(std::string("second"), created->getValue<std::string>("name"));
    }

    void testMissingContentType() {
        const std::string body = ApiClient::seedApplication(organization());
        APPREG_ASSERT_RESPONSE(415, kContentTypeError,
                               api().send("POST", ApiClient::kApplications, body, ""));
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("applications"));
    }

    void testWrongContentType() {
        const std::string body = ApiClient::seedApplication(organization());
        for (const char* type :
             {"text/html", "application/x-www-form-urlencoded", "text/plain", "application/xml",
              "application/jsonx", "application/json-patch+json", "multipart/form-data"}) {
            APPREG_ASSERT_RESPONSE(415, kContentTypeError,
                                   api().send("POST", ApiClient::kApplications, body, type));
        }
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("applications"));
    }

    void testContentTypeWithCharset() {
        const FcgiResponse response =
            api().send("POST", ApiClient::kApplications, ApiClient::seedApplication(organization()),
                       "application/json; charset=utf-8");
        APPREG_ASSERT_STATUS(201, response);
    }

    void testBodyShorterThanContentLength() {
        // The STDIN stream ends properly, but with fewer bytes than announced: a truncated request.
        const std::string body = ApiClient::seedApplication(organization());
        FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        FcgiClient::setParam(params, "CONTENT_LENGTH", std::to_string(body.size() + 10));
        const FcgiResponse response = api().fcgi().request(params, body);
        assertRefusedWithDetail(400, response);
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("applications"));
    }

    void testBodyLongerThanContentLength() {
        const std::string body = ApiClient::seedApplication(organization());
        FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        FcgiClient::setParam(params, "CONTENT_LENGTH", std::to_string(body.size() - 5));
        const FcgiResponse response = api().fcgi().request(params, body);
        assertRefusedWithDetail(400, response);
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("applications"));
    }

    void testNonNumericContentLength() {
        const std::string body = ApiClient::seedApplication(organization());
        for (const char* length : {"abc", "-1", "12x", " 50"}) {
            FcgiClient::Params params =
                FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
            FcgiClient::setParam(params, "CONTENT_LENGTH", length);
            const FcgiResponse response = api().fcgi().request(params, body);
            assertRefusedWithDetail(400, response);
        }
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("applications"));
    }

    void testClientDisconnectsMidBody() {
        // A record header announcing the whole body, half of the body, then the client is gone.
        const std::string body = ApiClient::seedApplication(organization());
        const FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        {
            UniqueFd connection = api().fcgi().connectRaw();
            std::string bytes = FcgiClient::beginRequest();
            bytes += FcgiClient::record(FcgiClient::kParams, FcgiClient::encodeParams(params));
            bytes += FcgiClient::record(FcgiClient::kParams, "");
            bytes += FcgiClient::recordHeader(FcgiClient::kStdin, static_cast<std::uint16_t>(body.size()));
            bytes += body.substr(0, body.size() / 2);
            CPPUNIT_ASSERT(FcgiClient::writeAll(connection.get(), bytes));
        }
        assertStillServingAndNothingWritten();
    }

    void testClientDisconnectsBeforeEndOfStdin() {
        // The whole body arrives, but not the empty STDIN record that ends the stream.
        const std::string body = ApiClient::seedApplication(organization());
        const FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        {
            UniqueFd connection = api().fcgi().connectRaw();
            std::string bytes = FcgiClient::beginRequest();
            bytes += FcgiClient::record(FcgiClient::kParams, FcgiClient::encodeParams(params));
            bytes += FcgiClient::record(FcgiClient::kParams, "");
            bytes += FcgiClient::record(FcgiClient::kStdin, body);
            CPPUNIT_ASSERT(FcgiClient::writeAll(connection.get(), bytes));
        }
        assertStillServingAndNothingWritten();
    }

    void testBodyInManyRecords() {
        // Front servers forward bodies in records of their own size; one byte per record is legal.
        const std::string body = ApiClient::seedApplication(organization());
        const FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        std::string bytes = FcgiClient::beginRequest();
        bytes += FcgiClient::record(FcgiClient::kParams, FcgiClient::encodeParams(params));
        bytes += FcgiClient::record(FcgiClient::kParams, "");
        for (char c : body) {
            bytes += FcgiClient::record(FcgiClient::kStdin, std::string(1, c));
        }
        bytes += FcgiClient::record(FcgiClient::kStdin, "");
        APPREG_ASSERT_STATUS(201, api().fcgi().requestRaw(bytes));
    }

protected:
    /// One thread, so a request the worker failed to finish would block the next one and show up as a
    /// timeout.
    int workerThreads() const override { return 1; }

private:
    static void assertParseError(const FcgiResponse& response, const std::string& what) {
        CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": " + response.describe(), 400, response.status);
        const auto body = JsonAssert::parseObject(response.body);
        APPREG_ASSERT_KEYS(std::vector<std::string>{"detail"}, body);
        const std::string detail = body->getValue<std::string>("detail");
        CPPUNIT_ASSERT_MESSAGE(what + ": " + response.describe(),
                               detail.rfind("JSON parse error - ", 0) == 0);
        CPPUNIT_ASSERT_MESSAGE(what + ": the reason is missing: " + detail, detail.size() > 19);
    }

    static void assertRefusedWithDetail(int status, const FcgiResponse& response) {
        APPREG_ASSERT_STATUS(status, response);
        const auto body = JsonAssert::parseObject(response.body);
        APPREG_ASSERT_KEYS(std::vector<std::string>{"detail"}, body);
        CPPUNIT_ASSERT_MESSAGE(response.describe(), body->get("detail").isString());
    }

    void assertStillServingAndNothingWritten() {
        // With a single worker thread, the ping is served only once the abandoned request is over.
        for (int i = 0; i < 4; ++i) {
            APPREG_ASSERT_STATUS(200, api().get("/api/v2/ping/"));
        }
        CPPUNIT_ASSERT_MESSAGE("worker died", worker().running());
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("applications"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RequestBodyTest);

/// The worker's own body limit (request.max_body_bytes), set to 1024 bytes through --config.
class BodyLimitTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(BodyLimitTest);
    CPPUNIT_TEST(testBodyAtTheLimitIsAccepted);
    CPPUNIT_TEST(testBodyOverTheLimitWithContentLength);
    CPPUNIT_TEST(testBodyOverTheLimitWithoutContentLength);
    CPPUNIT_TEST(testAnnouncedLengthOverTheLimit);
    CPPUNIT_TEST(testHugeBodyIsRefusedAndWorkerSurvives);
    CPPUNIT_TEST(testPeerMayFinishAStreamedBodyAfterThe413);
    CPPUNIT_TEST(testPeerMayFinishAnAnnouncedBodyAfterThe413);
    CPPUNIT_TEST_SUITE_END();

public:
    void testBodyAtTheLimitIsAccepted() {
        const std::string body = bodyOfSize(1024);
        APPREG_ASSERT_STATUS(201, api().createApplication(body));
    }

    void testBodyOverTheLimitWithContentLength() {
        APPREG_ASSERT_RESPONSE(413, kLimitError, api().createApplication(bodyOfSize(1025)));
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("applications"));
    }

    void testBodyOverTheLimitWithoutContentLength() {
        // Apache forwards large chunked bodies without CONTENT_LENGTH (platform-notes §4.2).
        const std::string body = bodyOfSize(1025);
        FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        FcgiClient::removeParam(params, "CONTENT_LENGTH");
        APPREG_ASSERT_RESPONSE(413, kLimitError, api().fcgi().request(params, body));
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("applications"));
    }

    void testAnnouncedLengthOverTheLimit() {
        const std::string body = bodyOfSize(200);
        FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        FcgiClient::setParam(params, "CONTENT_LENGTH", "5000");
        APPREG_ASSERT_RESPONSE(413, kLimitError, api().fcgi().request(params, body));
    }

    void testHugeBodyIsRefusedAndWorkerSurvives() {
        const std::string body(4 * 1024 * 1024, ' ');
        FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        FcgiClient::removeParam(params, "CONTENT_LENGTH");
        APPREG_ASSERT_RESPONSE(413, kLimitError, api().fcgi().request(params, body));
        APPREG_ASSERT_STATUS(200, api().get("/api/v2/ping/"));
    }

    // Apache mod_proxy_fcgi relays the worker's answer only after it has sent the whole request, the empty
    // FCGI_STDIN last, in a write of its own. If the worker closed the connection right after its early 413,
    // that write failed and Apache answered 503 instead (seen in CI through Apache, 2026-11-28).
    void testPeerMayFinishAStreamedBodyAfterThe413() {
        const std::string body = bodyOfSize(1025);
        FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        FcgiClient::removeParam(params, "CONTENT_LENGTH");
        assertPeerCanFinishAfterThe413(params, body, "");
    }

    void testPeerMayFinishAnAnnouncedBodyAfterThe413() {
        const std::string body = bodyOfSize(5000);
        const FcgiClient::Params params =
            FcgiClient::standardParams("POST", ApiClient::kApplications, "application/json", body);
        assertPeerCanFinishAfterThe413(params, "", body);
    }

protected:
    std::vector<std::string> workerArgs() const override { return {"--config", configPath_}; }
    void prepare(const TempDir& dir) override {
        configPath_ =
            dir.writeFile("appreg.properties", "# test configuration\nrequest.max_body_bytes=1024\n");
    }

private:
    static constexpr const char* kLimitError =
        R"({"detail": "Request body exceeds the limit of 1024 bytes."})";

    /// A valid create body of exactly `size` bytes (the description is the padding).
    std::string bodyOfSize(std::size_t size) {
        const std::string head =
            R"({"name": "sized", "client_type": "confidential", "authorization_grant_type": )"
            R"("password", "organization": )" +
            std::to_string(organization()) + R"(, "description": ")";
        const std::string tail = "\"}";
        CPPUNIT_ASSERT(size > head.size() + tail.size());
        return head + std::string(size - head.size() - tail.size(), 'd') + tail;
    }

    /// Sends the request head and `sentFirst` as FCGI_STDIN, reads the 413, waits a moment, then sends
    /// `sentAfter` and the empty FCGI_STDIN as a front server still streaming would: the connection must
    /// still take them, and then end.
    void assertPeerCanFinishAfterThe413(const FcgiClient::Params& params, const std::string& sentFirst,
                                        const std::string& sentAfter) {
        UniqueFd connection = api().fcgi().connectRaw();
        std::string head = FcgiClient::beginRequest();
        head += FcgiClient::record(FcgiClient::kParams, FcgiClient::encodeParams(params));
        head += FcgiClient::record(FcgiClient::kParams, "");
        if (!sentFirst.empty()) head += FcgiClient::record(FcgiClient::kStdin, sentFirst);
        CPPUNIT_ASSERT_MESSAGE("the request head could not be sent",
                               FcgiClient::writeAll(connection.get(), head));
        APPREG_ASSERT_RESPONSE(413, kLimitError,
                               FcgiClient::readResponse(connection.get(), std::chrono::seconds(5)));

        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        std::string rest;
        if (!sentAfter.empty()) rest += FcgiClient::record(FcgiClient::kStdin, sentAfter);
        rest += FcgiClient::record(FcgiClient::kStdin, "");
        CPPUNIT_ASSERT_MESSAGE("the worker closed the connection before the rest of the body could be sent",
                               FcgiClient::writeAll(connection.get(), rest));
        // Then the worker ends the connection: no second answer, end of stream.
        const FcgiResponse after = FcgiClient::readResponse(connection.get(), std::chrono::seconds(5));
        CPPUNIT_ASSERT_MESSAGE("after the 413: " + after.describe(),
                               !after.ended && after.stdoutRaw.empty() &&
                                   after.transportError == "connection closed before FCGI_END_REQUEST");
        CPPUNIT_ASSERT_EQUAL(0LL, database().count("applications"));
    }

    std::string configPath_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(BodyLimitTest);
