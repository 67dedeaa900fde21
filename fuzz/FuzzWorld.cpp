#include "FuzzWorld.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "TestSuperuser.h"
#include "appreg/domain/Passwords.h"
#include "appreg/domain/Timestamp.h"
#include "appreg/domain/User.h"
#include "appreg/store/UserStore.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/NullChannel.h>
#include <sanitizer/common_interface_defs.h>

namespace appreg::fuzz {

namespace {

/// Kept up by triggers on the other tables: put back after them, so that the counts end up exact.
const char* const kRowCounts = "row_counts";

/// The temporary directory, for removal on the way out (also when a finding ends the process).
std::string gDirectory;

void removeDirectory() {
    if (gDirectory.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(gDirectory, ignored);
    gDirectory.clear();
}

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "\n==== appreg fuzz: %s\n", message.c_str());
    std::fflush(stderr);
    removeDirectory();
    std::abort();  // libFuzzer's SIGABRT handler saves the input as crash-<sha1>
}

std::string printable(const std::string& s, std::size_t max = 400) {
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < max; ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out += static_cast<char>(c);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
        }
    }
    if (s.size() > max) out += "...(" + std::to_string(s.size()) + " bytes)";
    return out;
}

http::Request jsonRequest(const std::string& method, const std::string& path, const std::string& body) {
    http::Request r;
    r.method = method;
    r.path = path;
    r.contentType = "application/json";
    r.body = body;
    r.authorization = FuzzWorld::authorization();
    r.requestId = "00000000000000000000000000000000";
    return r;
}

/// The copy of a table in the attached seed database ("sqlite_" names are reserved).
std::string snapshotName(const std::string& table) { return "snapshot_" + table; }

std::string tempBase() {
    // A RAM-backed directory when there is one: the store is written on almost every input.
    for (const char* candidate : {"/dev/shm", "/tmp"}) {
        if (access(candidate, W_OK) == 0) return candidate;
    }
    return ".";
}

}  // namespace

const std::string& FuzzWorld::authorization() {
    static const std::string value = test::TestSuperuser::authorization();
    return value;
}

FuzzWorld& FuzzWorld::get() {
    static FuzzWorld* world = [] {
        auto* w = new FuzzWorld();
        std::atexit([] { delete &FuzzWorld::get(); });
        return w;
    }();
    return *world;
}

FuzzWorld::FuzzWorld() {
    // The API logs 503s and the like; the fuzzer's output should show only findings.
    Poco::AutoPtr<Poco::NullChannel> quiet(new Poco::NullChannel);
    Poco::Logger::root().setChannel(quiet);
    Poco::Logger::root().setLevel(Poco::Message::PRIO_FATAL);
    Poco::Logger::get("appreg").setChannel(quiet);
    Poco::Logger::get("appreg").setLevel(Poco::Message::PRIO_FATAL);

    std::string pattern = tempBase() + "/appreg-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) die("mkdtemp failed: " + std::string(std::strerror(errno)));
    _dir = pattern;
    // A sanitizer report ends the process without running atexit handlers: remove the directory then too.
    gDirectory = _dir;
    __sanitizer_set_death_callback(removeDirectory);

    store::DatabaseOptions options;
    options.path = _dir + "/fuzz.db";
    options.synchronous = "OFF";  // durability is not under test here; speed is
    options.busyTimeoutMs = 5000;
    _database = std::make_unique<store::Database>(options);
    _database->migrate();
    createSuperuser();
    api::ApiSettings settings;
    settings.nodeName = "fuzz";
    // Users created by inputs (POST /api/v2/users/) get cheap hashes too: 600 000 iterations would cost
    // seconds per input under ASan.
    settings.passwordIterations = test::TestSuperuser::kPasswordIterations;
    settings.credentials = &_credentials;
    _api = std::make_unique<api::Api>(settings, *_database);

    if (sqlite3_open_v2(options.path.c_str(), &_raw, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        die("cannot open " + options.path + " for the reset connection");
    }
    sqlite3_busy_timeout(_raw, 5000);
    exec("PRAGMA synchronous = OFF");
    seed();
}

FuzzWorld::~FuzzWorld() {
    _api.reset();
    _database.reset();
    if (_raw != nullptr) sqlite3_close(_raw);
    removeDirectory();
}

void FuzzWorld::exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(_raw, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : "?";
        sqlite3_free(error);
        die("harness SQL failed: " + message + "\n" + sql);
    }
}

long long FuzzWorld::dataVersion() {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(_raw, "PRAGMA data_version", -1, &statement, nullptr) != SQLITE_OK ||
        sqlite3_step(statement) != SQLITE_ROW) {
        die("PRAGMA data_version failed");
    }
    long long version = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return version;
}

void FuzzWorld::createSuperuser() {
    // What `appreg-fcgi create-superuser` does, minus reading the password and the activity entry: the API
    // cannot create the first user (it needs one to authenticate the request).
    domain::User user;
    user.username = test::TestSuperuser::kUsername;
    user.isSuperuser = true;
    user.passwordHash =
        domain::hashPassword(test::TestSuperuser::kPassword, test::TestSuperuser::kPasswordIterations);
    user.created = user.modified = domain::formatTimestamp(domain::nowMicros());
    auto connection = _database->connect();
    store::WriteTransaction transaction(*connection);
    store::UserStore(*connection).insert(user);
    transaction.commit();
}

