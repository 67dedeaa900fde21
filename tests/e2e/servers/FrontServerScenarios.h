#pragma once

// The end-to-end scenarios every documented front server must pass: an HTTP client, the real web server
// started with the project's own configuration from conf/ (only its substitutable values rewritten), the real
// worker behind it. One suite per server (LighttpdScenariosTest, ApacheProxyFcgiTest, ApacheFcgidTest,
// NginxTest) derives from FrontServerScenarios, names its server, and lists the scenarios with
// APPREG_FRONT_SERVER_SCENARIOS().

#include "FrontServer.h"
#include "HttpClient.h"
#include "TempDir.h"
#include "WorkerProcess.h"

#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <string>
#include <vector>

namespace appreg::test {

class FrontServerScenarios : public CppUnit::TestFixture {
public:
    /// A fresh directory; the worker on a unix socket there (or, for mod_fcgid, a database directory the
    /// server's user can write), its database holding the test superuser (TestSuperuser), as whom http_
    /// authenticates; the server in front of it.
    void setUp() override;
    /// Stops the server, then the worker (which must exit with status 0), and fails when the server's error
    /// log has lines other than its routine ones and those the test provoked on purpose.
    void tearDown() override;

    void testPing();
    void testCreateOrganizationAndSeedApplication();
    void testSeedErrorExample();
    void testUnknownRouteIs404();
    void testMethodNotAllowedWithAllow();
    void testWrongContentTypeIs415();
    void testMissingTrailingSlashRedirects();
    void testBodyLimitMatchesTheWorkers();
    void testBodyOverLimitIs413();
    void testChunkedBodyOverLimitIsRefused();
    void testBodyAtLimitIsAccepted();
    void testChunkedBodyWithinLimitIsAccepted();
    void testParamsReachTheWorker();
    void testAuthorizationHeadersDoNotBreakAnything();
    void testWorkerRestart();
    void testConcurrentCreates();
    void testLargeResponseArrivesWhole();

protected:
    virtual FrontServerKind kind() const = 0;

private:
    /// Creates and starts a server of kind() in front of `backend`.
    std::unique_ptr<FrontServer> startServer(const FrontServerBackend& backend);
    /// The worker's log: its own file, or for mod_fcgid the server's error log where its stderr goes.
    std::string workerLog() const;
    void assertWorkerNeverSaw(const std::string& method, const std::string& path) const;
    /// Declares that the server logs `event` in this test.
    void expectLogLinesFor(FrontServer::Event event);
    bool isAllowed(const std::string& line) const;
    /// "<server name>: " for messages.
    std::string where() const;

    std::unique_ptr<TempDir> dir_;
    std::string workerConfig_;
    std::string fcgidDatabase_;
    std::unique_ptr<WorkerProcess> worker_;
    std::unique_ptr<FrontServer> server_;
    std::unique_ptr<HttpClient> http_;
    std::vector<std::string> allowedLogLines_;
};

}  // namespace appreg::test

/// The scenarios, for the CPPUNIT_TEST_SUITE of a derived suite.
#define APPREG_FRONT_SERVER_SCENARIOS()                       \
    CPPUNIT_TEST(testPing);                                   \
    CPPUNIT_TEST(testCreateOrganizationAndSeedApplication);   \
    CPPUNIT_TEST(testSeedErrorExample);                       \
    CPPUNIT_TEST(testUnknownRouteIs404);                      \
    CPPUNIT_TEST(testMethodNotAllowedWithAllow);              \
    CPPUNIT_TEST(testWrongContentTypeIs415);                  \
    CPPUNIT_TEST(testMissingTrailingSlashRedirects);          \
    CPPUNIT_TEST(testBodyLimitMatchesTheWorkers);             \
    CPPUNIT_TEST(testBodyOverLimitIs413);                     \
    CPPUNIT_TEST(testChunkedBodyOverLimitIsRefused);          \
    CPPUNIT_TEST(testBodyAtLimitIsAccepted);                  \
    CPPUNIT_TEST(testChunkedBodyWithinLimitIsAccepted);       \
    CPPUNIT_TEST(testParamsReachTheWorker);                   \
    CPPUNIT_TEST(testAuthorizationHeadersDoNotBreakAnything); \
    CPPUNIT_TEST(testWorkerRestart);                          \
    CPPUNIT_TEST(testConcurrentCreates);                      \
    CPPUNIT_TEST(testLargeResponseArrivesWhole)
