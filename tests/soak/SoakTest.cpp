// Resource bounds (issue #6 item 7): memory per request is bounded and a long run does not make the worker
// grow.
//
// The real worker (4 threads) serves 100,000 requests from 4 client threads after a warm-up of 2,000: a mix
// of what clients of the registry send (lists with filters, search, ordering and paging; detail, related
// lists, creates, PATCH, PUT, DELETE, tokens) and of what they get wrong (404, 400 validation and JSON
// errors, 401, 403, 405, 413, 415, redirects), with HEAD and OPTIONS, half of them on kept-alive connections
// (FCGI_KEEP_CONN, as nginx sends them). Every answer must carry its expected status. The worker's VmRSS is
// sampled every 10,000 requests and must stay within the bounds stated at kTotalGrowthBound and
// kSecondHalfGrowthBound. The figures go to stdout: `ctest -V -R soak` shows them (plain ctest only when the
// test fails; they are in build/Testing/Temporary/LastTest.log either way).

#include "ApiClient.h"
#include "ApiSteps.h"
#include "FcgiClient.h"
#include "JsonAssert.h"
#include "TestSuperuser.h"
#include "UniqueFd.h"
#include "WorkerFixture.h"

#include <cppunit/extensions/HelperMacros.h>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace appreg::test;

namespace {

constexpr long kWarmUpRequests = 2'000;
constexpr long kRequests = 100'000;
constexpr long kSampleEvery = 10'000;
constexpr int kClientThreads = 4;
constexpr long kMiB = 1024 * 1024;

// The bounds. Measured on 2 shared cores (RelWithDebInfo): VmRSS is 21-27 MiB after the warm-up and grows by
// 3-9 MiB over the 100,000 requests, almost all of it in the first 10,000, while the database grows to ~11
// MiB (plus a ~4 MiB WAL); then it stays level (0.0-0.2 MiB over the second half), apart from swings of ~3
// MiB with the 1 MiB bodies of the 413s (a buffer of the request being read, or left at the top of a thread's
// malloc arena). A leak injected into the worker (LD_PRELOAD, ~240 B per request) made it grow 27.6 MiB, 11.3
// in the second half: both bounds caught it.
//
// What may legitimately grow after the warm-up: SQLite's page cache, at most 2000 KiB per connection (the
// default cache_size = -2000; the worker sets none) on 5 connections (4 worker threads and the group
// committer), so < 10 MiB even once the database outgrows it; the credential cache, one entry here (only
// verified credentials are kept); and glibc's arenas, ~3 MiB as seen. That is < 13 MiB: the bound of 16 MiB
// leaves margin, and a leak of 300 bytes per request (100,000 x 300 B = 28.6 MiB) or even 170 bytes per
// request exceeds it on its own.
//
// The worker runs with systemd/appreg.service's environment (WorkerProcess), so glibc's malloc keeps up to
// 1,024 freed blocks of each size per thread (glibc.malloc.tcache_count). Measured at 9d24bfd, three runs
// each: with it 33.6-33.8 MiB after the warm-up, growth 6.4-6.6 MiB, 1.6-4.4 in the second half; with glibc's
// default 27.5-30.4 MiB, growth 2.6-5.7, -2.8 to 2.9 in the second half.
constexpr long kTotalGrowthBound = 16 * kMiB;
// The caches fill early; the second half must be level. 8 MiB leaves room for the ~3 MiB swing of the 413
// buffers and catches a linear leak of ~170 bytes per request (50,000 x 170 B = 8.1 MiB; 300 B gives 14.3
// MiB).
constexpr long kSecondHalfGrowthBound = 8 * kMiB;

/// The worker's request.max_body_bytes (its default): the 413 requests send one byte more.
constexpr std::size_t kMaxBodyBytes = 1'048'576;

double mib(long bytes) { return static_cast<double>(bytes) / kMiB; }

/// What /proc/<pid>/status says about a process's resident memory, in bytes.
struct Memory {
    long rss = 0;   ///< VmRSS: what the bounds are about
    long anon = 0;  ///< RssAnon: the heap and stacks, where a leak shows (the rest is mapped files)

