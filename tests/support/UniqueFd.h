#pragma once

namespace appreg::test {

/// Owns one file descriptor and closes it when it dies; movable, not copyable.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd();

    UniqueFd(UniqueFd&& other) noexcept;
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }

    /// Gives up ownership without closing.
    int release();

    /// Closes the descriptor now (no-op when empty).
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

}  // namespace appreg::test
