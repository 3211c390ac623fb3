// jti replay stores: in process (a bounded map that forgets only expired
// jtis) and shared (a Cache's atomic putIfAbsent, i.e. Redis SET NX PX).

#include <oidfed/replay_store.h>

#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include <oidfed/cache_key.h>

#include "core/range_check.h"

namespace oidfed {

Result<void> validateReplayStoreOptions(const ReplayStoreOptions &o)
{
    using namespace std::chrono;
    OIDFED_TRY_VOID(detail::checkRange<std::size_t>("maxEntries", o.maxEntries, 1, 100000000));
    OIDFED_TRY_VOID(detail::checkRange<seconds>("maxLifetime", o.maxLifetime, seconds(1), hours(24)));
    return ok();
}

namespace {

// The key of (scope, jti): fixed size, whatever the caller's bytes.
std::string replayKey(std::string_view scope, std::string_view jti)
{
    return cacheKey(CacheNamespace::Replay, {cacheKeyDigest(scope), cacheKeyDigest(jti)});
}

Result<void> checkArguments(std::string_view jti, UnixTime expiresAt, UnixTime now, const ReplayStoreOptions &options)
{
    if (jti.empty())
        return fail(Error(ErrorCode::InvalidArgument, "an empty jti cannot be single use").withClaim("jti"));
    if (expiresAt <= now)
        return fail(Error(ErrorCode::InvalidArgument, "the JWT has expired; its jti is not recorded").withClaim("exp"));
    if (expiresAt - now > options.maxLifetime.count())
        return fail(Error(ErrorCode::InvalidArgument, "the JWT expires " + std::to_string(expiresAt - now) +
                                                          " s from now, later than the replay store holds a jti (" +
                                                          std::to_string(options.maxLifetime.count()) + " s)")
                        .withClaim("exp"));
    return ok();
}

class MemoryReplayStore final : public ReplayStore {
public:
    explicit MemoryReplayStore(const ReplayStoreOptions &options) : options_(options) {}

    Result<bool> firstUse(std::string_view scope, std::string_view jti, UnixTime expiresAt, UnixTime now) override
    {
        OIDFED_TRY_VOID(checkArguments(jti, expiresAt, now, options_));
        std::string key = replayKey(scope, jti);
        std::lock_guard lock(mutex_);
        dropExpired(now);
        if (held_.contains(key))
            return false;
        if (held_.size() >= options_.maxEntries)
            return fail(Error(ErrorCode::Unavailable,
                              "the jti replay store is full of unexpired jtis (" +
                                  std::to_string(options_.maxEntries) +
                                  "); refusing rather than forgetting one that could then be replayed")
                            .withClaim("jti")
                            .withRule("replay store capacity"));
        byExpiry_.emplace(expiresAt, key);
        held_.emplace(std::move(key), expiresAt);
        return true;
    }

private:
    // REQUIRES: mutex_ held.
    void dropExpired(UnixTime now)
    {
        while (!byExpiry_.empty() && byExpiry_.begin()->first <= now) {
            held_.erase(byExpiry_.begin()->second);
            byExpiry_.erase(byExpiry_.begin());
        }
    }

    const ReplayStoreOptions options_;
    std::mutex mutex_;
    // guarded by mutex_: key -> expiry, and the same entries ordered by expiry.
    std::unordered_map<std::string, UnixTime> held_;
    std::set<std::pair<UnixTime, std::string>> byExpiry_;
};

class CacheReplayStore final : public ReplayStore {
public:
    CacheReplayStore(Cache &cache, const ReplayStoreOptions &options) : cache_(cache), options_(options) {}

    Result<bool> firstUse(std::string_view scope, std::string_view jti, UnixTime expiresAt, UnixTime now) override
    {
        OIDFED_TRY_VOID(checkArguments(jti, expiresAt, now, options_));
        auto stored = cache_.putIfAbsent(replayKey(scope, jti), CacheEntry{"1", expiresAt, false, CacheOrigin::Local},
                                         now);
        if (!stored) {
            Error error = std::move(stored).error();
            if (error.code != ErrorCode::Timeout)
                error.code = ErrorCode::Unavailable;
            error.message = "the shared jti replay store cannot answer, so the jti cannot be checked: " +
                            error.message;
            return fail(std::move(error).withClaim("jti").withRule("replay store unavailable"));
        }
        return *stored;
    }

private:
    Cache &cache_;
    const ReplayStoreOptions options_;
};

} // namespace

Result<std::unique_ptr<ReplayStore>> makeMemoryReplayStore(const ReplayStoreOptions &options)
{
    OIDFED_TRY_VOID(validateReplayStoreOptions(options));
    return std::unique_ptr<ReplayStore>(std::make_unique<MemoryReplayStore>(options));
}

Result<std::unique_ptr<ReplayStore>> makeCacheReplayStore(Cache &cache, const ReplayStoreOptions &options)
{
    OIDFED_TRY_VOID(validateReplayStoreOptions(options));
    return std::unique_ptr<ReplayStore>(std::make_unique<CacheReplayStore>(cache, options));
}

} // namespace oidfed
