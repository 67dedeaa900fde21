#include "WorkerFixture.h"

namespace appreg::test {

void WorkerFixture::setUp() {
    dir_ = std::make_unique<TempDir>();
    prepare(*dir_);
    worker_ = std::make_unique<WorkerProcess>(*dir_, workerThreads(), superuser());
    worker_->start(workerArgs());
    api_ = std::make_unique<ApiClient>(worker_->socketPath());
    organization_ = 0;
}

void WorkerFixture::tearDown() {
    api_.reset();
    worker_.reset();
    dir_.reset();
}

long long WorkerFixture::organization() {
    if (organization_ == 0) {
        organization_ = api_->createOrganization("test-org", "test-org-desc");
    }
    return organization_;
}

}  // namespace appreg::test
