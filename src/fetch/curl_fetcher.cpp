// The libcurl Fetcher.
//
// Design:
// - Every call (fetch or fetchAll) checks out a ConnectionPool: one curl
//   multi handle, which owns a connection cache, plus the easy handles that
//   ran on it last. Only the calling thread touches it until it is checked
//   back in, so libcurl's "one handle, one thread" rule holds without locking
//   inside transfers. Idle pools are kept (up to kMaxIdlePools), so later
//   calls reuse open connections. Connections are deliberately not shared
//   through the share handle: libcurl documents CURL_LOCK_DATA_CONNECT as
//   unsafe between threads.
// - One share handle, locked per data kind, shares the DNS cache and TLS
//   session ids between all pools.
// - The destination guard runs in CURLOPT_OPENSOCKETFUNCTION, which libcurl
//   calls with the resolved address it is about to connect to, before the
//   socket exists. A refused address gets no socket and no SYN. Because the
//   check is on that very address (not on an earlier lookup of the name), a
//   DNS answer that changes between lookups cannot slip past it, and every
//   address tried (happy eyeballs, several A/AAAA records) is checked.
// - The write callback enforces the size cap as bytes arrive, and aborts at
//   the first body byte when the status or the Content-Type is wrong.
// - Transfers to one destination across all calls are bounded by HostSlots
//   (threat A15). A transfer that must wait for a slot holds back the later
//   ones of its call (they start in order); while others of the call run, the
//   loop polls at kSlotRetryMs to retry, and when none runs it sleeps until a
//   slot of that destination is given back or its deadline passes.
// The callbacks and the mapping of a finished transfer to a Result live in
// transfer.cpp; this file owns the handles, the options and the event loop.
#include <oidfed/fetcher.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <curl/curl.h>

#include "fetch/address_guard.h"
#include "fetch/curl_ptr.h"
#include "fetch/easy_setup.h"
#include "fetch/host_slots.h"
#include "fetch/transfer.h"

