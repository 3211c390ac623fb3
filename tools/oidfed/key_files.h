// Writing key material to disk safely.
#pragma once

#include <string>

#include <oidfed/result.h>

namespace oidfed::cli {

/// Creates `path` exclusively (never overwrites) with `mode`, writes
/// `content` and fsyncs it. InvalidArgument when the file exists or cannot be
/// written. The content is never logged.
Result<void> writeFileExclusive(const std::string &path, const std::string &content, unsigned mode);

} // namespace oidfed::cli
