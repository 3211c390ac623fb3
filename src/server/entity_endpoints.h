// The endpoints every hosted entity serves from its own signed documents
// (spec 8.1 fetch, 8.2 list, 8.7 historical keys, 9 Entity Configuration).
// Pure functions of the entity, the request and `now`.
#pragma once

#include <functional>
#include <string>
#include <vector>
#include <string_view>

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

/// The full, unfiltered list of an authority, serialised once per reload.
struct ListBody {
    std::string body;
    std::string etag;
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
