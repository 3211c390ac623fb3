// The web console's files (src/server/console/: HTML, CSS, JavaScript),
// built into the binary by console/embed_assets.py: nothing is read from
// disk or fetched from elsewhere at run time.
#pragma once

#include <span>
#include <string_view>

namespace oidfed::server {

struct ConsoleAsset {
    std::string_view name;         ///< file name, e.g. "console.js"
    std::string_view contentType;  ///< e.g. "text/javascript; charset=utf-8"
    std::string_view body;
    std::string_view etag;         ///< quoted SHA-256 of the body (hex)
};

/// Every file, sorted by name (console_assets_data.cpp, generated).
std::span<const ConsoleAsset> consoleAssets() noexcept;

} // namespace oidfed::server
