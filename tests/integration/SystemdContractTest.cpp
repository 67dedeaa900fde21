// The contract between the worker and its systemd units (systemd/appreg.socket + appreg.service, and the
// appreg@.socket + appreg@.service templates), proved without systemd (CI's PID 1 is not systemd): the test
// reads the unit files and starts the worker exactly as systemd would from them:
//   - the socket unit's ListenStream (mapped into the test directory), SocketMode, DirectoryMode, Backlog:
//     the test creates that listening socket;
//   - the service's ExecStart, word for word (the binary under test in place of /usr/bin/appreg-fcgi, the
//     /etc and /var/lib paths mapped into the test directory, /etc/appreg/*.properties being the shipped
//     conf/appreg.properties, as the .deb installs it), its Environment= lines and nothing else from the
//     test's environment, its UMask, its StateDirectory (created with StateDirectoryMode);
//   - StandardInput=socket: the socket on fd 0 and no LISTEN_FDS; then the same unit with socket
//     activation's other convention, fd 3 with LISTEN_FDS=1 / LISTEN_PID / LISTEN_FDNAMES;
// the test superuser created in the service's database first (`appreg-fcgi create-superuser`, under the
// unit's UMask), as an operator does before the first request;
// then it serves requests, and SIGTERM (what `systemctl stop` sends) ends it with status 0 well within the
// unit's TimeoutStopSec, also while a client holds a connection open.
// What systemd adds beyond that (User=, the sandbox) is checked by scripts/check-systemd-units.sh
// (systemd-analyze verify/security) and by the .deb test (user, directories).

#include "ApiClient.h"
#include "ChildProcess.h"
#include "FcgiClient.h"
#include "ResponseAssert.h"
#include "SystemdUnit.h"
#include "TempDir.h"
#include "TestSuperuser.h"
#include "UniqueFd.h"
#include "WorkerProcess.h"

#include <cppunit/extensions/HelperMacros.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

using namespace appreg::test;

namespace {

const std::string kUnitDir = std::string(APPREG_SOURCE_DIR) + "/systemd/";

/// How the listening socket is handed over.
enum class Handover { kStandardInput, kListenFds };

/// One unit pair, started as systemd would start it, in a test directory.
class UnitRun {
public:
    UnitRun(const TempDir& dir, const std::string& socketUnit, const std::string& serviceUnit,
            const std::string& instance)
        : dir_(dir),
          socketName_(socketUnit),
          socket_(SystemdUnit::load(kUnitDir + socketUnit, instance)),
          service_(SystemdUnit::load(kUnitDir + serviceUnit, instance)),
          instance_(instance) {}

    const SystemdUnit& socketUnit() const { return socket_; }
    const SystemdUnit& service() const { return service_; }

    /// An absolute path of the unit mapped into the test directory (/run/x -> <dir>/run/x).
    std::string mapped(const std::string& path) const { return dir_.path() + path; }

    std::string socketPath() const { return mapped(socket_.value("Socket", "ListenStream")); }
    std::string logPath() const { return dir_.file("journal.log"); }
    std::chrono::milliseconds timeoutStop() const {
        return SystemdUnit::parseTimeSpan(service_.value("Service", "TimeoutStopSec"));
    }

