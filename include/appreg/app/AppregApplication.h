#pragma once

#include <Poco/Util/Application.h>

namespace appreg::app {

struct Config;

/// The `appreg-fcgi` command: options and layered configuration (defaults, then --config FILE, then flags)
/// through Poco::Util, then the database migration and the FastCGI server. `appreg-fcgi create-superuser
/// --username NAME` instead creates the first superuser, with the password read from standard input: users
/// are bootstrapped from the command line, never by an unauthenticated request.
class AppregApplication : public Poco::Util::Application {
public:
    AppregApplication();

protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
    void handleOption(const std::string& name, const std::string& value) override;
    int main(const std::vector<std::string>& args) override;

private:
    bool _helpRequested = false;
    std::string _username;  ///< --username, for create-superuser
    void displayHelp() const;
    int runCreateSuperuser(const app::Config& cfg);
};

}  // namespace appreg::app
