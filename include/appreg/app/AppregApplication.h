#pragma once

#include <Poco/Util/Application.h>

namespace appreg::app {

/// The `appreg-fcgi` command: options and layered configuration (defaults, then --config FILE, then flags)
/// through Poco::Util, then the database migration and the FastCGI server.
class AppregApplication : public Poco::Util::Application {
public:
    AppregApplication();

protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
    void handleOption(const std::string& name, const std::string& value) override;
    int main(const std::vector<std::string>& args) override;

private:
    bool _helpRequested = false;
    void displayHelp() const;
};

}  // namespace appreg::app