    /// Creates the socket as the socket unit says, then starts ExecStart as the service says.
    void start(Handover handover) {
        createSocket();
        ChildProcess::Spec spec;
        spec.argv = command();
        spec.inheritEnvironment = false;
        // What systemd gives every service (systemd.exec(5), "Environment variables in spawned processes")
        // plus the unit's own Environment= lines.
        spec.environment = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
                            "STATE_DIRECTORY=" + stateDirectory()};
        for (const std::string& assignment : service_.environment()) {
            spec.environment.push_back(assignment);
        }
        // Not systemd's, but the sanitizer build's settings must reach its worker (scripts/test.sh).
        for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"}) {
            if (const char* value = std::getenv(name)) {
                spec.environment.push_back(std::string(name) + "=" + value);
            }
        }
        spec.stdoutPath = logPath();  // StandardOutput=journal, StandardError=journal
        spec.stderrPath = logPath();
        if (handover == Handover::kStandardInput) {
            spec.passFds = {{listener_.get(), 0}};
        } else {
            spec.passFds = {{listener_.get(), 3}};
            spec.environment.push_back("LISTEN_FDS=1");
            spec.environment.push_back("LISTEN_FDNAMES=" + socketName_);
            spec.setListenPid = true;
        }
        const unsigned umask = SystemdUnit::parseMode(service_.valueOr("Service", "UMask", "0022"));
        const mode_t previous = ::umask(umask);
        try {
            // An operator creates the first superuser before the first request (as the service's user, so
            // with its umask: the database file must come out as the service itself would create it).
            if (!superuserCreated_) {
                TestSuperuser::create(dir_, databasePath());
                superuserCreated_ = true;
            }
            process_ = ChildProcess(spec);
        } catch (...) {
            ::umask(previous);
            throw;
        }
        ::umask(previous);
        // The socket accepted before the worker existed: only an answer proves the worker serves it.
        const FcgiResponse ping = ApiClient(socketPath()).get("/api/v2/ping/");
        if (ping.status != 200) {
            throw std::runtime_error("the worker started from " + describe() + " did not answer a ping: " +
                                     ping.describe() + "\n--- its log ---\n" + log());
        }
    }

    /// SIGTERM, as `systemctl stop` sends; waits at most TimeoutStopSec (then SIGKILL, as systemd would).
    WorkerProcess::StopResult stop() {
        WorkerProcess::StopResult result;
        const auto begin = std::chrono::steady_clock::now();
        result.status = process_.terminate(timeoutStop(), &result.killed);
        result.elapsedMs = static_cast<long>(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - begin)
                .count());
        return result;
    }

    std::string log() const { return TempDir::readFile(logPath()); }
    pid_t pid() const { return process_.pid(); }
    std::string describe() const { return "ExecStart=" + service_.value("Service", "ExecStart"); }
    std::string databasePath() const {
        const std::vector<std::string> argv = command();
        for (std::size_t i = 0; i + 1 < argv.size(); ++i) {
            if (argv[i] == "--db") {
                return argv[i + 1];
            }
        }
        return {};
    }

private:
    std::string stateDirectory() const {
        return mapped("/var/lib/" + service_.value("Service", "StateDirectory"));
    }

    /// ExecStart with the binary under test and the paths mapped; creates what systemd or the package would
    /// have created (the state directory, the configuration file).
    std::vector<std::string> command() const {
        std::vector<std::string> argv = SystemdUnit::splitCommand(service_.value("Service", "ExecStart"));
        if (argv.empty() || argv[0] != "/usr/bin/appreg-fcgi") {
            throw std::runtime_error("ExecStart does not run /usr/bin/appreg-fcgi: " + describe());
        }
        argv[0] = WorkerProcess::binary();
        const unsigned stateMode =
            SystemdUnit::parseMode(service_.valueOr("Service", "StateDirectoryMode", "0755"));
        std::filesystem::create_directories(stateDirectory());
        ::chmod(stateDirectory().c_str(), stateMode);
        for (std::size_t i = 1; i < argv.size(); ++i) {
            std::string& word = argv[i];
            if (word.rfind("/etc/appreg/", 0) == 0) {
                // What the .deb installs as /etc/appreg/appreg.properties (and an operator copies per
                // instance).
                word = mapped(word);
                std::filesystem::create_directories(std::filesystem::path(word).parent_path());
                if (!std::filesystem::exists(word)) {
                    std::filesystem::copy_file(std::string(APPREG_SOURCE_DIR) + "/conf/appreg.properties",
                                               word);
                }
            } else if (word.rfind("/var/lib/", 0) == 0) {
                word = mapped(word);
            } else if (word.rfind("/", 0) == 0) {
                throw std::runtime_error("ExecStart names a path the test cannot map: " + word);
            }
        }
        return argv;
    }

    void createSocket() {
        if (listener_.valid()) {
            return;
        }
        const std::string path = socketPath();
        const std::string directory = std::filesystem::path(path).parent_path();
        std::filesystem::create_directories(directory);
        ::chmod(directory.c_str(),
                SystemdUnit::parseMode(socket_.valueOr("Socket", "DirectoryMode", "0755")));
        listener_ = UniqueFd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (!listener_.valid() || path.size() >= sizeof address.sun_path) {
            throw std::runtime_error("cannot create a unix socket at " + path);
        }
        std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
        const int backlog = std::stoi(socket_.valueOr("Socket", "Backlog", "4096"));
        if (::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(listener_.get(), backlog) != 0) {
            throw std::runtime_error("bind/listen " + path + ": " + std::strerror(errno));
        }
        ::chmod(path.c_str(), SystemdUnit::parseMode(socket_.value("Socket", "SocketMode")));
    }

    const TempDir& dir_;
    std::string socketName_;
    SystemdUnit socket_;
    SystemdUnit service_;
    std::string instance_;
    UniqueFd listener_;
    ChildProcess process_;
    bool superuserCreated_ = false;
};

}  // namespace

class SystemdContractTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SystemdContractTest);
    CPPUNIT_TEST(testUnitsDeclareTheContract);
    CPPUNIT_TEST(testTemplateDeclaresTheSameContract);
    CPPUNIT_TEST(testServesWithTheSocketOnStandardInput);
    CPPUNIT_TEST(testServesWithTheSocketOnFd3);
    CPPUNIT_TEST(testTemplateInstanceServes);
    CPPUNIT_TEST(testStopsWithinTimeoutStopSecWhileAClientHoldsAConnection);
    CPPUNIT_TEST_SUITE_END();

public:
    void setUp() override { dir_ = std::make_unique<TempDir>(); }
    void tearDown() override { dir_.reset(); }

    void testUnitsDeclareTheContract() { assertContract("appreg.socket", "appreg.service", ""); }

    void testTemplateDeclaresTheSameContract() { assertContract("appreg@.socket", "appreg@.service", "ci"); }

    void testServesWithTheSocketOnStandardInput() {
        UnitRun run(*dir_, "appreg.socket", "appreg.service", "");
        run.start(Handover::kStandardInput);
        serveAndStop(run);
    }

    void testServesWithTheSocketOnFd3() {
        UnitRun run(*dir_, "appreg.socket", "appreg.service", "");
        run.start(Handover::kListenFds);
        serveAndStop(run);
    }

    void testTemplateInstanceServes() {
        // Two instances side by side: separate sockets, separate databases.
        UnitRun first(*dir_, "appreg@.socket", "appreg@.service", "first");
        UnitRun second(*dir_, "appreg@.socket", "appreg@.service", "second");
        CPPUNIT_ASSERT(first.socketPath() != second.socketPath());
        CPPUNIT_ASSERT(first.databasePath() != second.databasePath());
        first.start(Handover::kStandardInput);
        second.start(Handover::kStandardInput);
        ApiClient(first.socketPath()).createOrganization("only-in-first");
        const FcgiResponse list =
            ApiClient(second.socketPath()).get("/api/v2/organizations/?name=only-in-first");
        APPREG_ASSERT_STATUS(200, list);
        CPPUNIT_ASSERT_MESSAGE(list.describe(), list.body.find("\"count\":0") != std::string::npos ||
                                                    list.body.find("\"count\": 0") != std::string::npos);
        serveAndStop(first);
        serveAndStop(second);
    }

    void testStopsWithinTimeoutStopSecWhileAClientHoldsAConnection() {
        UnitRun run(*dir_, "appreg.socket", "appreg.service", "");
        run.start(Handover::kStandardInput);
        // A client that connected and began a request but sends nothing more (a stuck front server).
        UniqueFd idle = FcgiClient(run.socketPath()).connectRaw();
        CPPUNIT_ASSERT(FcgiClient::writeAll(idle.get(), FcgiClient::beginRequest()));
        // And one that connected and sent nothing at all.
        UniqueFd silent = FcgiClient(run.socketPath()).connectRaw();
        const WorkerProcess::StopResult stopped = run.stop();
        assertStoppedInTime(run, stopped);
    }

