#include "entity/hosted_entity.h"

#include <algorithm>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include <oidfed/statement_issuer.h>

#include "entity/parallel_for.h"

namespace oidfed::entity {

namespace {

// Keys of the documents map that no subject can equal (subjects are URLs).
const std::string kConfigurationKey;
const std::string kHistoricalKey = "\x01historical";

// Subordinate Statements one thread signs before it takes the next block.
constexpr std::size_t kStatementsPerBlock = 32;

// Historical keys carry no exp; they are re-signed this often.
constexpr UnixTime kHistoricalKeysLifetime = 3600;

// Splits an Entity Identifier into host[:port] and the path without a
// trailing '/'. The identifier was validated by EntityId::parse.
std::pair<std::string, std::string> splitEntityId(const std::string &id)
{
    std::size_t hostBegin = id.find("://") + 3;
    std::size_t pathBegin = id.find('/', hostBegin);
    if (pathBegin == std::string::npos)
        return {id.substr(hostBegin), std::string()};
    std::string path = id.substr(pathBegin);
    while (!path.empty() && path.back() == '/')
        path.pop_back();
    return {id.substr(hostBegin, pathBegin - hostBegin), path};
}

} // namespace

HostedEntity::HostedEntity(HostedEntitySettings settings, HostedEntityParts parts, StatementOptions options)
    : settings_(std::move(settings)), keys_(std::move(parts.keys)), subordinates_(std::move(parts.subordinates)),
      heldMarks_(std::move(parts.heldMarks)), options_(std::move(options))
{
    std::tie(authority_, pathPrefix_) = splitEntityId(settings_.entityId.str());
}

std::string HostedEntity::endpointUrl(std::string_view path) const
{
    std::string base = settings_.entityId.str();
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    return base + std::string(path);
}

Result<std::shared_ptr<HostedEntity>> HostedEntity::create(HostedEntitySettings settings, HostedEntityParts parts,
                                                           const HostedKeys &hostedKeys, UnixTime now,
                                                           const StatementOptions &options)
{
    const std::string &id = settings.entityId.str();
    OIDFED_TRY_VOID(validateHostedEntitySettings(settings));
    if (!settings.authorityHints.empty() &&
        (!settings.trustMarkIssuers.isNull() || !settings.trustMarkOwners.isNull()))
        return fail(ErrorCode::InvalidArgument,
                    id + ": trust_mark_issuers and trust_mark_owners belong to a trust anchor (no authority_hints)");
    if (settings.authorityHints.empty() && !settings.trustAnchorHints.empty())
        return fail(ErrorCode::InvalidArgument, id + ": trust_anchor_hints need authority_hints (3.1.2)");
    if (settings.subordinatesDir && !parts.subordinates)
        return fail(ErrorCode::Internal, id + ": subordinates directory configured but not loaded");
    if (!settings.trustMarkSources.empty() && !parts.heldMarks)
        return fail(ErrorCode::Internal, id + ": trust_mark_sources configured but no holder");

    std::shared_ptr<const SubordinateSet> previousSubordinates = std::move(parts.previousSubordinates);
    std::shared_ptr<HostedEntity> entity(new HostedEntity(std::move(settings), std::move(parts), options));

    // The federation_entity endpoints are derived from the identifier.
    Json metadata = entity->settings_.metadata.isObject() ? entity->settings_.metadata : Json::object();
    Json federation = Json::object();
    if (const Json *given = metadata.find("federation_entity"); given && given->isObject())
        federation = *given;
    if (entity->isAuthority()) {
        federation.set("federation_fetch_endpoint", entity->endpointUrl(kFetchPath));
        federation.set("federation_list_endpoint", entity->endpointUrl(kListPath));
    }
    if (entity->settings_.resolver)
        federation.set("federation_resolve_endpoint", entity->endpointUrl(kResolvePath));
    if (entity->settings_.collection)
        federation.set("federation_collection_endpoint", entity->endpointUrl(kCollectionPath));
    if (entity->settings_.trustMarkIssuer) {
        federation.set("federation_trust_mark_endpoint", entity->endpointUrl(kTrustMarkPath));
        federation.set("federation_trust_mark_list_endpoint", entity->endpointUrl(kTrustMarkListPath));
        federation.set("federation_trust_mark_status_endpoint", entity->endpointUrl(kTrustMarkStatusPath));
    }
    federation.set("federation_historical_keys_endpoint", entity->endpointUrl(kHistoricalKeysPath));
    metadata.set("federation_entity", std::move(federation));
    if (const std::string &type = entity->settings_.registrationEntityType; !type.empty()) {
        Json provider = metadata.find(type) && metadata.find(type)->isObject() ? *metadata.find(type) : Json::object();
        provider.set("federation_registration_endpoint", entity->endpointUrl(kRegistrationPath));
        const Json *listed = provider.find("client_registration_types_supported");
        Json types = listed && listed->isArray() ? *listed : Json::array();
        bool hasExplicit = false;
        for (const Json &value : types.asArray())
            hasExplicit = hasExplicit || (value.isString() && value.asString() == "explicit");
        if (!hasExplicit)
            types.push("explicit");
        provider.set("client_registration_types_supported", std::move(types));
        metadata.set(type, std::move(provider));
    }
    entity->publishedMetadata_ = std::move(metadata);

    if (entity->heldMarks_)
        entity->heldMarks_->refresh(now);

    // Sign everything now: a configuration that cannot be published fails
    // at start (or at reload, leaving the previous one in service).
    OIDFED_TRY(DocumentPtr configuration, entity->signConfiguration(now));
    OIDFED_TRY(DocumentPtr historical, entity->signHistoricalKeys(now));
    entity->documents_.emplace(kConfigurationKey, std::move(configuration));
    entity->documents_.emplace(kHistoricalKey, std::move(historical));
    if (entity->subordinates_)
        OIDFED_TRY_VOID(entity->admitSubordinates(previousSubordinates.get(), hostedKeys, now));
    return entity;
}

Result<void> HostedEntity::checkSubordinate(const Subordinate &subordinate, const HostedKeys &hostedKeys)
{
    const std::string &id = settings_.entityId.str();
    if (subordinate.entityId == settings_.entityId)
        return fail(Error(ErrorCode::InvalidArgument,
                          id + ": " + subordinate.sourceFile + " names the authority itself as a subordinate")
                        .withEntity(subordinate.entityId.str()));
    if (subordinate.jwks)
        return ok();
    std::optional<JwkSet> hosted = hostedKeys ? hostedKeys(subordinate.entityId.str()) : std::nullopt;
    if (!hosted)
        return fail(Error(ErrorCode::InvalidArgument, id + ": " + subordinate.sourceFile + " has no jwks and " +
                                                          subordinate.entityId.str() +
                                                          " is not served by this server")
                        .withEntity(subordinate.entityId.str()));
    hostedSubordinateKeys_.insert_or_assign(subordinate.entityId.str(), std::move(*hosted));
    return ok();
}

Result<void> HostedEntity::admitSubordinates(const SubordinateSet *previous, const HostedKeys &hostedKeys, UnixTime now)
{
    const std::vector<Subordinate> &all = subordinates_->all();
    // 1. What needs no signature (sequential: it fills hostedSubordinateKeys_).
    std::vector<std::optional<Result<DocumentPtr>>> statements(all.size());
    for (std::size_t i = 0; i < all.size(); ++i)
        if (auto checked = checkSubordinate(all[i], hostedKeys); !checked)
            statements[i] = fail(std::move(checked).error());
    // 2. One signature and its self-check per subordinate, independent of
    // each other: spread over the cores (an authority with 100,000
    // subordinates spends most of its start here).
    parallelFor(all.size(), kStatementsPerBlock, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
            if (!statements[i])
                statements[i] = signSubordinate(all[i], now);
    });
    const bool allPassed = std::all_of(statements.begin(), statements.end(),
                                       [](const std::optional<Result<DocumentPtr>> &statement) { return *statement; });
    documents_.reserve(all.size() + 2);
    if (allPassed) {
        for (std::size_t i = 0; i < all.size(); ++i)
            documents_.emplace(all[i].entityId.str(), std::move(*statements[i]).value());
        return ok();
    }
    // 3. A subordinate that fails affects only itself: its previous record
    // (same file) when that one passes, otherwise it is left out.
    std::vector<Subordinate> admitted;
    std::set<std::string> ids;
    for (std::size_t i = 0; i < all.size(); ++i)
        if (*statements[i])
            ids.insert(all[i].entityId.str());
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (*statements[i]) {
            admitted.push_back(all[i]);
            documents_.emplace(all[i].entityId.str(), std::move(*statements[i]).value());
            continue;
        }
        SubordinateProblem problem{.file = all[i].sourceFile,
                                   .entityId = all[i].entityId.str(),
                                   .error = std::move(*statements[i]).error()};
        const Subordinate *before = previous ? previous->findBySourceFile(all[i].sourceFile) : nullptr;
        if (before && !ids.contains(before->entityId.str()) && checkSubordinate(*before, hostedKeys)) {
            if (auto document = signSubordinate(*before, now)) {
                problem.keptPrevious = true;
                ids.insert(before->entityId.str());
                admitted.push_back(*before);
                documents_.emplace(before->entityId.str(), std::move(document).value());
            }
        }
        subordinateProblems_.push_back(std::move(problem));
    }
    OIDFED_TRY(subordinates_, SubordinateSet::fromSubordinates(std::move(admitted)));
    return ok();
}

