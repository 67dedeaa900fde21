#include "FrontServerScenarios.h"

#include "ApacheProcess.h"
#include "ChildProcess.h"
#include "DatabaseFile.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "TestSuperuser.h"

#include <grp.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <regex>
#include <sstream>
#include <thread>

#ifndef APPREG_PARAMS_ECHO_BINARY
#error "APPREG_PARAMS_ECHO_BINARY must name tests/tools/fcgi_params_echo"
#endif

namespace appreg::test {

namespace {

/// The worker's default request.max_body_bytes (conf/appreg.properties). Every shipped front-server
/// configuration must let exactly this much through.
constexpr std::size_t kWorkerDefaultMaxBody = 1048576;

const char* const kNotAuthenticated = R"({"detail": "Authentication credentials were not provided."})";
const char* const kChallenge = "Bearer realm=api authorization_url=/api/o/authorize/";

const char* const kSeedCreateErrors =
    R"({"client_type": ["This field is required."], "authorization_grant_type": ["This field is required."],
        "organization": ["This field is required."]})";

/// An organization body of exactly `size` bytes: the JSON object, then spaces (valid trailing whitespace).
std::string paddedOrganization(const std::string& name, std::size_t size) {
    std::string body = R"({"name": ")" + name + R"("})";
    body.resize(size, ' ');
    return body;
}

std::string appBody(const std::string& name, const std::string& organization) {
    return R"({"name": ")" + name +
           R"(", "client_type": "confidential", "authorization_grant_type": "password", "organization": )" +
           organization + "}";
}

}  // namespace

std::string FrontServerScenarios::where() const {
    return (server_ ? server_->name() : std::string("?")) + ": ";
}

std::unique_ptr<FrontServer> FrontServerScenarios::startServer(const FrontServerBackend& backend) {
    std::unique_ptr<FrontServer> server = makeFrontServer(kind(), *dir_, backend);
    server->start(std::chrono::seconds(20));
    return server;
}

void FrontServerScenarios::setUp() {
    dir_ = std::make_unique<TempDir>();
    allowedLogLines_.clear();
    // The shipped properties file (every key commented out: the defaults), plus what this machine needs: as
    // root, the servers' children run as www-data, so the socket the worker creates must be in that group.
    std::string properties = TempDir::readFile(std::string(APPREG_SOURCE_DIR) + "/conf/appreg.properties");
    CPPUNIT_ASSERT_MESSAGE("conf/appreg.properties is missing", !properties.empty());
    if (FrontServer::runningAsRoot()) {
        properties += "\nlisten.group = www-data\n";
    }
    workerConfig_ = dir_->writeFile("worker.properties", properties);

    FrontServerBackend backend;
    if (kind() == FrontServerKind::kApacheFcgid) {
        // Apache starts the worker as its own user, which must be able to write the database's directory.
        FrontServer::makeDirectory(dir_->file("fcgid-db"), FrontServer::serverUser());
        fcgidDatabase_ = dir_->file("fcgid-db/appreg.db");
        // No WorkerProcess here to create the test superuser, so this does it, before Apache can start a
        // worker; the files it made then go to the server's user, as if that user had run it.
        TestSuperuser::create(*dir_, fcgidDatabase_);
        for (const auto& entry : std::filesystem::directory_iterator(dir_->file("fcgid-db"))) {
            FrontServer::changeOwner(entry.path().string(), FrontServer::serverUser());
        }
        backend.binary =
            FrontServer::executableFor(WorkerProcess::binary(), FrontServer::serverUser(), *dir_);
        backend.configFile = workerConfig_;
        backend.database = fcgidDatabase_;
    } else {
        worker_ = std::make_unique<WorkerProcess>(*dir_, 4);
        worker_->start({"--config", workerConfig_});
        backend.socketPath = worker_->socketPath();
    }
    server_ = startServer(backend);
    http_ = std::make_unique<HttpClient>(server_->port());
}

