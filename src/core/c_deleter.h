// CDeleter: the one stateless deleter for C handles (ANCHORS 2.5). Each
// wrapper header (jose/openssl_ptr.h, fetch/curl_ptr.h, cache/redis_ptr.h)
// declares its unique_ptr aliases with it.
#pragma once

namespace oidfed {

/// A stateless deleter that calls the C free function Fn.
template <auto Fn>
struct CDeleter {
    template <class T>
    void operator()(T *p) const noexcept
    {
        Fn(p);
    }
};

} // namespace oidfed
