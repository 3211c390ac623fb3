// The claims of an Entity Configuration as the issuing side writes them,
// shared by issueEntityConfiguration() and issueRegistrationRequest() (an
// RP's Entity Configuration with aud, 12.2.1).
#pragma once

#include <oidfed/json.h>
#include <oidfed/jwk.h>
#include <oidfed/result.h>
#include <oidfed/statement_issuer.h>

namespace oidfed::statement {

/// The payload for `claims`, extra claims merged last. InvalidArgument when
/// `signingKey` is not in claims.jwks or an extra claim redefines one.
Result<Json> entityConfigurationPayload(const EntityConfigurationClaims &claims, const Jwk &signingKey);

} // namespace oidfed::statement
