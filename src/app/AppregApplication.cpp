#include "appreg/app/AppregApplication.h"

#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <iostream>
#include <memory>

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/SimpleFileChannel.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include "appreg/api/Api.h"
#include "appreg/api/Representation.h"
#include "appreg/app/BufferedChannel.h"
#include "appreg/app/Config.h"
#include "appreg/app/LogFormatter.h"
#include "appreg/domain/Passwords.h"
#include "appreg/domain/Timestamp.h"
#include "appreg/domain/User.h"
#include "appreg/fcgi/FcgiServer.h"
#include "appreg/fcgi/ListenSocket.h"
#include "appreg/http/Json.h"
#include "appreg/store/ActivityStreamStore.h"
#include "appreg/store/Database.h"
#include "appreg/store/DatabaseCopy.h"
#include "appreg/store/GroupCommitter.h"
#include "appreg/store/UserStore.h"

namespace appreg::app {

using Poco::Util::Option;

namespace {

/// Command-line values sit above the config file in the layered configuration.
constexpr int kCommandLinePriority = -100;

/// The channels of the worker's log: `file` (null for stderr), which SIGHUP reopens so that logrotate can
/// move the file away, and `lines`, which batches the access lines in front of it and must be closed before
/// exit.
struct LogChannels {
    Poco::AutoPtr<Poco::SimpleFileChannel> file;
    Poco::AutoPtr<BufferedChannel> lines;
};

/// Log lines go to stderr (the journal under systemd), or appended to `logFile`; informational lines are
/// written every 100 ms (BufferedChannel).
LogChannels setUpLogging(const std::string& logFile) {
    Poco::AutoPtr<LogFormatter> formatter(new LogFormatter);  // "%Y-%m-%dT%H:%M:%S.%FZ %p %t" in UTC
    Poco::AutoPtr<Poco::SimpleFileChannel> file;
    Poco::AutoPtr<Poco::Channel> sink;
    if (logFile.empty()) {
        sink = new Poco::ConsoleChannel(std::cerr);
    } else {
        file = new Poco::SimpleFileChannel(logFile);
        file->open();  // fails now, at start, rather than on the first line
        sink = file;
    }
    Poco::AutoPtr<BufferedChannel> lines(new BufferedChannel(sink, std::chrono::milliseconds(100)));
    Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, lines));
    Poco::Logger::root().setChannel(channel);
    Poco::Logger::root().setLevel(Poco::Message::PRIO_INFORMATION);
    Poco::Logger::get("appreg").setChannel(channel);
    Poco::Logger::get("appreg").setLevel(Poco::Message::PRIO_INFORMATION);
    return {file, lines};
}

/// One line of standard input, without its line end. On a terminal it prompts twice, without echo, and the
/// two entries must match (as Django's createsuperuser).
std::string readPassword(std::istream& in) {
    if (!isatty(STDIN_FILENO)) {
        std::string line;
        std::getline(in, line);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
    }
    termios saved{};
    if (tcgetattr(STDIN_FILENO, &saved) != 0) throw std::runtime_error("cannot read the terminal's settings");
    termios quiet = saved;
    quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
    struct Restore {
        const termios& settings;
        ~Restore() { tcsetattr(STDIN_FILENO, TCSANOW, &settings); }
    } restore{saved};
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::string first, second;
    std::cerr << "Password: " << std::flush;
    std::getline(in, first);
    std::cerr << "\nPassword (again): " << std::flush;
    std::getline(in, second);
    std::cerr << "\n";
    if (first != second) throw std::runtime_error("the passwords do not match");
    return first;
}

}  // namespace

AppregApplication::AppregApplication() { setUnixOptions(true); }

