#include "TestSuperuser.h"

#include "WorkerProcess.h"

#include <filesystem>
#include <stdexcept>

namespace appreg::test {

std::string TestSuperuser::configFile(const TempDir& dir) {
    const std::string path = dir.file("test-users.properties");
    if (TempDir::readFile(path).empty()) {
        dir.writeFile("test-users.properties",
                      "# written by the tests (TestSuperuser): cheap password hashes\n" + configLines());
    }
    return path;
}

ChildProcess::Result TestSuperuser::runCreateSuperuser(const TempDir& dir, const std::string& database,
                                                       const std::string& username,
                                                       const std::string& standardInput) {
    ChildProcess::Spec spec;
    spec.argv = {
        WorkerProcess::binary(), "create-superuser", "--db", database, "--username", username, "--config",
        configFile(dir)};
    spec.stdinPath = dir.writeFile("create-superuser.stdin", standardInput);
    spec.environment = {"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"};  // never the test runner's own
    ChildProcess::Result result = ChildProcess::run(spec, std::chrono::seconds(60));
    std::filesystem::remove(spec.stdinPath);  // a password has no business lying around
    return result;
}

void TestSuperuser::create(const TempDir& dir, const std::string& database) {
    const ChildProcess::Result result =
        runCreateSuperuser(dir, database, kUsername, std::string(kPassword) + "\n");
    if (result.timedOut || !result.status.isExit(0)) {
        throw std::runtime_error("creating the test superuser failed: " + WorkerProcess::binary() +
                                 " create-superuser --db " + database + " --username " + kUsername + ": " +
                                 (result.timedOut ? "no exit within 60 s" : result.status.describe()) +
                                 "\n--- stdout ---\n" + result.out + "--- stderr ---\n" + result.err +
                                 "--- end ---");
    }
}

}  // namespace appreg::test
