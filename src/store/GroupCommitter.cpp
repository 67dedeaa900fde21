#include "appreg/store/GroupCommitter.h"

#include <algorithm>
#include <utility>

namespace appreg::store {

namespace {

std::unique_ptr<Checkpointer> makeCheckpointer(const DatabaseOptions& options, std::mutex& processWriteMutex,
                                               Connection& writer) {
    if (writer.backend() != Backend::SQLite || options.checkpointPages <= 0) return nullptr;
    return std::make_unique<Checkpointer>(options, processWriteMutex, writer.statements().db(),
                                          options.checkpointPages);
}

}  // namespace

GroupCommitter::GroupCommitter(const DatabaseOptions& options, std::mutex& processWriteMutex,
                               std::size_t maxGroup, WaitHooks hooks)
    : _connection(options, processWriteMutex),
      _maxGroup(maxGroup),
      _hooks(std::move(hooks)),
      _checkpointer(makeCheckpointer(options, processWriteMutex, _connection)),
      _writer(&GroupCommitter::writerLoop, this) {}

GroupCommitter::~GroupCommitter() {
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _stopping = true;
    }
    _wake.notify_all();
    _writer.join();
}

void GroupCommitter::run(const Job& job) {
    // One per thread for as long as the thread lives, not one per call: the woken thread may leave run(),
    // and `pending` with it, while the writer's release() is still returning.
    thread_local std::binary_semaphore finished{0};
    Pending pending{&job, nullptr, &finished};
    // Before queueing: once queued, nothing may leave this function before the writer's release.
    if (_hooks.waiting) _hooks.waiting();
    try {
        std::lock_guard<std::mutex> lock(_mutex);
        _queue.push_back(&pending);
    } catch (...) {
        if (_hooks.resumed) _hooks.resumed();
        throw;
    }
    _wake.notify_one();
    finished.acquire();
    if (_hooks.resumed) _hooks.resumed();
    if (pending.error) std::rethrow_exception(pending.error);
}

GroupCommitStats GroupCommitter::stats() const {
    std::lock_guard<std::mutex> lock(_mutex);
    return _stats;
}

CheckpointStats GroupCommitter::checkpointStats() const {
    return _checkpointer ? _checkpointer->stats() : CheckpointStats{};
}

void GroupCommitter::writerLoop() {
    for (;;) {
        std::deque<Pending*> group;
        {
            std::unique_lock<std::mutex> lock(_mutex);
            if (_checkpointer && _queue.empty() && !_stopping) {
                lock.unlock();
                _checkpointer->idle();
                lock.lock();
            }
            _wake.wait(lock, [this] { return _stopping || !_queue.empty(); });
            if (_queue.empty()) return;  // stopping, and every queued write has been answered
            while (!_queue.empty() && group.size() < _maxGroup) {
                group.push_back(_queue.front());
                _queue.pop_front();
            }
            ++_stats.transactions;
            _stats.writes += group.size();
            _stats.largest = std::max(_stats.largest, group.size());
        }
        if (_checkpointer) _checkpointer->beforeWrite();
        commitGroup(group);
        // Once released, run() may return and `p` is gone.
        for (Pending* p : group) p->finished->release();
    }
}

void GroupCommitter::commitGroup(std::deque<Pending*>& group) {
    std::exception_ptr groupError;
    try {
        WriteTransaction tx(_connection);
        bool anyKept = false;
        for (Pending* p : group) {
            Query(_connection, "SAVEPOINT appreg_write").run();
            try {
                (*p->job)(_connection);
                Query(_connection, "RELEASE appreg_write").run();
                anyKept = true;
            } catch (...) {
                p->error = std::current_exception();
                try {
                    Query(_connection, "ROLLBACK TO appreg_write").run();
                    Query(_connection, "RELEASE appreg_write").run();
                } catch (...) {
                    // The transaction itself is broken (e.g. SQLITE_FULL rolled it back): fail the whole
                    // group.
                    throw;
                }
            }
        }
        if (anyKept) tx.commit();  // one fsync for the whole group
    } catch (...) {
        try {
            rethrowTranslated();
        } catch (const DatabaseUnavailable&) {
            groupError = std::current_exception();
        } catch (...) {
            groupError = std::make_exception_ptr(DatabaseUnavailable("the group transaction failed"));
        }
    }
    if (!groupError) return;
    // Nothing of this group was kept: jobs that had succeeded learn it now; failed ones keep their own error.
    for (Pending* p : group) {
        if (!p->error) p->error = groupError;
    }
}

}  // namespace appreg::store
