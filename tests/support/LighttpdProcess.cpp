#include "LighttpdProcess.h"

#include "UniqueFd.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

#ifndef APPREG_SOURCE_DIR
#error "APPREG_SOURCE_DIR must name the project's source directory"
#endif

namespace appreg::test {

namespace {

std::string unquote(const std::string& value) {
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        return value.substr(1, value.size() - 2);
    }
    return value;
}

// Evaluates the small lighttpd expressions used for paths: "literal", var.name and '+' between them.
// Returns "" for anything else.
std::string evaluate(const std::string& expression, const std::map<std::string, std::string>& vars) {
    std::string result;
    std::size_t i = 0;
    bool expectOperand = true;
    while (i < expression.size()) {
        const char c = expression[i];
        if (c == ' ' || c == '\t') {
            ++i;
        } else if (c == '#') {
            break;
        } else if (!expectOperand && c == '+') {
            expectOperand = true;
            ++i;
        } else if (expectOperand && c == '"') {
            const std::size_t end = expression.find('"', i + 1);
            if (end == std::string::npos) {
                return {};
            }
            result += expression.substr(i + 1, end - i - 1);
            i = end + 1;
            expectOperand = false;
        } else if (expectOperand && expression.compare(i, 4, "var.") == 0) {
            std::size_t end = i + 4;
            while (end < expression.size() &&
                   (std::isalnum(static_cast<unsigned char>(expression[end])) != 0 ||
                    expression[end] == '_' || expression[end] == '.')) {
                ++end;
            }
            const auto found = vars.find(expression.substr(i + 4, end - i - 4));
            if (found == vars.end()) {
                return {};
            }
            result += unquote(found->second);
            i = end;
            expectOperand = false;
        } else {
            return {};
        }
    }
    return expectOperand ? std::string() : result;
}

bool portAcceptsConnections(int port) {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return fd.valid() &&
           ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

}  // namespace

std::string LighttpdProcess::shippedConfigPath() {
    return std::string(APPREG_SOURCE_DIR) + "/conf/lighttpd.conf";
}

std::string LighttpdProcess::renderConfig(const std::string& shipped,
                                          const std::map<std::string, std::string>& values) {
    static const std::regex varLine(R"(^(\s*)var\.([A-Za-z0-9_]+)(\s*)=.*$)");
    std::istringstream in(shipped);
    std::ostringstream out;
    std::set<std::string> replaced;
    std::string line;
    while (std::getline(in, line)) {
        std::smatch match;
        if (std::regex_match(line, match, varLine) && values.count(match[2].str()) > 0) {
            const std::string name = match[2].str();
            out << match[1].str() << "var." << name << " = " << values.at(name) << "\n";
            replaced.insert(name);
        } else {
            out << line << "\n";
        }
    }
    std::string missing;
    for (const auto& entry : values) {
        if (replaced.count(entry.first) == 0) {
            missing += " var." + entry.first;
        }
    }
    if (!missing.empty()) {
        throw std::runtime_error("the lighttpd configuration has no line for" + missing);
    }
    return out.str();
}

int LighttpdProcess::freePort() {
    UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = 0;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (!fd.valid() || ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error(std::string("cannot find a free port: ") + std::strerror(errno));
    }
    return ntohs(address.sin_port);
}

LighttpdProcess::LighttpdProcess(const TempDir& dir, const std::string& workerSocket)
    : port_(freePort()),
      stateDir_(dir.file("lighttpd-state")),
      configPath_(dir.file("lighttpd.conf")),
      stderrPath_(dir.file("lighttpd.stderr")) {
    if (::access(kBinary, X_OK) != 0) {
        throw std::runtime_error(std::string("lighttpd is required by the end-to-end tests but ") + kBinary +
                                 " is not an executable (" + std::strerror(errno) +
                                 "); install it with: apt-get install lighttpd");
    }
    const std::string shipped = TempDir::readFile(shippedConfigPath());
    if (shipped.empty()) {
        throw std::runtime_error("the project's lighttpd configuration " + shippedConfigPath() +
                                 " is missing or empty");
    }
    if (::mkdir(stateDir_.c_str(), 0755) != 0 && errno != EEXIST) {
        throw std::runtime_error("mkdir " + stateDir_ + ": " + std::strerror(errno));
    }
    const std::map<std::string, std::string> values = {
        {"appreg_bind", "\"127.0.0.1\""},
        {"appreg_port", std::to_string(port_)},
        {"appreg_socket", "\"" + workerSocket + "\""},
        {"appreg_state", "\"" + stateDir_ + "\""},
        {"appreg_user", "\"\""},
    };
    const std::string config = renderConfig(shipped, values);
    dir.writeFile("lighttpd.conf", config);

    static const std::regex errorLogLine(R"(^\s*server\.errorlog\s*=\s*(.*)$)");
    static const std::regex maxRequestSizeLine(R"(^\s*server\.max-request-size\s*=\s*([0-9]+).*$)");
    std::istringstream lines(config);
    std::string line;
    while (std::getline(lines, line)) {
        std::smatch match;
        if (std::regex_match(line, match, errorLogLine)) {
            errorLogPath_ = evaluate(match[1].str(), values);
        } else if (std::regex_match(line, match, maxRequestSizeLine)) {
            maxRequestSizeKib_ = std::stol(match[1].str());
        }
    }
}

LighttpdProcess::~LighttpdProcess() {
    // SIGTERM first, so a test that forgot to stop it still gets a clean shutdown; ChildProcess's own
    // destructor SIGKILLs and reaps whatever is left.
    try {
        if (process_.pid() > 0) {
            process_.terminate(std::chrono::seconds(5));
        }
    } catch (const std::exception&) {
    }
}

void LighttpdProcess::start(std::chrono::milliseconds timeout) {
    ChildProcess::Spec spec;
    spec.argv = {kBinary, "-D", "-f", configPath_};
    spec.stdoutPath = stderrPath_;
    spec.stderrPath = stderrPath_;
    process_ = ChildProcess(spec);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::milliseconds(1);
    while (!portAcceptsConnections(port_)) {
        if (auto status = process_.waitFor(pause)) {
            throw std::runtime_error(report("exited during startup: " + status->describe()));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error(
                report("did not accept connections on 127.0.0.1:" + std::to_string(port_)));
        }
        pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
}

ExitStatus LighttpdProcess::stop() { return process_.terminate(std::chrono::seconds(5)); }

std::string LighttpdProcess::unexpectedErrorLogLines(
    const std::function<bool(const std::string&)>& allowed) const {
    static const std::regex benign(R"(.*\((server\.c\.[0-9]+)\) (server started|server stopped by) .*)");
    std::istringstream lines(errorLog());
    std::string line;
    std::string unexpected;
    while (std::getline(lines, line)) {
        if (line.empty() || std::regex_match(line, benign) || (allowed && allowed(line))) continue;
        unexpected += line + "\n";
    }
    return unexpected;
}

std::string LighttpdProcess::errorLog() const {
    std::string text;
    if (!errorLogPath_.empty()) {
        text += TempDir::readFile(errorLogPath_);
    }
    return text + TempDir::readFile(stderrPath_);
}

std::string LighttpdProcess::report(const std::string& what) const {
    return std::string("lighttpd (") + kBinary + " -D -f " + configPath_ + ") " + what +
           "\n--- lighttpd errors ---\n" + errorLog() + "--- end ---";
}

}  // namespace appreg::test
