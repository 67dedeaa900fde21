#pragma once

#include "ChildProcess.h"
#include "TempDir.h"

#include <Poco/Base64Encoder.h>

#include <sstream>
#include <string>

namespace appreg::test {

/// The one user every test authenticates as (API.md §7: the first superuser is created from the command
/// line), and the real `appreg-fcgi create-superuser` that creates users in a test's database.
///
/// WorkerProcess creates this superuser before its first start, and FcgiClient::standardParams, ApiClient and
/// HttpClient send authorization() unless told otherwise, so a test that does not care about authentication
/// never sees it. The fuzz targets (fuzz/FuzzWorld) use the same credentials, from this header alone.
class TestSuperuser {
public:
    static constexpr const char* kUsername = "admin";
    static constexpr const char* kPassword = "admin-password";
    /// PBKDF2 iterations of the password hashes the tests create (auth.password_iterations). The worker's
    /// default (600 000, ~0.7 s per hash) would make every test wait, most of all under ASan; a hash records
    /// its own iteration count, so the worker verifies these without being told.
    static constexpr unsigned kPasswordIterations = 1000;

    /// The value of `Authorization` (HTTP_AUTHORIZATION) that authenticates as this superuser:
    /// "Basic " + base64("admin:admin-password").
    static std::string authorization() { return basic(kUsername, kPassword); }

    /// "Basic " + base64(username ":" password), for other users and wrong passwords.
    static std::string basic(const std::string& username, const std::string& password) {
        std::ostringstream encoded;
        Poco::Base64Encoder encoder(encoded);
        encoder.rdbuf()->setLineLength(0);  // one line, as a header value must be
        encoder << username << ':' << password;
        encoder.close();
        return "Basic " + encoded.str();
    }

    /// The configuration lines of cheap password hashes: "auth.password_iterations =
    /// <kPasswordIterations>\n".
    static std::string configLines() {
        return "auth.password_iterations = " + std::to_string(kPasswordIterations) + "\n";
    }

    /// A properties file of configLines() alone, written as <dir>/test-users.properties (once; later calls
    /// return the same path): create-superuser's --config, and the worker's unless a test brings its own.
    static std::string configFile(const TempDir& dir);

    /// Runs `appreg-fcgi create-superuser --db <database> --username <username> --config configFile(dir)`
    /// (the binary WorkerProcess::binary() names) with `standardInput` as its standard input, e.g.
    /// "password\n", and returns how it ended and what it printed. Never throws for a refusal: tests of the
    /// command itself judge the result.
    static ChildProcess::Result runCreateSuperuser(const TempDir& dir, const std::string& database,
                                                   const std::string& username,
                                                   const std::string& standardInput);

    /// Creates this superuser in `database` (created and migrated if it does not exist yet). Throws
    /// std::runtime_error with the command's output unless it exits with status 0.
    static void create(const TempDir& dir, const std::string& database);
};

}  // namespace appreg::test
