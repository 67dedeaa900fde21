#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <semaphore>
#include <thread>

#include "appreg/store/Checkpointer.h"
#include "appreg/store/Database.h"

namespace appreg::store {

/// What the group commits of a process have done so far: how many writes shared how many transactions.
struct GroupCommitStats {
    std::uint64_t transactions = 0;  ///< group transactions begun (committed, or rolled back whole)
    std::uint64_t writes = 0;        ///< writes run in them
    std::size_t largest = 0;         ///< the most writes one transaction held
};

/// Group commit (issue 7): one writer thread with its own connection runs the writes of every request thread.
/// All writes waiting when the writer is free share one transaction, so one fsync makes them all durable;
/// each runs in its own savepoint, so one write's failure (a constraint, a validation error thrown from
/// inside) rolls back that write only.
class GroupCommitter {
public:
    using Job = std::function<void(Connection&)>;
    /// The most writes one transaction holds by default.
    static constexpr std::size_t kMaxGroup = 128;

    GroupCommitter(const DatabaseOptions& options, std::mutex& processWriteMutex,
                   std::size_t maxGroup = kMaxGroup, WaitHooks hooks = {});
    ~GroupCommitter();
    GroupCommitter(const GroupCommitter&) = delete;
    GroupCommitter& operator=(const GroupCommitter&) = delete;

    /// Runs `job` on the writer's connection inside a savepoint of the next group transaction and returns
    /// once that transaction is committed (durable per `synchronous`): only then may the caller acknowledge
    /// the write. An exception thrown by the job rolls back its savepoint and is rethrown here; if the
    /// transaction cannot begin or commit, every job of the group gets DatabaseUnavailable and nothing of it
    /// is kept. The calling thread calls the WaitHooks around its wait.
    void run(const Job& job);
    GroupCommitStats stats() const;
    /// SQLite with `checkpointPages` > 0: what the writer's checkpointer has done; otherwise all zero.
    CheckpointStats checkpointStats() const;

private:
    struct Pending {
        const Job* job;
        std::exception_ptr error;
        /// The waiting thread's own, so that a commit wakes only the threads whose writes it made durable
        /// (one shared condition woke all of them), and without the writer's mutex held: a thread woken by
        /// a condition variable under that mutex blocked on it at once and needed a second wake-up (context
        /// switches were a fifth of a create's CPU time, issue 7). Releasing it is the writer's last touch
        /// of this Pending.
        std::binary_semaphore* finished;
    };

    Connection _connection;
    std::size_t _maxGroup;
    WaitHooks _hooks;
    mutable std::mutex _mutex;
    std::condition_variable _wake;  ///< the writer: there is work, or stop
    std::deque<Pending*> _queue;
    bool _stopping = false;
    GroupCommitStats _stats;
    std::unique_ptr<Checkpointer> _checkpointer;  ///< before _writer: the writer thread uses it
    std::thread _writer;

    void writerLoop();
    void commitGroup(std::deque<Pending*>& group);
};

}  // namespace appreg::store
