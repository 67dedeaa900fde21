#include "SystemdUnit.h"

#include "TempDir.h"

#include <regex>
#include <sstream>
#include <stdexcept>

namespace appreg::test {

namespace {

std::string trim(const std::string& text) {
    const std::size_t begin = text.find_first_not_of(" \t\r");
    if (begin == std::string::npos) {
        return {};
    }
    const std::size_t end = text.find_last_not_of(" \t\r");
    return text.substr(begin, end - begin + 1);
}

}  // namespace

SystemdUnit SystemdUnit::load(const std::string& path, const std::string& instance) {
    const std::string text = TempDir::readFile(path);
    if (text.empty()) {
        throw std::runtime_error("the unit file " + path + " is missing or empty");
    }
    return parse(text, instance);
}

SystemdUnit SystemdUnit::parse(const std::string& text, const std::string& instance) {
    SystemdUnit unit;
    std::istringstream in(text);
    std::string line;
    std::string section;
    std::string pending;
    while (std::getline(in, line)) {
        if (!pending.empty()) {
            line = pending + " " + trim(line);
            pending.clear();
        }
        const std::string trimmed = trim(line);
        if (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == ';') {
            continue;
        }
        if (trimmed.back() == '\\') {
            pending = trimmed.substr(0, trimmed.size() - 1);
            continue;
        }
        if (trimmed.front() == '[' && trimmed.back() == ']') {
            section = trimmed.substr(1, trimmed.size() - 2);
            continue;
        }
        const std::size_t equals = trimmed.find('=');
        if (equals == std::string::npos || section.empty()) {
            throw std::runtime_error("not a unit file line: " + trimmed);
        }
        std::string value = trim(trimmed.substr(equals + 1));
        for (std::size_t at = value.find('%'); at != std::string::npos && at + 1 < value.size();
             at = value.find('%', at)) {
            const char specifier = value[at + 1];
            if (specifier == 'i' || specifier == 'I') {
                value.replace(at, 2, instance);
                at += instance.size();
            } else if (specifier == '%') {
                value.replace(at, 2, "%");
                at += 1;
            } else {
                at += 2;
            }
        }
        unit.sections_[section][trim(trimmed.substr(0, equals))].push_back(value);
    }
    return unit;
}

std::vector<std::string> SystemdUnit::values(const std::string& section, const std::string& key) const {
    const auto s = sections_.find(section);
    if (s == sections_.end()) {
        return {};
    }
    const auto k = s->second.find(key);
    return k == s->second.end() ? std::vector<std::string>{} : k->second;
}

std::string SystemdUnit::value(const std::string& section, const std::string& key) const {
    const std::vector<std::string> all = values(section, key);
    if (all.empty()) {
        throw std::runtime_error("the unit has no " + key + "= in [" + section + "]");
    }
    return all.back();
}

std::string SystemdUnit::valueOr(const std::string& section, const std::string& key,
                                 const std::string& fallback) const {
    const std::vector<std::string> all = values(section, key);
    return all.empty() ? fallback : all.back();
}

bool SystemdUnit::has(const std::string& section, const std::string& key) const {
    return !values(section, key).empty();
}

std::vector<std::string> SystemdUnit::splitCommand(const std::string& command) {
    std::vector<std::string> words;
    std::string word;
    bool inWord = false;
    char quote = 0;
    for (std::size_t i = 0; i < command.size(); ++i) {
        const char c = command[i];
        if (c == '\\' && i + 1 < command.size()) {
            word += command[++i];
            inWord = true;
        } else if (quote != 0) {
            if (c == quote) {
                quote = 0;
            } else {
                word += c;
            }
        } else if (c == '"' || c == '\'') {
            quote = c;
            inWord = true;
        } else if (c == ' ' || c == '\t') {
            if (inWord) {
                words.push_back(word);
                word.clear();
                inWord = false;
            }
        } else {
            word += c;
            inWord = true;
        }
    }
    if (quote != 0) {
        throw std::runtime_error("unterminated quote in: " + command);
    }
    if (inWord) {
        words.push_back(word);
    }
    if (!words.empty()) {
        std::size_t prefix = 0;
        while (prefix < words[0].size() && std::string("-@+!:").find(words[0][prefix]) != std::string::npos) {
            ++prefix;
        }
        words[0].erase(0, prefix);
    }
    return words;
}

std::vector<std::string> SystemdUnit::environment() const {
    std::vector<std::string> assignments;
    for (const std::string& line : values("Service", "Environment")) {
        for (const std::string& word : splitCommand(line)) {
            if (word.find('=') == std::string::npos) {
                throw std::runtime_error("not an assignment in Environment=: " + word);
            }
            assignments.push_back(word);
        }
    }
    return assignments;
}

std::chrono::milliseconds SystemdUnit::parseTimeSpan(const std::string& span) {
    static const std::regex part(
        R"(\s*([0-9]+(?:\.[0-9]+)?)\s*(usec|us|msec|ms|seconds?|sec|s|minutes?|min|m|hours?|hr|h)?)");
    const std::string text = trim(span);
    if (text.empty()) {
        throw std::runtime_error("empty time span");
    }
    double total = 0;
    std::size_t position = 0;
    while (position < text.size()) {
        std::smatch match;
        const std::string rest = text.substr(position);
        if (!std::regex_search(rest, match, part, std::regex_constants::match_continuous) ||
            match.length(0) == 0) {
            throw std::runtime_error("not a systemd time span: " + span);
        }
        const double number = std::stod(match[1].str());
        const std::string unit = match[2].str();
        double ms = number * 1000;  // no unit: seconds
        if (unit == "us" || unit == "usec") {
            ms = number / 1000;
        } else if (unit == "ms" || unit == "msec") {
            ms = number;
        } else if (!unit.empty() && (unit[0] == 'm')) {
            ms = number * 60000;
        } else if (!unit.empty() && unit[0] == 'h') {
            ms = number * 3600000;
        }
        total += ms;
        position += static_cast<std::size_t>(match.length(0));
    }
    return std::chrono::milliseconds(static_cast<long long>(total));
}

unsigned SystemdUnit::parseMode(const std::string& mode) {
    if (mode.empty() || mode.size() > 4 || mode.find_first_not_of("01234567") != std::string::npos) {
        throw std::runtime_error("not an octal mode: " + mode);
    }
    return static_cast<unsigned>(std::stoul(mode, nullptr, 8));
}

}  // namespace appreg::test
