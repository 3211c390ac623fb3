// A fresh directory under the system temporary directory for one test,
// removed with everything in it when the test ends.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>

#include <doctest/doctest.h>

namespace oidfed::test {

class TempDir {
public:
    explicit TempDir(std::string_view prefix = "oidfed-test")
    {
        std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    ~TempDir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }

    const std::filesystem::path &path() const { return path_; }
    /// The "keys" directory inside (not created).
    std::filesystem::path keys() const { return path_ / "keys"; }

private:
    std::filesystem::path path_;
};

} // namespace oidfed::test
