/// RAII owners for the hiredis handles used by src/cache (private header).
///
/// Every hiredis object the library creates is held by one of these
/// unique_ptr aliases from the moment it is created. Call .get() only at the
/// call into hiredis.
#pragma once

#include <memory>

#include <hiredis/hiredis.h>

namespace oidfed::cache {

/// A stateless deleter that calls the C free function Fn.
template <auto Fn>
struct CDeleter {
    template <class T>
    void operator()(T *p) const noexcept
    {
        Fn(p);
    }
};

/// From redisConnectWithTimeout() / redisConnectUnixWithTimeout().
using RedisContextPtr = std::unique_ptr<redisContext, CDeleter<&redisFree>>;
/// From redisGetReplyFromReader(); frees nested elements too.
using RedisReplyPtr = std::unique_ptr<redisReply, CDeleter<&freeReplyObject>>;

} // namespace oidfed::cache
