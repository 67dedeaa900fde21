#pragma once

#include "ChildProcess.h"
#include "ScratchDatabase.h"
#include "TempDir.h"

#include <chrono>
#include <string>
#include <vector>

namespace appreg::test {

/// The real appreg-fcgi binary (APPREG_FCGI_BINARY) as a child process, on a database (ScratchDatabase: a
/// SQLite file in the test's temporary directory, or a fresh PostgreSQL database), socket and log file in a
/// test's temporary directory:
///   appreg-fcgi --db <dir>/appreg.db --listen unix:<dir>/appreg.sock --threads N
///               [--config TestSuperuser::configFile(dir), unless the extra args hold a --config] [extra
///               args]
/// Its stdout and stderr go to <dir>/worker.log (appended across restarts), which log() returns.
/// Before the first start it creates the test superuser (TestSuperuser) in that database with the real
/// `appreg-fcgi create-superuser`, unless constructed with Superuser::kNone. A test that passes its own
/// --config and hashes passwords in the worker (users created through the API, unknown usernames) should put
/// TestSuperuser::configLines() in that file.
class WorkerProcess {
public:
    /// How stop() went.
    struct StopResult {
        ExitStatus status;
        long elapsedMs = 0;   ///< from SIGTERM to reaping
        bool killed = false;  ///< SIGKILL was needed because the worker ignored SIGTERM past the grace time
    };

    /// Where the listening socket comes from.
    enum class Listen {
        kArgument,    ///< --listen unix:<socket> (the worker creates the socket)
        kInheritFd0,  ///< the test creates the socket and hands it over as fd 0, no --listen (spawn-fcgi,
                      ///< mod_fcgid)
        kSystemdFd3,  ///< the test creates the socket, hands it over as fd 3 with LISTEN_FDS=1,
                      ///< LISTEN_PID=<pid>
    };

    /// Whether the database gets the test superuser before the worker first starts.
    enum class Superuser {
        kCreate,  ///< TestSuperuser::create() once, before the first spawn (what every test that sends
                  ///< requests needs)
        kNone,    ///< nothing: for a test whose worker must meet its database exactly as the test left it
                  ///< (a path that cannot work, a startup error to observe), which create-superuser would
                  ///< otherwise create, change or fail on first
    };

    /// Nothing runs until start(). `engine`: see ScratchDatabase (kSQLite: the SQLite file even when the
    /// suites run on PostgreSQL).
    explicit WorkerProcess(const TempDir& dir, int threads = 2, Superuser superuser = Superuser::kCreate,
                           ScratchDatabase::Engine engine = ScratchDatabase::Engine::kFromEnvironment);
    ~WorkerProcess();

    WorkerProcess(const WorkerProcess&) = delete;
    WorkerProcess& operator=(const WorkerProcess&) = delete;

    /// The path of the binary under test: the one this build made, or $APPREG_TEST_WORKER_BINARY when set
    /// (e.g. a ThreadSanitizer build of the same source).
    static std::string binary();

    /// Starts the worker and waits until it serves: until its socket accepts connections (kArgument) or until
    /// it answered a request (inherited sockets, which accept as soon as the test created them). Throws
    /// std::runtime_error with the worker's log if it exits or is not ready within `timeout`.
    void start(const std::vector<std::string>& extraArgs = {}, Listen listen = Listen::kArgument,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));

    /// Starts the worker without waiting for anything (after creating the superuser, the first time, when
    /// asked to; that failing throws std::runtime_error with the command's output).
    void spawn(const std::vector<std::string>& extraArgs = {}, Listen listen = Listen::kArgument);

    /// Waits until the worker's socket accepts connections; throws with the log on exit or timeout.
    void waitUntilListening(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    /// SIGTERM, then wait up to `grace` (SIGKILL after that). Always reaps.
    StopResult stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

    /// SIGKILL and reap.
    ExitStatus kill();

    /// Sends a signal without waiting for anything.
    void sendSignal(int sig) { process_.signal(sig); }

    /// Waits until the worker has taken delivery of a signal sent with sendSignal() (it is no longer pending
    /// in /proc/<pid>/status, i.e. a handler or sigwait consumed it); false after `timeout`.
    bool waitUntilSignalTaken(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(5));

    /// How many sockets the worker has open (/proc/<pid>/fd): the listening one plus accepted connections.
    int openSockets() const;

    /// Waits at most `timeout` for the worker to exit by itself.
    std::optional<ExitStatus> waitForExit(std::chrono::milliseconds timeout);

    bool running();
    pid_t pid() const { return process_.pid(); }

    /// What --db says: the SQLite path or the PostgreSQL URL (see ScratchDatabase).
    const std::string& databasePath() const { return databasePath_; }
    const std::string& socketPath() const { return socketPath_; }
    const std::string& logPath() const { return logPath_; }
    /// "unix:<socket>", the form --listen takes.
    std::string listenAddress() const { return "unix:" + socketPath_; }

    /// Everything the worker wrote to stdout and stderr so far.
    std::string log() const;

    /// Polls the log until it contains `needle` (the worker may write its access line after answering).
    bool waitForLog(const std::string& needle,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

    /// A unix listening socket (backlog 64, mode 0660) bound to `path`, which must not exist yet.
    static UniqueFd createListeningSocket(const std::string& path);

private:
    std::string failureReport(const std::string& what);

    const TempDir& dir_;
    int threads_;
    bool superuserPending_;
    ScratchDatabase database_;
    std::string databasePath_;
    std::string socketPath_;
    std::string logPath_;
    UniqueFd inheritedSocket_;
    ChildProcess process_;
};

}  // namespace appreg::test
