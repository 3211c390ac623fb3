/// RAII owners for the libcurl handles used by src/fetch (private header).
///
/// Every curl object the library creates is held by one of these unique_ptr
/// aliases from the moment it is created. Call .get() only at the call into
/// libcurl. libcurl's handle typedefs are `void` in application builds, so
/// the aliases differ by deleter only: keep each handle in the alias of the
/// function that created it.
#pragma once

#include <memory>

#include <curl/curl.h>

#include "core/c_deleter.h"

namespace oidfed::fetch {

using oidfed::CDeleter;

/// From curl_easy_init().
using CurlPtr = std::unique_ptr<CURL, CDeleter<&curl_easy_cleanup>>;
/// From curl_multi_init(). REQUIRES: every easy handle removed first.
using CurlMultiPtr = std::unique_ptr<CURLM, CDeleter<&curl_multi_cleanup>>;
/// From curl_share_init(). REQUIRES: outlives every easy handle using it.
using CurlSharePtr = std::unique_ptr<CURLSH, CDeleter<&curl_share_cleanup>>;
/// From curl_url().
using CurlUrlPtr = std::unique_ptr<CURLU, CDeleter<&curl_url_cleanup>>;
/// From curl_slist_append() (the head of the list).
using CurlSlistPtr = std::unique_ptr<curl_slist, CDeleter<&curl_slist_free_all>>;
/// Strings that libcurl allocates (curl_url_get): freed with curl_free.
using CurlStringPtr = std::unique_ptr<char, CDeleter<&curl_free>>;

} // namespace oidfed::fetch
