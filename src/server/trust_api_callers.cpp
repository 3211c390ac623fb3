#include "server/trust_api_callers.h"

#include "client/client_jwt.h"
#include "server/bearer_token.h"

namespace oidfed::server {

namespace {

Error refusal(std::string message)
{
    return Error(ErrorCode::InvalidClient, std::move(message)).withRule("8.8 client authentication");
}

bool unavailable(const Error &error)
{
    return error.code == ErrorCode::Unavailable || error.code == ErrorCode::Timeout;
}

} // namespace

TrustApiCallers::TrustApiCallers(EntityId self, std::vector<TrustApiCaller> callers,
                                 std::map<std::string, JwkSet> hostedKeys, AutomaticRegistrationOptions jwt,
                                 EntityIdOptions ids)
    : self_(std::move(self)), callers_(std::move(callers)), hostedKeys_(std::move(hostedKeys)), jwt_(std::move(jwt)),
      ids_(ids)
{
}

bool TrustApiCallers::presentsAssertion(const QueryParams &params)
{
    return params.has("client_assertion") || params.has("client_assertion_type");
}

Result<const TrustApiCaller *> TrustApiCallers::authenticate(const Presented &presented, UnixTime now,
                                                             Resolver &resolver, ReplayStore &replay) const
{
    const bool assertion = presentsAssertion(presented.params);
    if (!presented.authorization.empty() && assertion)
        return fail(refusal("the request uses two client authentication methods (a bearer token and a client "
                            "assertion); one is allowed (RFC 6749 2.3)"));
    if (!presented.authorization.empty())
        return bearer(bearerToken(presented.authorization));
    if (assertion)
        return this->assertion(presented.params, presented.endpointUrl, now, resolver, replay);
    return fail(refusal("the caller must authenticate: a bearer token, or a private_key_jwt client assertion"));
}

Result<const TrustApiCaller *> TrustApiCallers::bearer(std::string_view token) const
{
    if (token.empty())
        return fail(refusal("the Authorization header is not a bearer token"));
    std::vector<const Sha256Digest *> digests;
    for (const TrustApiCaller &caller : callers_)
        digests.push_back(caller.tokenSha256 ? &*caller.tokenSha256 : nullptr);
    const std::optional<std::size_t> index = matchBearerToken(token, digests);
    const TrustApiCaller *found = index ? &callers_[*index] : nullptr;
    if (!found)
        return fail(refusal("the bearer token is not one of a configured caller"));
    return found;
}

Result<const TrustApiCaller *> TrustApiCallers::assertion(const QueryParams &params, std::string_view endpointUrl,
                                                          UnixTime now, Resolver &resolver, ReplayStore &replay) const
{
    auto type = params.single("client_assertion_type");
    auto jwtText = params.single("client_assertion");
    if (!type || !jwtText || !*type || !*jwtText)
        return fail(refusal("client_assertion_type and client_assertion are each required once"));
    if (**type != kClientAssertionType)
        return fail(refusal("client_assertion_type must be " + std::string(kClientAssertionType)));
    const std::vector<std::string> audiences{std::string(endpointUrl)};
    client::ClientJwtExpectations expected{self_, audiences, {}, now, ids_};
    auto parsed = client::parseClientJwt(**jwtText, client::ClientJwtKind::ClientAssertion, expected, jwt_);
    if (!parsed) {
        Error error = std::move(parsed).error();
        error.code = ErrorCode::InvalidClient;
        return fail(std::move(error));
    }
    const client::ClientJwt &jwt = *parsed;
    const TrustApiCaller *caller = nullptr;
    for (const TrustApiCaller &candidate : callers_)
        if (candidate.entityId && *candidate.entityId == jwt.client)
            caller = &candidate;
    if (!caller)
        return fail(refusal("the client assertion's iss is not a configured caller"));

    // The caller's Federation Entity Keys: published here, or from its chain.
    JwkSet keys;
    if (auto hosted = hostedKeys_.find(jwt.client.str()); hosted != hostedKeys_.end()) {
        keys = hosted->second;
    } else {
        ResolveOutcome outcome = resolver.resolve(ResolveRequest{.subject = jwt.client.str()});
        if (!outcome.chain) {
            Error error = std::move(outcome.chain).error();
            if (unavailable(error))
                return fail(std::move(error));
            return fail(refusal("the caller " + jwt.client.str() + " does not resolve under the trust API's anchors: " +
                                error.message));
        }
        keys = (*outcome.chain)->subjectKeys();
    }
    if (auto verified = jwt.jws.verify(keys); !verified)
        return fail(refusal("the client assertion does not verify with the caller's Federation Entity Keys: " +
                            verified.error().message)
                        .withClaim(verified.error().code == ErrorCode::KeyNotFound ? "kid" : "signature"));
    // Last: only an assertion that verified uses up its jti.
    auto first = replay.firstUse("trust-api caller " + self_.str() + " " + caller->name, jwt.jti, jwt.expiresAt, now);
    if (!first) {
        Error error = std::move(first).error();
        if (unavailable(error))
            return fail(std::move(error));
        return fail(refusal("the client assertion's jti cannot be recorded: " + error.message).withClaim("jti"));
    }
    if (!*first)
        return fail(refusal("the client assertion's jti was used before: an assertion is single use").withClaim("jti"));
    return caller;
}

} // namespace oidfed::server
