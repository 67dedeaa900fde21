#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "appreg/http/CgiRequest.h"

using namespace appreg::http;

namespace {

/// A body source that hands out `data` in chunks of at most `chunk` bytes, then 0, or -1 after `failAfter`
/// bytes.
struct FakeBody {
    std::string data;
    std::size_t chunk = 7;
    long failAfter = -1;
    std::size_t pos = 0;
    std::size_t totalRequested = 0;

    BodyReader reader() {
        return [this](char* buf, std::size_t n) -> long {
            totalRequested += n;
            if (failAfter >= 0 && pos >= static_cast<std::size_t>(failAfter)) return -1;
            std::size_t take = std::min({n, chunk, data.size() - pos});
            std::memcpy(buf, data.data() + pos, take);
            pos += take;
            return static_cast<long>(take);
        };
    }
};

std::map<std::string, std::string> params(const std::string& cl) {
    std::map<std::string, std::string> p{{"REQUEST_METHOD", "POST"},
                                         {"REQUEST_URI", "/api/v2/applications/?a=1"},
                                         {"CONTENT_TYPE", "application/json"},
                                         {"HTTP_AUTHORIZATION", "Bearer x"}};
    if (!cl.empty()) p["CONTENT_LENGTH"] = cl;
    return p;
}

}  // namespace

class CgiRequestTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(CgiRequestTest);
    CPPUNIT_TEST(testCompleteRequest);
    CPPUNIT_TEST(testBodyOverLimitWithAndWithoutContentLength);
    CPPUNIT_TEST(testBodyNotMatchingContentLength);
    CPPUNIT_TEST(testHeadErrorsHaveNoBody);
    CPPUNIT_TEST(testBrokenBodyAndBadContentLength);
    CPPUNIT_TEST(testPrefixAndFallbackUri);
    CPPUNIT_TEST(testOnlyTheParametersItReadsMatter);
    CPPUNIT_TEST(testTheFirstOfARepeatedParameterWins);
    CPPUNIT_TEST_SUITE_END();

