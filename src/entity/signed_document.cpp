#include "entity/signed_document.h"

#include <utility>

#include <oidfed/cache_key.h>

namespace oidfed::entity {

DocumentPtr makeSignedDocument(std::string jwt, UnixTime issuedAt, UnixTime expiresAt)
{
    auto document = std::make_shared<SignedDocument>();
    // 128 bits of the SHA-256 digest are plenty to tell two bodies apart.
    document->etag = "\"" + cacheKeyDigest(jwt).substr(0, 22) + "\"";
    document->body = std::move(jwt);
    document->issuedAt = issuedAt;
    document->expiresAt = expiresAt;
    return document;
}

} // namespace oidfed::entity
