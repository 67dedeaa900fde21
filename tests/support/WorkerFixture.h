#pragma once

#include "ApiClient.h"
#include "DatabaseFile.h"
#include "TempDir.h"
#include "WorkerProcess.h"

#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <string>
#include <vector>

namespace appreg::test {

/// Base of the integration suites: every test gets its own temporary directory and a freshly started worker
/// on a database there that holds only the test superuser, and tears both down afterwards (the worker is
/// stopped with SIGTERM). api() authenticates as that superuser.
class WorkerFixture : public CppUnit::TestFixture {
public:
    void setUp() override;
    void tearDown() override;

protected:
    /// Worker threads (--threads); suites that race requests ask for more.
    virtual int workerThreads() const { return 2; }
    /// Extra command-line arguments for the worker (e.g. --config).
    virtual std::vector<std::string> workerArgs() const { return {}; }
    /// Whether the worker's database gets the test superuser before the worker starts (it does unless a suite
    /// opts out: see WorkerProcess::Superuser).
    virtual WorkerProcess::Superuser superuser() const { return WorkerProcess::Superuser::kCreate; }
    /// Files written into the test directory before the worker starts, e.g. a configuration file; called with
    /// the directory so the arguments can name them.
    virtual void prepare(const TempDir& /*dir*/) {}

    TempDir& dir() { return *dir_; }
    WorkerProcess& worker() { return *worker_; }
    ApiClient& api() { return *api_; }
    DatabaseFile database() const { return DatabaseFile(worker_->databasePath()); }

    /// An organization created through the API (once per test, on first use).
    long long organization();

private:
    std::unique_ptr<TempDir> dir_;
    std::unique_ptr<WorkerProcess> worker_;
    std::unique_ptr<ApiClient> api_;
    long long organization_ = 0;
};

}  // namespace appreg::test