public:
    void testCompleteRequest() {
        FakeBody body{"{\"name\":\"x\"}"};
        auto r = buildCgiRequest(params("12"), body.reader(), 1024, "");
        CPPUNIT_ASSERT(!r.error);
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), r.request.method);
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/applications/"), r.request.path);
        CPPUNIT_ASSERT_EQUAL(std::string("a=1"), r.request.query);
        CPPUNIT_ASSERT_EQUAL(std::string("{\"name\":\"x\"}"), r.request.body);
        CPPUNIT_ASSERT_EQUAL(std::string("Bearer x"), r.request.authorization);
        CPPUNIT_ASSERT_EQUAL(std::size_t(32), r.request.requestId.size());
    }

    void testBodyOverLimitWithAndWithoutContentLength() {
        FakeBody declared{std::string(2000, 'a')};
        auto r = buildCgiRequest(params("2000"), declared.reader(), 1024, "");
        CPPUNIT_ASSERT(r.error);
        CPPUNIT_ASSERT_EQUAL(413, r.error->status);
        CPPUNIT_ASSERT_EQUAL(std::string("{\"detail\":\"Request body exceeds the limit of 1024 bytes.\"}"),
                             r.error->body);
        CPPUNIT_ASSERT_EQUAL(std::size_t(0), declared.pos);  // refused without reading

        FakeBody undeclared{std::string(10 * 1024 * 1024, 'a'), 65536};
        auto u = buildCgiRequest(params(""), undeclared.reader(), 1024, "");
        CPPUNIT_ASSERT(u.error);
        CPPUNIT_ASSERT_EQUAL(413, u.error->status);
        CPPUNIT_ASSERT(undeclared.pos <= 1025);  // never buffers more than limit + 1

        FakeBody exact{std::string(1024, 'a')};
        CPPUNIT_ASSERT(!buildCgiRequest(params(""), exact.reader(), 1024, "").error);
    }

    void testBodyNotMatchingContentLength() {
        FakeBody shorter{"{}"};
        auto s = buildCgiRequest(params("50"), shorter.reader(), 1024, "");
        CPPUNIT_ASSERT(s.error);
        CPPUNIT_ASSERT_EQUAL(400, s.error->status);
        FakeBody longer{"{}      "};
        auto l = buildCgiRequest(params("2"), longer.reader(), 1024, "");
        CPPUNIT_ASSERT(l.error);
        CPPUNIT_ASSERT_EQUAL(400, l.error->status);
    }

    void testHeadErrorsHaveNoBody() {
        // The fuzzer's find: a HEAD request with a body that does not match its Content-Length.
        auto p = params("5");
        p["REQUEST_METHOD"] = "HEAD";
        FakeBody longer{"{\"a\":1}"};
        auto r = buildCgiRequest(p, longer.reader(), 1024, "");
        CPPUNIT_ASSERT(r.error);
        CPPUNIT_ASSERT_EQUAL(400, r.error->status);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.error->body);
        CPPUNIT_ASSERT(!r.error->header("X-API-Request-Id").empty());
    }

    void testBrokenBodyAndBadContentLength() {
        FakeBody broken{std::string(100, 'a')};
        broken.failAfter = 20;
        auto b = buildCgiRequest(params("100"), broken.reader(), 1024, "");
        CPPUNIT_ASSERT(b.error);
        CPPUNIT_ASSERT_EQUAL(400, b.error->status);
        for (const char* cl : {"-1", "1e3", " 5", "0x10", "99999999999999999999"}) {
            FakeBody body{"{}"};
            auto r = buildCgiRequest(params(cl), body.reader(), 1024, "");
            CPPUNIT_ASSERT_MESSAGE(cl, r.error.has_value());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(cl, 400, r.error->status);
        }
    }

    void testPrefixAndFallbackUri() {
        FakeBody body{""};
        auto p = params("");
        p["REQUEST_URI"] = "/awx/api/v2/ping/";
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/ping/"),
                             buildCgiRequest(p, body.reader(), 10, "/awx").request.path);
        p["REQUEST_URI"] = "/awxx/api/v2/ping/";
        CPPUNIT_ASSERT_EQUAL(std::string("/awxx/api/v2/ping/"),
                             buildCgiRequest(p, body.reader(), 10, "/awx").request.path);
        p.erase("REQUEST_URI");
        p["SCRIPT_NAME"] = "/api";
        p["PATH_INFO"] = "/v2/ping/";
        p["QUERY_STRING"] = "x=1";
        auto r = buildCgiRequest(p, body.reader(), 10, "");
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/ping/"), r.request.path);
        CPPUNIT_ASSERT_EQUAL(std::string("x=1"), r.request.query);
    }

    void testTheFirstOfARepeatedParameterWins() {
        // As the transport's map did (emplace): a second REQUEST_METHOD, even after an empty first, changes
        // nothing; a parameter that is not read is refused and changes nothing either.
        CgiParams params;
        CPPUNIT_ASSERT(params.offer("REQUEST_URI", "/api/v2/ping/"));
        CPPUNIT_ASSERT(params.offer("REQUEST_METHOD", ""));
        CPPUNIT_ASSERT(params.offer("REQUEST_METHOD", "DELETE"));
        CPPUNIT_ASSERT(!params.offer("HTTP_HOST", "example.org"));
        CPPUNIT_ASSERT(!params.offer("REQUEST_METHOD=", "GET"));
        CPPUNIT_ASSERT_EQUAL(std::string_view("/api/v2/ping/"), params[CgiParam::Uri]);
        CPPUNIT_ASSERT_EQUAL(std::string_view(), params[CgiParam::Method]);
        FakeBody body{""};
        auto r = buildCgiRequest(params, body.reader(), 1024, "");
        CPPUNIT_ASSERT(r.error.has_value());
        CPPUNIT_ASSERT_EQUAL(400, r.error->status);  // "Request method is missing."
    }

    void testOnlyTheParametersItReadsMatter() {
        // The transport keeps only the parameters CgiParams::offer takes. What lighttpd sends for one request
        // (with both URI forms, so the fallback is covered too) must give the same request and the same
        // errors with only those.
        std::map<std::string, std::string> lighttpd{
            {"CONTENT_LENGTH", "12"},
            {"CONTENT_TYPE", "application/json"},
            {"DOCUMENT_ROOT", "/var/www"},
            {"GATEWAY_INTERFACE", "CGI/1.1"},
            {"HTTP_ACCEPT", "*/*"},
            {"HTTP_AUTHORIZATION", "Basic YWRtaW46cHc="},
            {"HTTP_HOST", "127.0.0.1:8080"},
            {"HTTP_USER_AGENT", "curl/7.88.1"},
            {"PATH_INFO", "/v2/applications/"},
            {"QUERY_STRING", "page_size=5"},
            {"REDIRECT_STATUS", "200"},
            {"REMOTE_ADDR", "127.0.0.1"},
            {"REMOTE_PORT", "40000"},
            {"REQUEST_METHOD", "post"},
            {"REQUEST_SCHEME", "http"},
            {"REQUEST_URI", "/awx/api/v2/applications/?page_size=5"},
            {"SCRIPT_FILENAME", "/var/www/api"},
            {"SCRIPT_NAME", "/api"},
            {"SERVER_ADDR", "127.0.0.1"},
            {"SERVER_NAME", "127.0.0.1"},
            {"SERVER_PORT", "8080"},
            {"SERVER_PROTOCOL", "HTTP/1.1"},
            {"SERVER_SOFTWARE", "lighttpd/1.4.69"},
        };
        auto withoutUri = lighttpd;
        withoutUri.erase("REQUEST_URI");
        auto shortBody = lighttpd;
        shortBody["CONTENT_LENGTH"] = "40";
        const std::vector<std::pair<std::map<std::string, std::string>, std::size_t>> cases{
            {lighttpd, 8}, {withoutUri, 7}, {shortBody, 8}};
        for (const auto& [all, readCount] : cases) {
            std::map<std::string, std::string> read;
            for (const auto& [name, value] : all) {
                if (CgiParams().offer(name, value)) read.emplace(name, value);
            }
            CPPUNIT_ASSERT_EQUAL(readCount, read.size());
            FakeBody first{"{\"name\":\"x\"}"}, second{"{\"name\":\"x\"}"};
            auto a = buildCgiRequest(all, first.reader(), 1024, "/awx");
            auto b = buildCgiRequest(read, second.reader(), 1024, "/awx");
            CPPUNIT_ASSERT_EQUAL(a.request.method, b.request.method);
            CPPUNIT_ASSERT_EQUAL(a.request.path, b.request.path);
            CPPUNIT_ASSERT_EQUAL(a.request.query, b.request.query);
            CPPUNIT_ASSERT_EQUAL(a.request.contentType, b.request.contentType);
            CPPUNIT_ASSERT_EQUAL(a.request.authorization, b.request.authorization);
            CPPUNIT_ASSERT_EQUAL(a.request.body, b.request.body);
            CPPUNIT_ASSERT_EQUAL(a.error.has_value(), b.error.has_value());
            if (a.error) CPPUNIT_ASSERT_EQUAL(a.error->status, b.error->status);
        }
        for (const char* other :
             {"HTTP_HOST", "REMOTE_ADDR", "SERVER_SOFTWARE", "SCRIPT_FILENAME", "", "REQUEST"}) {
            CPPUNIT_ASSERT_MESSAGE(other, !CgiParams().offer(other, "x"));
        }
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CgiRequestTest);