void FrontServerScenarios::tearDown() {
    // Release everything first, then judge: an assertion must not leave a process behind.
    std::string log;
    std::string name;
    std::string stopError;
    std::function<bool(const std::string&)> routine;
    if (server_) {
        name = server_->name();
        try {
            server_->stop();
        } catch (const std::exception& e) {
            stopError = e.what();
        }
        log = server_->errorLog();
        FrontServer* server = server_.get();
        routine = [server](const std::string& line) { return server->isRoutineLogLine(line); };
    }
    std::string unexpected;
    std::istringstream lines(log);
    std::string line;
    while (std::getline(lines, line)) {
        if (!line.empty() && !(routine && routine(line)) && !isAllowed(line)) {
            unexpected += line + "\n";
        }
    }
    http_.reset();
    server_.reset();
    std::string workerStop;
    if (worker_ && worker_->running()) {
        const WorkerProcess::StopResult stopped = worker_->stop();
        if (!stopped.status.isExit(0)) {
            workerStop = stopped.status.describe() + "\n--- worker log ---\n" + worker_->log();
        }
    }
    worker_.reset();
    dir_.reset();
    CPPUNIT_ASSERT_MESSAGE(name + " did not stop cleanly: " + stopError, stopError.empty());
    CPPUNIT_ASSERT_MESSAGE(name + ": the worker did not exit cleanly on SIGTERM: " + workerStop,
                           workerStop.empty());
    CPPUNIT_ASSERT_MESSAGE(name + " logged unexpected lines:\n" + unexpected + "--- whole log ---\n" + log,
                           unexpected.empty());
}

std::string FrontServerScenarios::workerLog() const { return worker_ ? worker_->log() : server_->errorLog(); }

void FrontServerScenarios::assertWorkerNeverSaw(const std::string& method, const std::string& path) const {
    const std::string log = workerLog();
    CPPUNIT_ASSERT_MESSAGE(where() + "the worker received the request:\n" + log,
                           log.find(" " + method + " " + path + " ") == std::string::npos);
}

void FrontServerScenarios::expectLogLinesFor(FrontServer::Event event) {
    for (const std::string& text : server_->logLinesFor(event)) {
        allowedLogLines_.push_back(text);
    }
}

bool FrontServerScenarios::isAllowed(const std::string& line) const {
    for (const std::string& allowed : allowedLogLines_) {
        if (line.find(allowed) != std::string::npos) {
            return true;
        }
    }
    return false;
}

void FrontServerScenarios::testPing() {
    const HttpResponse response = http_->get("/api/v2/ping/");
    APPREG_ASSERT_STATUS(200, response);
    CPPUNIT_ASSERT_EQUAL(std::string("ok"),
                         JsonAssert::parseObject(response.body)->getValue<std::string>("database"));
    CPPUNIT_ASSERT_MESSAGE(where() + response.describe(),
                           response.header("Content-Type").rfind("application/json", 0) == 0);
}

void FrontServerScenarios::testCreateOrganizationAndSeedApplication() {
    const HttpResponse org =
        http_->postJson("/api/v2/organizations/", R"({"name": "test-org", "description": "test-org-desc"})");
    APPREG_ASSERT_STATUS(201, org);
    const long long orgId = JsonAssert::parseObject(org.body)->getValue<long long>("id");
    CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + org.describe(),
                                 "/api/v2/organizations/" + std::to_string(orgId) + "/",
                                 org.header("Location"));

    // The documented request, byte for byte.
    const std::string seed =
        "{\n    \"authorization_grant_type\":\"password\",\n    \"client_type\":\"confidential\",\n"
        "    \"name\":\"test app\",\n    \"organization\":" +
        std::to_string(orgId) + "\n}";
    const HttpResponse response = http_->postJson("/api/v2/applications/", seed);
    APPREG_ASSERT_STATUS(201, response);
    const auto body = JsonAssert::parseObject(response.body);
    APPREG_ASSERT_KEYS((std::vector<std::string>{
                           "id", "type", "url", "related", "summary_fields", "created", "modified", "name",
                           "description", "client_id", "client_secret", "client_type", "redirect_uris",
                           "authorization_grant_type", "skip_authorization", "organization"}),
                       body);
    const std::string url = "/api/v2/applications/" + body->getValue<std::string>("id") + "/";
    CPPUNIT_ASSERT_EQUAL(url, body->getValue<std::string>("url"));
    CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + response.describe(), url, response.header("Location"));
    CPPUNIT_ASSERT_MESSAGE(where() + response.describe(), !response.header("X-API-Request-Id").empty());
    CPPUNIT_ASSERT_EQUAL(std::string("test app"), body->getValue<std::string>("name"));
    CPPUNIT_ASSERT_EQUAL(std::size_t(128), body->getValue<std::string>("client_secret").size());
    CPPUNIT_ASSERT_EQUAL(orgId, body->getValue<long long>("organization"));

    // And it is there afterwards, secret masked.
    const HttpResponse detail = http_->get(url);
    APPREG_ASSERT_STATUS(200, detail);
    CPPUNIT_ASSERT_EQUAL(std::string("************"),
                         JsonAssert::parseObject(detail.body)->getValue<std::string>("client_secret"));
}

