#include "appreg/app/AppregApplication.h"

#include <iostream>
#include <memory>

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include "appreg/api/Api.h"
#include "appreg/app/Config.h"
#include "appreg/fcgi/FcgiServer.h"
#include "appreg/fcgi/ListenSocket.h"
#include "appreg/store/Database.h"

namespace appreg::app {

using Poco::Util::Option;

namespace {

/// Command-line values sit above the config file in the layered configuration.
constexpr int kCommandLinePriority = -100;

void setUpLogging() {
    Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%FZ %p %t"));
    formatter->setProperty("times", "UTC");
    Poco::AutoPtr<Poco::ConsoleChannel> console(new Poco::ConsoleChannel(std::cerr));
    Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, console));
    Poco::Logger::root().setChannel(channel);
    Poco::Logger::root().setLevel(Poco::Message::PRIO_INFORMATION);
    Poco::Logger::get("appreg").setChannel(channel);
    Poco::Logger::get("appreg").setLevel(Poco::Message::PRIO_INFORMATION);
}

}  // namespace

AppregApplication::AppregApplication() {
    setUnixOptions(true);
}

void AppregApplication::defineOptions(Poco::Util::OptionSet& options) {
    options.addOption(Option("help", "h", "print this help and exit").required(false).repeatable(false));
    options.addOption(Option("config", "c", "read settings from a properties FILE (see conf/appreg.properties)")
                          .required(false)
                          .repeatable(false)
                          .argument("FILE"));
    options.addOption(Option("db", "d", "SQLite database file (created and migrated if needed); key db.path")
                          .required(false)
                          .repeatable(false)
                          .argument("PATH"));
    options.addOption(Option("listen", "l",
                             "unix:PATH or HOST:PORT to listen on; default: the socket inherited on fd 0 "
                             "(or fd 3 with LISTEN_FDS); key listen")
                          .required(false)
                          .repeatable(false)
                          .argument("ADDR"));
    options.addOption(Option("threads", "t", "worker threads, each with its own database connection; key threads")
                          .required(false)
                          .repeatable(false)
                          .argument("N"));
}

void AppregApplication::handleOption(const std::string& name, const std::string& value) {
    Poco::Util::Application::handleOption(name, value);
    if (name == "help") {
        _helpRequested = true;
        stopOptionsProcessing();
    } else if (name == "config") {
        loadConfiguration(value, 0);
    } else if (name == "db") {
        config().setString("db.path", value);
    } else if (name == "listen") {
        config().setString("listen", value);
    } else if (name == "threads") {
        config().setString("threads", value);
    }
}

void AppregApplication::displayHelp() const {
    Poco::Util::HelpFormatter help(options());
    help.setCommand("appreg-fcgi");
    help.setUsage("[--config FILE] [--db PATH] [--listen unix:PATH | HOST:PORT] [--threads N] [--help]");
    help.setHeader(
        "The AWX-compatible OAuth2 application registry (/api/v2/applications/) as a FastCGI worker. "
        "Run it behind lighttpd, Apache or nginx; it never opens a network socket unless told to.");
    help.setFooter("Every setting and its default: conf/appreg.properties. Flags override the config file.");
    help.format(std::cout);
}

int AppregApplication::main(const std::vector<std::string>& args) {
    if (_helpRequested) {
        displayHelp();
        return EXIT_OK;
    }
    setUpLogging();
    auto& log = Poco::Logger::get("appreg");
    if (!args.empty()) {
        std::cerr << "appreg-fcgi: unexpected argument: " << args.front() << " (see --help)\n";
        return EXIT_USAGE;
    }
    Config cfg;
    try {
        cfg = Config::from(config());
    } catch (const std::invalid_argument& e) {
        std::cerr << "appreg-fcgi: invalid setting " << e.what() << "\n";
        return EXIT_CONFIG;
    }

    try {
        std::unique_ptr<fcgi::ListenSocket> socket;
        try {
            socket = std::make_unique<fcgi::ListenSocket>(cfg.listen, cfg.listenBacklog, cfg.listenGroup);
        } catch (const fcgi::ListenError& e) {
            std::cerr << "appreg-fcgi: " << e.what() << "\n";
            return e.exitCode();
        }

        store::Database database(cfg.db);
        try {
            database.migrate();
        } catch (const Poco::Exception& e) {
            log.fatal("cannot open the database %s: %s", cfg.db.path, e.displayText());
            return EXIT_CANTCREAT;
        } catch (const std::exception& e) {
            log.fatal("cannot open the database %s: %s", cfg.db.path, std::string(e.what()));
            return EXIT_CANTCREAT;
        }
        log.information("database %s (synchronous=%s, busy timeout %d ms)", cfg.db.path, cfg.db.synchronous,
                        cfg.db.busyTimeoutMs);

        api::ApiSettings settings{cfg.nodeName, cfg.tokenLifetimeSeconds};
        fcgi::ServerOptions options;
        options.threads = cfg.threads;
        options.maxBodyBytes = cfg.maxBodyBytes;
        options.pathPrefix = cfg.pathPrefix;
        options.shutdownGraceMs = cfg.shutdownGraceMs;
        options.logRequests = cfg.logRequests;
        options.readTimeoutMs = cfg.readTimeoutMs;
        fcgi::FcgiServer server(*socket, options, [&settings, &database]() -> fcgi::RequestHandler {
            auto api = std::make_shared<api::Api>(settings, database);
            return [api](const http::Request& request) { return api->handle(request); };
        });
        return server.run();
    } catch (const Poco::Exception& e) {
        log.fatal("cannot start: %s", e.displayText());
        return EXIT_SOFTWARE;
    } catch (const std::exception& e) {
        log.fatal("cannot start: %s", std::string(e.what()));
        return EXIT_SOFTWARE;
    }
}

}  // namespace appreg::app