Json HostedEntity::currentTrustMarks() const
{
    if (!heldMarks_)
        return settings_.trustMarks;
    Json marks = settings_.trustMarks.isArray() ? settings_.trustMarks : Json::array();
    Json held = heldMarks_->current();
    for (Json &entry : held.asArray())
        marks.push(std::move(entry));
    return marks.size() == 0 ? Json() : marks;
}

Result<DocumentPtr> HostedEntity::signConfiguration(UnixTime now) const
{
    UnixTime exp = now + settings_.configurationLifetime.count();
    EntityConfigurationClaims claims{
        .entityId = settings_.entityId,
        .issuedAt = now,
        .expiresAt = exp,
        .jwks = keys_.publishedKeys(now),
        .metadata = publishedMetadata_,
        .authorityHints = settings_.authorityHints,
        .trustAnchorHints = settings_.trustAnchorHints,
        .trustMarks = currentTrustMarks(),
        .trustMarkIssuers = settings_.trustMarkIssuers,
        .trustMarkOwners = settings_.trustMarkOwners,
    };
    OIDFED_TRY(std::string jwt, issueEntityConfiguration(claims, keys_.activeKey(), options_));
    return makeSignedDocument(std::move(jwt), now, exp);
}

Result<DocumentPtr> HostedEntity::signSubordinate(const Subordinate &subordinate, UnixTime now) const
{
    UnixTime exp = now + subordinate.statementLifetime.value_or(settings_.subordinateLifetime.count());
    const JwkSet *jwks = subordinate.jwks ? &*subordinate.jwks : nullptr;
    if (!jwks) {
        auto it = hostedSubordinateKeys_.find(subordinate.entityId.str());
        if (it == hostedSubordinateKeys_.end())
            return fail(ErrorCode::Internal, "no keys for hosted subordinate " + subordinate.entityId.str());
        jwks = &it->second;
    }
    SubordinateStatementClaims claims{
        .issuer = settings_.entityId,
        .subject = subordinate.entityId,
        .issuedAt = now,
        .expiresAt = exp,
        .jwks = *jwks,
        .metadata = subordinate.metadata,
        .metadataPolicy = subordinate.metadataPolicy,
        .metadataPolicyCrit = subordinate.metadataPolicyCrit,
        .constraints = subordinate.constraints,
        .sourceEndpoint = endpointUrl(kFetchPath),
    };
    auto jwt = issueSubordinateStatement(claims, keys_.activeKey(), options_);
    if (!jwt) {
        Error error = std::move(jwt).error();
        error.message = settings_.entityId.str() + ": statement about " + subordinate.entityId.str() + " (" +
                        subordinate.sourceFile + "): " + error.message;
        return fail(std::move(error));
    }
    return makeSignedDocument(std::move(jwt).value(), now, exp);
}

