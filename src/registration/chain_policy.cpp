#include "registration/chain_policy.h"

#include <vector>

#include "chain/validator.h"

namespace oidfed::registration {

Result<Json> reapplyChainPolicy(const TrustChain &chain, const Json &metadata, const OperatorRegistry &registry,
                                const StatementOptions &options)
{
    // statements()[0], the subject's own EC, is what `metadata` replaces.
    std::vector<EntityStatement> parsed;
    const auto &jwts = chain.statements();
    for (std::size_t j = 1; j < jwts.size(); ++j) {
        OIDFED_TRY(EntityStatement statement, EntityStatement::parse(jwts[j], options));
        if (!statement.isEntityConfiguration())
            parsed.push_back(std::move(statement));
    }
    std::vector<const EntityStatement *> subordinates;
    for (const EntityStatement &statement : parsed)
        subordinates.push_back(&statement);
    OIDFED_TRY(ResolvedMetadata resolved, detail::applyChainPolicy(subordinates, metadata, chain.subject().str(), registry));
    return std::move(resolved.metadata);
}

} // namespace oidfed::registration
