// Crash consistency (issue 6): several clients create and update applications concurrently while the worker
// is killed with SIGKILL at random moments, round after round, each time restarted on the same database.
// Then:
//   - every request that got 201/200 is in the database with exactly the acknowledged content (the last
//     acknowledged write of each application, unless a later write that never got an answer won);
//   - a request that got no answer left all of its effects or none (a create whose answer was lost may exist,
//     then whole and with its create entry); nothing exists that no request asked for;
//   - the activity stream matches the rows: one create entry per application with its create values, and the
//     update entries form the application's history, every acknowledged update included;
//   - PRAGMA integrity_check is "ok" and PRAGMA foreign_key_check is empty (SQLite); on both engines no
//     application lacks its organization and the trigger-kept row counts match the rows.
// The random seed is printed in every failure message (APPREG_CRASH_SEED=<seed> repeats a run).

#include "DatabaseRows.h"
#include "JsonAssert.h"
#include "ResponseAssert.h"
#include "UserSteps.h"
#include "WorkerFixture.h"

#include <Poco/DigestEngine.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SHA2Engine.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

using namespace appreg::test;

namespace {

constexpr int kRounds = 6;
constexpr int kClients = 6;

/// One write sent by a client, and what came of it.
struct Write {
    enum Kind { kCreate, kPatch } kind;
    std::string name;         ///< the application's name (unique in the test)
    std::string description;  ///< unique per write: tells which write a stored state came from
    bool skip = false;
    enum Outcome { kAcknowledged, kNoAnswer, kRefused } outcome = kNoAnswer;
    Poco::JSON::Object::Ptr answer;  ///< the 201/200 body when acknowledged
    std::string refusal;             ///< the response when refused
};

std::string field(const Poco::JSON::Object::Ptr& o, const std::string& key) {
    const Poco::Dynamic::Var v = o->get(key);
    if (v.isEmpty()) {
        return "<null>";
    }
    if (v.isBoolean()) {
        return v.extract<bool>() ? "1" : "0";
    }
    return v.convert<std::string>();
}

std::string sha256Hex(const std::string& text) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(text);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

}  // namespace

class CrashConsistencyTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(CrashConsistencyTest);
    CPPUNIT_TEST(testSigkillDuringConcurrentWrites);
    CPPUNIT_TEST_SUITE_END();

public:
    void testSigkillDuringConcurrentWrites() {
        const char* fixedSeed = std::getenv("APPREG_CRASH_SEED");
        seed_ = fixedSeed ? std::strtoul(fixedSeed, nullptr, 10) : std::random_device{}();
        std::mt19937 random(seed_);
        org_ = organization();

        std::map<std::string, std::vector<Write>> history;  // by application name, in the order sent
        std::map<std::string, long long> ids;               // acknowledged creates: name -> id
        int acknowledged = 0, unanswered = 0;
        std::vector<long> killAfterMs;
        for (int round = 0; round < kRounds; ++round) {
            if (round > 0) {
                worker().start();
            }
            std::atomic<bool> stop{false};
            std::vector<std::vector<Write>> perClient(kClients);
            std::vector<std::thread> clients;
            for (int c = 0; c < kClients; ++c) {
                // Each client updates only applications it created, so the writes of one application are
                // sent one after another and their order is known.
                std::vector<std::pair<std::string, long long>> mine;
                for (const auto& [name, id] : ids) {
                    if (name.rfind("c" + std::to_string(c) + "-", 0) == 0) {
                        mine.emplace_back(name, id);
                    }
                }
                clients.emplace_back([this, c, round, mine, &perClient, &stop, seed = random()]() mutable {
                    runClient(c, round, std::move(mine), seed, perClient[c], stop);
                });
            }
            const long delay = std::uniform_int_distribution<long>(150, 900)(random);
            std::this_thread::sleep_for(std::chrono::milliseconds(delay));
            const ExitStatus killed = worker().kill();
            killAfterMs.push_back(delay);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + killed.describe(), SIGKILL, killed.signal);
            stop = true;
            for (std::thread& t : clients) {
                t.join();
            }
            for (const auto& writes : perClient) {
                for (const Write& w : writes) {
                    CPPUNIT_ASSERT_MESSAGE(context() + "a write was refused: " + w.refusal,
                                           w.outcome != Write::kRefused);
                    (w.outcome == Write::kAcknowledged ? acknowledged : unanswered) += 1;
                    history[w.name].push_back(w);
                    if (w.kind == Write::kCreate && w.outcome == Write::kAcknowledged) {
                        ids[w.name] = w.answer->getValue<long long>("id");
                    }
                }
            }
        }
        CPPUNIT_ASSERT_MESSAGE(
            context() + "too few writes were acknowledged to prove anything: " + std::to_string(acknowledged),
            acknowledged >= 50);

        // First as SQLite recovers the file on its own after the last SIGKILL, then through the restarted
        // worker.
        verifyDatabase(history, ids);
        worker().start();
        for (const auto& [name, id] : ids) {
            const FcgiResponse r = api().get("/api/v2/applications/" + std::to_string(id) + "/");
            APPREG_ASSERT_STATUS(200, r);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + r.describe(), name,
                                         JsonAssert::parseObject(r.body)->getValue<std::string>("name"));
        }
        std::string kills;
        for (long ms : killAfterMs) {
            kills += std::to_string(ms) + " ";
        }
        std::cerr << "  [CrashConsistencyTest: seed " << seed_ << ", " << kRounds << " SIGKILLs after "
                  << kills << "ms; " << acknowledged << " writes acknowledged, " << unanswered
                  << " unanswered, " << ids.size() << " acknowledged applications all found, "
                  << DatabaseFile(worker().databasePath()).count("applications") << " rows]\n";
    }

