#pragma once

#include <optional>

#include <Poco/Util/Application.h>

#include "appreg/fcgi/FcgiServer.h"

namespace appreg::app {

struct Config;

/// The `appreg-fcgi` command: options and layered configuration (defaults, then --config FILE, then flags)
/// through Poco::Util, then the database migration and the FastCGI server. `appreg-fcgi create-superuser
/// --username NAME` instead creates the first superuser, with the password read from standard input: users
/// are bootstrapped from the command line, never by an unauthenticated request. `appreg-fcgi copy-database
/// --from SQLITE_PATH` copies a SQLite database into the configured PostgreSQL one and compares the two
/// (store::DatabaseCopy); with --check-only it only compares.
class AppregApplication : public Poco::Util::Application {
public:
    AppregApplication();

protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
    void handleOption(const std::string& name, const std::string& value) override;
    int main(const std::vector<std::string>& args) override;

private:
    bool _helpRequested = false;
    std::string _username;    ///< --username, for create-superuser
    std::string _from;        ///< --from, for copy-database
    bool _checkOnly = false;  ///< --check-only, for copy-database
    std::string _configPath;  ///< --config, re-read on SIGHUP
    void displayHelp() const;
    int runCreateSuperuser(const app::Config& cfg);
    int runCopyDatabase(const app::Config& cfg);
    /// The reloadable settings of the config file, re-read (SIGHUP); none if there is no file or it is
    /// invalid.
    std::optional<fcgi::ReloadableOptions> reloadableSettings() const;
};

}  // namespace appreg::app