void FrontServerScenarios::testSeedErrorExample() {
    APPREG_ASSERT_RESPONSE(400, kSeedCreateErrors,
                           http_->postJson("/api/v2/applications/", R"({"name": "x"})"));
}

void FrontServerScenarios::testUnknownRouteIs404() {
    const char* const notFound = R"({"detail": "The requested resource could not be found."})";
    APPREG_ASSERT_RESPONSE(404, notFound, http_->get("/api/v2/nothing/"));
    APPREG_ASSERT_RESPONSE(404, notFound, http_->get("/api/v2/applications/abc/"));
    APPREG_ASSERT_RESPONSE(404, R"({"detail": "No Organization matches the given query."})",
                           http_->get("/api/v2/organizations/999/"));
    // Outside /api the server serves nothing (its own 404 page).
    APPREG_ASSERT_STATUS(404, http_->get("/index.html"));
    APPREG_ASSERT_STATUS(404, http_->get("/"));
}

void FrontServerScenarios::testMethodNotAllowedWithAllow() {
    const HttpResponse response = http_->send("PUT", "/api/v2/applications/", "{}", "application/json");
    APPREG_ASSERT_RESPONSE(405, R"({"detail": "Method \"PUT\" not allowed."})", response);
    CPPUNIT_ASSERT_MESSAGE(where() + response.describe(),
                           response.header("Allow").find("POST") != std::string::npos);
}

void FrontServerScenarios::testWrongContentTypeIs415() {
    const char* const expected =
        R"({"detail": "You did not use correct Content-Type in your HTTP request. )"
        R"(If you are using our REST API, the Content-Type must be application/json"})";
    APPREG_ASSERT_RESPONSE(415, expected,
                           http_->send("POST", "/api/v2/applications/", R"({"name": "x"})", "text/plain"));
    APPREG_ASSERT_RESPONSE(415, expected, http_->send("POST", "/api/v2/applications/", R"({"name": "x"})"));
}

void FrontServerScenarios::testMissingTrailingSlashRedirects() {
    const HttpResponse response = http_->get("/api/v2/organizations?page=2");
    APPREG_ASSERT_STATUS(301, response);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + response.describe(), std::string("/api/v2/organizations/?page=2"),
                                 response.header("Location"));
}

void FrontServerScenarios::testBodyLimitMatchesTheWorkers() {
    // The configuration's limit and the worker's default must agree: a smaller one refuses bodies the worker
    // accepts, a larger one lets the worker answer instead (or, for chunked bodies, buffer them first).
    CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + server_->shippedConfigPath() +
                                     ": the body limit differs from the worker's request.max_body_bytes",
                                 kWorkerDefaultMaxBody, server_->bodyLimitBytes());
}

void FrontServerScenarios::testBodyOverLimitIs413() {
    expectLogLinesFor(FrontServer::Event::kBodyOverLimit);
    const std::string body(server_->bodyLimitBytes() + 1, ' ');
    const HttpResponse response = http_->send("POST", "/api/v2/applications/", body, "application/json");
    APPREG_ASSERT_STATUS(413, response);
    assertWorkerNeverSaw("POST", "/api/v2/applications/");
}

void FrontServerScenarios::testChunkedBodyOverLimitIsRefused() {
    expectLogLinesFor(FrontServer::Event::kChunkedBodyOverLimit);
    const std::string body(server_->bodyLimitBytes() + 1, ' ');
    const HttpResponse response =
        http_->send("POST", "/api/v2/applications/", body, "application/json", {}, true);
    const int status = server_->chunkedOverLimitStatus();
    if (status == 0) {
        // Apache mod_proxy_fcgi streams chunked bodies to the worker (platform notes §4.2); the worker's own
        // cap answers, after reading at most limit + 1 bytes.
        APPREG_ASSERT_RESPONSE(413,
                               R"({"detail": "Request body exceeds the limit of )" +
                                   std::to_string(kWorkerDefaultMaxBody) + R"( bytes."})",
                               response);
    } else {
        APPREG_ASSERT_STATUS(status, response);
        assertWorkerNeverSaw("POST", "/api/v2/applications/");
    }
}

