// UniqueFd: the owner of a POSIX file descriptor (ANCHORS 2.5: RAII for
// every C handle), closed on destruction. Move-only; not shared between
// threads.
#pragma once

namespace oidfed {

/// Owns a file descriptor and closes it on destruction. Move-only.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(UniqueFd &&other) noexcept : fd_(other.release()) {}
    UniqueFd &operator=(UniqueFd &&other) noexcept;
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;
    ~UniqueFd();

    int get() const noexcept { return fd_; }
    bool valid() const noexcept { return fd_ >= 0; }
    /// Gives up ownership: returns the descriptor (-1 when none) and holds none.
    [[nodiscard]] int release() noexcept;

private:
    int fd_ = -1;
};

} // namespace oidfed