Result<DocumentPtr> HostedEntity::signHistoricalKeys(UnixTime now) const
{
    OIDFED_TRY(std::string jwt, keys_.signHistoricalKeys(settings_.entityId, now));
    return makeSignedDocument(std::move(jwt), now, now + kHistoricalKeysLifetime);
}

Result<DocumentPtr> HostedEntity::cached(const std::string &key, UnixTime now,
                                         const std::function<Result<DocumentPtr>()> &sign) const
{
    {
        std::shared_lock lock(mutex_);
        auto it = documents_.find(key);
        if (it != documents_.end() && !it->second->stale(now))
            return it->second;
    }
    OIDFED_TRY(DocumentPtr document, sign());
    std::unique_lock lock(mutex_);
    documents_[key] = document;
    return document;
}

Result<DocumentPtr> HostedEntity::entityConfiguration(UnixTime now) const
{
    return cached(kConfigurationKey, now, [&] { return signConfiguration(now); });
}

Result<DocumentPtr> HostedEntity::historicalKeys(UnixTime now) const
{
    return cached(kHistoricalKey, now, [&] { return signHistoricalKeys(now); });
}

Result<DocumentPtr> HostedEntity::subordinateStatement(std::string_view subject, UnixTime now) const
{
    const Subordinate *subordinate = subordinates_ ? subordinates_->find(subject) : nullptr;
    if (!subordinate)
        return fail(ErrorCode::NotFound, "not a subordinate of " + settings_.entityId.str());
    return cached(subordinate->entityId.str(), now, [&] { return signSubordinate(*subordinate, now); });
}

Result<std::size_t> HostedEntity::refresh(UnixTime now) const
{
    std::vector<std::string> due;
    const bool marksChanged = heldMarks_ && heldMarks_->refresh(now);
    {
        std::shared_lock lock(mutex_);
        for (const auto &[key, document] : documents_)
            if (document->stale(now) || (marksChanged && key == kConfigurationKey))
                due.push_back(key);
    }
    for (const std::string &key : due) {
        Result<DocumentPtr> document = fail(ErrorCode::Internal, "unknown document " + key);
        if (key == kConfigurationKey)
            document = signConfiguration(now);
        else if (key == kHistoricalKey)
            document = signHistoricalKeys(now);
        else if (const Subordinate *subordinate = subordinates_ ? subordinates_->find(key) : nullptr)
            document = signSubordinate(*subordinate, now);
        if (!document)
            return fail(std::move(document).error());
        std::unique_lock lock(mutex_);
        documents_[key] = std::move(document).value();
    }
    return due.size();
}

} // namespace oidfed::entity