void AppregApplication::defineOptions(Poco::Util::OptionSet& options) {
    options.addOption(Option("help", "h", "print this help and exit").required(false).repeatable(false));
    options.addOption(
        Option("config", "c", "read settings from a properties FILE (see conf/appreg.properties)")
            .required(false)
            .repeatable(false)
            .argument("FILE"));
    options.addOption(Option("db", "d",
                             "the database: a SQLite file (created and migrated if needed), sqlite:PATH, or "
                             "postgresql://USER@HOST[:PORT]/DBNAME; key db.path")
                          .required(false)
                          .repeatable(false)
                          .argument("DB"));
    options.addOption(Option("listen", "l",
                             "unix:PATH or HOST:PORT to listen on; default: the socket inherited on fd 0 "
                             "(or fd 3 with LISTEN_FDS); key listen")
                          .required(false)
                          .repeatable(false)
                          .argument("ADDR"));
    options.addOption(
        Option("threads", "t", "worker threads, each with its own database connection; key threads")
            .required(false)
            .repeatable(false)
            .argument("N"));
    options.addOption(Option("username", "u", "create-superuser only: the new user's name")
                          .required(false)
                          .repeatable(false)
                          .argument("NAME"));
    options.addOption(Option("from", "", "copy-database only: the SQLite database to copy (must exist)")
                          .required(false)
                          .repeatable(false)
                          .argument("SQLITE_PATH"));
    options.addOption(
        Option("check-only", "", "copy-database only: copy nothing, compare the --db database with --from")
            .required(false)
            .repeatable(false));
}

void AppregApplication::handleOption(const std::string& name, const std::string& value) {
    Poco::Util::Application::handleOption(name, value);
    if (name == "help") {
        _helpRequested = true;
        stopOptionsProcessing();
    } else if (name == "config") {
        loadConfiguration(value, 0);
        _configPath = value;
    } else if (name == "db") {
        config().setString("db.path", value);
    } else if (name == "listen") {
        config().setString("listen", value);
    } else if (name == "threads") {
        config().setString("threads", value);
    } else if (name == "username") {
        _username = value;
    } else if (name == "from") {
        _from = value;
    } else if (name == "check-only") {
        _checkOnly = true;
    }
}

void AppregApplication::displayHelp() const {
    Poco::Util::HelpFormatter help(options());
    help.setCommand("appreg-fcgi");
    help.setUsage(
        "[--config FILE] [--db PATH] [--listen unix:PATH | HOST:PORT] [--threads N] [--help]\n"
        "       appreg-fcgi create-superuser [--config FILE] [--db PATH] --username NAME   (password on "
        "stdin)\n"
        "       appreg-fcgi copy-database --from SQLITE_PATH [--config FILE] [--db POSTGRES_URL] "
        "[--check-only]");
    help.setHeader(
        "The AWX-compatible OAuth2 application registry (/api/v2/applications/) as a FastCGI worker. "
        "Run it behind lighttpd, Apache or nginx; it never opens a network socket unless told to.");
    help.setFooter(
        "copy-database copies every table of the SQLite database --from into the empty PostgreSQL "
        "database of --db in one transaction, then compares the two table by table (--check-only: only "
        "compares). Stop the workers of the SQLite file first: what they write after the copy began is not "
        "copied.\n"
        "Every setting and its default: conf/appreg.properties. Flags override the config file.");
    help.format(std::cout);
}

