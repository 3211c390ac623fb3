// Obtaining a mark a hosted entity holds from an issuer that is not hosted by
// the same server: GET the issuer's federation_trust_mark_endpoint (spec 8.6),
// found in the issuer's Entity Configuration unless configured.
#pragma once

#include <string>

#include <oidfed/entity_id.h>
#include <oidfed/entity_statement.h>
#include <oidfed/fetcher.h>
#include <oidfed/result.h>

#include "entity/held_trust_marks.h"

namespace oidfed::server {

/// The compact mark of `setting` for `holder`. NotFound when the issuer
/// answers 404 (the holder does not hold it); the Fetcher's codes when it
/// cannot be reached; Malformed / InvalidClaim when the issuer's EC is not
/// its own or publishes no trust mark endpoint. The mark itself is checked
/// by HeldTrustMarks.
Result<std::string> fetchHeldTrustMark(Fetcher &fetcher, const entity::HeldTrustMarkSetting &setting,
                                       const EntityId &holder, const StatementOptions &options);

} // namespace oidfed::server
