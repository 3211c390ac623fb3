// The endpoints of a hosted Trust Mark Issuer: trust mark (spec 8.6), trust
// mark list (8.5) and trust mark status (8.4). Pure functions of the issuer,
// the request and `now`, like entity_endpoints.h.
#pragma once

#include <string_view>

#include <oidfed/clock.h>
#include <oidfed/entity_id.h>

#include "entity/trust_mark_issuer.h"
#include "server/http_message.h"
#include "server/query_params.h"

namespace oidfed::server {

/// The only body the status endpoint accepts (8.4.1).
inline constexpr std::string_view kFormMediaType = "application/x-www-form-urlencoded";

/// GET ?trust_mark_type=&sub= -> the mark as application/trust-mark+jwt.
/// invalid_request (400) for a missing, repeated or empty parameter or a
/// malformed sub; not_found (404) for a type not issued here or a subject
/// that does not hold it.
HttpResponse trustMarkEndpoint(const entity::TrustMarkIssuer &issuer, const QueryParams &params,
                               const EntityIdOptions &idOptions, UnixTime now, std::string_view ifNoneMatch);

/// GET ?trust_mark_type=[&sub=] -> JSON array of the entity ids holding a
/// valid mark of the type. invalid_request / not_found as above.
HttpResponse trustMarkListEndpoint(const entity::TrustMarkIssuer &issuer, const QueryParams &params,
                                   const EntityIdOptions &idOptions, UnixTime now);

/// POST application/x-www-form-urlencoded trust_mark=<JWT> -> a signed
/// application/trust-mark-status-response+jwt. REQUIRES: request.method is
/// POST (the router answers 405 otherwise). invalid_request (400) for
/// another Content-Type, a body that does not decode, a missing, repeated or
/// empty trust_mark, or one that is not a compact JWS; not_found (404) for a
/// mark this issuer did not issue (another iss, a type not issued here).
HttpResponse trustMarkStatusEndpoint(const entity::TrustMarkIssuer &issuer, const HttpRequest &request, UnixTime now);

} // namespace oidfed::server