void FrontServerScenarios::testBodyAtLimitIsAccepted() {
    const std::string body = paddedOrganization("at-the-limit", server_->bodyLimitBytes());
    APPREG_ASSERT_STATUS(201, http_->postJson("/api/v2/organizations/", body));
}

void FrontServerScenarios::testChunkedBodyWithinLimitIsAccepted() {
    const HttpResponse org = http_->postJson("/api/v2/organizations/", R"({"name": "chunked-org"})");
    APPREG_ASSERT_STATUS(201, org);
    const std::string orgId = JsonAssert::parseObject(org.body)->getValue<std::string>("id");
    APPREG_ASSERT_STATUS(201, http_->send("POST", "/api/v2/applications/", appBody("chunked", orgId),
                                          "application/json", {}, true));
    // A bigger one, spooled by the servers that buffer bodies.
    const std::string big = paddedOrganization("chunked-big", 200000);
    APPREG_ASSERT_STATUS(201,
                         http_->send("POST", "/api/v2/organizations/", big, "application/json", {}, true));
}

void FrontServerScenarios::testParamsReachTheWorker() {
    // The same configuration in front of fcgi_params_echo instead of the worker: which FastCGI params does it
    // make the server send?
    server_->stop();
    server_.reset();
    FrontServerBackend backend;
    ChildProcess echo;
    if (kind() == FrontServerKind::kApacheFcgid) {
        backend.binary =
            FrontServer::executableFor(APPREG_PARAMS_ECHO_BINARY, FrontServer::serverUser(), *dir_);
        backend.configFile = workerConfig_;
        backend.database = fcgidDatabase_;
    } else {
        backend.socketPath = dir_->file("echo.sock");
        UniqueFd socket = WorkerProcess::createListeningSocket(backend.socketPath);
        if (FrontServer::runningAsRoot()) {
            const group* www = ::getgrnam("www-data");
            CPPUNIT_ASSERT_MESSAGE("no group www-data", www != nullptr);
            CPPUNIT_ASSERT_EQUAL(0, ::chown(backend.socketPath.c_str(), 0, www->gr_gid));
        }
        ChildProcess::Spec spec;
        spec.argv = {APPREG_PARAMS_ECHO_BINARY};
        spec.passFds = {{socket.get(), 0}};
        spec.stderrPath = dir_->file("echo.log");
        echo = ChildProcess(spec);
    }
    server_ = startServer(backend);
    const HttpClient http(server_->port());

    const std::string uri = "/api/v2/applications/%7Eraw/?name=a%20b&x=%2F";
    const std::string body = R"({"name": "params"})";
    const HttpResponse response = http.send("POST", uri, body, "application/json",
                                            {{"Authorization", "Bearer test-token-0123456789"},
                                             {"Proxy", "http://127.0.0.1:9/"},
                                             {"X-Custom", "custom-value"}});
    APPREG_ASSERT_STATUS(200, response);
    const auto echoed = JsonAssert::parseObject(response.body);
    const auto params = echoed->getObject("params");
    const auto param = [&params](const std::string& name) {
        return params->has(name) ? params->getValue<std::string>(name) : std::string("<absent>");
    };
    const std::string context = where() + response.body;
    // The worker routes on REQUEST_URI: it must be the raw request target, not decoded or normalised.
    CPPUNIT_ASSERT_EQUAL_MESSAGE(context, uri, param("REQUEST_URI"));
    CPPUNIT_ASSERT_EQUAL_MESSAGE(context, std::string("name=a%20b&x=%2F"), param("QUERY_STRING"));
    CPPUNIT_ASSERT_EQUAL_MESSAGE(context, std::string("POST"), param("REQUEST_METHOD"));
    CPPUNIT_ASSERT_EQUAL_MESSAGE(context, std::string("application/json"), param("CONTENT_TYPE"));
    CPPUNIT_ASSERT_EQUAL_MESSAGE(context, std::to_string(body.size()), param("CONTENT_LENGTH"));
    CPPUNIT_ASSERT_EQUAL_MESSAGE(context, static_cast<long long>(body.size()),
                                 echoed->getValue<long long>("body_bytes"));
    // Authorization must reach the worker (Apache needs CGIPassAuth On for that).
    CPPUNIT_ASSERT_EQUAL_MESSAGE(context, std::string("Bearer test-token-0123456789"),
                                 param("HTTP_AUTHORIZATION"));
    CPPUNIT_ASSERT_EQUAL_MESSAGE(context, std::string("custom-value"), param("HTTP_X_CUSTOM"));
    // httpoxy: a client's Proxy header must never become HTTP_PROXY.
    const std::string proxy = param("HTTP_PROXY");
    CPPUNIT_ASSERT_MESSAGE(context, proxy == "<absent>" || proxy.empty());

    // Dot segments and escapes stay raw too, so the worker can refuse them itself.
    const HttpResponse dots = http.get("/api/v2/x/../applications/");
    APPREG_ASSERT_STATUS(200, dots);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(
        where() + dots.body, std::string("/api/v2/x/../applications/"),
        JsonAssert::parseObject(dots.body)->getObject("params")->getValue<std::string>("REQUEST_URI"));

    // A chunked body arrives whole; if the server passes a CONTENT_LENGTH, it is the real one.
    const std::string chunked(50000, 'c');
    const HttpResponse chunkedResponse =
        http.send("POST", "/api/v2/applications/", chunked, "application/json", {}, true);
    APPREG_ASSERT_STATUS(200, chunkedResponse);
    const auto chunkedEcho = JsonAssert::parseObject(chunkedResponse.body);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + chunkedResponse.body, static_cast<long long>(chunked.size()),
                                 chunkedEcho->getValue<long long>("body_bytes"));
    const auto chunkedParams = chunkedEcho->getObject("params");
    if (chunkedParams->has("CONTENT_LENGTH") &&
        !chunkedParams->getValue<std::string>("CONTENT_LENGTH").empty()) {
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + chunkedResponse.body, std::to_string(chunked.size()),
                                     chunkedParams->getValue<std::string>("CONTENT_LENGTH"));
    }
    // The server is stopped by tearDown; the echo (socket servers) here.
    server_->stop();
    if (echo.pid() > 0) {
        echo.terminate(std::chrono::seconds(5));
    }
}

