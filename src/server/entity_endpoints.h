// The endpoints every hosted entity serves from its own signed documents
// (spec 8.1 fetch, 8.2 list, 8.7 historical keys, 9 Entity Configuration).
// Pure functions of the entity, the request and `now`.
#pragma once

#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>

#include "entity/hosted_entity.h"
#include "server/http_message.h"
#include "server/query_params.h"

namespace oidfed::server {

/// Media types (spec 15).
inline constexpr std::string_view kEntityStatementMediaType = "application/entity-statement+jwt";
inline constexpr std::string_view kJwkSetMediaType = "application/jwk-set+jwt";

/// Longest a client is told to cache an Entity Configuration, Subordinate
/// Statement or the historical keys, whatever their exp: key rotations and
/// subordinate changes reach clients within this time.
inline constexpr std::int64_t kMaxDocumentAge = 3600;

/// One list endpoint answer kept ready: the JSON array of entity ids and its
/// strong ETag. The body is shared by every response that sends it.
struct PreparedList {
    std::shared_ptr<const std::string> body{};
    std::string etag{};
};

/// The list endpoint's answers (spec 8.2) for one snapshot of an authority's
/// subordinates, built once per load or reload (makeListBody) and sent
/// without copying: the unfiltered list; the lists filtered by
/// intermediate=true and =false; and for every entity type some subordinate
/// has, the list filtered by entity_type=that type, alone and with
/// intermediate=true and =false. Memory: about (2 + 2 x the mean number of
/// entity types per subordinate) times the unfiltered list. Requests with
/// two or more entity_type values or a trust mark filter are answered by
/// walking the set. Empty for an entity that is no authority.
struct ListBody {
    /// Index 0: no intermediate filter, 1: intermediate=true, 2: =false.
    using ByIntermediate = std::array<PreparedList, 3>;
    ByIntermediate all{};
    std::map<std::string, ByIntermediate, std::less<>> byType{};
    PreparedList none{};  ///< "[]": an entity type no subordinate has

    /// The prepared answer for at most one entity type and an optional
    /// intermediate filter, or nullptr when there is none (no authority).
    const PreparedList *find(const std::vector<std::string> &entityTypes, std::optional<bool> intermediate) const;
};
ListBody makeListBody(const entity::HostedEntity &entity);

HttpResponse configurationEndpoint(const entity::HostedEntity &entity, UnixTime now, std::string_view ifNoneMatch);
HttpResponse fetchEndpoint(const entity::HostedEntity &entity, const QueryParams &params,
                           const EntityIdOptions &idOptions, UnixTime now, std::string_view ifNoneMatch);
/// The trust mark types of a subordinate's verified marks (spec 8.2's
/// trust_marked / trust_mark_type filters use these).
using SubordinateMarks = std::function<std::vector<std::string>(const std::string &subject)>;

/// `marks` nullptr: the trust_marked and trust_mark_type filters are
/// answered unsupported_parameter (400).
HttpResponse listEndpoint(const entity::HostedEntity &entity, const ListBody &full, const QueryParams &params,
                          const SubordinateMarks *marks, std::string_view ifNoneMatch);
HttpResponse historicalKeysEndpoint(const entity::HostedEntity &entity, UnixTime now, std::string_view ifNoneMatch);

} // namespace oidfed::server
