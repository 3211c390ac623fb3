// A Trust Mark Issuer's subjects as JSON, what the admin API's trust mark
// calls answer and the web console's entity page shows.
#pragma once

#include <oidfed/json.h>

#include "entity/trust_mark_catalog.h"

namespace oidfed::entity {

/// [{"entity_id", "revoked": null | {"revoked_at", "reason"?}}], in the
/// record's order.
Json trustMarkSubjectsJson(const TrustMarkTypeRecord &record);

} // namespace oidfed::entity
