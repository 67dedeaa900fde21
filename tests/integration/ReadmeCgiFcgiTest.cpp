// The README's "Talking FastCGI directly with cgi-fcgi" block, run as written: the shell commands are read
// from README.md itself and executed with bash, so the README cannot drift from what works. Only the paths
// change: build/appreg-fcgi becomes the binary under test and /tmp/ the test's own directory; and after the
// line that starts the worker in the background (the one ending in a single '&') the test waits for its
// socket (a person typing the next command gives it that time). Then `kill %1`, as the README says, must
// stop the worker with status 0.
// Every route but ping needs credentials, so the block must create a superuser with
// `build/appreg-fcgi create-superuser` (the password on its standard input) and pass HTTP_AUTHORIZATION to
// each cgi-fcgi call. The one other change: that command gets `--config <file>` with
// auth.password_iterations = 1000 right after `create-superuser`, because the default 600 000 PBKDF2
// iterations cost ~0.7 s per hash and verification, many times that under ASan. Whatever the command prints
// before the first response is ignored.
// (CgiFcgiTest drives cgi-fcgi with a fuller parameter set; this one is the documented minimum.)

#include "ChildProcess.h"
#include "FcgiClient.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "TempDir.h"
#include "TestSuperuser.h"
#include "WorkerProcess.h"

#include <cppunit/extensions/HelperMacros.h>

#include <unistd.h>

#include <memory>
#include <sstream>

using namespace appreg::test;

class ReadmeCgiFcgiTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ReadmeCgiFcgiTest);
    CPPUNIT_TEST(testReadmeBlockCreatesOrganizationAndApplication);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override { dir_ = std::make_unique<TempDir>(); }
    void tearDown() override { dir_.reset(); }

    void testReadmeBlockCreatesOrganizationAndApplication() {
        CPPUNIT_ASSERT_MESSAGE("cgi-fcgi is missing: apt-get install libfcgi-bin",
                               ::access("/usr/bin/cgi-fcgi", X_OK) == 0);
        const std::string block = readmeBlock();
        CPPUNIT_ASSERT_MESSAGE(
            "the README block no longer starts the worker with build/appreg-fcgi ... &:\n" + block,
            block.find("build/appreg-fcgi") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE("the README block no longer uses cgi-fcgi -bind -connect:\n" + block,
                               block.find("cgi-fcgi -bind -connect") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(
            "the README block creates no user (build/appreg-fcgi create-superuser), so every call but ping "
            "gets 401:\n" +
                block,
            block.find("build/appreg-fcgi create-superuser") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE("the README block's cgi-fcgi calls pass no HTTP_AUTHORIZATION:\n" + block,
                               block.find("HTTP_AUTHORIZATION=") != std::string::npos);

        // The paths, cheap password hashes, and a wait for the socket after the worker's line.
        const std::string cheapHashes = "create-superuser --config " + TestSuperuser::configFile(*dir_);
        std::string script;
        std::istringstream lines(block);
        std::string line;
        while (std::getline(lines, line)) {
            // /tmp/ first: the binary's own path may well be under /tmp.
            replaceAll(line, "/tmp/", dir_->path() + "/");
            replaceAll(line, "build/appreg-fcgi", WorkerProcess::binary());
            if (line.find("--config") == std::string::npos) {
                replaceAll(line, "create-superuser", cheapHashes);
            }
            script += line + "\n";
            if (line.find(WorkerProcess::binary()) != std::string::npos && startsBackgroundJob(line)) {
                script += "for _ in $(seq 200); do [ -S " + dir_->file("appreg.sock") +
                          " ] && break; sleep 0.05; done\n";
            }
        }
        script += "kill %1\nwait %1\necho \"worker-exit=$?\"\n";

        ChildProcess::Spec spec;
        spec.argv = {"/bin/bash", "-c", script};
        spec.environment = {"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"};
        const ChildProcess::Result result = ChildProcess::run(spec, std::chrono::seconds(30));
        const std::string context =
            "--- script ---\n" + script + "--- stdout ---\n" + result.out + "\n--- stderr ---\n" + result.err;
        CPPUNIT_ASSERT_MESSAGE("the README block did not finish within 30 s\n" + context, !result.timedOut);
        CPPUNIT_ASSERT_MESSAGE("bash: " + result.status.describe() + "\n" + context, result.status.isExit(0));

        // Two raw CGI responses on stdout, one per cgi-fcgi call (the second right after the first's body),
        // then the worker's exit status; before them whatever create-superuser says, on lines of its own.
        const std::size_t first = firstResponse(result.out);
        const std::size_t second =
            first == std::string::npos ? first : result.out.find("Status: ", first + 1);
        const std::size_t end = result.out.find("worker-exit=");
        CPPUNIT_ASSERT_MESSAGE("not two responses\n" + context,
                               second != std::string::npos && end != std::string::npos && second < end);
        FcgiResponse organization;
        organization.stdoutRaw = result.out.substr(first, second - first);
        FcgiClient::parseCgiOutput(organization);
        FcgiResponse application;
        application.stdoutRaw = result.out.substr(second, end - second);
        FcgiClient::parseCgiOutput(application);

        APPREG_ASSERT_STATUS(201, organization);
        CPPUNIT_ASSERT_EQUAL(std::string("201 Created"), organization.statusLine);
        const auto org = JsonAssert::parseObject(organization.body);
        CPPUNIT_ASSERT_EQUAL(std::string("Default"), org->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(1LL, org->getValue<long long>("id"));

        APPREG_ASSERT_STATUS(201, application);
        const auto app = JsonAssert::parseObject(application.body);
        CPPUNIT_ASSERT_EQUAL(std::string("test app"), app->getValue<std::string>("name"));
        CPPUNIT_ASSERT_EQUAL(1LL, app->getValue<long long>("organization"));
        CPPUNIT_ASSERT_EQUAL(std::size_t(128), app->getValue<std::string>("client_secret").size());

        // "kill %1 (SIGTERM) stops the worker cleanly."
        CPPUNIT_ASSERT_MESSAGE(context, result.out.find("worker-exit=0") != std::string::npos);
    }

private:
    /// The first ```sh block after the heading "### Talking FastCGI directly with cgi-fcgi".
    static std::string readmeBlock() {
        const std::string readme = TempDir::readFile(std::string(APPREG_SOURCE_DIR) + "/README.md");
        const std::size_t heading = readme.find("### Talking FastCGI directly with cgi-fcgi");
        CPPUNIT_ASSERT_MESSAGE("README.md has no section \"Talking FastCGI directly with cgi-fcgi\"",
                               heading != std::string::npos);
        const std::size_t open = readme.find("```sh\n", heading);
        CPPUNIT_ASSERT_MESSAGE("that README section has no ```sh block", open != std::string::npos);
        const std::size_t begin = open + 6;
        const std::size_t close = readme.find("```", begin);
        CPPUNIT_ASSERT(close != std::string::npos);
        return readme.substr(begin, close - begin);
    }

    /// Where the first line starting with "Status: " begins, or npos.
    static std::size_t firstResponse(const std::string& out) {
        for (std::size_t at = out.find("Status: "); at != std::string::npos;
             at = out.find("Status: ", at + 1)) {
            if (at == 0 || out[at - 1] == '\n') {
                return at;
            }
        }
        return std::string::npos;
    }

    /// Whether a shell line ends by sending its command to the background (a final '&', not "&&").
    static bool startsBackgroundJob(const std::string& line) {
        const std::size_t last = line.find_last_not_of(" \t");
        return last != std::string::npos && line[last] == '&' && (last == 0 || line[last - 1] != '&');
    }

    static void replaceAll(std::string& text, const std::string& from, const std::string& to) {
        for (std::size_t at = text.find(from); at != std::string::npos;
             at = text.find(from, at + to.size())) {
            text.replace(at, from.size(), to);
        }
    }

    std::unique_ptr<TempDir> dir_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(ReadmeCgiFcgiTest);
