#include "NginxProcess.h"

#include "LighttpdProcess.h"

#include <cctype>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#ifndef APPREG_SOURCE_DIR
#error "APPREG_SOURCE_DIR must name the project's source directory"
#endif

namespace appreg::test {

std::string NginxProcess::shippedConfigPath() const {
    return std::string(APPREG_SOURCE_DIR) + "/conf/nginx.conf";
}

std::string NginxProcess::renderConfig(const std::string& shipped,
                                       const std::map<std::string, std::string>& values) {
    // <indent><directive> <value>;<spaces># appreg:<name>
    static const std::regex marked(R"(^(\s*)([a-z_]+)(\s+)(.*?);(\s*)#\s*appreg:([a-z_]+)\s*$)");
    std::istringstream in(shipped);
    std::ostringstream out;
    std::set<std::string> replaced;
    std::string line;
    while (std::getline(in, line)) {
        std::smatch match;
        if (line.find("# appreg:") == std::string::npos || line.find_first_not_of(" \t") == line.find('#')) {
            out << line << "\n";
            continue;
        }
        if (!std::regex_match(line, match, marked)) {
            throw std::runtime_error("cannot parse the marked nginx line: " + line);
        }
        const std::string name = match[6].str();
        const auto found = values.find(name);
        if (found == values.end()) {
            out << line << "\n";
            continue;
        }
        std::string value = match[4].str();
        if (name == "state") {
            const std::size_t at = value.find(kShippedStateDir);
            if (at == std::string::npos) {
                throw std::runtime_error(std::string("an appreg:state line does not contain ") +
                                         kShippedStateDir + ": " + line);
            }
            value.replace(at, std::string(kShippedStateDir).size(), found->second);
        } else {
            value = found->second;
        }
        out << match[1].str() << match[2].str() << match[3].str() << value << ";" << match[5].str()
            << "# appreg:" << name << "\n";
        replaced.insert(name);
    }
    std::string missing;
    for (const auto& entry : values) {
        if (replaced.count(entry.first) == 0) {
            missing += " appreg:" + entry.first;
        }
    }
    if (!missing.empty()) {
        throw std::runtime_error("the nginx configuration has no line marked" + missing);
    }
    return out.str();
}

std::size_t NginxProcess::parseSize(const std::string& value) {
    static const std::regex size(R"(^([0-9]+)([kKmMgG]?)$)");
    std::smatch match;
    if (!std::regex_match(value, match, size)) {
        throw std::runtime_error("not an nginx size: " + value);
    }
    std::size_t bytes = std::stoul(match[1].str());
    switch (std::tolower(static_cast<unsigned char>(match[2].str().empty() ? ' ' : match[2].str()[0]))) {
        case 'k':
            return bytes * 1024;
        case 'm':
            return bytes * 1024 * 1024;
        case 'g':
            return bytes * 1024 * 1024 * 1024;
        default:
            return bytes;
    }
}

NginxProcess::NginxProcess(const TempDir& dir, const std::string& workerSocket)
    : port_(LighttpdProcess::freePort()),
      stateDir_(dir.file("nginx")),
      configPath_(dir.file("nginx.conf")),
      stderrPath_(dir.file("nginx.stderr")) {
    requireExecutable(kBinary, "nginx", "nginx");
    const std::string shipped = TempDir::readFile(shippedConfigPath());
    if (shipped.empty()) {
        throw std::runtime_error("the project's nginx configuration " + shippedConfigPath() +
                                 " is missing or empty");
    }
    makeDirectory(stateDir_);
    const std::string config = renderConfig(shipped, {
                                                         {"user", serverUser()},
                                                         {"listen", "127.0.0.1:" + std::to_string(port_)},
                                                         {"socket", "unix:" + workerSocket},
                                                         {"state", stateDir_},
                                                     });
    dir.writeFile("nginx.conf", config);

    static const std::regex maxBody(R"(^\s*client_max_body_size\s+(\S+);.*$)");
    std::istringstream lines(config);
    std::string line;
    while (std::getline(lines, line)) {
        std::smatch match;
        if (std::regex_match(line, match, maxBody)) {
            bodyLimit_ = parseSize(match[1].str());
        }
    }
    if (bodyLimit_ == 0) {
        throw std::runtime_error(
            "conf/nginx.conf sets no client_max_body_size (nginx's default is 1m, but the "
            "limit must be stated next to request.max_body_bytes)");
    }
}

NginxProcess::~NginxProcess() {
    try {
        if (process_.pid() > 0) {
            process_.terminate(std::chrono::seconds(10));
        }
    } catch (const std::exception&) {
    }
}

void NginxProcess::start(std::chrono::milliseconds timeout) {
    ChildProcess::Spec spec;
    spec.argv = {kBinary, "-c", configPath_, "-g", "daemon off;"};
    spec.stdoutPath = stderrPath_;
    spec.stderrPath = stderrPath_;
    process_ = ChildProcess(spec);
    waitForPort(process_, port_, timeout, std::string("nginx (") + kBinary + " -c " + configPath_ + ")",
                [this] { return errorLog(); });
}

ExitStatus NginxProcess::stop() { return process_.terminate(std::chrono::seconds(10)); }

std::string NginxProcess::errorLog() const {
    return TempDir::readFile(stateDir_ + "/error.log") + TempDir::readFile(stderrPath_);
}

bool NginxProcess::isRoutineLogLine(const std::string& line) const {
    static const std::regex routine(
        // Started by a user other than root (a developer's run): `user` cannot switch, which is fine.
        R"(.*\[warn\] .*the "user" directive makes sense only if the master process runs with super-user .*|)"
        // Bodies above client_body_buffer_size (16 KiB) are spooled to client_body_temp_path: by design.
        R"(.*\[warn\] .* a client request body is buffered to a temporary file .*)");
    return std::regex_match(line, routine);
}

std::vector<std::string> NginxProcess::logLinesFor(Event event) const {
    switch (event) {
        case Event::kBodyOverLimit:
            return {"client intended to send too large body"};
        case Event::kChunkedBodyOverLimit:
            return {"client intended to send too large chunked body"};
        case Event::kWorkerDown:
            return {"failed (111: Connection refused) while connecting to upstream",
                    "failed (2: No such file or directory) while connecting to upstream"};
    }
    return {};
}

}  // namespace appreg::test