void FrontServerScenarios::testAuthorizationHeadersDoNotBreakAnything() {
    // Both schemes, with credentials the worker accepts: the superuser's password and a token of theirs.
    const HttpClient::Headers basic = {{"Authorization", TestSuperuser::authorization()}};
    const HttpResponse token = http_->postJson("/api/v2/tokens/", R"({"scope": "write"})", basic);
    APPREG_ASSERT_STATUS(201, token);
    const HttpClient::Headers bearer = {
        {"Authorization", "Bearer " + JsonAssert::parseObject(token.body)->getValue<std::string>("token")}};
    APPREG_ASSERT_STATUS(200, http_->get("/api/v2/ping/", bearer));
    const HttpResponse org = http_->postJson("/api/v2/organizations/", R"({"name": "auth-org"})", basic);
    APPREG_ASSERT_STATUS(201, org);
    const std::string orgId = JsonAssert::parseObject(org.body)->getValue<std::string>("id");
    APPREG_ASSERT_STATUS(201, http_->postJson("/api/v2/applications/", appBody("a", orgId), bearer));
    APPREG_ASSERT_RESPONSE(400, kSeedCreateErrors,
                           http_->postJson("/api/v2/applications/", R"({"name": "x"})", basic));

    // Without credentials the worker's 401 and its challenge reach the client as they are.
    HttpClient anonymous(server_->port());
    anonymous.setAuthorization(std::nullopt);
    const HttpResponse refused = anonymous.get("/api/v2/applications/");
    APPREG_ASSERT_RESPONSE(401, kNotAuthenticated, refused);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + refused.describe(), std::string(kChallenge),
                                 refused.header("WWW-Authenticate"));
}