int AppregApplication::main(const std::vector<std::string>& args) {
    if (_helpRequested) {
        displayHelp();
        return EXIT_OK;
    }
    const bool createSuperuser = !args.empty() && args.front() == "create-superuser";
    const bool copyDatabase = !args.empty() && args.front() == "copy-database";
    if (args.size() > (createSuperuser || copyDatabase ? 1u : 0u)) {
        std::cerr << "appreg-fcgi: unexpected argument: " << args.back() << " (see --help)\n";
        return EXIT_USAGE;
    }
    if (!createSuperuser && !_username.empty()) {
        std::cerr << "appreg-fcgi: --username is for create-superuser (see --help)\n";
        return EXIT_USAGE;
    }
    if (!copyDatabase && (!_from.empty() || _checkOnly)) {
        std::cerr << "appreg-fcgi: --from and --check-only are for copy-database (see --help)\n";
        return EXIT_USAGE;
    }
    Config cfg;
    try {
        cfg = Config::from(config());
    } catch (const std::invalid_argument& e) {
        std::cerr << "appreg-fcgi: invalid setting " << e.what() << "\n";
        return EXIT_CONFIG;
    }
    if (createSuperuser) return runCreateSuperuser(cfg);
    if (copyDatabase) return runCopyDatabase(cfg);
    LogChannels logChannels;
    try {
        logChannels = setUpLogging(cfg.logFile);
    } catch (const Poco::Exception& e) {
        std::cerr << "appreg-fcgi: cannot open the log file " << cfg.logFile << ": " << e.displayText()
                  << "\n";
        return EXIT_CANTCREAT;
    }
    auto& log = Poco::Logger::get("appreg");
    struct CloseLog {  // every line written, and the channel's thread gone, before the process exits
        BufferedChannel& lines;
        ~CloseLog() { lines.close(); }
    } closeLog{*logChannels.lines};

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
            log.fatal("cannot open the database %s: %s", cfg.db.describe(), e.displayText());
            return EXIT_CANTCREAT;
        } catch (const std::exception& e) {
            log.fatal("cannot open the database %s: %s", cfg.db.describe(), std::string(e.what()));
            return EXIT_CANTCREAT;
        }
        if (cfg.db.backend() == store::Backend::PostgreSQL) {
            log.information("database %s (PostgreSQL, statement timeout %d ms, lock timeout %d ms)",
                            cfg.db.describe(), cfg.db.statementTimeoutMs, cfg.db.busyTimeoutMs);
        } else {
            log.information("database %s (synchronous=%s, busy timeout %d ms)", cfg.db.describe(),
                            cfg.db.synchronous, cfg.db.busyTimeoutMs);
        }

        api::CredentialCache credentials(static_cast<std::size_t>(cfg.credentialCacheSize),
                                         std::chrono::seconds(cfg.credentialCacheSeconds));
        api::ApiSettings settings{cfg.nodeName, cfg.tokenLifetimeSeconds,
                                  static_cast<unsigned>(cfg.passwordIterations), &credentials,
                                  static_cast<std::size_t>(cfg.listCacheBytes)};
        fcgi::ServerOptions options;
        options.threads = cfg.threads;
        options.maxRunning = cfg.running;
        // A request thread waiting for its write's commit lets another one run (threads.running).
        database.setWaitHooks(
            {&fcgi::FcgiServer::currentThreadWaits, &fcgi::FcgiServer::currentThreadResumes});
        options.pathPrefix = cfg.pathPrefix;
        options.shutdownGraceMs = cfg.shutdownGraceMs;
        options.reloadable = {cfg.maxBodyBytes, cfg.logRequests, cfg.readTimeoutMs};
        Poco::SimpleFileChannel* reopened = logChannels.file.get();
        BufferedChannel* lines = logChannels.lines.get();
        options.onReload = [this, reopened, lines]() -> std::optional<fcgi::ReloadableOptions> {
            if (reopened != nullptr) {
                lines->flush();  // what was logged before the signal goes to the file logrotate moved
                reopened->close();
                reopened->open();
            }
            return reloadableSettings();
        };
        fcgi::FcgiServer server(*socket, options, [&settings, &database]() -> fcgi::RequestHandler {
            auto api = std::make_shared<api::Api>(settings, database);
            return [api](const http::Request& request) { return api->handle(request); };
        });
        const int status = server.run();
        const store::GroupCommitStats writes = database.writeStats();
        if (writes.transactions > 0) {
            // Operators size `threads` by this: a mean near 1 under write load means commits are not shared.
            log.information("group commit: %s writes in %s transactions (%.2f per transaction, at most %z)",
                            std::to_string(writes.writes), std::to_string(writes.transactions),
                            static_cast<double>(writes.writes) / static_cast<double>(writes.transactions),
                            writes.largest);
        }
        const store::CheckpointStats checkpoints = database.checkpointStats();
        if (checkpoints.background + checkpoints.inlined > 0) {
            log.information(
                "checkpoints: %s in the background (%.1f ms in all), %s by the writer (%.1f ms in "
                "all, the longest %.1f ms), %s failed; the WAL started over %s times and held at most "
                "%s frames%s",
                std::to_string(checkpoints.background),
                static_cast<double>(checkpoints.backgroundMicros) / 1000.0,
                std::to_string(checkpoints.inlined), static_cast<double>(checkpoints.inlinedMicros) / 1000.0,
                static_cast<double>(checkpoints.longestInlinedMicros) / 1000.0,
                std::to_string(checkpoints.failed), std::to_string(checkpoints.restarts),
                std::to_string(checkpoints.largestWal),
                checkpoints.writtenBackInSlices
                    ? "; the database file written back in " +
                          std::to_string(store::kWriteBackSliceBytes >> 20) + " MiB slices, " +
                          std::to_string(store::kWriteBackSlicesInFlight) +
                          " in flight, while the WAL held less than twice the threshold"
                    : std::string(
                          "; the database file's descriptor not found, written back by its fsync alone"));
        }
        return status;
    } catch (const Poco::Exception& e) {
        log.fatal("cannot start: %s", e.displayText());
        return EXIT_SOFTWARE;
    } catch (const std::exception& e) {
        log.fatal("cannot start: %s", std::string(e.what()));
        return EXIT_SOFTWARE;
    }
}

