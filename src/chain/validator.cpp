// Spec 10.2, statement by statement and link by link. Each check returns an
// Error naming the statement's issuer and the rule, so a rejected chain can
// be explained exactly.

#include "chain/validator.h"

#include <algorithm>
#include <string>
#include <string_view>

#include <oidfed/constraints.h>
#include <oidfed/metadata_resolution.h>

#include "chain/key_mismatch.h"

namespace oidfed::detail {

class TrustChainFactory {
public:
    static TrustChain make(TrustChain::Parts parts) { return TrustChain(std::move(parts)); }
};

namespace {

Unexpected linkError(ErrorCode code, std::string message, const EntityStatement &statement, std::string_view rule)
{
    return fail(Error(code, std::move(message)).withRule(rule).withEntity(statement.issuer().str()));
}

// ES[j].iss == ES[j+1].sub for every link (10.2).
Result<void> checkLinkage(std::span<const EntityStatement *const> chain)
{
    for (std::size_t j = 0; j + 1 < chain.size(); ++j) {
        if (!(chain[j]->issuer() == chain[j + 1]->subject()))
            return linkError(ErrorCode::InvalidClaim,
                             "statement " + std::to_string(j) + " is issued by " + chain[j]->issuer().str() +
                                 " but statement " + std::to_string(j + 1) + " is about " + chain[j + 1]->subject().str(),
                             *chain[j + 1], "10.2 iss/sub linkage");
    }
    return ok();
}

// Shape: ES[0] is an EC, the middle statements are Subordinate Statements,
// a last EC may only be the trust anchor's.
Result<void> checkShape(std::span<const EntityStatement *const> chain, const TrustAnchor &anchor)
{
    if (!chain.front()->isEntityConfiguration())
        return linkError(ErrorCode::InvalidClaim, "the first statement must be the subject's Entity Configuration",
                         *chain.front(), "4 trust chain");
    for (std::size_t j = 1; j < chain.size(); ++j) {
        bool last = j + 1 == chain.size();
        if (chain[j]->isEntityConfiguration() && !last)
            return linkError(ErrorCode::InvalidClaim, "an Entity Configuration may only end the chain", *chain[j],
                             "4 trust chain");
    }
    const EntityStatement &top = *chain.back();
    if (!(top.issuer() == anchor.entityId))
        return fail(Error(ErrorCode::NoTrustAnchor, "the chain ends at " + top.issuer().str() +
                                                        ", not at the trust anchor " + anchor.entityId.str())
                        .withRule("10.2 trust anchor")
                        .withEntity(top.issuer().str()));
    return ok();
}

// Every signature, top down: the top statement with the pinned keys; each
// lower statement with the jwks of the statement above it; the subject's EC
// also with its own jwks (10.2) and with its superior's attestation (derived
// key binding, checklist section 4).
// A failure says which statement, which kid, which keys were there and from
// where, and the likely cause (key_mismatch.h).
Result<void> checkSignatures(std::span<const EntityStatement *const> chain, const ValidationContext &context)
{
    auto verify = [&](const EntityStatement &statement, const JwkSet &keys, const KeySource &source) -> Result<void> {
        auto verified =
            context.memo ? context.memo->verify(statement, keys, context.now) : statement.verifySignature(keys);
        if (!verified)
            return fail(explainKeyMismatch(std::move(verified).error(), statement, keys, source,
                                           &context.anchor.entityId));
        return ok();
    };
    const std::size_t n = chain.size();
    OIDFED_TRY_VOID(verify(*chain[n - 1], context.anchor.jwks, {KeySource::Kind::Pin, &context.anchor}));
    for (std::size_t j = n - 1; j-- > 0;)
        OIDFED_TRY_VOID(verify(*chain[j], chain[j + 1]->jwks(), {KeySource::Kind::Superior, nullptr, chain[j + 1]}));
    if (n > 1)
        OIDFED_TRY_VOID(verify(*chain[0], chain[0]->jwks(), {KeySource::Kind::Own}));
    return ok();
}

// Spec 7.3 for each trust mark of the subject's Entity Configuration. Only
// marks that pass are returned; the rest are dropped (with nothing to
// report: a mark that cannot be verified is simply not vouched for). The
// anchor's trust_mark_issuers / trust_mark_owners come from its verified
// Entity Configuration, so without it in the chain no mark can be judged.
std::vector<VerifiedTrustMark> verifiedTrustMarks(std::span<const EntityStatement *const> chain,
                                                  const ValidationContext &context)
{
    std::vector<VerifiedTrustMark> verified;
    const Json *marks = chain[0]->claim("trust_marks");
    const EntityStatement *anchorEc = chain.back()->isEntityConfiguration() ? chain.back() : nullptr;
    if (!marks || !anchorEc)
        return verified;
    TrustMarkContext tm{TrustMarkAnchor::fromConfiguration(*anchorEc), context.now, context.options.clockSkew,
                        context.trustMarkIssuerKeys ? *context.trustMarkIssuerKeys : TrustMarkIssuerKeys{},
                        context.options.statements, context.options.trustMarkTypValues};
    for (const Json &entry : marks->asArray()) {
        const std::string *jwt = entry.findString("trust_mark");
        if (!jwt)
            continue;
        auto mark = verifyTrustMark(*jwt, chain[0]->subject(), tm);
        if (!mark)
            continue;
        if (context.trustMarkStatus && !(*context.trustMarkStatus)(*mark))
            continue;
        verified.push_back(std::move(mark).value());
    }
    return verified;
}

// Spec 5.1.3 / 5.1.4: the resolved issuer of an OpenID Provider or an OAuth
// Authorization Server is the subject's Entity Identifier, so that a client
// can never take this provider for another (mix-up protection). Checked on
// the metadata as resolved (after the superiors' policies and overrides), for
// the entity types the caller receives.
Result<void> checkIssuerIsSubject(const Json &metadata, const EntityId &subject,
                                  const std::vector<ParameterChange> &changes)
{
    struct Kind {
        std::string_view type;
        std::string_view rule;
    };
    for (const Kind kind : {Kind{"openid_provider", "5.1.3 issuer"}, Kind{"oauth_authorization_server", "5.1.4 issuer"}}) {
        const Json *entry = metadata.find(kind.type);
        if (!entry || !entry->isObject())
            continue;
        const std::string what = "the resolved " + std::string(kind.type) + " metadata of " + subject.str();
        const Json *issuer = entry->find("issuer");
        if (!issuer)
            return fail(Error(ErrorCode::MissingClaim, what + " has no issuer; spec " + std::string(kind.rule.substr(0, 5)) +
                                                           " requires it, equal to the Entity Identifier " +
                                                           subject.str())
                            .withRule(kind.rule)
                            .withClaim("issuer")
                            .withEntity(subject.str()));
        if (issuer->isString() && issuer->asString() == subject.str())
            continue;
        // Who set it: the subject's own metadata, or a superior's policy.
        std::string origin = "as the subject's Entity Configuration publishes it";
        for (const ParameterChange &change : changes)
            if (change.entityType == kind.type && change.parameter == "issuer" && !change.issuers.empty()) {
                std::string by;
                for (const std::string &issuer : change.issuers)
                    by += (by.empty() ? "" : ", ") + issuer;
                origin = change.source == "metadata"
                             ? "as set by the metadata of the Subordinate Statement of " + by
                             : "as set by the " + change.source + " operator of the metadata policy of " + by;
            }
        return fail(Error(ErrorCode::InvalidClaim,
                          what + " names issuer " + issuer->dump() + " (" + origin + "), not its Entity Identifier " +
                              subject.str() + ": refused, since a client could take this provider for another (spec " +
                              std::string(kind.rule.substr(0, 5)) + ", mix-up protection)")
                        .withRule(kind.rule)
                        .withClaim("issuer")
                        .withEntity(subject.str()));
    }
    return ok();
}

} // namespace

PolicyHop policyHopOf(const EntityStatement &statement)
{
    return PolicyHop{.issuer = statement.issuer().str(),
                     .subject = statement.subject().str(),
                     .metadata = statement.claim("metadata"),
                     .metadataPolicy = statement.claim("metadata_policy"),
                     .metadataPolicyCrit = statement.claim("metadata_policy_crit"),
                     .constraints = statement.claim("constraints")};
}

Result<ResolvedMetadata> applyChainPolicy(std::span<const EntityStatement *const> subordinates,
                                          const Json &subjectMetadata, const std::string &subject,
                                          const OperatorRegistry &registry)
{
    std::vector<PolicyHop> hops;
    hops.reserve(subordinates.size());
    for (const EntityStatement *statement : subordinates)
        hops.push_back(policyHopOf(*statement));
    return applyChainPolicy(std::span<const PolicyHop>(hops), subjectMetadata, subject, registry);
}

// Constraints of every Subordinate Statement (6.2), then the metadata policy
// (6.1.4): combined most superior first, applied after the Immediate
// Superior's metadata override.
Result<ResolvedMetadata> applyChainPolicy(std::span<const PolicyHop> hops, const Json &subjectMetadata,
                                          const std::string &subject, const OperatorRegistry &registry)
{
    std::vector<ConstrainedStatement> constrained;
    for (const PolicyHop &hop : hops) {
        ConstrainedStatement entry{hop.issuer, hop.subject, {}};
        if (hop.constraints) {
            auto parsed = parseConstraints(*hop.constraints);
            if (!parsed)
                return fail(std::move(parsed).error().withEntity(hop.issuer).withClaim("constraints"));
            entry.constraints = std::move(parsed).value();
        }
        constrained.push_back(std::move(entry));
    }
    OIDFED_TRY_VOID(checkChainConstraints(constrained));

    // Metadata policy, most superior first (6.1.4.1).
    std::vector<PolicyStatement> policies;
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        PolicyStatement policy{it->issuer, std::nullopt, {}};
        if (it->metadataPolicy)
            policy.metadataPolicy = *it->metadataPolicy;
        if (it->metadataPolicyCrit)
            for (const Json &name : it->metadataPolicyCrit->asArray())
                policy.metadataPolicyCrit.push_back(name.asString());
        policies.push_back(std::move(policy));
    }
    auto combined = combinePolicies(policies, registry);
    if (!combined)
        return fail(std::move(combined).error());

