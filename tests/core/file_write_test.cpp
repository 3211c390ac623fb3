// src/core/file_write: exclusive creation and atomic replacement, on a real
// file system. What a process killed in the middle leaves is the crash
// suite's (tests/crash); here the outcomes of each call.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/file_write.h"
#include "temp_dir.h"

using namespace oidfed;
namespace fs = std::filesystem;
using oidfed::test::TempDir;

namespace {

std::string contentOf(const fs::path &path)
{
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

unsigned modeOf(const fs::path &path)
{
    struct stat info {};
    REQUIRE(::lstat(path.c_str(), &info) == 0);
    return static_cast<unsigned>(info.st_mode & 07777);
}

/// Names in `dir`, but `keep`.
std::size_t othersIn(const fs::path &dir, const fs::path &keep)
{
    std::size_t count = 0;
    for (const auto &entry : fs::directory_iterator(dir))
        count += entry.path().filename() == keep.filename() ? 0 : 1;
    return count;
}

} // namespace

TEST_CASE("writeFileExclusive: the whole file with exactly its mode, never over an existing name, nothing left beside")
{
    TempDir tmp;
    const fs::path file = tmp.path() / "sub.json";
    const mode_t saved = ::umask(077);
    auto written = writeFileExclusive(file, "{\"entity_id\": 1}\n", 0644);
    ::umask(saved);
    REQUIRE_MESSAGE(written, written.error().describe());
    CHECK(contentOf(file) == "{\"entity_id\": 1}\n");
    CHECK(modeOf(file) == 0644);
    CHECK(othersIn(tmp.path(), file) == 0);  // no temporary file left

    // An existing file is neither replaced nor touched.
    auto again = writeFileExclusive(file, "other", 0600);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == ErrorCode::InvalidArgument);
    CHECK(contentOf(file) == "{\"entity_id\": 1}\n");
    CHECK(modeOf(file) == 0644);
    CHECK(othersIn(tmp.path(), file) == 0);

    // Nor a symlink, dangling or not: its target is not written.
    const fs::path target = tmp.path() / "target";
    const fs::path link = tmp.path() / "link.pem";
    fs::create_symlink(target, link);
    CHECK_FALSE(writeFileExclusive(link, "secret", 0600));
    CHECK_FALSE(fs::exists(target));
    CHECK(fs::is_symlink(link));

    // Deferred sync: the same file, made durable by the caller later.
    const fs::path deferred = tmp.path() / "k.pem";
    REQUIRE(writeFileExclusive(deferred, "pem", 0600, Sync::Deferred));
    CHECK(contentOf(deferred) == "pem");
    CHECK(modeOf(deferred) == 0600);

    // A missing directory: an error, nothing created.
    CHECK_FALSE(writeFileExclusive(tmp.path() / "missing" / "x.json", "x", 0644));
}

TEST_CASE("replaceFileAtomically: the new content under the same name with its mode, nothing left beside")
{
    TempDir tmp;
    const fs::path file = tmp.path() / "keys.json";
    REQUIRE(replaceFileAtomically(file, "old", 0644));
    REQUIRE(replaceFileAtomically(file, "new", 0600));
    CHECK(contentOf(file) == "new");
    CHECK(modeOf(file) == 0600);
    CHECK(othersIn(tmp.path(), file) == 0);
}