std::optional<fcgi::ReloadableOptions> AppregApplication::reloadableSettings() const {
    auto& log = Poco::Logger::get("appreg");
    if (_configPath.empty()) {
        log.information("SIGHUP: log reopened; no configuration file to reload (started without --config)");
        return std::nullopt;
    }
    try {
        // The reloadable keys have no command-line flags, so the file alone decides them. The whole file is
        // validated: one bad value keeps every current setting.
        Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file(
            new Poco::Util::PropertyFileConfiguration(_configPath));
        Config next = Config::from(*file);
        return fcgi::ReloadableOptions{next.maxBodyBytes, next.logRequests, next.readTimeoutMs};
    } catch (const std::invalid_argument& e) {
        log.error("SIGHUP: %s has an invalid setting %s; keeping the current settings", _configPath,
                  std::string(e.what()));
    } catch (const Poco::Exception& e) {
        log.error("SIGHUP: cannot read %s (%s); keeping the current settings", _configPath, e.displayText());
    }
    return std::nullopt;
}

int AppregApplication::runCreateSuperuser(const Config& cfg) {
    if (_username.empty()) {
        std::cerr << "appreg-fcgi: create-superuser needs --username NAME\n";
        return EXIT_USAGE;
    }
    // The username obeys the rules of the users API.
    domain::FieldErrors errors;
    Poco::JSON::Object body;
    body.set("username", _username);
    domain::userFields().validate(
        body, domain::WriteMode::Partial, [](const std::string&, std::int64_t) { return false; }, errors);
    if (!errors.empty()) {
        std::cerr << "appreg-fcgi: invalid username: " << errors.items().front().second.front() << "\n";
        return EXIT_USAGE;
    }
    std::string password;
    try {
        password = readPassword(std::cin);
    } catch (const std::runtime_error& e) {
        std::cerr << "appreg-fcgi: " << e.what() << "\n";
        return EXIT_USAGE;
    }
    if (password.empty()) {
        std::cerr << "appreg-fcgi: the password must not be empty\n";
        return EXIT_USAGE;
    }
    try {
        store::Database database(cfg.db);
        database.migrate();
        domain::User user;
        user.username = _username;
        user.isSuperuser = true;
        user.passwordHash = domain::hashPassword(password, static_cast<unsigned>(cfg.passwordIterations));
        user.created = user.modified = domain::formatTimestamp(domain::nowMicros());
        auto connection = database.connect();
        store::WriteTransaction tx(*connection);
        store::UserStore users(*connection);
        if (users.findByUsername(user.username)) {
            std::cerr << "appreg-fcgi: a user named \"" << user.username << "\" already exists in "
                      << cfg.db.describe() << "; nothing was changed\n";
            return 1;
        }
        user.id = users.insert(user);
        store::ActivityStreamStore activity(*connection);  // no actor: the command line
        activity.record("create", "user", user.id, http::json::stringify(api::userChanges(user)),
                        user.created);
        tx.commit();
        std::cout << "created superuser \"" << user.username << "\" (id " << user.id << ") in "
                  << cfg.db.describe() << "\n";
        return EXIT_OK;
    } catch (const Poco::Exception& e) {
        std::cerr << "appreg-fcgi: cannot create the user in " << cfg.db.describe() << ": " << e.displayText()
                  << "\n";
        return EXIT_CANTCREAT;
    } catch (const std::exception& e) {
        std::cerr << "appreg-fcgi: cannot create the user in " << cfg.db.describe() << ": " << e.what()
                  << "\n";
        return EXIT_CANTCREAT;
    }
}