    MetadataResolutionInput input;
    input.subjectMetadata = subjectMetadata;
    if (!hops.empty() && hops.front().metadata) {
        input.superiorMetadata = *hops.front().metadata;
        input.superiorIssuer = hops.front().issuer;
    }
    input.statements = constrained;
    auto resolved = resolveMetadata(input, *combined, registry);
    if (!resolved) {
        Error error = std::move(resolved).error();
        if (error.entityId.empty())
            error.entityId = subject;
        return fail(std::move(error));
    }
    return resolved;
}

Result<TrustChain> validateChain(std::span<const EntityStatement *const> chain, const ValidationContext &context)
{
    OIDFED_TRY_VOID(checkShape(chain, context.anchor));
    OIDFED_TRY_VOID(checkLinkage(chain));
    for (const EntityStatement *statement : chain)
        OIDFED_TRY_VOID(statement->checkValidityPeriod(context.now, context.options.clockSkew.count()));
    if (chain.size() > 1 && !chain[1]->isEntityConfiguration())
        OIDFED_TRY_VOID(checkIssuerIsAuthorityHint(*chain[1], *chain[0]));
    OIDFED_TRY_VOID(checkSignatures(chain, context));

    // Subordinate Statements, the one about the subject first.
    std::vector<const EntityStatement *> subordinates;
    for (const EntityStatement *statement : chain)
        if (!statement->isEntityConfiguration())
            subordinates.push_back(statement);

    const Json *subjectMetadata = chain[0]->claim("metadata");
    auto resolved = applyChainPolicy(subordinates, subjectMetadata ? *subjectMetadata : Json::object(),
                                     chain[0]->subject().str(), context.registry);
    if (!resolved)
        return fail(std::move(resolved).error());

    Json metadata = std::move(resolved->metadata);
    if (!context.options.entityTypes.empty()) {
        Json filtered = Json::object();
        for (const std::string &type : context.options.entityTypes)
            if (const Json *value = metadata.find(type))
                filtered.set(type, *value);
        metadata = std::move(filtered);
    }
    OIDFED_TRY_VOID(checkIssuerIsSubject(metadata, chain[0]->subject(), resolved->changes));

    TrustChain::Parts parts{chain[0]->subject(), context.anchor.entityId, {}, {}, 0, std::move(metadata),
                            std::move(resolved->changes), {}};
    parts.expiresAt = chain[0]->expiresAt();
    parts.subjectKeys = chain[0]->jwks();
    for (const EntityStatement *statement : chain) {
        parts.statements.push_back(statement->compact());
        parts.expiresAt = std::min(parts.expiresAt, statement->expiresAt());
    }
    parts.trustMarks = verifiedTrustMarks(chain, context);
    for (const VerifiedTrustMark &mark : parts.trustMarks)
        if (mark.expiresAt >= 0)
            parts.expiresAt = std::min(parts.expiresAt, mark.expiresAt);
    parts.path.push_back(chain[0]->subject().str());
    for (const EntityStatement *statement : subordinates)
        parts.path.push_back(statement->issuer().str());
    return TrustChainFactory::make(std::move(parts));
}

} // namespace oidfed::detail

