// What a hosted entity publishes in its Entity Configuration, as spec 3.1.2
// constrains it: trust_anchor_hints never appear in a trust anchor's EC (an
// entity without superiors), only beside authority_hints.
#include <doctest/doctest.h>

#include <utility>

#include <oidfed/entity_statement.h>

#include "entity/hosted_entity.h"
#include "temp_dir.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::entity;
using oidfed::test::entityId;
using oidfed::test::TempDir;

namespace {

constexpr UnixTime kNow = 1767800000;

KeyStore keysIn(const TempDir &tmp, const char *name)
{
    auto keys = KeyStore::open(tmp.path() / name, KeyStoreOptions{}, kNow);
    REQUIRE(keys);
    return std::move(*keys);
}

// The claims of the entity's Entity Configuration, parsed as a receiver would.
Json configurationClaims(const HostedEntity &entity)
{
    auto document = entity.entityConfiguration(kNow);
    REQUIRE(document);
    auto statement = EntityStatement::parse((*document)->body);
    REQUIRE(statement);
    CHECK(statement->isEntityConfiguration());
    return statement->claims();
}

} // namespace

TEST_CASE("trust_anchor_hints never appear in a trust anchor's Entity Configuration (3.1.2)")
{
    TempDir tmp;
    const EntityId anchor = entityId("https://ta.example");
    const EntityId otherAnchor = entityId("https://other-ta.example");

    SUBCASE("an anchor configured with trust_anchor_hints is refused")
    {
        HostedEntitySettings settings{.entityId = anchor};
        settings.trustAnchorHints = {otherAnchor};
        auto refused = HostedEntity::create(std::move(settings), HostedEntityParts{.keys = keysIn(tmp, "ta")}, {},
                                            kNow, StatementOptions{});
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code == ErrorCode::InvalidArgument);
    }
    SUBCASE("an anchor's Entity Configuration has neither authority_hints nor trust_anchor_hints")
    {
        auto created = HostedEntity::create(HostedEntitySettings{.entityId = anchor},
                                            HostedEntityParts{.keys = keysIn(tmp, "ta")}, {}, kNow, StatementOptions{});
        REQUIRE(created);
        const Json claims = configurationClaims(**created);
        CHECK_FALSE(claims.contains("authority_hints"));
        CHECK_FALSE(claims.contains("trust_anchor_hints"));
        // Also after re-signing.
        REQUIRE((*created)->refresh(kNow + 86400));
        auto again = (*created)->entityConfiguration(kNow + 86400);
        REQUIRE(again);
        auto statement = EntityStatement::parse((*again)->body);
        REQUIRE(statement);
        CHECK_FALSE(statement->claims().contains("trust_anchor_hints"));
    }
    SUBCASE("an entity with superiors publishes its hints")
    {
        HostedEntitySettings settings{.entityId = entityId("https://leaf.example")};
        settings.authorityHints = {anchor};
        settings.trustAnchorHints = {anchor, otherAnchor};
        auto created = HostedEntity::create(std::move(settings), HostedEntityParts{.keys = keysIn(tmp, "leaf")}, {},
                                            kNow, StatementOptions{});
        REQUIRE(created);
        const Json claims = configurationClaims(**created);
        const Json *hints = claims.find("trust_anchor_hints");
        REQUIRE(hints != nullptr);
        REQUIRE(hints->isArray());
        REQUIRE(hints->size() == 2);
        CHECK(hints->asArray()[0].asString() == anchor.str());
        CHECK(hints->asArray()[1].asString() == otherAnchor.str());
    }
}