namespace oidfed {

namespace {

using fetch::AddressGuard;
using fetch::CurlMultiPtr;
using fetch::CurlPtr;
using fetch::CurlSharePtr;
using fetch::CurlSlistPtr;
using fetch::HostSlots;
using fetch::sanitized;
using fetch::Transfer;

/// Connection caches kept between calls; one per concurrently calling thread
/// is ideal, more than this are closed when their call ends.
constexpr std::size_t kMaxIdlePools = 64;
/// Longest single wait for socket activity; libcurl wakes earlier for its own
/// timers (timeouts), so this only bounds the loop, not any transfer.
constexpr int kPollIntervalMs = 1000;
/// How soon a call whose next transfer waits for a per-host slot looks again
/// while its other transfers run.
constexpr int kSlotRetryMs = 5;
/// CURLOPT_PROTOCOLS_STR needs libcurl 7.85.0.
constexpr unsigned kMinCurlVersion = 0x075500;

/// One connection cache and the easy handles that used it. Used by one call
/// at a time.
struct ConnectionPool {
    CurlMultiPtr multi;
    std::vector<CurlPtr> idleEasy;
};

bool isVisibleAscii(std::string_view text)
{
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

class CurlFetcher final : public Fetcher {
public:
    static Result<std::unique_ptr<Fetcher>> create(const FetchOptions &options);

    Result<FetchResponse> fetch(const FetchRequest &request) override
    {
        auto results = run(std::span(&request, 1));
        return std::move(results.front());
    }

    std::vector<Result<FetchResponse>> fetchAll(const std::vector<FetchRequest> &requests) override
    {
        return run(requests);
    }

private:
    CurlFetcher(const FetchOptions &options, AddressGuard guard)
        : options_(options), guard_(std::move(guard)),
          userAgent_(fetch::userAgentOf(options)), protocols_(fetch::allowedProtocols(options)),
          slots_(options.maxTransfersPerHost, options.maxWaitingPerHost)
    {
    }

    Result<void> initShare();
    Result<void> initResolve();
    Result<CurlPtr> newEasyHandle() const;
    std::unique_ptr<ConnectionPool> checkOut();
    void checkIn(std::unique_ptr<ConnectionPool> pool);
    std::vector<Result<FetchResponse>> run(std::span<const FetchRequest> requests);
    Result<void> prepare(Transfer &t) const;
    Result<bool> admit(Transfer &t);
    Result<void> launch(Transfer &t, ConnectionPool &pool) const;

    // libcurl passes a curl_lock_data below CURL_LOCK_DATA_LAST; anything
    // else is ignored rather than thrown through C frames.
    static void lockShare(CURL *, curl_lock_data data, curl_lock_access, void *self)
    {
        if (auto index = static_cast<std::size_t>(data); index < CURL_LOCK_DATA_LAST)
            static_cast<CurlFetcher *>(self)->shareLocks_[index].lock();
    }
    static void unlockShare(CURL *, curl_lock_data data, void *self)
    {
        if (auto index = static_cast<std::size_t>(data); index < CURL_LOCK_DATA_LAST)
            static_cast<CurlFetcher *>(self)->shareLocks_[index].unlock();
    }

    const FetchOptions options_;
    const AddressGuard guard_;
    const std::string userAgent_;
    const std::string protocols_;
    HostSlots slots_;
    /// FetchOptions::resolve for CURLOPT_RESOLVE; null when empty. Outlives
    /// the easy handles (declared before idlePools_).
    CurlSlistPtr resolve_;
    /// One lock per curl_lock_data kind, for share_. Declared before share_
    /// so that they outlive it.
    std::array<std::mutex, CURL_LOCK_DATA_LAST> shareLocks_;
    CurlSharePtr share_;
    std::mutex poolsMutex_;
    /// Guarded by poolsMutex_. Declared after share_: their easy handles use
    /// it, so they must be destroyed first.
    std::vector<std::unique_ptr<ConnectionPool>> idlePools_;
};

Result<std::unique_ptr<Fetcher>> CurlFetcher::create(const FetchOptions &options)
{
    OIDFED_TRY_VOID(validateFetchOptions(options));
    if (!options.caFile.empty() && !std::ifstream(options.caFile))
        return fail(
            Error(ErrorCode::InvalidArgument, "caFile: '" + options.caFile + "' is not readable").withClaim("caFile"));

    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    if (!info || info->version_num < kMinCurlVersion)
        return fail(ErrorCode::Internal, "libcurl 7.85.0 or newer is required");

    OIDFED_TRY(AddressGuard guard, AddressGuard::create(options.allowLoopback, options.allowedNetworks));
    std::unique_ptr<CurlFetcher> fetcher(new CurlFetcher(options, std::move(guard)));
    OIDFED_TRY_VOID(fetcher->initShare());
    OIDFED_TRY_VOID(fetcher->initResolve());
    return std::unique_ptr<Fetcher>(std::move(fetcher));
}

Result<void> CurlFetcher::initShare()
{
    share_.reset(curl_share_init());
    if (!share_)
        return fail(ErrorCode::Internal, "curl_share_init failed");
    const CURLSHcode codes[] = {
        curl_share_setopt(share_.get(), CURLSHOPT_LOCKFUNC, &CurlFetcher::lockShare),
        curl_share_setopt(share_.get(), CURLSHOPT_UNLOCKFUNC, &CurlFetcher::unlockShare),
        curl_share_setopt(share_.get(), CURLSHOPT_USERDATA, this),
        curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS),
        curl_share_setopt(share_.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION),
    };
    if (std::any_of(std::begin(codes), std::end(codes), [](CURLSHcode c) { return c != CURLSHE_OK; }))
        return fail(ErrorCode::Internal, "cannot configure the curl share handle");
    return ok();
}

Result<void> CurlFetcher::initResolve()
{
    OIDFED_TRY(resolve_, fetch::makeResolveList(options_.resolve));
    return ok();
}

Result<CurlPtr> CurlFetcher::newEasyHandle() const
{
    OIDFED_TRY(CurlPtr easy, fetch::newGuardedEasyHandle(fetch::EasySetup{
                                 .options = options_, .protocols = protocols_, .userAgent = userAgent_,
                                 .resolve = resolve_.get()}));
    CURL *e = easy.get();
    if (curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &fetch::onWrite) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_SHARE, share_.get()) != CURLE_OK)
        return fail(ErrorCode::Internal, "cannot configure a curl easy handle (libcurl lacks a required option)");
    return easy;
}

std::unique_ptr<ConnectionPool> CurlFetcher::checkOut()
{
    {
        std::lock_guard lock(poolsMutex_);
        if (!idlePools_.empty()) {
            auto pool = std::move(idlePools_.back());
            idlePools_.pop_back();
            return pool;
        }
    }
    auto pool = std::make_unique<ConnectionPool>();
    pool->multi.reset(curl_multi_init());
    if (!pool->multi)
        return nullptr;
    return pool;
}

void CurlFetcher::checkIn(std::unique_ptr<ConnectionPool> pool)
{
    std::lock_guard lock(poolsMutex_);
    if (idlePools_.size() < kMaxIdlePools)
        idlePools_.push_back(std::move(pool));
    // else: destroyed here, closing its connections.
}

