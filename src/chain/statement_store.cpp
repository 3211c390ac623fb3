#include "chain/statement_store.h"

#include <algorithm>

#include <oidfed/cache_key.h>

namespace oidfed::detail {

StatementStore::StatementStore(Fetcher &fetcher, Cache *shared, const Clock &clock, StatementStoreOptions options)
    : fetcher_(fetcher), shared_(shared), clock_(clock), options_(std::move(options)),
      entries_(options_.maxEntries), forced_(std::max<std::size_t>(options_.refetchMemory, 1))
{
}

bool StatementStore::forceRefetch(const std::string &url)
{
    const UnixTime now = clock_.now();
    std::lock_guard lock(mutex_);
    if (const Forced *last = forced_.find(url); last && now - last->at < options_.refetchInterval.count())
        return false;
    forced_.put(url, Forced{now, true});
    entries_.erase(url);
    ++stats_.forcedRefetches;
    return true;
}

Result<StatementPtr> StatementStore::parseAndScrub(const StatementRequest &request, const std::string &jwt) const
{
    auto parsed = EntityStatement::parse(jwt, options_.statements);
    if (!parsed) {
        Error error = std::move(parsed).error();
        error.message = request.url + ": " + error.message;
        if (error.entityId.empty())
            error.entityId = request.issuer;
        return fail(std::move(error));
    }
    if (parsed->issuer().str() != request.issuer || parsed->subject().str() != request.subject)
        return fail(Error(ErrorCode::InvalidClaim, request.url + " returned a statement by " + parsed->issuer().str() +
                                                       " about " + parsed->subject().str() + "; expected one by " +
                                                       request.issuer + " about " + request.subject)
                        .withRule("10.1 scrub iss/sub")
                        .withEntity(request.issuer));
    return std::make_shared<const EntityStatement>(std::move(parsed).value());
}

StatementPtr StatementStore::lookup(const std::string &url, UnixTime now, bool use)
{
    Entry *entry = use ? entries_.find(url) : entries_.peek(url);
    if (!entry)
        return nullptr;
    if (entry->keepUntil <= now) {
        entries_.erase(url);
        return nullptr;
    }
    return entry->statement;
}

void StatementStore::remember(const std::string &url, StatementPtr statement, UnixTime now)
{
    UnixTime keepUntil = std::min<UnixTime>(statement->expiresAt() + options_.clockSkew.count(),
                                           now + options_.maxTtl.count());
    if (keepUntil <= now)
        return;
    entries_.put(url, Entry{std::move(statement), keepUntil});
}

bool StatementStore::contains(const std::string &url)
{
    std::lock_guard lock(mutex_);
    return lookup(url, clock_.now(), false) != nullptr;
}

StatementStoreStats StatementStore::stats() const
{
    std::lock_guard lock(mutex_);
    return stats_;
}

std::vector<Result<StatementPtr>> StatementStore::getAll(const std::vector<StatementRequest> &requests,
                                                         std::chrono::milliseconds timeout,
                                                         std::vector<StatementSource> *sources)
{
    // A fetch joined from another caller is waited for no longer than this
    // caller's own budget: that fetch runs on the other caller's, which may
    // be longer.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const UnixTime now = clock_.now();
    std::vector<Result<StatementPtr>> results(requests.size(), Unexpected{Error(ErrorCode::Internal, "not fetched")});
    std::vector<StatementSource> from(requests.size(), StatementSource::Network);
    std::vector<bool> bypassShared(requests.size(), false);
    std::vector<std::size_t> mine;                                       // requests this call fetches
    std::vector<std::pair<std::size_t, std::shared_ptr<Flight>>> joined;  // requests in flight elsewhere
    std::vector<std::shared_ptr<Flight>> myFlights;
    {
        std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < requests.size(); ++i) {
            const std::string &url = requests[i].url;
            if (StatementPtr hit = lookup(url, now, true)) {
                ++stats_.hits;
                results[i] = hit;
                from[i] = StatementSource::Memory;
            } else if (auto flight = flights_.find(url); flight != flights_.end()) {
                ++stats_.waits;
                joined.emplace_back(i, flight->second);
            } else {
                auto created = std::make_shared<Flight>();
                flights_.emplace(url, created);
                mine.push_back(i);
                myFlights.push_back(created);
                if (Forced *forced = forced_.find(url); forced && forced->bypassShared) {
                    forced->bypassShared = false;  // this fetch is the forced one
                    bypassShared[i] = true;
                }
            }
        }
    }

    // The shared cache first, then the network for what is still missing.
    std::vector<std::size_t> toFetch;
    for (std::size_t i : mine) {
        const StatementRequest &request = requests[i];
        if (shared_ && !bypassShared[i]) {
            std::string key = cacheKey(CacheNamespace::Statement, {request.url});
            if (auto entry = shared_->get(key, now); entry && !entry->negative) {
                auto parsed = parseAndScrub(request, entry->value);
                if (parsed) {
                    results[i] = std::move(parsed);
                    from[i] = StatementSource::SharedCache;
                    std::lock_guard lock(mutex_);
                    ++stats_.sharedHits;
                    continue;
                }
                shared_->erase(key);
            }
        }
        toFetch.push_back(i);
    }
    if (!toFetch.empty()) {
        std::vector<FetchRequest> fetches;
        for (std::size_t i : toFetch)
            fetches.push_back(FetchRequest{requests[i].url, std::string(kEntityStatementMediaType), timeout});
        std::vector<Result<FetchResponse>> responses = fetcher_.fetchAll(fetches);
        for (std::size_t k = 0; k < toFetch.size(); ++k) {
            std::size_t i = toFetch[k];
            if (!responses[k]) {
                Error error = std::move(responses[k]).error();
                if (error.entityId.empty())
                    error.entityId = requests[i].issuer;
                results[i] = Unexpected{std::move(error)};
                continue;
            }
            std::string &body = responses[k]->body;
            // One trailing newline of an HTTP body is tolerated (threat C19).
            if (!body.empty() && body.back() == '\n')
                body.pop_back();
            if (!body.empty() && body.back() == '\r')
                body.pop_back();
            results[i] = parseAndScrub(requests[i], body);
            if (results[i] && shared_)
                shared_->put(cacheKey(CacheNamespace::Statement, {requests[i].url}),
                             CacheEntry{body, (*results[i])->expiresAt(), false, CacheOrigin::Local}, now);
        }
    }

    {
        std::lock_guard lock(mutex_);
        stats_.fetches += toFetch.size();
        for (std::size_t k = 0; k < mine.size(); ++k) {
            std::size_t i = mine[k];
            if (results[i])
                remember(requests[i].url, *results[i], now);
            myFlights[k]->result = results[i];
            myFlights[k]->done = true;
            flights_.erase(requests[i].url);
        }
    }
    flightDone_.notify_all();

    for (auto &[i, flight] : joined) {
        std::unique_lock lock(mutex_);
        // Captured through an init-capture: clang before 16 cannot capture a
        // structured binding (the sanitizer build uses clang 14).
        if (flightDone_.wait_until(lock, deadline, [&joinedFlight = flight] { return joinedFlight->done; }))
            results[i] = flight->result;
        else
            results[i] = fail(ErrorCode::Timeout, "GET " + requests[i].url +
                                                      ": still in flight for another resolution when this one's "
                                                      "time ran out");
    }
    if (sources)
        *sources = std::move(from);
    return results;
}

} // namespace oidfed::detail
