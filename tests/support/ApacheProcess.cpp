#include "ApacheProcess.h"

#include "HttpClient.h"
#include "LighttpdProcess.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef APPREG_SOURCE_DIR
#error "APPREG_SOURCE_DIR must name the project's source directory"
#endif

namespace appreg::test {

namespace {

const std::regex kDefineLine(R"(^(\s*)Define\s+([A-Za-z0-9_]+)(\s+(.*?))?\s*$)");

}  // namespace

std::string ApacheProcess::shippedConfigPath(Mode mode) {
    return std::string(APPREG_SOURCE_DIR) +
           (mode == Mode::kProxyFcgi ? "/conf/apache-proxy-fcgi.conf" : "/conf/apache-fcgid.conf");
}

std::string ApacheProcess::renderConfig(const std::string& shipped,
                                        const std::map<std::string, std::string>& values) {
    std::istringstream in(shipped);
    std::ostringstream out;
    std::set<std::string> replaced;
    std::string line;
    while (std::getline(in, line)) {
        std::smatch match;
        if (std::regex_match(line, match, kDefineLine) && values.count(match[2].str()) > 0) {
            const std::string name = match[2].str();
            out << match[1].str() << "Define " << name << " " << values.at(name) << "\n";
            replaced.insert(name);
        } else {
            out << line << "\n";
        }
    }
    std::string missing;
    for (const auto& entry : values) {
        if (replaced.count(entry.first) == 0) {
            missing += " " + entry.first;
        }
    }
    if (!missing.empty()) {
        throw std::runtime_error("the Apache configuration has no Define line for" + missing);
    }
    return out.str();
}

std::map<std::string, std::string> ApacheProcess::defines(const std::string& config) {
    std::map<std::string, std::string> result;
    std::istringstream in(config);
    std::string line;
    while (std::getline(in, line)) {
        std::smatch match;
        if (std::regex_match(line, match, kDefineLine)) {
            result[match[2].str()] = match[4].str();
        }
    }
    return result;
}

ApacheProcess::ApacheProcess(const TempDir& dir, Mode mode, const FrontServerBackend& backend)
    : mode_(mode),
      port_(LighttpdProcess::freePort()),
      stateDir_(dir.file(mode == Mode::kProxyFcgi ? "apache2-proxy-fcgi" : "apache2-fcgid")),
      configPath_(stateDir_ + ".conf"),
      stderrPath_(stateDir_ + ".stderr"),
      errorLogPath_(stateDir_ + "/error.log"),
      workerDatabase_(backend.database) {
    requireExecutable(kBinary, "Apache", "apache2");
    const std::string shipped = TempDir::readFile(shippedConfigPath(mode));
    if (shipped.empty()) {
        throw std::runtime_error("the project's Apache configuration " + shippedConfigPath(mode) +
                                 " is missing or empty");
    }
    makeDirectory(stateDir_);
    const std::string user = serverUser();
    std::map<std::string, std::string> values = {
        {"APPREG_BIND", "127.0.0.1"}, {"APPREG_PORT", std::to_string(port_)}, {"APPREG_STATE", stateDir_},
        {"APPREG_USER", user},        {"APPREG_GROUP", serverGroup()},
    };
    if (mode == Mode::kProxyFcgi) {
        values["APPREG_SOCKET"] = backend.socketPath;
    } else {
        // The worker runs as the server's user: it must be able to run the binary, read the config file and
        // write the database's directory.
        requireReachableBy(backend.binary, user, true);
        requireReachableBy(backend.configFile, user, false);
        values["APPREG_BINARY"] = backend.binary;
        values["APPREG_CONFIG"] = backend.configFile;
        values["APPREG_DB"] = backend.database;
    }
    for (const auto& [name, value] : values) {
        if (value.find_first_of(" \t\"") != std::string::npos) {
            throw std::runtime_error("Apache Define values must not contain spaces or quotes: " + name + "=" +
                                     value);
        }
    }
    const std::string config = renderConfig(shipped, values);
    dir.writeFile(configPath_.substr(dir.path().size() + 1), config);

    // Every module the configuration loads must be installed; name the package that brings it.
    static const std::regex loadModule(R"(^\s*LoadModule\s+\S+\s+(\S+)\s*$)");
    std::istringstream lines(config);
    std::string line;
    while (std::getline(lines, line)) {
        std::smatch match;
        if (std::regex_match(line, match, loadModule)) {
            const std::string module = match[1].str();
            requireExecutable(
                module, "the Apache module " + module,
                module.find("mod_fcgid") != std::string::npos ? "libapache2-mod-fcgid" : "apache2");
        }
    }

    const std::string limit = defines(config)["APPREG_MAX_BODY"];
    if (limit.empty() || limit.find_first_not_of("0123456789") != std::string::npos) {
        throw std::runtime_error(shippedConfigPath(mode) + " has no numeric Define APPREG_MAX_BODY");
    }
    bodyLimit_ = std::stoul(limit);
}

ApacheProcess::~ApacheProcess() {
    try {
        if (process_.pid() > 0) {
            stop();
        }
    } catch (const std::exception&) {
    }
}

std::string ApacheProcess::name() const {
    return mode_ == Mode::kProxyFcgi ? "Apache mod_proxy_fcgi" : "Apache mod_fcgid";
}

void ApacheProcess::start(std::chrono::milliseconds timeout) {
    // A previous instance in this directory (stopped) may have left its pid file; Apache would warn.
    ::unlink((stateDir_ + "/apache2.pid").c_str());
    ChildProcess::Spec spec;
    spec.argv = {kBinary, "-DFOREGROUND", "-f", configPath_};
    spec.stdoutPath = stderrPath_;
    spec.stderrPath = stderrPath_;
    // Apache passes its environment on to mod_fcgid's worker processes; keep the test runner's socket
    // activation variables away from them.
    spec.environment = {"LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"};
    process_ = ChildProcess(spec);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const std::string what = name() + " (" + std::string(kBinary) + " -DFOREGROUND -f " + configPath_ + ")";
    waitForPort(process_, port_, timeout, what, [this] { return errorLog(); });
    // The port accepts as soon as the parent listens; wait for a child to answer too, so that everything
    // (mod_fcgid's process manager included) is up before a test can stop it again. A process manager
    // stopped within its first moments can miss the SIGTERM and stay behind.
    for (;;) {
        try {
            HttpClient(port_, std::chrono::seconds(2)).get("/");
            return;
        } catch (const std::exception& e) {
            if (std::chrono::steady_clock::now() >= deadline) {
                throw std::runtime_error(what + " accepted connections but answered no request: " + e.what() +
                                         "\n--- its log ---\n" + errorLog() + "--- end ---");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
}

ExitStatus ApacheProcess::stop() {
    // Graceful stop (SIGWINCH, what `apache2 -k graceful-stop` sends): the children finish their connections,
    // lingering closes included, then exit; SIGTERM only if that takes more than 10 s. The immediate stop
    // (SIGTERM, `-k stop`) races connections still being closed: 2.4.71's event MPM then logs, now and then,
    // "AH03092: process_lingering_close: apr_pollset_add failure" or a child's "exit signal Segmentation
    // fault (11)" (both seen in these suites). Costs about a second per stop.
    std::optional<ExitStatus> graceful;
    if (process_.running()) {
        const std::string log = TempDir::readFile(errorLogPath_);
        // At a line boundary: a line being written right now counts as written before.
        stopLogOffset_ = log.rfind('\n') == std::string::npos ? 0 : log.rfind('\n') + 1;
        process_.signal(SIGWINCH);
        graceful = process_.waitFor(std::chrono::seconds(10));
    }
    const ExitStatus status = graceful ? *graceful : process_.terminate(std::chrono::seconds(15));
    // Apache's children exit with their parent; one that did not (seen only with mod_fcgid's process
    // manager stopped right after its start, which start() now avoids) would spin forever without it.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::vector<int> stray = pidsWithArguments(" -f " + configPath_);
    while (!stray.empty() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        stray = pidsWithArguments(" -f " + configPath_);
    }
    for (const int pid : stray) {
        ::kill(pid, SIGKILL);
        std::cerr << "ApacheProcess: killed Apache process " << pid << " (" << configPath_
                  << "), left behind by its stopped parent\n";
    }
    if (mode_ != Mode::kFcgid) {
        return status;
    }
    // mod_fcgid's process manager stops the workers when Apache stops; none may outlive it.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::vector<int> left = workerPids();
    while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        left = workerPids();
    }
    if (!left.empty()) {
        std::string pids;
        for (const int pid : left) {
            ::kill(pid, SIGKILL);
            pids += " " + std::to_string(pid);
        }
        throw std::runtime_error("worker processes started by mod_fcgid outlived Apache by 5 s (killed):" +
                                 pids);
    }
    return status;
}

std::vector<int> ApacheProcess::workerPids() const {
    if (workerDatabase_.empty()) {
        return {};
    }
    return pidsWithArguments(" --db " + workerDatabase_ + " ");
}

std::vector<int> ApacheProcess::pidsWithArguments(const std::string& needle) {
    std::vector<int> pids;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) {
        return pids;
    }
    while (const dirent* entry = ::readdir(proc)) {
        const std::string name = entry->d_name;
        if (name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        // Arguments separated by spaces, with a trailing one; zombies have an empty command line.
        std::string cmdline = TempDir::readFile("/proc/" + name + "/cmdline");
        for (char& c : cmdline) {
            if (c == '\0') {
                c = ' ';
            }
        }
        if (cmdline.find(needle) != std::string::npos) {
            pids.push_back(std::stoi(name));
        }
    }
    ::closedir(proc);
    return pids;
}

std::string ApacheProcess::errorLog() const {
    std::string log = TempDir::readFile(errorLogPath_);
    if (stopLogOffset_ != std::string::npos && stopLogOffset_ <= log.size()) {
        // Mark the lines written after stop() began, so a failure shows what happened while stopping.
        std::string marked = log.substr(0, stopLogOffset_);
        std::istringstream after(log.substr(stopLogOffset_));
        std::string line;
        while (std::getline(after, line)) {
            marked += (line.empty() ? "" : kStoppingMark) + line + "\n";
        }
        log = marked;
    }
    return log + TempDir::readFile(stderrPath_);
}

bool ApacheProcess::isRoutineLogLine(const std::string& line) const {
    static const std::regex routine(R"(.*\] AH00489: Apache/.* configured -- resuming normal operations$|)"
                                    R"(.*\] AH00094: Command line: .*|)"
                                    R"(.*\] AH00491: caught SIGTERM, shutting down$|)"
                                    R"(.*\] AH00492: caught SIGWINCH, shutting down gracefully$)");
    // mod_fcgid: the worker's own stderr lands in the error log; its routine lines are "<time>Z Information".
    static const std::regex workerInfo(
        R"(^(\[while stopping\] )?[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z Information .*)");
    return std::regex_match(line, routine) || (mode_ == Mode::kFcgid && std::regex_match(line, workerInfo));
}

std::vector<std::string> ApacheProcess::logLinesFor(Event event) const {
    switch (event) {
        case Event::kBodyOverLimit:
            return {};  // the rewrite rule's 413 is not logged
        case Event::kChunkedBodyOverLimit:
            return {"exceeds MaxRequestLen"};  // mod_fcgid; mod_proxy_fcgi streams it to the worker
        case Event::kWorkerDown:
            return {"AH00957", "AH01079", "AH02454"};  // connect failed / failed to make connection
    }
    return {};
}

}  // namespace appreg::test
