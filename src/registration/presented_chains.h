// What a peer presents about its own trust (spec 4.3 trust_chain, 4.4
// peer_trust_chain), as both registrations read it: Explicit Registration
// (12.2.2 steps 3-6) and Automatic Registration (12.1.1.1). One reading of
// the anchors the two chains end at, one check of the peer chain, one way
// to record a path hint that was not used; each caller names its rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/chain_validator.h>
#include <oidfed/entity_id.h>
#include <oidfed/error.h>
#include <oidfed/resolver.h>
#include <oidfed/result.h>
#include <oidfed/trust_chain.h>

namespace oidfed::registration {

/// fail() with the rule, the claim and the entity set.
Unexpected refuse(ErrorCode code, std::string message, std::string_view rule, std::string_view claim,
                  std::string_view entity);

/// The iss and sub of a compact JWS, read without judging it: which entity
/// a presented chain starts at or ends with. nullopt when unreadable.
struct StatementNames {
    std::string iss;
    std::string sub;
};
std::optional<StatementNames> peekNames(const std::string &jwt, const StatementOptions &options);

/// The rules a caller's refusals name.
struct PresentedChainRules {
    std::string_view peerChain;         ///< peer_trust_chain unreadable, not from this OP, invalid
    std::string_view anchorNotAccepted; ///< a chain ends at an anchor the caller does not accept
    std::string_view sameAnchor;        ///< trust_chain and peer_trust_chain end at different anchors
};

/// The chains a peer presented, borrowed for the call.
struct PresentedChains {
    std::string_view subject;                     ///< the RP / client presenting them
    const std::vector<std::string> &trustChain;   ///< its own chain; empty when absent
    const std::vector<std::string> &peerTrustChain;  ///< this OP's chain; empty when absent
};

/// The anchors the subject may be trusted under: `configured` (or, empty,
/// every anchor of the resolver), narrowed to the one the presented chains
/// end at (12.2.1 / 12.1.1.1: both use the same anchor). A trust_chain
/// whose end cannot be read is not used (it is only a hint); a
/// peer_trust_chain whose end cannot be read is Malformed. NoTrustAnchor
/// for an end the caller does not accept, InvalidClaim for two ends.
Result<std::vector<std::string>> narrowAnchors(std::vector<std::string> configured, const Resolver &resolver,
                                               const PresentedChains &presented, const StatementOptions &options,
                                               const PresentedChainRules &rules);

/// The peer chain begins at `op`'s Entity Configuration, ends at the
/// anchor of the subject's resolved chain, and validates from the pinned
/// keys of that anchor down (12.2.2 step 6; 12.1.1.1). InvalidClaim with
/// claim peer_trust_chain, or the validator's code with rules.peerChain.
Result<void> checkPeerTrustChain(const PresentedChains &presented, const EntityId &op, const TrustChain &subjectChain,
                                 const Resolver &resolver, UnixTime now, const ChainValidationOptions &validation,
                                 const PresentedChainRules &rules);

/// Records in `report` that a presented trust_chain was not used as the
/// path and why (also the first of its problems).
void noteUnusedHint(ResolveReport &report, Error why);

} // namespace oidfed::registration
