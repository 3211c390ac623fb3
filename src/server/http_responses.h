// Building the server's responses: spec 8.9 error bodies, signed documents
// with Cache-Control and ETag, and conditional GET (If-None-Match -> 304).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <oidfed/clock.h>
#include <oidfed/error.h>

#include "entity/signed_document.h"
#include "server/http_message.h"

namespace oidfed::server {

/// The HTTP status spec 8.9 gives an error code (500 for unknown ones).
int statusForSpecError(std::string_view specCode) noexcept;

/// {"error": code, "error_description": description} as application/json
/// with the status of the code and `Cache-Control: no-store`. The
/// description is cut to 512 bytes and stripped of control characters
/// (threat L01: bounded, escaped, never an echo of a large input).
HttpResponse errorResponse(std::string_view specCode, std::string_view description);

/// The spec 8.9 error for a library Error (specErrorCode(), its message).
HttpResponse errorResponse(const Error &error);

/// An Error with its details as application/json with `status` and
/// `Cache-Control: no-store`: errorToJson()'s members (error, code, rule,
/// claim, entity_id), the description the message with " (rule ...)", each
/// string bounded and stripped of control characters like
/// errorResponse()'s. For answers that carry more than spec 8.9's two
/// members (the trust API). `specCode` replaces the "error" the code maps
/// to (the admin API's codes, which are not federation errors).
HttpResponse detailedErrorResponse(const Error &error, int status, std::string_view specCode = {});

/// A client over its own limit of resolutions on demand (threat B07): 429
/// Too Many Requests (RFC 6585) with the spec 8.9 body of
/// temporarily_unavailable (the closest code; 8.9 suggests 503 for it, but
/// 503 would tell every client that the whole service is overloaded) and
/// `Retry-After: retryAfter` (seconds).
HttpResponse clientLimitedResponse(std::chrono::seconds retryAfter);

/// 200 with `body` as `contentType`, `Cache-Control: max-age=<maxAge>` and
/// `etag`; or 304 without a body when `ifNoneMatch` matches the ETag.
HttpResponse cacheableResponse(std::string_view contentType, std::string body, std::string etag,
                               std::int64_t maxAgeSeconds, std::string_view ifNoneMatch);

/// A pre-signed document: max-age is what is left of its validity, at most
/// `maxAgeCap` seconds.
HttpResponse documentResponse(std::string_view contentType, const entity::SignedDocument &document, UnixTime now,
                              std::int64_t maxAgeCap, std::string_view ifNoneMatch);

/// Whether an If-None-Match header value matches `etag` ("*", or a
/// comma-separated list of entity tags, weak ones compared weakly).
bool etagMatches(std::string_view ifNoneMatch, std::string_view etag) noexcept;

} // namespace oidfed::server
