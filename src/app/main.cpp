#include <iostream>

#include <Poco/Exception.h>

#include "appreg/app/AppregApplication.h"
#include "appreg/fcgi/FcgiServer.h"

int main(int argc, char** argv) {
    // Before anything else, and before any thread exists: libfcgi must not see SIGTERM (platform-notes §2.4).
    appreg::fcgi::FcgiServer::prepareProcess();
    try {
        appreg::app::AppregApplication app;
        app.init(argc, argv);
        return app.run();
    } catch (const Poco::Exception& e) {
        std::cerr << "appreg-fcgi: " << e.displayText() << " (see --help)\n";
        return 64;  // EX_USAGE: an unknown option or a missing argument
    }
}
