// What both fuzz targets share: one API over a real, migrated SQLite file in a private temporary directory
// (created once per process), a known seed state the database is put back to before each input, the
// superuser the requests authenticate as, and the check every response must pass.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "appreg/api/Api.h"
#include "appreg/http/CgiRequest.h"
#include "appreg/http/Request.h"
#include "appreg/http/Response.h"
#include "appreg/store/Database.h"

struct sqlite3;

namespace appreg::fuzz {

/// The process-wide fixture. The seed state holds user 1, the tests' superuser
/// (tests/support/TestSuperuser.h: "admin", created through the store as `appreg-fcgi create-superuser` does,
/// with a cheap password hash), organization 1 ("seed-org"), application 1 (confidential, password grant, in
/// organization 1) and access token 1 (of application 1), so that detail routes and their writes reach real
/// rows.
class FuzzWorld {
public:
    /// The one instance (created on first use; its directory is removed at exit).
    static FuzzWorld& get();

    /// The HTTP_AUTHORIZATION value that authenticates as the superuser (Basic). Requests carry it unless an
    /// input is meant to go without.
    static const std::string& authorization();

    /// Puts the database back to the seed state if anything was committed since the last call. Each input
    /// then starts from the same data (and the same next ids), so a crash reproduces from its input alone.
    void reset();

    /// The request through the real router, validation and store, exactly as a worker thread runs it.
    http::Response handle(const http::Request& request) { return _api->handle(request); }

    /// Fails the run (prints the exchange and aborts) unless the response is one the API documents: a status
    /// of {200, 201, 204, 301, 308, 400, 401, 403, 404, 405, 413, 415, 431}, and a body that is one JSON
    /// document (Poco's parser: valid UTF-8, nothing trailing), empty only for 204 and HEAD. 500 is a bug;
    /// 503 is one too here, because this database is never locked, full or read-only, so a 503 would hide an
    /// error of the store. A request that carries authorization() must not be refused as unauthenticated (a
    /// 401 with a "detail"; the OAuth2 endpoints' own 401s for a bad client are {"error": ...}).
    static void checkResponse(const http::Request& request, const http::Response& response,
                              const char* where);

    /// Prints the exchange and why it is wrong, then aborts (the fuzzer records the input as a crash).
    [[noreturn]] static void fail(const http::Request& request, const http::Response& response,
                                  const char* where, const std::string& why);

    FuzzWorld(const FuzzWorld&) = delete;
    FuzzWorld& operator=(const FuzzWorld&) = delete;
    ~FuzzWorld();

private:
    FuzzWorld();
    void createSuperuser();
    void seed();
    void exec(const std::string& sql);
    long long dataVersion();

    std::string _dir;
    std::unique_ptr<store::Database> _database;
    api::CredentialCache _credentials{64, std::chrono::seconds(3600)};
    std::unique_ptr<api::Api> _api;
    std::vector<std::string> _tables;  ///< every table, put back to its seed snapshot by reset()
    sqlite3* _raw = nullptr;           ///< the harness's own connection: seed snapshot and reset
    long long _seenVersion = -1;
};

/// The params map exactly as the worker builds it from libfcgi's environment (FcgiServer::serveOne): each
/// pair becomes the C string "name=value" (so a NUL ends it), which is split at its first '='; the first
/// occurrence of a name wins.
std::map<std::string, std::string> workerParams(
    const std::vector<std::pair<std::string, std::string>>& pairs);

/// A body reader over `body` that hands out at most `chunk` bytes per call and, when `breakOff`, fails (-1,
/// the client went away) after the first half instead of reaching the end.
http::BodyReader bodyReader(const std::string& body, std::size_t chunk, bool breakOff);

/// A short, printable description of a request for failure reports.
std::string describe(const http::Request& request);

}  // namespace appreg::fuzz