protected:
    int workerThreads() const override { return 4; }

private:
    std::string context() const { return "[seed " + std::to_string(seed_) + "] "; }

    /// Sends writes until the worker is gone (the first request without an answer ends the client's round).
    void runClient(int c, int round, std::vector<std::pair<std::string, long long>> mine, unsigned seed,
                   std::vector<Write>& out, std::atomic<bool>& stop) {
        std::mt19937 random(seed);
        for (int seq = 0; !stop; ++seq) {
            Write w;
            const std::string tag =
                std::to_string(round) + "." + std::to_string(c) + "." + std::to_string(seq);
            w.skip = random() % 2 == 0;
            w.description = "written by " + tag;
            std::string method, uri, body;
            if (mine.size() < 3 || random() % 2 == 0) {
                w.kind = Write::kCreate;
                w.name = "c" + std::to_string(c) + "-" + tag;
                method = "POST";
                uri = ApiClient::kApplications;
                body = JsonAssert::with(ApiClient::seedApplication(org_, w.name), "description",
                                        JsonAssert::quote(w.description));
            } else {
                w.kind = Write::kPatch;
                const auto& [name, id] = mine[random() % mine.size()];
                w.name = name;
                method = "PATCH";
                uri = "/api/v2/applications/" + std::to_string(id) + "/";
                body = "{\"description\": " + JsonAssert::quote(w.description) + "}";
            }
            body = JsonAssert::with(body, "skip_authorization", w.skip ? "true" : "false");
            FcgiResponse r;
            try {
                r = api().send(method, uri, body, "application/json", std::chrono::seconds(10));
            } catch (const std::exception& e) {
                r.transportError = e.what();  // connect refused: the worker is gone
            }
            if (r.ended && r.status == (w.kind == Write::kCreate ? 201 : 200)) {
                w.outcome = Write::kAcknowledged;
                w.answer = JsonAssert::parseObject(r.body);
                if (w.kind == Write::kCreate) {
                    mine.emplace_back(w.name, w.answer->getValue<long long>("id"));
                }
            } else if (r.ended) {
                w.outcome = Write::kRefused;
                w.refusal = method + " " + uri + " " + body + ": " + r.describe();
            }
            out.push_back(w);
            if (w.outcome != Write::kAcknowledged) {
                return;
            }
        }
    }

    void verifyDatabase(const std::map<std::string, std::vector<Write>>& history,
                        const std::map<std::string, long long>& ids) {
        const DatabaseRows db(worker().databasePath());
        if (!DatabaseRows::isPostgres(worker().databasePath())) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + "integrity_check", std::string("ok"),
                                         db.column("PRAGMA integrity_check").at(0));
            CPPUNIT_ASSERT_MESSAGE(context() + "foreign_key_check found orphans",
                                   db.column("PRAGMA foreign_key_check").empty());
        }
        // On either engine: no orphans, and the trigger-kept row counts agree with the rows.
        CPPUNIT_ASSERT_EQUAL_MESSAGE(
            context() + "applications without their organization", 0LL,
            db.integer("SELECT count(*) FROM applications a LEFT JOIN organizations o "
                       "ON o.id = a.organization_id WHERE o.id IS NULL"));
        for (const char* table : {"applications", "organizations", "activity_stream"}) {
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                context() + "row_counts of " + table,
                db.integer(std::string("SELECT count(*) FROM ") + table),
                db.integer(std::string("SELECT n FROM row_counts WHERE table_name = '") + table + "'"));
        }

        std::map<std::string, DatabaseRows::Row> rows;  // by name
        for (const auto& row : db.query("SELECT * FROM applications")) {
            rows[row.at("name")] = row;
        }
        std::map<std::string, std::vector<DatabaseRows::Row>> entries;  // by application id
        for (const auto& e :
             db.query("SELECT * FROM activity_stream WHERE object1 = 'o_auth2_application' ORDER BY id")) {
            entries[e.at("object1_id")].push_back(e);
        }

        // Nothing that no request asked for.
        for (const auto& [name, row] : rows) {
            CPPUNIT_ASSERT_MESSAGE(context() + "an application nobody created: " + name,
                                   history.count(name) == 1);
        }
        std::size_t rowsWithEntries = 0;
        for (const auto& [name, writes] : history) {
            const auto ack = ids.find(name);
            const auto found = rows.find(name);
            const Write& create = writes.front();
            CPPUNIT_ASSERT(create.kind == Write::kCreate);
            if (ack != ids.end()) {
                CPPUNIT_ASSERT_MESSAGE(context() + "an acknowledged create is missing: " + name,
                                       found != rows.end());
            }
            if (found == rows.end()) {
                CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + name, std::size_t(1),
                                             writes.size());  // never updated
                continue;
            }
            const DatabaseRows::Row& row = found->second;
            const std::string id = row.at("id");
            if (ack != ids.end()) {
                CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + name, std::to_string(ack->second), id);
            }

            // Which write's state is stored: the last acknowledged one, or a later one that got no answer.
            int last = -1;
            for (std::size_t i = 0; i < writes.size(); ++i) {
                if (writes[i].outcome == Write::kAcknowledged) {
                    last = static_cast<int>(i);
                }
            }
            int stored = -1;
            for (std::size_t i = 0; i < writes.size(); ++i) {
                if (writes[i].description == row.at("description")) {
                    stored = static_cast<int>(i);
                }
            }
            CPPUNIT_ASSERT_MESSAGE(context() + name + ": stored description \"" + row.at("description") +
                                       "\" is not one any write of it sent",
                                   stored >= 0);
            CPPUNIT_ASSERT_MESSAGE(context() + name + ": the stored state is from write " +
                                       std::to_string(stored) + ", older than the last acknowledged write " +
                                       std::to_string(last),
                                   stored >= last);
            for (int i = last + 1; i <= stored; ++i) {
                CPPUNIT_ASSERT_MESSAGE(context() + name +
                                           ": state of a write after the last acknowledged one that "
                                           "was not in doubt",
                                       writes[static_cast<std::size_t>(i)].outcome == Write::kNoAnswer);
            }
            CPPUNIT_ASSERT_EQUAL_MESSAGE(
                context() + name + " skip_authorization",
                std::string(writes[static_cast<std::size_t>(stored)].skip ? "1" : "0"),
                row.at("skip_authorization"));

            // Exactly the acknowledged content, when the acknowledged write is what is stored.
            if (stored == last) {
                const auto& answer = writes[static_cast<std::size_t>(last)].answer;
                for (const char* column : {"name", "description", "client_type", "redirect_uris",
                                           "authorization_grant_type", "client_id", "created", "modified"}) {
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + name + " " + column, field(answer, column),
                                                 row.at(column));
                }
                CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + name, field(answer, "skip_authorization"),
                                             row.at("skip_authorization"));
                CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + name, field(answer, "organization"),
                                             row.at("organization_id"));
            }
            if (create.outcome == Write::kAcknowledged) {
                // The secret shown once in the 201 is the one stored (as sha256$salt$hex).
                const std::string secret = create.answer->getValue<std::string>("client_secret");
                const std::string hash = row.at("client_secret_hash");
                const auto first = hash.find('$'), second = hash.find('$', first + 1);
                CPPUNIT_ASSERT_MESSAGE(
                    context() + name + ": stored secret hash does not match the secret in the 201",
                    second != std::string::npos &&
                        hash.substr(second + 1) ==
                            sha256Hex(hash.substr(first + 1, second - first - 1) + secret));
                CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + name, field(create.answer, "created"),
                                             row.at("created"));
            }

            // The activity stream: one create entry with the create's values, then the chain of updates.
            const auto& mine = entries[id];
            ++rowsWithEntries;
            CPPUNIT_ASSERT_MESSAGE(context() + name + ": no activity entries", !mine.empty());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + name + ": first entry", std::string("create"),
                                         mine[0].at("operation"));
            const auto createChanges = JsonAssert::parseObject(mine[0].at("changes"));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + name, name,
                                         createChanges->getValue<std::string>("name"));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + name, create.description,
                                         createChanges->getValue<std::string>("description"));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + name, create.skip,
                                         createChanges->getValue<bool>("skip_authorization"));
            std::string current = create.description;
            std::size_t nextWrite = 1;
            for (std::size_t k = 1; k < mine.size(); ++k) {
                CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + name + ": entry " + std::to_string(k),
                                             std::string("update"), mine[k].at("operation"));
                const auto changes = JsonAssert::parseObject(mine[k].at("changes"));
                const auto pair = changes->getArray("description");
                CPPUNIT_ASSERT_MESSAGE(context() + name + ": update entry without the description change: " +
                                           mine[k].at("changes"),
                                       !pair.isNull() && pair->size() == 2);
                CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + name + ": update chain", current,
                                             pair->getElement<std::string>(0));
                current = pair->getElement<std::string>(1);
                // The write it records, in the order sent; every acknowledged write skipped on the way is a
                // loss.
                while (nextWrite < writes.size() && writes[nextWrite].description != current) {
                    CPPUNIT_ASSERT_MESSAGE(context() + name + ": acknowledged update \"" +
                                               writes[nextWrite].description + "\" has no activity entry",
                                           writes[nextWrite].outcome != Write::kAcknowledged);
                    ++nextWrite;
                }
                CPPUNIT_ASSERT_MESSAGE(context() + name + ": an update entry no write explains: " + current,
                                       nextWrite < writes.size());
                ++nextWrite;
            }
            CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + name + ": the history ends where the row is",
                                         row.at("description"), current);
            for (; nextWrite < writes.size(); ++nextWrite) {
                CPPUNIT_ASSERT_MESSAGE(context() + name + ": acknowledged update without an entry",
                                       writes[nextWrite].outcome != Write::kAcknowledged);
            }
        }
        CPPUNIT_ASSERT_EQUAL_MESSAGE(context() + "activity entries of applications that do not exist",
                                     rowsWithEntries, entries.size());
    }

    unsigned long seed_ = 0;
    long long org_ = 0;
};

/// The same kills while the WAL is copied back all the time: with `db.checkpoint_pages = 8` the checkpointer
/// thread copies after nearly every commit and the writer lets the WAL start over every few groups, so kills
/// land inside checkpoints and right after the WAL started over.
class CrashConsistencyWhileCheckpointingTest : public CrashConsistencyTest {
    CPPUNIT_TEST_SUITE(CrashConsistencyWhileCheckpointingTest);
    CPPUNIT_TEST(testSigkillDuringConcurrentWrites);
    CPPUNIT_TEST_SUITE_END();

    std::string config_;

protected:
    void prepare(const TempDir& dir) override {
        config_ = UserSteps::writeWorkerConfig(dir, "db.checkpoint_pages = 8\n");
    }
    std::vector<std::string> workerArgs() const override { return {"--config", config_}; }
};

CPPUNIT_TEST_SUITE_REGISTRATION(CrashConsistencyTest);
CPPUNIT_TEST_SUITE_REGISTRATION(CrashConsistencyWhileCheckpointingTest);