namespace oidfed {

Result<TrustChain> validateTrustChain(std::span<const std::string> jwts, std::span<const TrustAnchor> anchors,
                                      UnixTime now, const ChainValidationOptions &options)
{
    if (jwts.empty())
        return fail(Error(ErrorCode::Malformed, "an empty trust chain").withRule("4 trust chain"));
    std::vector<EntityStatement> chain;
    chain.reserve(jwts.size());
    for (std::size_t j = 0; j < jwts.size(); ++j) {
        auto statement = EntityStatement::parse(jwts[j], options.statements);
        if (!statement) {
            Error error = std::move(statement).error();
            error.message = "statement " + std::to_string(j) + ": " + error.message;
            return fail(std::move(error));
        }
        chain.push_back(std::move(statement).value());
    }
    const TrustAnchor *anchor = nullptr;
    for (const TrustAnchor &candidate : anchors)
        if (candidate.entityId == chain.back().issuer())
            anchor = &candidate;
    if (!anchor)
        return fail(Error(ErrorCode::NoTrustAnchor, "the chain ends at " + chain.back().issuer().str() +
                                                        ", which is not a configured trust anchor")
                        .withRule("10.2 trust anchor")
                        .withEntity(chain.back().issuer().str()));
    OperatorRegistry standard = OperatorRegistry::standard();
    detail::ValidationContext context{*anchor, now, options, options.registry ? *options.registry : standard};
    std::vector<const EntityStatement *> pointers;
    for (const EntityStatement &statement : chain)
        pointers.push_back(&statement);
    return detail::validateChain(pointers, context);
}

} // namespace oidfed