private:
    void assertContract(const std::string& socketName, const std::string& serviceName,
                        const std::string& instance) {
        const SystemdUnit socket = SystemdUnit::load(kUnitDir + socketName, instance);
        const SystemdUnit service = SystemdUnit::load(kUnitDir + serviceName, instance);
        const std::string where = serviceName + ": ";
        // What this test and the README rely on.
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where, std::string("socket"), service.value("Service", "StandardInput"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(
            where + "with StandardInput=socket, stdout would be the listening socket", std::string("journal"),
            service.value("Service", "StandardOutput"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where, std::string("on-failure"), service.value("Service", "Restart"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(where, std::string("appreg"), service.value("Service", "User"));
        CPPUNIT_ASSERT_MESSAGE(where + "no StateDirectory=", service.has("Service", "StateDirectory"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(socketName, std::string("0660"), socket.value("Socket", "SocketMode"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(socketName, std::string("www-data"),
                                     socket.value("Socket", "SocketGroup"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(
            socketName + ": StandardInput=socket needs a single socket with Accept=no", std::string("no"),
            socket.valueOr("Socket", "Accept", "no"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(socketName + ": one ListenStream=", std::size_t(1),
                                     socket.values("Socket", "ListenStream").size());
        CPPUNIT_ASSERT_MESSAGE(
            socketName + ": the socket must be a unix socket path, never a network address",
            socket.value("Socket", "ListenStream").rfind("/run/", 0) == 0);
        // The worker waits shutdown.grace_ms (default 5000, conf/appreg.properties) for in-flight requests;
        // systemd must not SIGKILL it before that.
        const auto timeout = SystemdUnit::parseTimeSpan(service.value("Service", "TimeoutStopSec"));
        CPPUNIT_ASSERT_MESSAGE(where + "TimeoutStopSec must exceed shutdown.grace_ms (5 s)",
                               timeout > std::chrono::milliseconds(5000));
        const std::vector<std::string> argv =
            SystemdUnit::splitCommand(service.value("Service", "ExecStart"));
        CPPUNIT_ASSERT_MESSAGE(where + "ExecStart must not pass --listen (the socket comes from systemd)",
                               std::find(argv.begin(), argv.end(), "--listen") == argv.end());
    }

    void serveAndStop(UnitRun& run) {
        ApiClient api(run.socketPath());
        const long long org = api.createOrganization("systemd-org");
        APPREG_ASSERT_STATUS(201, api.createApplication(ApiClient::seedApplication(org)));
        APPREG_ASSERT_STATUS(200, api.get("/api/v2/applications/"));
        // UMask=0027: the database is not readable by others, nor writable by the group.
        struct stat info {};
        CPPUNIT_ASSERT_EQUAL_MESSAGE(run.databasePath(), 0, ::stat(run.databasePath().c_str(), &info));
        CPPUNIT_ASSERT_MESSAGE(run.databasePath() + " has mode " + std::to_string(info.st_mode & 0777),
                               (info.st_mode & 0027) == 0);
        const WorkerProcess::StopResult stopped = run.stop();
        assertStoppedInTime(run, stopped);
    }

    static void assertStoppedInTime(UnitRun& run, const WorkerProcess::StopResult& stopped) {
        const long limit = static_cast<long>(run.timeoutStop().count());
        CPPUNIT_ASSERT_MESSAGE("SIGTERM did not stop the worker within TimeoutStopSec (" +
                                   std::to_string(limit) + " ms): systemd would have killed it\n" + run.log(),
                               !stopped.killed);
        CPPUNIT_ASSERT_MESSAGE("stopping took " + std::to_string(stopped.elapsedMs) +
                                   " ms, TimeoutStopSec is " + std::to_string(limit) + " ms",
                               stopped.elapsedMs < limit);
        // Exit status 0: with Restart=on-failure systemd treats anything else as a failure.
        CPPUNIT_ASSERT_MESSAGE(stopped.status.describe() + "\n" + run.log(), stopped.status.isExit(0));
    }

    std::unique_ptr<TempDir> dir_;
};

CPPUNIT_TEST_SUITE_REGISTRATION(SystemdContractTest);