void FuzzWorld::seed() {
    // Made through the API itself, so the rows are exactly what the worker writes.
    const std::pair<std::string, std::string> steps[] = {
        {"/api/v2/organizations/", R"({"name": "seed-org", "description": "the seed"})"},
        {"/api/v2/applications/",
         R"({"name": "seed-app", "description": "d", "client_type": "confidential",
             "authorization_grant_type": "authorization-code", "redirect_uris": "https://example.com/cb",
             "organization": 1})"},
        {"/api/v2/tokens/", R"({"application": 1, "scope": "write", "description": "seed token"})"},
    };
    for (const auto& [path, body] : steps) {
        http::Request request = jsonRequest("POST", path, body);
        http::Response response = _api->handle(request);
        if (response.status != 201)
            die("seeding " + path + " answered " + std::to_string(response.status) + ": " + response.body);
    }
    // Every table, whatever the migrations made (users and roles included: inputs may change or delete the
    // superuser), with the counts last.
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(
            _raw,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
            "ESCAPE '\\' AND name <> 'row_counts' ORDER BY name",
            -1, &statement, nullptr) != SQLITE_OK) {
        die("cannot list the tables: " + std::string(sqlite3_errmsg(_raw)));
    }
    while (sqlite3_step(statement) == SQLITE_ROW) {
        _tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    }
    sqlite3_finalize(statement);
    _tables.emplace_back("sqlite_sequence");
    _tables.emplace_back(kRowCounts);
    exec("ATTACH DATABASE ':memory:' AS seed");
    for (const std::string& table : _tables) {
        exec("CREATE TABLE seed." + snapshotName(table) + " AS SELECT * FROM main." + table);
    }
    _seenVersion = dataVersion();
}

void FuzzWorld::reset() {
    if (dataVersion() == _seenVersion) return;  // nothing committed since the last reset
    // The harness's connection has foreign keys off: no cascades, so the order does not matter, except that
    // the trigger-kept counts come last.
    std::string sql = "BEGIN IMMEDIATE;";
    for (const std::string& table : _tables) {
        sql += "DELETE FROM main." + table + ";INSERT INTO main." + table + " SELECT * FROM seed." +
               snapshotName(table) + ";";
    }
    sql += "COMMIT;";
    exec(sql);
    _seenVersion = dataVersion();
}

void FuzzWorld::checkResponse(const http::Request& request, const http::Response& response,
                              const char* where) {
    static const std::set<int> documented = {200, 201, 204, 301, 308, 400, 401, 403, 404, 405, 413, 415, 431};
    auto fail = [&](const std::string& why) { FuzzWorld::fail(request, response, where, why); };
    if (documented.count(response.status) == 0) fail("status outside the documented set");
    if (response.status == 401 && request.authorization == authorization() &&
        response.body.find("\"detail\"") != std::string::npos) {
        fail("the superuser's valid credentials were refused");
    }
    bool emptyExpected = response.status == 204 || request.method == "HEAD";
    if (emptyExpected) {
        if (!response.body.empty()) fail("a body where none belongs");
        return;
    }
    if (response.body.empty()) fail("an empty body");
    try {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var parsed = parser.parse(response.body);
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) fail("the body is not a JSON object");
    } catch (const Poco::Exception& e) {
        fail("the body is not valid JSON: " + e.displayText());
    }
}

void FuzzWorld::fail(const http::Request& request, const http::Response& response, const char* where,
                     const std::string& why) {
    die(std::string(where) + ": " + why + "\n  request:  " + describe(request) +
        "\n  response: " + std::to_string(response.status) + " " + printable(response.body, 2000));
}

std::map<std::string, std::string> workerParams(
    const std::vector<std::pair<std::string, std::string>>& pairs) {
    std::map<std::string, std::string> params;
    for (const auto& [name, value] : pairs) {
        std::string env = name + "=" + value;
        env.resize(std::strlen(env.c_str()));  // libfcgi hands out C strings
        auto eq = env.find('=');
        if (eq == std::string::npos) continue;
        params.emplace(env.substr(0, eq), env.substr(eq + 1));
    }
    return params;
}

http::BodyReader bodyReader(const std::string& body, std::size_t chunk, bool breakOff) {
    auto offset = std::make_shared<std::size_t>(0);
    std::size_t end = breakOff ? body.size() / 2 : body.size();
    return [&body, chunk, breakOff, end, offset](char* buf, std::size_t n) -> long {
        if (*offset >= end) return breakOff ? -1 : 0;
        std::size_t take = std::min({n, chunk, end - *offset});
        std::memcpy(buf, body.data() + *offset, take);
        *offset += take;
        return static_cast<long>(take);
    };
}

std::string describe(const http::Request& request) {
    return request.method + " " + printable(request.path) +
           (request.query.empty() ? "" : "?" + printable(request.query)) +
           " [Content-Type: " + printable(request.contentType) +
           "] [Authorization: " + printable(request.authorization, 80) + "] body: " + printable(request.body);
}

}  // namespace appreg::fuzz
