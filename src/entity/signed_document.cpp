#include "entity/signed_document.h"

#include <utility>

#include <oidfed/cache_key.h>

namespace oidfed::entity {

std::string strongEtag(std::string_view body)
{
    // 128 bits of the SHA-256 digest are plenty to tell two bodies apart.
    return "\"" + cacheKeyDigest(body).substr(0, 22) + "\"";
}

DocumentPtr makeSignedDocument(std::string jwt, UnixTime issuedAt, UnixTime expiresAt)
{
    auto document = std::make_shared<SignedDocument>();
    document->etag = strongEtag(jwt);
    document->body = std::move(jwt);
    document->issuedAt = issuedAt;
    document->expiresAt = expiresAt;
    return document;
}

} // namespace oidfed::entity
