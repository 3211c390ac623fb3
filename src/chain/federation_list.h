// What a top-down walk of a federation reads from an authority: the
// endpoints its Entity Configuration publishes, its Entity Configuration
// checked on its own (self-signed, within its validity), and the entity ids
// its list endpoint answers (spec 8.2.2). Shared by the walk `oidfed graph`
// draws (federation_walk.h) and the crawl (src/crawl).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/entity_statement.h>
#include <oidfed/fetcher.h>
#include <oidfed/jwk.h>

namespace oidfed::detail {

inline constexpr std::string_view kEntityStatementMediaType = "application/entity-statement+jwt";

/// The `name` member of the federation_entity metadata of `configuration`
/// (e.g. "federation_list_endpoint"), or nullptr.
const std::string *federationEndpoint(const EntityStatement &configuration, std::string_view name);

/// The request for `entityId`'s Entity Configuration at its well-known URL.
FetchRequest entityConfigurationRequest(const std::string &entityId);

/// An Entity Configuration as fetched for `entityId`: parsed, issued by
/// `entityId` about itself, self-signed (with `pinned` instead when given:
/// a trust anchor's) and within its validity period at `now`.
Result<EntityStatement> checkedConfiguration(const Result<FetchResponse> &response, const std::string &entityId,
                                             const JwkSet *pinned, const StatementOptions &options, UnixTime now);

/// The entity ids a list endpoint answered: a JSON array of strings, cut at
/// maxListSize (`cut` is then set). Errors: the fetch's, or Malformed.
Result<std::vector<std::string>> listedEntityIds(const Result<FetchResponse> &response, const std::string &endpoint,
                                                 std::size_t maxListSize, bool &cut);

} // namespace oidfed::detail
