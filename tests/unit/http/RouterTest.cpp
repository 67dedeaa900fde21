#include <cppunit/extensions/HelperMacros.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "appreg/http/ApiError.h"
#include "appreg/http/Router.h"

using namespace appreg::http;

namespace {
Request make(const std::string& method, const std::string& uri) {
    Request r;
    r.method = method;
    Request::splitUri(uri, r.path, r.query);
    r.requestId = "0123456789abcdef0123456789abcdef";
    return r;
}
}  // namespace

class RouterTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RouterTest);
    CPPUNIT_TEST(testDispatchesWithIds);
    CPPUNIT_TEST(testUnknownPaths);
    CPPUNIT_TEST(testMethodNotAllowed);
    CPPUNIT_TEST(testTrailingSlashRedirects);
    CPPUNIT_TEST(testHeadIsGetWithoutBody);
    CPPUNIT_TEST(testErrorsBecomeJson);
    CPPUNIT_TEST(testGuardRunsAfterTheRouteIsKnownAndBeforeTheMethod);
    CPPUNIT_TEST_SUITE_END();

    Router router;

public:
    void setUp() override {
        router = Router();
        router.add("GET", "/api/v2/things/{id}/", [](const Request&, const PathParams& p) {
            return Response::detail(200, "thing " + std::to_string(p.at(0)));
        });
        router.add("POST", "/api/v2/things/",
                   [](const Request&, const PathParams&) { return Response::detail(201, "made"); });
        router.add("GET", "/api/v2/boom/", [](const Request&, const PathParams&) -> Response {
            throw std::runtime_error("secret internals");
        });
        router.add("POST", "/api/v2/boom/", [](const Request&, const PathParams&) -> Response {
            throw ApiError::detail(403, "You do not have permission to perform this action.");
        });
    }

    void testDispatchesWithIds() {
        Response r = router.dispatch(make("GET", "/api/v2/things/42/"));
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("{\"detail\":\"thing 42\"}"), r.body);
        CPPUNIT_ASSERT_EQUAL(std::string("GET, HEAD"), r.header("Allow"));
        CPPUNIT_ASSERT_EQUAL(200, router.dispatch(make("GET", "/api/v2/things/9223372036854775807/")).status);
    }

    void testUnknownPaths() {
        const std::string notFound = "{\"detail\":\"The requested resource could not be found.\"}";
        for (const char* uri :
             {"/api/v2/nothing/", "/api/v2/things/0/", "/api/v2/things/01/", "/api/v2/things/abc/",
              "/api/v2/things/9223372036854775808/", "/api/v2/things/%34%32/", "/api/v2//things/",
              "/api/v2/./things/", "/api/v2/x/../things/", "/", ""}) {
            Response r = router.dispatch(make("GET", uri));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(uri, 404, r.status);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(uri, notFound, r.body);
        }
    }

    void testMethodNotAllowed() {
        Response r = router.dispatch(make("PUT", "/api/v2/things/"));
        CPPUNIT_ASSERT_EQUAL(405, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("{\"detail\":\"Method \\\"PUT\\\" not allowed.\"}"), r.body);
        CPPUNIT_ASSERT_EQUAL(std::string("POST"), r.header("Allow"));
    }

    void testTrailingSlashRedirects() {
        Response get = router.dispatch(make("GET", "/api/v2/things/7?page=2&x=%20"));
        CPPUNIT_ASSERT_EQUAL(301, get.status);
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/things/7/?page=2&x=%20"), get.header("Location"));
        Response post = router.dispatch(make("POST", "/api/v2/things"));
        CPPUNIT_ASSERT_EQUAL(308, post.status);
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/things/"), post.header("Location"));
        CPPUNIT_ASSERT_EQUAL(404, router.dispatch(make("GET", "/api/v2/nothing")).status);
        // Raw bytes in the query (the fuzzer's find: invalid UTF-8 made the detail invalid JSON) are encoded.
        Response raw = router.dispatch(make("POST", "/api/v2/things?x=\xa8 \x01\"y"));
        CPPUNIT_ASSERT_EQUAL(308, raw.status);
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/things/?x=%A8%20%01\"y"), raw.header("Location"));
        CPPUNIT_ASSERT_EQUAL(std::string("{\"detail\":\"Moved to /api/v2/things/?x=%A8%20%01\\\"y.\"}"),
                             raw.body);
    }

    void testHeadIsGetWithoutBody() {
        Response r = router.dispatch(make("HEAD", "/api/v2/things/3/"));
        CPPUNIT_ASSERT_EQUAL(200, r.status);
        CPPUNIT_ASSERT(r.body.empty());
        CPPUNIT_ASSERT_EQUAL(405, router.dispatch(make("HEAD", "/api/v2/things/")).status);
    }

    void testErrorsBecomeJson() {
        Response crash = router.dispatch(make("GET", "/api/v2/boom/"));
        CPPUNIT_ASSERT_EQUAL(500, crash.status);
        CPPUNIT_ASSERT_EQUAL(std::string("{\"detail\":\"A server error occurred.\"}"), crash.body);
        Response refused = router.dispatch(make("POST", "/api/v2/boom/"));
        CPPUNIT_ASSERT_EQUAL(403, refused.status);
        CPPUNIT_ASSERT_EQUAL(std::string("GET, POST, HEAD"), refused.header("Allow"));
    }

    void testGuardRunsAfterTheRouteIsKnownAndBeforeTheMethod() {
        std::vector<std::string> seen;
        router.setGuard([&seen](const Request& r, const std::string& pattern) {
            seen.push_back(pattern);
            if (r.authorization.empty()) {
                ApiError e = ApiError::detail(401, "Authentication credentials were not provided.");
                e.withHeader("WWW-Authenticate", "Bearer realm=api");
                throw e;
            }
        });
        // Unknown paths and missing slashes are answered before anyone is asked for credentials.
        CPPUNIT_ASSERT_EQUAL(404, router.dispatch(make("GET", "/api/v2/nothing/")).status);
        CPPUNIT_ASSERT_EQUAL(301, router.dispatch(make("GET", "/api/v2/things/1")).status);
        CPPUNIT_ASSERT(seen.empty());
        // On a known route the guard comes first: an anonymous PUT is 401, not 405, with the guard's header.
        Response anonymous = router.dispatch(make("PUT", "/api/v2/things/1/"));
        CPPUNIT_ASSERT_EQUAL(401, anonymous.status);
        CPPUNIT_ASSERT_EQUAL(std::string("Bearer realm=api"), anonymous.header("WWW-Authenticate"));
        CPPUNIT_ASSERT_EQUAL(std::string("{\"detail\":\"Authentication credentials were not provided.\"}"),
                             anonymous.body);
        CPPUNIT_ASSERT_EQUAL(std::string("/api/v2/things/{id}/"), seen.back());
        Request authenticated = make("PUT", "/api/v2/things/1/");
        authenticated.authorization = "Basic x";
        CPPUNIT_ASSERT_EQUAL(405, router.dispatch(authenticated).status);
        authenticated.method = "GET";
        CPPUNIT_ASSERT_EQUAL(200, router.dispatch(authenticated).status);
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RouterTest);
