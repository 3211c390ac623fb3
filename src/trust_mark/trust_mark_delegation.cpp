#include "trust_mark/trust_mark_delegation.h"

#include <utility>

namespace oidfed::trust_mark {

Result<ParsedMark> parseDelegation(std::string_view jwt, const EntityId &trustMarkIssuer,
                                   std::string_view trustMarkType, const StatementOptions &options)
{
    OIDFED_TRY(ParsedMark delegation, parseMark(jwt, Kind::Delegation, options));  // steps 1-3, 7.2.1
    OIDFED_TRY_VOID(checkDelegatedIssuer(delegation, trustMarkIssuer));             // step 4
    OIDFED_TRY_VOID(checkDelegatedType(delegation, trustMarkType));                 // step 8
    return delegation;
}

Result<ParsedMark> verifyDelegation(std::string_view jwt, const EntityId &trustMarkIssuer,
                                    std::string_view trustMarkType, const TrustMarkContext &ctx)
{
    // Without the owner's entry the delegation cannot be validated at all.
    OIDFED_TRY(TrustMarkOwner owner, trustMarkOwnerOf(ctx.anchor, trustMarkType, ctx.options));
    OIDFED_TRY(ParsedMark delegation, parseDelegation(jwt, trustMarkIssuer, trustMarkType, ctx.options));
    OIDFED_TRY_VOID(checkDelegationOwner(delegation, owner));                                  // step 5
    OIDFED_TRY_VOID(checkMarkValidity(delegation, Kind::Delegation, ctx.now, ctx.clockSkew));  // steps 6-7
    OIDFED_TRY_VOID(checkMarkSignature(delegation, Kind::Delegation, owner.jwks));             // step 9
    return delegation;
}

} // namespace oidfed::trust_mark
