#pragma once

#include <string>

namespace appreg::test {

/// A fresh directory under /tmp (mode 0755) that is removed, with everything in it, when the object dies.
/// Each test gets its own, so databases, sockets and logs never leak between tests.
class TempDir {
public:
    /// Creates /tmp/<prefix>XXXXXX. Throws std::runtime_error when mkdtemp fails.
    explicit TempDir(const std::string& prefix = "appreg-test-");
    ~TempDir();

    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    /// The absolute path of the directory, without a trailing slash.
    const std::string& path() const { return path_; }

    /// path() + "/" + name.
    std::string file(const std::string& name) const;

    /// Writes (or replaces) a file in the directory and returns its path.
    std::string writeFile(const std::string& name, const std::string& content) const;

    /// The whole content of a file (absolute path); empty when it does not exist.
    static std::string readFile(const std::string& path);

private:
    std::string path_;
};

}  // namespace appreg::test