/// "GET <url>" or "POST <url>", for error messages.
std::string describe(const FetchRequest &request)
{
    return (request.formBody ? "POST " : "GET ") + sanitized(request.url);
}

/// The timeout of one transfer: the request's, capped by the options'.
std::chrono::milliseconds effectiveTimeout(const FetchRequest &request, const FetchOptions &options)
{
    return request.timeout.count() == 0 ? options.totalTimeout : std::min(request.timeout, options.totalTimeout);
}

Result<void> CurlFetcher::prepare(Transfer &t) const
{
    const FetchRequest &request = *t.request;
    const std::string where = describe(request);
    auto refuse = [&](std::string_view why) { return fail(ErrorCode::InvalidArgument, where + ": " + std::string(why)); };

    if (!isVisibleAscii(request.expectedMediaType))
        return refuse("expected media type must be visible ASCII");
    if (request.timeout < std::chrono::milliseconds(0))
        return fail(ErrorCode::Timeout, where + ": no time left for this request");

    // Parse once and hand the parsed URL to libcurl (CURLOPT_CURLU), so the
    // checks see exactly what libcurl will use.
    OIDFED_TRY(fetch::CheckedUrl checked, fetch::checkUrl(request.url, options_.allowHttp, where));
    t.url = std::move(checked.url);
    t.destination = std::move(checked.destination);
    return ok();
}

Result<bool> CurlFetcher::admit(Transfer &t)
{
    using Clock = HostSlots::Clock;
    if (t.deadline == Clock::time_point{})
        t.deadline = Clock::now() + effectiveTimeout(*t.request, options_);
    switch (slots_.tryAcquire(t.slot, t.destination)) {
    case HostSlots::Attempt::Acquired:
        return true;
    case HostSlots::Attempt::QueueFull:
        return fail(ErrorCode::Unavailable,
                    describe(*t.request) + ": " + std::to_string(slots_.perHost()) + " transfers to " +
                        sanitized(t.destination) + " are in flight and " + std::to_string(slots_.maxWaiting()) +
                        " wait for a slot (maxTransfersPerHost, maxWaitingPerHost); not queued");
    case HostSlots::Attempt::Busy:
        break;
    }
    if (Clock::now() < t.deadline)
        return false;
    t.slot.release();
    return fail(ErrorCode::Timeout, describe(*t.request) + ": no free slot for a transfer to " +
                                        sanitized(t.destination) + " before the deadline (" +
                                        std::to_string(slots_.perHost()) + " in flight, maxTransfersPerHost)");
}

Result<void> CurlFetcher::launch(Transfer &t, ConnectionPool &pool) const
{
    const FetchRequest &request = *t.request;
    const std::string where = describe(request);

    // HTTP/1.1 keeps connections by default, but some servers (Pistache 0.0.5,
    // which `oidfed serve` uses) close them unless asked. libcurl drops this
    // header on HTTP/2.
    t.headers.reset(curl_slist_append(nullptr, "Connection: keep-alive"));
    if (t.headers && !request.expectedMediaType.empty() &&
        !curl_slist_append(t.headers.get(), ("Accept: " + request.expectedMediaType).c_str()))
        t.headers.reset();
    if (t.headers && request.formBody &&
        !curl_slist_append(t.headers.get(), "Content-Type: application/x-www-form-urlencoded"))
        t.headers.reset();
    if (!t.headers)
        return fail(ErrorCode::Internal, where + ": curl_slist_append failed");

    if (!pool.idleEasy.empty()) {
        t.easy = std::move(pool.idleEasy.back());
        pool.idleEasy.pop_back();
    } else {
        OIDFED_TRY(t.easy, newEasyHandle());
    }

    // What is left of the budget after any wait for a slot, at least 1 ms.
    const auto timeout = std::max(std::chrono::milliseconds(1),
                                  std::chrono::ceil<std::chrono::milliseconds>(t.deadline - HostSlots::Clock::now()));
    t.maxBytes = options_.maxResponseBytes;
    CURL *e = t.easy.get();
    const CURLcode codes[] = {
        curl_easy_setopt(e, CURLOPT_CURLU, t.url.get()),
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers.get()),
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count())),
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &t),
        curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &t.addressCheck),
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errorText.data()),
        // A reused handle may have posted before: every transfer sets its method.
        request.formBody ? curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                                            static_cast<curl_off_t>(request.formBody->size()))
                         : curl_easy_setopt(e, CURLOPT_HTTPGET, 1L),
        request.formBody ? curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, request.formBody->c_str()) : CURLE_OK,
    };
    if (std::any_of(std::begin(codes), std::end(codes), [](CURLcode c) { return c != CURLE_OK; }))
        return fail(ErrorCode::Internal, where + ": cannot configure the transfer");
    if (curl_multi_add_handle(pool.multi.get(), e) != CURLM_OK)
        return fail(ErrorCode::Internal, where + ": curl_multi_add_handle failed");
    return ok();
}

