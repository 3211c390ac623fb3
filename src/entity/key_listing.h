// A key store as JSON, what `oidfed keys list` prints and the admin API's
// keys calls answer: one object per key record, and the published jwks.
#pragma once

#include <optional>

#include <oidfed/clock.h>
#include <oidfed/json.h>

#include "entity/key_store.h"

namespace oidfed::entity {

/// "exp" as the historical keys endpoint gives it: a Retired key's end of
/// overlap, or when a revoked Next key stopped being valid.
std::optional<UnixTime> keyExpOf(const KeyRecord &record);

/// {"kid", "alg", "state", "created_at", "activated_at"?, "retired_at"?,
/// "exp"?, "revoked"? {"revoked_at", "reason"}, "published"} (public data
/// only).
Json keyRecordJson(const KeyRecord &record, UnixTime now);

/// {"keys": [keyRecordJson...], "jwks": the published keys at `now`}.
Json keyListing(const KeyStore &store, UnixTime now);

} // namespace oidfed::entity