int AppregApplication::runCopyDatabase(const Config& cfg) {
    if (_from.empty()) {
        std::cerr << "appreg-fcgi: copy-database needs --from SQLITE_PATH\n";
        return EXIT_USAGE;
    }
    store::DatabaseOptions source = cfg.db;  // the same timeouts; the SQLite settings apply to the source
    source.path = _from;
    const std::string from = source.describe();
    const std::string to = cfg.db.describe();  // never the password
    bool committed = false;
    try {
        store::DatabaseCopy copy(source, cfg.db);
        if (!_checkOnly) {
            std::cout << "copying " << from << " into " << to << "\n" << std::flush;
            copy.copy([](const std::string& table, std::int64_t rows) {
                std::cout << "copied " << table << " (" << rows << (rows == 1 ? " row" : " rows") << ")\n"
                          << std::flush;
            });
            committed = true;
            std::cout << "committed; comparing the copy with its source\n" << std::flush;
        }
        const store::CopyComparison comparison = copy.compare();
        for (const store::TableComparison& table : comparison.tables) std::cout << table.describe() << "\n";
        if (!comparison.matches()) {
            std::cerr << "appreg-fcgi: " << to << " does not match " << from << " (see the MISMATCH lines)\n";
            return EXIT_DATAERR;
        }
        std::cout << to << " matches " << from << "\n";
        return EXIT_OK;
    } catch (const std::invalid_argument& e) {
        std::cerr << "appreg-fcgi: copy-database: " << e.what() << "\n";
        return EXIT_USAGE;
    } catch (const store::CopyRefused& e) {
        std::cerr << "appreg-fcgi: copy-database: " << e.what() << "\n";
        switch (e.reason()) {
            case store::CopyRefused::Reason::NoSource:
                return EXIT_NOINPUT;
            case store::CopyRefused::Reason::TargetNotEmpty:
                return 1;  // as create-superuser's refusal: nothing was changed
            case store::CopyRefused::Reason::SchemasDiffer:
                return EXIT_DATAERR;
        }
        return EXIT_SOFTWARE;
    } catch (const store::ConstraintViolation& e) {
        std::cerr << "appreg-fcgi: copy-database: PostgreSQL refused a row of " << from << ": " << e.what()
                  << "; the copy was rolled back\n";
        return EXIT_DATAERR;
    } catch (const Poco::Exception& e) {
        std::cerr << "appreg-fcgi: copy-database: " << (committed ? "cannot compare " : "cannot copy ")
                  << from << (committed ? " with " : " into ") << to << ": " << e.displayText() << "\n";
        return EXIT_CANTCREAT;
    } catch (const std::exception& e) {
        std::cerr << "appreg-fcgi: copy-database: " << (committed ? "cannot compare " : "cannot copy ")
                  << from << (committed ? " with " : " into ") << to << ": " << e.what() << "\n";
        return EXIT_CANTCREAT;
    }
}

}  // namespace appreg::app
