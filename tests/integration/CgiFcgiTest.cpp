// The README's way of trying the worker without a web server: libfcgi's own cgi-fcgi, with a clean
// environment and the body on stdin (platform-notes §4.5).

#include "ChildProcess.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "TestSuperuser.h"
#include "WorkerFixture.h"

#include <unistd.h>

#include <algorithm>

using namespace appreg::test;

class CgiFcgiTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(CgiFcgiTest);
    CPPUNIT_TEST(testCreateThroughCgiFcgi);
    CPPUNIT_TEST(testGetThroughCgiFcgi);
    CPPUNIT_TEST_SUITE_END();

public:
    void testCreateThroughCgiFcgi() {
        const std::string bodyPath =
            dir().writeFile("body.json", ApiClient::seedApplication(organization(), "app1"));
        const std::string body = TempDir::readFile(bodyPath);
        // What the README shows:
        //   env -i REQUEST_METHOD=POST REQUEST_URI=/api/v2/applications/ QUERY_STRING=
        //   CONTENT_TYPE=application/json
        //     CONTENT_LENGTH=$(stat -c %s body.json) SERVER_PROTOCOL=HTTP/1.1
        //     HTTP_AUTHORIZATION="Basic ..." cgi-fcgi -bind -connect <socket> < body.json
        const ChildProcess::Result result =
            cgiFcgi({"REQUEST_METHOD=POST", "REQUEST_URI=/api/v2/applications/",
                     "QUERY_STRING=", "CONTENT_TYPE=application/json",
                     "CONTENT_LENGTH=" + std::to_string(body.size()), "SERVER_PROTOCOL=HTTP/1.1"},
                    bodyPath);
        CPPUNIT_ASSERT_MESSAGE("cgi-fcgi: " + result.status.describe() + " " + result.err,
                               result.status.isExit(0));
        CPPUNIT_ASSERT_MESSAGE("no 201 in:\n" + result.out, result.out.rfind("Status: 201", 0) == 0);
        FcgiResponse parsed;
        parsed.stdoutRaw = result.out;
        FcgiClient::parseCgiOutput(parsed);
        APPREG_ASSERT_STATUS(201, parsed);
        const auto created = JsonAssert::parseObject(parsed.body);
        CPPUNIT_ASSERT_EQUAL(std::string("app1"), created->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(1LL, database().count("applications"));
    }

    void testGetThroughCgiFcgi() {
        const ChildProcess::Result result =
            cgiFcgi({"REQUEST_METHOD=GET", "REQUEST_URI=/api/v2/ping/?x=1", "QUERY_STRING=x=1"}, "/dev/null");
        CPPUNIT_ASSERT_MESSAGE("cgi-fcgi: " + result.status.describe() + " " + result.err,
                               result.status.isExit(0));
        FcgiResponse parsed;
        parsed.stdoutRaw = result.out;
        FcgiClient::parseCgiOutput(parsed);
        APPREG_ASSERT_STATUS(200, parsed);
        CPPUNIT_ASSERT_EQUAL(std::string("ok"),
                             JsonAssert::parseObject(parsed.body)->getValue<std::string>("database"));
    }

private:
    static constexpr const char* kCgiFcgi = "/usr/bin/cgi-fcgi";

    /// cgi-fcgi with exactly `environment` plus the test superuser's HTTP_AUTHORIZATION, unless `environment`
    /// names HTTP_AUTHORIZATION itself ("HTTP_AUTHORIZATION=<other>", or the bare name for none).
    ChildProcess::Result cgiFcgi(const std::vector<std::string>& environment, const std::string& stdinPath) {
        CPPUNIT_ASSERT_MESSAGE(std::string(kCgiFcgi) + " is missing: apt-get install libfcgi-bin",
                               ::access(kCgiFcgi, X_OK) == 0);
        ChildProcess::Spec spec;
        spec.argv = {kCgiFcgi, "-bind", "-connect", worker().socketPath()};
        spec.inheritEnvironment = false;  // env -i: cgi-fcgi forwards its whole environment as params
        spec.environment = environment;
        const std::string name = FcgiClient::kAuthorization;
        if (std::none_of(environment.begin(), environment.end(), [&name](const std::string& entry) {
                return entry == name || entry.rfind(name + "=", 0) == 0;
            })) {
            spec.environment.push_back(name + "=" + TestSuperuser::authorization());
        }
        spec.stdinPath = stdinPath;
        const ChildProcess::Result result = ChildProcess::run(spec, std::chrono::seconds(10));
        CPPUNIT_ASSERT_MESSAGE("cgi-fcgi did not finish within 10 s", !result.timedOut);
        return result;
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CgiFcgiTest);
