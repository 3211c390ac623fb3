/// One HTTP transfer of the libcurl Fetcher and the callbacks that fill it
/// (private header).
///
/// A Transfer lives from the moment a request is handed to libcurl until its
/// result is taken; libcurl's callbacks write into it, and transferResult()
/// turns it into what Fetcher::fetch() returns. A Transfer belongs to the one
/// thread running its multi handle.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <curl/curl.h>

#include <oidfed/fetcher.h>
#include <oidfed/result.h>

#include "fetch/easy_setup.h"
#include "fetch/curl_ptr.h"
#include "fetch/host_slots.h"

namespace oidfed::fetch {

/// Bytes of a non-200 body kept for the error message; the rest is not read.
inline constexpr std::size_t kMaxErrorBodyBytes = 4096;

/// State of one transfer, written by the libcurl callbacks.
struct Transfer {
    const FetchRequest *request = nullptr;
    /// The guard and why it refused an address (CURLOPT_OPENSOCKETDATA).
    DestinationCheck addressCheck{};
    CurlPtr easy;  ///< owned while the transfer runs, then returned to the pool
    CurlUrlPtr url;
    /// "scheme://host:port" of url: what the per-host slots count.
    std::string destination;
    /// The per-host slot, or the place among its waiters; given back as soon
    /// as the transfer ends.
    HostSlots::Ticket slot;
    /// Set when the transfer first asks for a slot: that moment plus its
    /// timeout. The wait for a slot and the transfer share this budget.
    std::chrono::steady_clock::time_point deadline{};
    CurlSlistPtr headers;
    std::size_t maxBytes = 0;  ///< set to FetchOptions::maxResponseBytes
    std::string body;
    long status = 0;
    bool sawBody = false;
    bool tooLarge = false;
    bool wrongType = false;
    std::array<char, CURL_ERROR_SIZE> errorText{};
};

/// CURLOPT_WRITEFUNCTION; userdata is the Transfer. Reads the status and
/// Content-Type at the first body byte and aborts (returns 0) when the type
/// is not the expected one or when the body would pass maxBytes.
size_t onWrite(char *data, size_t size, size_t count, void *userdata);

/// The Fetcher result of a transfer that libcurl finished with `code` (see
/// Fetcher::fetch() for the error codes). Moves the body out of `t`.
Result<FetchResponse> transferResult(Transfer &t, CURLcode code, std::size_t maxResponseBytes);

/// A short (200 bytes at most), printable excerpt of untrusted text for an
/// error message.
std::string sanitized(std::string_view text);

} // namespace oidfed::fetch
