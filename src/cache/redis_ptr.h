/// RAII owners for the hiredis handles used by src/cache (private header).
///
/// Every hiredis object the library creates is held by one of these
/// unique_ptr aliases from the moment it is created. Call .get() only at the
/// call into hiredis.
#pragma once

#include <memory>

#include <hiredis/hiredis.h>

#include "core/c_deleter.h"

namespace oidfed::cache {

using oidfed::CDeleter;

/// From redisConnectWithTimeout() / redisConnectUnixWithTimeout().
using RedisContextPtr = std::unique_ptr<redisContext, CDeleter<&redisFree>>;
/// From redisGetReplyFromReader(); frees nested elements too.
using RedisReplyPtr = std::unique_ptr<redisReply, CDeleter<&freeReplyObject>>;

} // namespace oidfed::cache
