#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace appreg::test {

/// A systemd unit file (systemd/appreg.service, appreg.socket, the @ templates) read the way systemd reads
/// the parts the tests rely on: [Section] headers, KEY=VALUE lines (repeatable keys keep every value, in
/// order), '#'/';' comments, backslash continuation lines, and %i replaced by an instance name.
class SystemdUnit {
public:
    /// Parses `path`; `instance` replaces %i (and %I). Throws std::runtime_error when the file is missing.
    static SystemdUnit load(const std::string& path, const std::string& instance = "");
    static SystemdUnit parse(const std::string& text, const std::string& instance = "");

    /// Every value of KEY in SECTION, in file order ("" resets a list key in systemd; kept as is here).
    std::vector<std::string> values(const std::string& section, const std::string& key) const;
    /// The last value of KEY in SECTION; throws std::runtime_error naming the key when it is absent.
    std::string value(const std::string& section, const std::string& key) const;
    /// The last value, or `fallback` when absent.
    std::string valueOr(const std::string& section, const std::string& key,
                        const std::string& fallback) const;
    bool has(const std::string& section, const std::string& key) const;

    /// Splits a command line the way ExecStart= is split: whitespace-separated words, "double" and 'single'
    /// quotes group, backslash escapes the next character. A leading -, @, +, ! or : prefix of the first
    /// word is dropped.
    static std::vector<std::string> splitCommand(const std::string& command);
    /// The assignments of all Environment= lines, in order: "NAME=value" each (quotes removed).
    std::vector<std::string> environment() const;
    /// A systemd time span ("15s", "1min 30s", "500ms", "2h", or a plain number of seconds) in ms; throws
    /// std::runtime_error for anything else, "infinity" included.
    static std::chrono::milliseconds parseTimeSpan(const std::string& span);
    /// An octal mode ("0660", "027") as a number; throws on anything else.
    static unsigned parseMode(const std::string& mode);

private:
    std::map<std::string, std::map<std::string, std::vector<std::string>>> sections_;
};

}  // namespace appreg::test