    static Memory of(pid_t pid) {
        std::ifstream status("/proc/" + std::to_string(pid) + "/status");
        Memory memory;
        std::string line;
        while (std::getline(status, line)) {
            long kib = 0;
            if (std::sscanf(line.c_str(), "VmRSS: %ld kB", &kib) == 1) {
                memory.rss = kib * 1024;
            } else if (std::sscanf(line.c_str(), "RssAnon: %ld kB", &kib) == 1) {
                memory.anon = kib * 1024;
            }
        }
        if (memory.rss == 0) {
            throw std::runtime_error("no VmRSS in /proc/" + std::to_string(pid) +
                                     "/status: the worker is gone");
        }
        return memory;
    }
};

/// The CPU time (user + system) a process used so far, in seconds, from /proc/<pid>/stat.
double cpuSeconds(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // The command name (field 2) may hold spaces: count the fields after its closing parenthesis.
    std::istringstream fields(text.substr(text.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {
        if (i == 14) {
            utime = std::stoull(field);
        } else if (i == 15) {
            stime = std::stoull(field);
        }
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// The kinds of request of the mix, and how many of every 100 requests of a client are of that kind.
enum Kind : int {
    kList,
    kDetail,
    kRelated,
    kBearerRead,
    kPing,
    kCreate,
    kPatch,
    kPut,
    kDelete,
    kCreateToken,
    kNotFound,
    kValidation,
    kDuplicate,
    kAnonymous,
    kWrongPassword,
    kUnknownBearer,
    kBadJson,
    kOversized,
    kHead,
    kOptions,
    kMediaType,
    kRedirect,
    kMethodNotAllowed,
    kForbidden,
    kKindCount
};

struct KindShare {
    const char* name;
    int perHundred;
};

// Creates and deletes balance, so the number of applications (and the cost of a list) stays level over the
// run while the activity stream and the tokens grow, as in a real registry.
constexpr std::array<KindShare, kKindCount> kMix = {{
    {"list", 15},
    {"detail", 10},
    {"related", 4},
    {"bearer-read", 4},
    {"ping", 2},
    {"create", 8},
    {"patch", 7},
    {"put", 2},
    {"delete", 8},
    {"create-token", 1},
    {"404", 5},
    {"400-validation", 6},
    {"400-duplicate", 1},
    {"401-anonymous", 5},
    {"401-wrong-password", 1},
    {"401-unknown-bearer", 1},
    {"400-bad-json", 4},
    {"413", 1},
    {"head", 4},
    {"options", 4},
    {"415", 2},
    {"301-308", 2},
    {"405", 2},
    {"403", 1},
}};

constexpr int mixTotal() {
    int total = 0;
    for (const auto& share : kMix) {
        total += share.perHundred;
    }
    return total;
}
static_assert(mixTotal() == 100, "the shares of the mix add up to 100");

enum class Auth { kSuperuser, kAnonymous, kWrongPassword, kUnknownUser, kBearer, kUnknownBearer };

/// One request and the status it must get.
struct Call {
    Kind kind = kList;
    std::string method = "GET";
    std::string uri;
    std::string body;
    std::string contentType;  ///< none when empty
    Auth auth = Auth::kSuperuser;
    int expected = 200;
    bool withoutContentLength = false;  ///< as a chunked body forwarded by Apache
    bool freshConnection = false;       ///< never on the kept-alive connection (the worker may close it)
};

/// What every client reads: the objects made before the run. Never changed during it.
struct World {
    std::string socketPath;
    long long organization = 0;
    std::string organizationName;
    std::vector<long long> seedIds;
    std::vector<std::string> seedNames;
    std::string bearerToken;
    std::string oversizedBody;  ///< a valid create body of kMaxBodyBytes + 1 bytes (made once: it is big)
};

/// One point of the memory curve.
struct Sample {
    long requests = 0;
    double seconds = 0;
    Memory memory;
};

/// What a phase (warm-up or run) counts, shared by its client threads. The clients stop at a limit that the
/// test raises to go on, so the memory can be read while no request is in flight.
class Tally {
public:
    Tally(pid_t worker, bool sampling)
        : worker_(worker), sampling_(sampling), started_(std::chrono::steady_clock::now()) {}

    /// Lets the clients go on until `limit` requests were sent in this phase (call between drives only).
    void allow(long limit) { limit_ = limit; }

    /// Claims the next request; false once the limit is reached.
    bool claim() {
        long issued = issued_.load();
        while (issued < limit_) {
            if (issued_.compare_exchange_weak(issued, issued + 1)) {
                return true;
            }
        }
        return false;
    }

    void done(Kind kind, bool keptAlive, std::chrono::steady_clock::duration took) {
        ++perKind_[kind];
        microseconds_[kind] += std::chrono::duration_cast<std::chrono::microseconds>(took).count();
        if (keptAlive) {
            ++keptAlive_;
        }
        const long n = ++completed_;
        if (sampling_ && n % kSampleEvery == 0) {
            const Sample sample{n, seconds(), Memory::of(worker_)};
            std::lock_guard lock(mutex_);
            samples_.push_back(sample);
        }
    }

    void fail(const Call& call, bool keptAlive, const std::string& what) {
        ++failures_;
        std::lock_guard lock(mutex_);
        if (examples_.size() < 12) {
            std::ostringstream text;
            text << kMix[call.kind].name << ": " << call.method << ' ' << call.uri
                 << (call.auth == Auth::kSuperuser ? "" : " (other credentials)")
                 << (keptAlive ? " on a kept-alive connection" : " on a new connection");
            if (!call.body.empty()) {
                text << ", body " << (call.body.size() > 200 ? call.body.substr(0, 200) + "..." : call.body);
            }
            text << ": expected " << call.expected << ", " << what;
            examples_.push_back(text.str());
        }
    }

    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    }
    long completed() const { return completed_; }
    long failures() const { return failures_; }
    long keptAlive() const { return keptAlive_; }
    long perKind(int kind) const { return perKind_[kind]; }
    /// The mean time a request of this kind took, from the client's side, in milliseconds.
    double meanMs(int kind) const {
        return perKind_[kind] == 0 ? 0.0 : static_cast<double>(microseconds_[kind]) / 1000.0 / perKind_[kind];
    }
    std::vector<Sample> samples() {
        std::lock_guard lock(mutex_);
        std::vector<Sample> sorted = samples_;
        std::sort(sorted.begin(), sorted.end(),
                  [](const Sample& a, const Sample& b) { return a.requests < b.requests; });
        return sorted;
    }
    std::vector<std::string> examples() {
        std::lock_guard lock(mutex_);
        return examples_;
    }

private:
    pid_t worker_;
    bool sampling_;
    long limit_ = 0;
    std::chrono::steady_clock::time_point started_;
    std::atomic<long> issued_{0};
    std::atomic<long> completed_{0};
    std::atomic<long> failures_{0};
    std::atomic<long> keptAlive_{0};
    std::array<std::atomic<long>, kKindCount> perKind_{};
    std::array<std::atomic<long>, kKindCount> microseconds_{};
    std::mutex mutex_;
    std::vector<Sample> samples_;
    std::vector<std::string> examples_;
};

/// One client thread: plans each request from the mix, sends it (on its kept-alive connection or a new one),
/// checks the status and keeps the applications it created, to change and delete them later.
class Client {
public:
    Client(const World& world, int index)
        : world_(world), index_(index), fcgi_(world.socketPath), random_(index) {}

    void run(Tally& tally) {
        while (tally.claim()) {
            if (deck_.empty()) {
                shuffleDeck();
            }
            const Kind kind = deck_.back();
            deck_.pop_back();
            const Call call = plan(kind);
            const bool keptAlive = !call.freshConnection && (random_() & 1) == 0;
            const auto begin = std::chrono::steady_clock::now();
            const FcgiResponse response = keptAlive ? sendKeptAlive(call) : send(call);
            const auto took = std::chrono::steady_clock::now() - begin;
            check(call, keptAlive, response, tally);
            tally.done(kind, keptAlive, took);
        }
    }

private:
    struct Created {
        long long id;
        std::string name;
    };

    const World& world_;
    int index_;
    FcgiClient fcgi_;
    std::mt19937 random_;
    std::vector<Kind> deck_;
    std::deque<Created> created_;  ///< oldest first
    long long sequence_ = 0;
    long long lastDeleted_ = 0;
    UniqueFd keptAlive_;

    void shuffleDeck() {
        for (int kind = 0; kind < kKindCount; ++kind) {
            deck_.insert(deck_.end(), static_cast<std::size_t>(kMix[kind].perHundred),
                         static_cast<Kind>(kind));
        }
        std::shuffle(deck_.begin(), deck_.end(), random_);
    }

    long long seed() { return world_.seedIds[random_() % world_.seedIds.size()]; }
    std::string seedPath() { return ApiSteps::applicationPath(seed()); }
    /// The most recent application of this client, or a seed application when it has none.
    long long target() { return created_.empty() ? seed() : created_.back().id; }
    std::string org() const { return std::to_string(world_.organization); }

    Call plan(Kind kind) {
        Call call;
        call.kind = kind;
        const long long n = ++sequence_;
        auto json = [&](std::string method, std::string uri, std::string body, int expected) {
            call.method = std::move(method);
            call.uri = std::move(uri);
            call.body = std::move(body);
            call.contentType = "application/json";
            call.expected = expected;
        };
        auto get = [&](std::string uri, int expected) {
            call.uri = std::move(uri);
            call.expected = expected;
        };
        switch (kind) {
            case kList: {
                const std::vector<std::string> queries = {
                    "",
                    "?page_size=10",
                    "?page=2&page_size=5",
                    "?page=last&page_size=7",
                    "?search=seed&order_by=-name",
                    "?search=soak+app&page_size=20",
                    "?name__icontains=APP-1&order_by=id",
                    "?organization=" + org(),
                    "?organization__name=" + world_.organizationName + "&client_type=public",
                    "?id__in=1,2,3,5,8,13",
                    "?not__client_type=public&skip_authorization=false",
                    "?description__isnull=false&order_by=-created,name",
                    "?name__startswith=soak-c&page_size=50",
                    "?authorization_grant_type=authorization-code&order_by=-modified",
                    "?search=nothing-matches-this",
                };
                get(std::string(ApiClient::kApplications) + queries[n % queries.size()], 200);
                break;
            }
            case kDetail:
                get(seedPath(), 200);
                break;
            case kRelated: {
                const long long app = seed();
                const std::vector<std::string> uris = {
                    ApiSteps::applicationPath(app) + "tokens/?page_size=5",
                    ApiSteps::applicationPath(app) + "activity_stream/?page_size=5",
                    "/api/v2/activity_stream/?page_size=10",
                    "/api/v2/organizations/" + org() + "/applications/?page_size=5&order_by=name",
                    ApiSteps::organizationPath(world_.organization),
                    "/api/v2/organizations/?page_size=5",
                    "/api/v2/tokens/?page_size=5",
                    "/api/v2/me/",
                    "/api/v2/users/",
                };
                get(uris[n % uris.size()], 200);
                break;
            }
            case kBearerRead:
                call.auth = Auth::kBearer;
                get(n % 2 == 0 ? seedPath() : std::string(ApiClient::kApplications) + "?page_size=5", 200);
                break;
            case kPing:
                call.auth = Auth::kAnonymous;
                get("/api/v2/ping/", 200);
                break;
            case kCreate: {
                const std::string name =
                    "soak-c" + std::to_string(index_) + "-" + std::to_string(n) + " soak app";
                ApiSteps::Fields fields = {
                    {"description", JsonAssert::quote(std::string(n % 300, 'd'))},
                    {"skip_authorization", n % 3 == 0 ? "true" : "false"},
                };
                if (n % 2 == 0) {
                    fields.emplace_back("client_type", "\"public\"");
                }
                if (n % 4 == 1) {
                    fields.emplace_back("authorization_grant_type", "\"authorization-code\"");
                    fields.emplace_back("redirect_uris",
                                        "\"https://example.com/cb https://example.org/x?y=1\"");
                }
                json("POST", ApiClient::kApplications,
                     ApiSteps::applicationBody(world_.organization, name, fields), 201);
                break;
            }
            case kPatch:
                json("PATCH", ApiSteps::applicationPath(target()),
                     "{\"description\": \"patched " + std::to_string(n) +
                         "\", \"skip_authorization\": " + (n % 2 == 0 ? "true" : "false") + "}",
                     200);
                break;
            case kPut:
                if (created_.empty()) {
                    json("PATCH", seedPath(), R"({"description": "patched instead of put"})", 200);
                } else {
                    json("PUT", ApiSteps::applicationPath(created_.back().id),
                         ApiSteps::applicationBody(world_.organization, created_.back().name,
                                                   {{"description", "\"put " + std::to_string(n) + "\""}}),
                         200);
                }
                break;
            case kDelete:
                if (created_.empty()) {
                    call.method = "DELETE";
                    get("/api/v2/applications/999999997/", 404);
                } else {
                    lastDeleted_ = created_.front().id;
                    created_.pop_front();
                    call.method = "DELETE";
                    get(ApiSteps::applicationPath(lastDeleted_), 204);
                }
                break;
            case kCreateToken:
                json("POST", ApiSteps::applicationPath(target()) + "tokens/",
                     n % 2 == 0 ? "{}" : R"({"description": "soak", "scope": "read"})", 201);
                break;
            case kNotFound:
                switch (n % 6) {
                    case 0:
                        get("/api/v2/applications/999999999/", 404);
                        break;
                    case 1:
                        get("/api/v2/no-such-resource/", 404);
                        break;
                    case 2:
                        json("PATCH", "/api/v2/applications/999999998/", R"({"description": "x"})", 404);
                        break;
                    case 3:
                        get(std::string(ApiClient::kApplications) + "?page=9999", 404);
                        break;
                    case 4:
                        get("/api/v2/organizations/999999/", 404);
                        break;
                    default:
                        get(lastDeleted_ != 0 ? ApiSteps::applicationPath(lastDeleted_)
                                              : "/api/v2/applications/999999995/",
                            404);
                        break;
                }
                break;
            case kValidation: {
                const std::vector<std::string> bodies = {
                    "{}",
                    ApiSteps::applicationBody(world_.organization, ""),
                    ApiSteps::applicationBody(world_.organization, "bad type",
                                              {{"client_type", "\"secret\""}}),
                    ApiSteps::applicationBody(world_.organization, "no redirect",
                                              {{"authorization_grant_type", "\"authorization-code\""}}),
                    ApiSteps::applicationBody(world_.organization, "bad redirect",
                                              {{"authorization_grant_type", "\"authorization-code\""},
                                               {"redirect_uris", "\"ftp://example.com/#frag\""}}),
                    ApiSteps::applicationBody(world_.organization, "float org", {{"organization", "1.5"}}),
                    ApiSteps::applicationBody(world_.organization, "missing org",
                                              {{"organization", "999999"}}),
                    R"({"name": 123, "client_type": false, "authorization_grant_type": null, "organization": "x"})",
                };
                if (n % 9 == 8) {
                    json("PATCH", seedPath(), R"({"client_type": "nope", "name": ""})", 400);
                } else {
                    json("POST", ApiClient::kApplications, bodies[n % bodies.size()], 400);
                }
                break;
            }
            case kDuplicate:
                json("POST", ApiClient::kApplications,
                     ApiSteps::applicationBody(world_.organization,
                                               world_.seedNames[n % world_.seedNames.size()]),
                     400);
                break;
            case kAnonymous:
                call.auth = Auth::kAnonymous;
                switch (n % 4) {
                    case 0:
                        get(ApiClient::kApplications, 401);
                        break;
                    case 1:
                        get(seedPath(), 401);
                        break;
                    case 2:
                        json("POST", ApiClient::kApplications,
                             ApiSteps::applicationBody(world_.organization, "anonymous"), 401);
                        break;
                    default:
                        call.method = "DELETE";
                        get(seedPath(), 401);
                        break;
                }
                break;
            case kWrongPassword:
                call.auth = n % 2 == 0 ? Auth::kWrongPassword : Auth::kUnknownUser;
                get(ApiClient::kApplications, 401);
                break;
            case kUnknownBearer:
                call.auth = Auth::kUnknownBearer;
                get(seedPath(), 401);
                break;
            case kBadJson: {
                const std::vector<std::string> bodies = {
                    R"({"name": )",
                    R"({"name": "x",})",
                    "{'a': 1}",
                    "{} x",
                    "{\"name\": \"\xff\xfe\"}",
                    std::string(40, '[') + std::string(40, ']'),
                    "[1, 2]",
                    "null",
                };
                json(n % 5 == 0 ? "PATCH" : "POST", n % 5 == 0 ? seedPath() : ApiClient::kApplications,
                     bodies[n % bodies.size()], 400);
                break;
            }
            case kOversized:
                json("POST", ApiClient::kApplications, world_.oversizedBody, 413);
                call.withoutContentLength = n % 2 == 0;
                call.freshConnection = true;
                break;
            case kHead:
                call.method = "HEAD";
                get(n % 2 == 0 ? seedPath() : std::string(ApiClient::kApplications) + "?page_size=5", 200);
                break;
            case kOptions:
                call.method = "OPTIONS";
                get(n % 2 == 0 ? seedPath() : std::string(ApiClient::kApplications), 200);
                break;
            case kMediaType:
                json("POST", ApiClient::kApplications,
                     ApiSteps::applicationBody(world_.organization, "media"), 415);
                call.contentType = n % 2 == 0 ? "" : "text/plain";
                break;
            case kRedirect:
                if (n % 2 == 0) {
                    get("/api/v2/applications?page_size=5", 301);
                } else {
                    json("POST", "/api/v2/applications", ApiSteps::applicationBody(world_.organization, "x"),
                         308);
                }
                break;
            case kMethodNotAllowed:
                call.method = n % 2 == 0 ? "DELETE" : "POST";
                get(n % 2 == 0 ? std::string(ApiClient::kApplications) : seedPath(), 405);
                break;
            case kForbidden:
                get(std::string(ApiClient::kApplications) +
                        (n % 2 == 0 ? "?client_secret=abc" : "?order_by=client_id"),
                    403);
                break;
            case kKindCount:
                break;
        }
        return call;
    }

    FcgiClient::Params params(const Call& call) const {
        FcgiClient::Params params =
            FcgiClient::standardParams(call.method, call.uri, call.contentType, call.body);
        switch (call.auth) {
            case Auth::kSuperuser:
                break;
            case Auth::kAnonymous:
                FcgiClient::removeParam(params, FcgiClient::kAuthorization);
                break;
            case Auth::kWrongPassword:
                FcgiClient::setParam(
                    params, FcgiClient::kAuthorization,
                    TestSuperuser::basic(TestSuperuser::kUsername, "wrong-" + std::to_string(sequence_)));
                break;
            case Auth::kUnknownUser:
                FcgiClient::setParam(params, FcgiClient::kAuthorization,
                                     TestSuperuser::basic("nobody-" + std::to_string(sequence_), "password"));
                break;
            case Auth::kBearer:
                FcgiClient::setParam(params, FcgiClient::kAuthorization, "Bearer " + world_.bearerToken);
                break;
            case Auth::kUnknownBearer:
                FcgiClient::setParam(params, FcgiClient::kAuthorization,
                                     "Bearer 0123456789abcdefghijklmnopqrst");
                break;
        }
        if (call.withoutContentLength) {
            FcgiClient::removeParam(params, "CONTENT_LENGTH");
        }
        return params;
    }

    FcgiResponse send(const Call& call) const { return fcgi_.request(params(call), call.body); }

    /// The request on this client's kept-alive connection (opened on first use, and again after the worker
    /// closed it, which the check then reports).
    FcgiResponse sendKeptAlive(const Call& call) {
        if (!keptAlive_.valid()) {
            keptAlive_ = fcgi_.connectRaw();
        }
        std::string bytes = FcgiClient::beginRequest(1, true);
        bytes += FcgiClient::record(FcgiClient::kParams, FcgiClient::encodeParams(params(call)));
        bytes += FcgiClient::record(FcgiClient::kParams, "");
        if (!call.body.empty()) {
            bytes += FcgiClient::record(FcgiClient::kStdin, call.body);
        }
        bytes += FcgiClient::record(FcgiClient::kStdin, "");
        if (!FcgiClient::writeAll(keptAlive_.get(), bytes)) {
            keptAlive_.reset();
            FcgiResponse response;
            response.transportError = "the kept-alive connection was closed before the request was sent";
            return response;
        }
        FcgiResponse response = FcgiClient::readResponse(keptAlive_.get(), std::chrono::seconds(10));
        if (!response.ended) {
            keptAlive_.reset();
        }
        return response;
    }

    void check(const Call& call, bool keptAlive, const FcgiResponse& response, Tally& tally) {
        if (!response.ended || response.status != call.expected) {
            tally.fail(call, keptAlive, response.describe());
            return;
        }
        if (call.kind == kCreate) {
            try {
                const auto body = JsonAssert::parseObject(response.body);
                created_.push_back({body->getValue<long long>("id"), body->getValue<std::string>("name")});
            } catch (const std::exception& e) {
                tally.fail(call, keptAlive,
                           std::string("a 201 without an id (") + e.what() + "): " + response.describe());
            }
        }
    }
};

/// Runs the requests `tally` allows, one thread per client; the clients keep their state (their kept-alive
/// connection, the applications they created, their sequence of unique names) from one phase to the next.
void drive(std::vector<Client>& clients, Tally& tally) {
    std::vector<std::thread> threads;
    std::vector<std::string> errors(clients.size());
    for (std::size_t i = 0; i < clients.size(); ++i) {
        threads.emplace_back([&clients, &tally, &errors, i] {
            try {
                clients[i].run(tally);
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (const auto& error : errors) {
        if (!error.empty()) {
            throw std::runtime_error("a client thread stopped: " + error);
        }
    }
}

std::string failureReport(Tally& tally) {
    std::string report = std::to_string(tally.failures()) + " of " + std::to_string(tally.completed()) +
                         " requests did not get the expected answer; the first ones:";
    for (const auto& example : tally.examples()) {
        report += "\n  " + example;
    }
    return report;
}

}  // namespace

class SoakTest : public WorkerFixture {
    CPPUNIT_TEST_SUITE(SoakTest);
    CPPUNIT_TEST(testMemoryStaysBoundedOver100000Requests);
    CPPUNIT_TEST_SUITE_END();

public:
    void testMemoryStaysBoundedOver100000Requests() {
        const World world = seed();
        std::vector<Client> clients;
        for (int i = 0; i < kClientThreads; ++i) {
            clients.emplace_back(world, i);
        }
        std::cout << std::fixed << std::setprecision(1) << "\n";

        // The warm-up sends the whole mix (about 20 of each 1 % kind), so what a worker keeps once it has
        // served a request of every kind (statements, caches, the arenas of its threads) is in the baseline.
        Tally warmUp(worker().pid(), false);
        warmUp.allow(kWarmUpRequests);
        drive(clients, warmUp);
        CPPUNIT_ASSERT_MESSAGE("warm-up: " + failureReport(warmUp), warmUp.failures() == 0);
        const Memory afterWarmUp = Memory::of(worker().pid());
        std::cout << "soak: warm-up " << kWarmUpRequests << " requests in " << warmUp.seconds()
                  << " s; worker VmRSS " << mib(afterWarmUp.rss) << " MiB (RssAnon " << mib(afterWarmUp.anon)
                  << " MiB)\n"
                  << std::flush;

        const double workerCpu = cpuSeconds(worker().pid());
        const double clientCpu = cpuSeconds(::getpid());
        Tally run(worker().pid(), true);
        run.allow(kRequests / 2);
        drive(clients, run);
        const Memory atHalf = Memory::of(worker().pid());  // no request in flight, as after the warm-up
        run.allow(kRequests);
        drive(clients, run);
        const Memory atEnd = Memory::of(worker().pid());
        printFigures(run, cpuSeconds(worker().pid()) - workerCpu, cpuSeconds(::getpid()) - clientCpu);

        CPPUNIT_ASSERT_MESSAGE(failureReport(run), run.failures() == 0);
        CPPUNIT_ASSERT_EQUAL(kRequests, run.completed());
        const long growth = atEnd.rss - afterWarmUp.rss;
        const long secondHalf = atEnd.rss - atHalf.rss;
        std::cout << "soak: VmRSS after warm-up " << mib(afterWarmUp.rss) << " MiB, after " << kRequests / 2
                  << " requests " << mib(atHalf.rss) << " MiB, after " << kRequests << " requests "
                  << mib(atEnd.rss) << " MiB: growth " << mib(growth) << " MiB (bound "
                  << mib(kTotalGrowthBound) << " MiB), in the second half " << mib(secondHalf)
                  << " MiB (bound " << mib(kSecondHalfGrowthBound) << " MiB)\n"
                  << std::flush;
        CPPUNIT_ASSERT_MESSAGE("the worker's VmRSS grew by " + std::to_string(growth / 1024) + " KiB over " +
                                   std::to_string(kRequests) + " requests after the warm-up (bound " +
                                   std::to_string(kTotalGrowthBound / 1024) + " KiB)",
                               growth < kTotalGrowthBound);
        CPPUNIT_ASSERT_MESSAGE("the worker's VmRSS grew by " + std::to_string(secondHalf / 1024) +
                                   " KiB over the second half of the run (bound " +
                                   std::to_string(kSecondHalfGrowthBound / 1024) + " KiB)",
                               secondHalf < kSecondHalfGrowthBound);
    }

protected:
    int workerThreads() const override { return 4; }
    std::vector<std::string> workerArgs() const override { return {"--config", configPath_}; }
    void prepare(const TempDir& dir) override {
        // auth.password_iterations: the dummy hash that an unknown username costs is made with it, and the
        // default (600 000, ~0.7 s) would hold a worker thread for most of a second per such 401; the test
        // superuser's hash has as many (TestSuperuser::kPasswordIterations).
        // db.synchronous = NORMAL: a quarter of the mix writes, and with FULL the 4 clients spend much of the
        // run waiting for fsync (80-100 s instead of ~60 s on 2 cores). It changes when SQLite syncs the WAL,
        // not what the worker allocates; the writes still go through the group committer and the WAL as in
        // production.
        configPath_ =
            dir.writeFile("appreg.properties",
                          "auth.password_iterations = " + std::to_string(TestSuperuser::kPasswordIterations) +
                              "\ndb.synchronous = NORMAL\n");
    }

private:
    std::string configPath_;

    /// The figures of the run on stdout, for the CI log: the memory curve, the throughput, the CPU time of
    /// the worker and of the clients, the mix with the mean time of each kind, the size of the database.
    void printFigures(Tally& run, double workerCpu, double clientCpu) {
        const double seconds = run.seconds();
        std::cout << "soak: " << std::setw(8) << "requests" << std::setw(9) << "seconds" << std::setw(8)
                  << "req/s" << std::setw(11) << "VmRSS MiB" << std::setw(13) << "RssAnon MiB\n";
        for (const Sample& sample : run.samples()) {
            std::cout << "soak: " << std::setw(8) << sample.requests << std::setw(9) << sample.seconds
                      << std::setw(8) << std::setprecision(0) << sample.requests / sample.seconds
                      << std::setprecision(1) << std::setw(11) << mib(sample.memory.rss) << std::setw(12)
                      << mib(sample.memory.anon) << "\n";
        }
        std::cout << "soak: " << run.completed() << " requests in " << seconds << " s ("
                  << std::setprecision(0) << run.completed() / seconds << " req/s), " << run.keptAlive()
                  << " on kept-alive connections, " << run.failures()
                  << " unexpected answers; CPU time: worker " << workerCpu << " s, clients " << clientCpu
                  << " s\n"
                  << "soak: requests per kind (mean time):";
        for (int kind = 0; kind < kKindCount; ++kind) {
            std::cout << (kind % 6 == 0 ? "\nsoak:  " : "") << ' ' << kMix[kind].name << '='
                      << run.perKind(kind) << " (" << std::setprecision(2) << run.meanMs(kind) << " ms)";
        }
        std::error_code ignored;
        const auto size = [&ignored](const std::string& path) {
            const auto bytes = std::filesystem::file_size(path, ignored);
            return ignored ? 0L : static_cast<long>(bytes);
        };
        std::cout << std::setprecision(1) << "\nsoak: database " << mib(size(worker().databasePath()))
                  << " MiB, WAL " << mib(size(worker().databasePath() + "-wal")) << " MiB\n"
                  << std::flush;
    }

    /// The organization, 40 applications of every kind and a write token, made before the warm-up.
    World seed() {
        World world;
        world.socketPath = worker().socketPath();
        world.organizationName = "soak-org";
        world.organization =
            api().createOrganization(world.organizationName, "the organization of the soak test");
        api().createOrganization("soak-other-org");
        for (int i = 0; i < 40; ++i) {
            const std::string name = "seed-app-" + std::to_string(i);
            ApiSteps::Fields fields = {{"description", "\"seed application " + std::to_string(i) + "\""}};
            if (i % 2 == 1) {
                fields.emplace_back("client_type", "\"public\"");
            }
            if (i % 3 == 0) {
                fields.emplace_back("authorization_grant_type", "\"authorization-code\"");
                fields.emplace_back("redirect_uris", "\"https://seed.example.com/callback\"");
            }
            world.seedIds.push_back(ApiSteps::createApplicationId(api(), world.organization, name, fields));
            world.seedNames.push_back(name);
        }
        const std::string head = R"({"name": "big", "client_type": "public", "authorization_grant_type": )"
                                 R"("password", "organization": )" +
                                 std::to_string(world.organization) + R"(, "description": ")";
        world.oversizedBody = head + std::string(kMaxBodyBytes + 1 - head.size() - 2, 'x') + "\"}";
        world.bearerToken = ApiSteps::createToken(api(), world.seedIds.front(), R"({"scope": "write"})")
                                ->getValue<std::string>("token");
        return world;
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SoakTest);