std::vector<Result<FetchResponse>> CurlFetcher::run(std::span<const FetchRequest> requests)
{
    std::vector<std::optional<Result<FetchResponse>>> results(requests.size());
    auto pool = checkOut();
    // Declared after `pool`: transfers (and the easy handles they hold) are
    // destroyed first, which detaches them from the multi handle.
    std::vector<Transfer> transfers(requests.size());

    if (pool) {
        CURLM *multi = pool->multi.get();
        std::size_t next = 0;
        std::size_t running = 0;
        bool broken = false;
        while (!broken) {
            // Start transfers in order while this call has room; stop at one
            // that must wait for a per-host slot.
            bool nextWaits = false;
            while (next < requests.size() && running < options_.maxConcurrentTransfers) {
                Transfer &t = transfers[next];
                if (!t.request) {
                    t.request = &requests[next];
                    t.addressCheck.guard = &guard_;
                    if (auto prepared = prepare(t); !prepared) {
                        results[next++] = fail(std::move(prepared).error());
                        continue;
                    }
                }
                auto admitted = admit(t);
                if (!admitted) {
                    results[next++] = fail(std::move(admitted).error());
                    continue;
                }
                if (!*admitted) {
                    nextWaits = true;
                    break;
                }
                if (auto launched = launch(t, *pool); launched) {
                    ++running;
                } else {
                    t.slot.release();
                    results[next] = fail(std::move(launched).error());
                }
                ++next;
            }
            if (running == 0) {
                if (!nextWaits)
                    break;
                // Nothing of this call runs: sleep until the destination
                // gives a slot back, or the deadline (then admit() fails).
                slots_.awaitRelease(transfers[next].slot, transfers[next].deadline);
                continue;
            }

            int stillRunning = 0;
            broken = curl_multi_perform(multi, &stillRunning) != CURLM_OK;
            int queued = 0;
            while (CURLMsg *message = curl_multi_info_read(multi, &queued)) {
                if (message->msg != CURLMSG_DONE)
                    continue;
                CURL *easy = message->easy_handle;
                const CURLcode code = message->data.result;
                auto done = std::find_if(transfers.begin(), transfers.end(),
                                         [&](const Transfer &t) { return t.easy.get() == easy; });
                if (done == transfers.end())
                    continue;  // not ours; cannot happen
                const auto index = static_cast<std::size_t>(done - transfers.begin());
                results[index] = fetch::transferResult(*done, code, options_.maxResponseBytes);
                done->slot.release();
                curl_multi_remove_handle(multi, easy);
                // Drop pointers into the finished transfer before reuse.
                curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
                curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
                curl_easy_setopt(easy, CURLOPT_WRITEDATA, nullptr);
                curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, nullptr);
                curl_easy_setopt(easy, CURLOPT_CURLU, nullptr);
                pool->idleEasy.push_back(std::move(done->easy));
                --running;
            }
            // Wait for activity, unless this call has room for a request that
            // is not waiting for a slot: then go round and start it first.
            // A request waiting for a slot is retried soon, as another call
            // may give one back.
            const bool hasRoom = running < options_.maxConcurrentTransfers;
            const bool canStartMore = hasRoom && next < requests.size() && !nextWaits;
            if (!broken && running > 0 && !canStartMore)
                broken = curl_multi_poll(multi, nullptr, 0, nextWaits && hasRoom ? kSlotRetryMs : kPollIntervalMs,
                                         nullptr) != CURLM_OK;
        }
        if (!broken)
            checkIn(std::move(pool));
    }

    // Built in place: GCC 12 at -O3 took the Result moved into push_back()
    // for a FetchResponse whose status might be uninitialized.
    std::vector<Result<FetchResponse>> out;
    out.reserve(requests.size());
    for (std::size_t i = 0; i < requests.size(); ++i) {
        if (results[i])
            out.emplace_back(std::move(*results[i]));
        else
            out.emplace_back(fail(ErrorCode::Internal, "GET " + sanitized(requests[i].url) + ": libcurl multi failure"));
    }
    return out;
}

} // namespace

Result<std::unique_ptr<Fetcher>> makeCurlFetcher(const FetchOptions &options)
{
    return CurlFetcher::create(options);
}

} // namespace oidfed