void FrontServerScenarios::testWorkerRestart() {
    APPREG_ASSERT_STATUS(201, http_->postJson("/api/v2/organizations/", R"({"name": "before"})"));
    const auto deadline = [] { return std::chrono::steady_clock::now() + std::chrono::seconds(15); };
    if (server_->spawnsWorker()) {
        // mod_fcgid owns the worker: a worker that dies is replaced on the next request.
        auto* apache = dynamic_cast<ApacheProcess*>(server_.get());
        CPPUNIT_ASSERT(apache != nullptr);
        const std::vector<int> pids = apache->workerPids();
        CPPUNIT_ASSERT_MESSAGE(where() + "no worker process is running", !pids.empty());
        for (const int pid : pids) {
            ::kill(pid, SIGKILL);
        }
        // A request that reaches the dead process before mod_fcgid noticed fails (500) and is logged.
        allowedLogLines_.push_back("mod_fcgid: error reading data from FastCGI server");
        allowedLogLines_.push_back("End of script output before headers");
        const auto until = deadline();
        int status = 0;
        while (status != 200 && std::chrono::steady_clock::now() < until) {
            status = http_->get("/api/v2/ping/").status;
            if (status != 200) {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + "no answer after the worker was killed", 200, status);
    } else {
        expectLogLinesFor(FrontServer::Event::kWorkerDown);
        const WorkerProcess::StopResult stopped = worker_->stop();
        CPPUNIT_ASSERT_MESSAGE(stopped.status.describe(), stopped.status.isExit(0));
        const HttpResponse down = http_->get("/api/v2/ping/");
        APPREG_ASSERT_STATUS(server_->workerDownStatus(), down);
        worker_->start({"--config", workerConfig_});
        const auto until = deadline();
        int status = 0;
        while (status != 200 && std::chrono::steady_clock::now() < until) {
            status = http_->get("/api/v2/ping/").status;
            if (status != 200) {
                // lighttpd disables a failed backend for a moment before it retries.
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + "did not reconnect to the restarted worker", 200, status);
    }
    // The data survived.
    const HttpResponse list = http_->get("/api/v2/organizations/?name=before");
    APPREG_ASSERT_STATUS(200, list);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + list.body, 1LL,
                                 JsonAssert::parseObject(list.body)->getValue<long long>("count"));
}

void FrontServerScenarios::testLargeResponseArrivesWhole() {
    // A response larger than one FastCGI record (65,535 bytes): the worker sends it as several STDOUT records
    // in one write, and the server must join them into one HTTP body, every byte in order.
    constexpr int kOrganizations = 70;
    const std::string description(1000, 'd');
    for (int i = 0; i < kOrganizations; ++i) {
        const std::string name = "large-" + std::to_string(100 + i);
        APPREG_ASSERT_STATUS(
            201, http_->postJson("/api/v2/organizations/", R"({"name": ")" + name + R"(", "description": ")" +
                                                               description + name + R"("})"));
    }
    const HttpResponse list = http_->get("/api/v2/organizations/?name__startswith=large-&page_size=200");
    APPREG_ASSERT_STATUS(200, list);
    CPPUNIT_ASSERT_MESSAGE(where() + "the page is only " + std::to_string(list.body.size()) + " bytes",
                           list.body.size() > 65535);
    const auto page = JsonAssert::parseObject(list.body);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(where(), static_cast<long long>(kOrganizations),
                                 page->getValue<long long>("count"));
    const auto results = page->getArray("results");
    CPPUNIT_ASSERT_EQUAL_MESSAGE(where(), static_cast<std::size_t>(kOrganizations), results->size());
    for (int i = 0; i < kOrganizations; ++i) {
        const auto organization = results->getObject(static_cast<unsigned>(i));
        const std::string name = "large-" + std::to_string(100 + i);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where(), name, organization->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where(), description + name,
                                     organization->getValue<std::string>("description"));
    }
}

void FrontServerScenarios::testConcurrentCreates() {
    // Several clients at once: lighttpd/Apache/nginx open several connections to the worker's threads, and
    // mod_fcgid starts several worker processes on the one database.
    constexpr int kThreads = 4;
    constexpr int kPerThread = 5;
    std::atomic<int> created{0};
    std::vector<std::string> failures(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([this, t, &created, &failures] {
            try {
                const HttpClient client(server_->port(), std::chrono::seconds(30));
                for (int i = 0; i < kPerThread; ++i) {
                    const HttpResponse response = client.postJson(
                        "/api/v2/organizations/",
                        R"({"name": "concurrent-)" + std::to_string(t) + "-" + std::to_string(i) + R"("})");
                    if (response.status == 201) {
                        ++created;
                    } else if (failures[t].empty()) {
                        failures[t] = response.describe();
                    }
                }
            } catch (const std::exception& e) {
                failures[t] = e.what();
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    std::string failed;
    for (const std::string& failure : failures) {
        failed += failure.empty() ? "" : failure + "\n";
    }
    CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + failed, kThreads * kPerThread, created.load());
    const HttpResponse list = http_->get("/api/v2/organizations/?name__startswith=concurrent-");
    APPREG_ASSERT_STATUS(200, list);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(where() + list.body, static_cast<long long>(kThreads * kPerThread),
                                 JsonAssert::parseObject(list.body)->getValue<long long>("count"));
}

}  // namespace appreg::test
