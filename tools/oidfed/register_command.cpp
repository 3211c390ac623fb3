// oidfed register OP_ENTITY_ID --config FILE [--entity RP_ENTITY_ID]
//                 [--trust-anchor TA ...] [--trust-anchor-file F ...]
//                 [--state FILE] [--renew-within DURATION]
//
// Explicit Registration (spec 12.2) of a Relying Party hosted by an `oidfed
// serve` configuration, at an OpenID Provider, as the RP does it (12.2.1):
//  1. resolve the OP's trust chain (abort when that fails);
//  2. choose a trust anchor both chains reach (--trust-anchor orders and
//     restricts the pinned ones);
//  3. build the request: the RP's Entity Configuration with aud = the OP,
//     metadata tailored to the OP's resolved metadata, the single authority
//     hint of the RP's chain to that anchor, the trust_chain header (that
//     chain) and the peer_trust_chain header (the OP's chain), signed with
//     the RP's current Federation Entity Key from its key directory;
//  4. POST it to the OP's federation_registration_endpoint;
//  5. verify the response per 12.2.5 (verifyRegistrationResponse, with the
//     RP's chain to re-apply the policies);
//  6. record the registration in the RP's registrations file, a reviewable
//     JSON object keyed by OP Entity Identifier (--state FILE, default
//     <the RP's keys_dir>/registrations.json), mode 0600 (an OP may return a
//     client secret); a new registration at an OP replaces its entry;
//  7. print it.
// --renew-within D: when the recorded registration for this OP lasts longer
// than D, nothing is sent and the record is printed ("renewal": "not due"):
// run it from a timer to renew before exp (12.2.6, 12.3).
//
// Trust anchors: --trust-anchor-file pins, or, without any, the anchors of
// the configuration's resolvers (pinned there, or hosted there: their keys).
// Exit codes: 0 registered (or not due); 1 the OP's chain is invalid, no
// anchor is shared, the OP refused the registration or its response failed
// 12.2.5; 2 usage or configuration; 3 the OP or a statement could not be
// fetched, or the OP answered 5xx / temporarily_unavailable.

#include "commands.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include <CLI/CLI.hpp>

#include <oidfed/clock.h>
#include <oidfed/entity_statement.h>
#include <oidfed/registration_request.h>
#include <oidfed/registration_response.h>
#include <oidfed/resolver.h>
#include <oidfed/statement_issuer.h>
#include <oidfed/trust_anchor.h>

#include "core/file_read.h"
#include "core/file_write.h"
#include "core/time_text.h"
#include "entity/key_store.h"
#include "fetch/api_client.h"
#include "resolver_setup.h"
#include "server/expiry.h"
#include "server/server_config.h"
#include "text_output.h"
#include "time_format.h"

namespace oidfed::cli {

namespace {

namespace fs = std::filesystem;

struct RegisterArgs {
    std::string op;
    std::string config;
    std::string entity;
    std::vector<std::string> trustAnchors;
    std::vector<std::string> trustAnchorFiles;
    std::string state;
    std::string renewWithin;
    std::string caFile;
    bool allowHttp = false;
    bool allowLoopback = false;
};

/// The registrations file is at most this large.
constexpr std::size_t kMaxRecordBytes = 4 << 20;

Error usage(std::string message, std::string_view claim = {})
{
    return Error(ErrorCode::InvalidArgument, std::move(message)).withClaim(claim);
}

/// The RP: its settings in the configuration, its keys, and the client
/// entity type it registers as.
struct HostedRp {
    server::HostedEntityConfig config;
    entity::KeyStore keys;
    std::string clientType;    ///< "openid_relying_party" or "oauth_client"
    std::string providerType;  ///< "openid_provider" or "oauth_authorization_server"
};

Result<HostedRp> findRp(const server::ServerConfig &config, const std::string &wanted, UnixTime now)
{
    const server::HostedEntityConfig *found = nullptr;
    auto isClient = [](const server::HostedEntityConfig &hosted) {
        const Json &metadata = hosted.entity.metadata;
        return metadata.contains("openid_relying_party") || metadata.contains("oauth_client");
    };
    for (const server::HostedEntityConfig &hosted : config.entities) {
        if (!wanted.empty() ? hosted.entity.entityId.str() == wanted : isClient(hosted)) {
            if (found)
                return fail(usage("the configuration hosts several relying parties: name one with --entity",
                                  "--entity"));
            found = &hosted;
        }
    }
    if (!found)
        return fail(usage(wanted.empty() ? "the configuration hosts no relying party (an entity with "
                                           "openid_relying_party or oauth_client metadata)"
                                         : "the configuration hosts no entity " + wanted,
                          "--entity"));
    if (!isClient(*found))
        return fail(usage(wanted + " has no openid_relying_party or oauth_client metadata in the configuration",
                          "--entity"));
    const bool oidc = found->entity.metadata.contains("openid_relying_party");
    entity::KeyStoreOptions keyOptions = found->entity.keys;
    keyOptions.createIfMissing = false;
    auto keys = entity::KeyStore::open(found->entity.keysDir, keyOptions, now);
    if (!keys)
        return fail(usage(found->entity.entityId.str() + ": its keys in " + found->entity.keysDir.string() +
                              " cannot be used (oidfed serve creates them on first start): " + keys.error().message,
                          "keys_dir"));
    return HostedRp{.config = *found,
                    .keys = std::move(keys).value(),
                    .clientType = oidc ? "openid_relying_party" : "oauth_client",
                    .providerType = oidc ? "openid_provider" : "oauth_authorization_server"};
}

/// The pinned anchors: --trust-anchor-file, or the configuration's resolver
/// anchors (a hosted one without a pin: the keys it publishes).
Result<std::vector<TrustAnchor>> pinnedAnchors(const RegisterArgs &args, const server::ServerConfig &config,
                                               const EntityIdOptions &ids, UnixTime now)
{
    std::vector<TrustAnchor> anchors;
    auto add = [&](TrustAnchor anchor) {
        for (const TrustAnchor &seen : anchors)
            if (seen.entityId == anchor.entityId)
                return;
        anchors.push_back(std::move(anchor));
    };
    for (const std::string &file : args.trustAnchorFiles) {
        OIDFED_TRY(auto loaded, loadTrustAnchors(file, ids));
        for (TrustAnchor &anchor : loaded)
            add(std::move(anchor));
    }
    if (!args.trustAnchorFiles.empty())
        return anchors;
    for (const server::HostedEntityConfig &hosted : config.entities)
        for (const server::TrustAnchorSetting &setting : hosted.resolverTrustAnchors) {
            if (setting.jwks) {
                add(TrustAnchor{setting.entityId, *setting.jwks});
                continue;
            }
            for (const server::HostedEntityConfig &anchor : config.entities) {
                if (anchor.entity.entityId != setting.entityId)
                    continue;
                entity::KeyStoreOptions keyOptions = anchor.entity.keys;
                keyOptions.createIfMissing = false;
                auto keys = entity::KeyStore::open(anchor.entity.keysDir, keyOptions, now);
                if (keys)
                    add(TrustAnchor{setting.entityId, keys->publishedKeys(now)});
            }
        }
    if (anchors.empty())
        return fail(usage("no trust anchor: give --trust-anchor-file (the configuration's resolvers pin none "
                          "whose keys are at hand)",
                          "--trust-anchor-file"));
    return anchors;
}

/// The values of `supported` (an array of strings in the OP's metadata)
/// that `wanted` lists, in `wanted`'s order; `wanted` itself when the OP
/// lists none.
Json keepSupported(const Json &wanted, const Json *supported)
{
    if (!wanted.isArray() || !supported || !supported->isArray())
        return wanted;
    Json kept = Json::array();
    for (const Json &value : wanted.asArray())
        if (std::find(supported->asArray().begin(), supported->asArray().end(), value) != supported->asArray().end())
            kept.push(value);
    return kept;
}

bool lists(const Json *array, std::string_view value)
{
    if (!array || !array->isArray())
        return false;
    for (const Json &entry : array->asArray())
        if (entry.isString() && entry.asString() == value)
            return true;
    return false;
}

/// The RP's client metadata tailored to the OP's resolved metadata (12.2.1:
/// it SHOULD comply with it): response and grant types cut to what the OP
/// supports (OIDC Discovery defaults when it lists none), a token endpoint
/// authentication method both support (the RP's own, else private_key_jwt
/// when the RP has keys for it, else the OP's first), signing algorithms the
/// OP does not support left out (the OP's default applies), and `explicit`
/// in client_registration_types. InvalidClaim (exit 1), naming the
/// parameter, when nothing is left in common.
Result<Json> tailorClientMetadata(const Json &client, const Json &provider, const EntityId &op)
{
    Json out = client;
    auto refuse = [&](std::string_view parameter, const std::string &why) {
        return fail(Error(ErrorCode::InvalidClaim, "the RP's " + std::string(parameter) + " and the OP's " + why +
                                                       " have nothing in common: change the RP's metadata for " +
                                                       op.str())
                        .withClaim(parameter)
                        .withRule("12.2.1 metadata tailored to the OP")
                        .withEntity(op.str()));
    };
    if (const Json *types = client.find("response_types")) {
        Json kept = keepSupported(*types, provider.find("response_types_supported"));
        if (kept.isArray() && kept.size() == 0)
            return refuse("response_types", "response_types_supported");
        out.set("response_types", std::move(kept));
    }
    if (const Json *grants = client.find("grant_types")) {
        Json defaults = Json::array();
        defaults.push("authorization_code");
        defaults.push("implicit");
        const Json *supported = provider.find("grant_types_supported");
        Json kept = keepSupported(*grants, supported ? supported : &defaults);
        if (kept.isArray() && kept.size() == 0)
            return refuse("grant_types", "grant_types_supported");
        out.set("grant_types", std::move(kept));
    }
    const Json *methods = provider.find("token_endpoint_auth_methods_supported");
    const bool hasKeys = client.contains("jwks") || client.contains("jwks_uri") || client.contains("signed_jwks_uri");
    const std::string *own = client.findString("token_endpoint_auth_method");
    if (!own || (methods && !lists(methods, *own))) {
        std::string chosen;
        if (hasKeys && (!methods || lists(methods, "private_key_jwt")))
            chosen = "private_key_jwt";
        else if (methods && methods->isArray() && methods->size() > 0 && methods->asArray().front().isString())
            chosen = methods->asArray().front().asString();
        if (chosen.empty() && own)
            return refuse("token_endpoint_auth_method", "token_endpoint_auth_methods_supported");
        if (!chosen.empty())
            out.set("token_endpoint_auth_method", chosen);
    }
    for (auto [parameter, supported] :
         {std::pair{"id_token_signed_response_alg", "id_token_signing_alg_values_supported"},
          std::pair{"userinfo_signed_response_alg", "userinfo_signing_alg_values_supported"},
          std::pair{"request_object_signing_alg", "request_object_signing_alg_values_supported"},
          std::pair{"token_endpoint_auth_signing_alg", "token_endpoint_auth_signing_alg_values_supported"}}) {
        const std::string *alg = client.findString(parameter);
        const Json *list = provider.find(supported);
        if (alg && list && !lists(list, *alg))
            out.erase(parameter);
    }
    Json types = Json::array();
    if (const Json *own = client.find("client_registration_types"); own && own->isArray())
        types = *own;
    if (!lists(&types, "explicit"))
        types.push("explicit");
    out.set("client_registration_types", std::move(types));
    return out;
}

/// The RP's registrations file.
fs::path recordsPath(const RegisterArgs &args, const HostedRp &rp)
{
    return args.state.empty() ? rp.config.entity.keysDir / "registrations.json" : fs::path(args.state);
}

/// The RP's registrations file as an object keyed by OP (empty when the file
/// does not exist). A file that is not such an object, or records another
/// RP, is InvalidArgument naming --state: it is never overwritten.
Result<Json> readRecords(const fs::path &path, const HostedRp &rp)
{
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        Json empty = Json::object();
        empty.set("rp", rp.config.entity.entityId.str());
        empty.set("registrations", Json::object());
        return empty;
    }
    auto text = readInputFile(path, kMaxRecordBytes, "the registrations file");
    if (!text)
        return fail(usage(text.error().message, "--state"));
    auto json = parseJson(*text);
    const std::string *recordRp = json && json->isObject() ? json->findString("rp") : nullptr;
    const Json *registrations = json && json->isObject() ? json->find("registrations") : nullptr;
    if (!recordRp || !registrations || !registrations->isObject())
        return fail(usage(path.string() + " is not a registrations file of oidfed register (an object with rp "
                                          "and registrations); give another --state",
                          "--state"));
    if (*recordRp != rp.config.entity.entityId.str())
        return fail(usage(path.string() + " records the registrations of " + *recordRp + ", not " +
                              rp.config.entity.entityId.str() + "; give another --state",
                          "--state"));
    return std::move(json).value();
}

/// The spec error an OP's refusal maps to, and the code the CLI reports.
Error opRefusal(const fetch::ApiResponse &response, const std::string &endpoint, std::string &opError)
{
    std::string description;
    if (auto body = parseJson(response.body); body && body->isObject()) {
        if (const std::string *error = body->findString("error"))
            opError = *error;
        if (const std::string *text = body->findString("error_description"))
            description = *text;
    }
    ErrorCode code = ErrorCode::InvalidClaim;
    if (response.status >= 500 || opError == "temporarily_unavailable" || opError == "server_error")
        code = ErrorCode::Unavailable;
    else if (opError == "invalid_trust_anchor")
        code = ErrorCode::NoTrustAnchor;
    else if (opError == "invalid_trust_chain")
        code = ErrorCode::NoValidChain;
    else if (opError == "invalid_metadata")
        code = ErrorCode::PolicyViolation;
    else if (opError == "invalid_client_metadata")
        code = ErrorCode::InvalidClientMetadata;
    else if (opError == "invalid_redirect_uri")
        code = ErrorCode::InvalidRedirectUri;
    if (opError.empty())
        opError = code == ErrorCode::Unavailable ? "temporarily_unavailable" : "invalid_request";
    std::string message = "the OP refused the registration: " + endpoint + " answered " +
                          std::to_string(response.status) + " " + opError;
    if (!description.empty())
        message += ": " + description;
    return Error(code, std::move(message)).withRule("12.2.3 errors");
}

Json recordJson(const VerifiedRegistration &registration, const std::string &endpoint, const Json &providerMetadata,
                const std::string &providerType, UnixTime now)
{
    Json record = Json::object();
    record.set("op", registration.op.str());
    record.set("rp", registration.rp.str());
    record.set("client_id", registration.clientId);
    record.set("trust_anchor", registration.trustAnchor.str());
    record.set("authority_hint", registration.authorityHint.str());
    record.set("registered_at", formatRfc3339(now));
    record.set("issued_at", formatRfc3339(registration.issuedAt));
    record.set("expires_at", formatRfc3339(registration.expiresAt));
    record.set("iat", registration.issuedAt);
    record.set("exp", registration.expiresAt);
    record.set("registration_endpoint", endpoint);
    record.set("policy_reapplied", registration.policyReapplied);
    record.set("metadata", registration.resolvedMetadata);
    Json provider = Json::object();
    provider.set(providerType, providerMetadata);
    record.set("op_metadata", std::move(provider));
    record.set("response", registration.jwt);
    return record;
}

void printRecordText(const Json &record, const std::string &renewal, const fs::path &file, UnixTime now)
{
    auto text = [&](std::string_view name) {
        const std::string *value = record.findString(name);
        return value ? *value : std::string();
    };
    const Json *exp = record.find("exp");
    std::cout << (renewal == "not due" ? "still registered " : "registered ") << text("rp") << " at " << text("op")
              << "\n"
              << "client_id:    " << text("client_id") << "\n"
              << "trust anchor: " << text("trust_anchor") << " (through " << text("authority_hint") << ")\n"
              << "expires:      "
              << (exp && exp->isInt() ? describeTime(exp->asInt(), now) : text("expires_at")) << "\n"
              << "record:       " << file.string() << "\n";
}

/// Everything of one run: the resolver over the pinned anchors, the fetcher,
/// the clock.
struct Session {
    std::unique_ptr<Fetcher> fetcher;
    std::unique_ptr<Clock> clock;
    std::unique_ptr<Resolver> resolver;
    StatementOptions statements;
};

/// The OP's chain and the RP's chain to one anchor both reach, and the
/// RP's Entity Configuration tailored to that OP's metadata.
struct SharedChains {
    std::shared_ptr<const TrustChain> op;
    std::shared_ptr<const TrustChain> rp;
};

/// Builds the RP's tailored Entity Configuration for the OP's resolved
/// metadata (its errors abort).
using PresentFor = std::function<Result<EntityStatement>(const Json &opMetadata)>;

/// Resolves the OP under the anchors in `order`, then the RP (from its
/// tailored Entity Configuration) under the anchor the OP's chain reached;
/// when the RP does not reach it, the next anchor. The OP's failure under
/// every anchor aborts with its error (12.2.1); an RP that reaches none of
/// the OP's anchors is NoTrustAnchor.
Result<SharedChains> resolveShared(Session &session, const EntityId &op, const HostedRp &rp,
                                   std::vector<std::string> order, const PresentFor &presentFor)
{
    std::optional<Error> rpError;
    bool first = true;
    while (!order.empty()) {
        ResolveRequest request;
        request.subject = op.str();
        request.trustAnchors = order;
        request.entityTypes = {rp.providerType};
        ResolveOutcome outcome = session.resolver->resolve(request);
        if (!outcome.chain) {
            if (!first)
                break;
            Error error = std::move(outcome.chain).error();
            error.message = "the OP " + op.str() + " does not resolve, so the RP does not register (12.2.1): " +
                            error.message;
            return fail(std::move(error));
        }
        first = false;
        std::shared_ptr<const TrustChain> opChain = *outcome.chain;
        const std::string anchor = opChain->trustAnchor().str();
        OIDFED_TRY(EntityStatement configuration, presentFor(opChain->metadata()));
        PresentedResolveRequest own{
            .configuration = std::move(configuration), .trustAnchors = {anchor}, .entityTypes = {rp.clientType}};
        ResolveOutcome rpOutcome = session.resolver->resolvePresented(own);
        if (rpOutcome.chain)
            return SharedChains{.op = std::move(opChain), .rp = *rpOutcome.chain};
        rpError = std::move(rpOutcome.chain).error();
        order.erase(std::remove(order.begin(), order.end(), anchor), order.end());
    }
    const std::string &id = rp.config.entity.entityId.str();
    Error error(rpError && rpError->code != ErrorCode::NoTrustAnchor ? rpError->code : ErrorCode::NoTrustAnchor,
                "the RP " + id + " has no valid chain to a trust anchor the OP " + op.str() + " resolves to" +
                    (rpError ? ": " + rpError->message : std::string()));
    return fail(std::move(error).withRule("12.2.1 shared trust anchor").withEntity(id));
}

/// POSTs the request; the response JWT, or the OP's refusal.
Result<std::string> post(const RegisterArgs &args, const std::string &endpoint, const std::string &request,
                         std::string &opError)
{
    FetchOptions options;
    options.allowHttp = args.allowHttp;
    options.allowLoopback = args.allowLoopback;
    options.caFile = args.caFile;
    OIDFED_TRY(std::unique_ptr<fetch::ApiClient> client, fetch::ApiClient::create(options));
    fetch::ApiRequest call{.method = "POST",
                           .url = endpoint,
                           .headers = {},
                           .jsonBody = request,
                           .contentType = "application/entity-statement+jwt",
                           .accept = std::string(kRegistrationResponseMediaType) + ", application/json"};
    OIDFED_TRY(fetch::ApiResponse response, client->call(call));
    if (response.status != 200)
        return fail(opRefusal(response, endpoint, opError));
    return std::move(response.body);
}

int runRegister(const RegisterArgs &args, Format format)
{
    std::unique_ptr<Clock> clock = makeSystemClock();
    const UnixTime now = clock->now();
    EntityIdOptions ids{.allowHttp = args.allowHttp};
    auto op = EntityId::parse(args.op, ids);
    if (!op)
        return reportError(usage("OP_ENTITY_ID: " + op.error().message, "OP_ENTITY_ID"), format);
    auto config = server::loadServerConfig(args.config);
    if (!config)
        return reportError(usage(config.error().message, config.error().claim), format);
    auto rp = findRp(*config, args.entity, now);
    if (!rp)
        return reportError(rp.error(), format);
    const EntityId &rpId = rp->config.entity.entityId;
    const fs::path recordFile = recordsPath(args, *rp);
    auto records = readRecords(recordFile, *rp);
    if (!records)
        return reportError(records.error(), format);

    if (!args.renewWithin.empty()) {
        auto window = parseDuration(args.renewWithin, "--renew-within");
        if (!window)
            return reportError(window.error(), format);
        if (const Json *previous = records->find("registrations")->find(op->str());
            previous && previous->isObject()) {
            const Json *exp = previous->find("exp");
            if (exp && exp->isInt() && exp->asInt() - now > window->count()) {
                Json out = *previous;
                if (format == Format::Json) {
                    out.set("renewal", "not due");
                    out.set("file", recordFile.string());
                    printJson(out);
                } else {
                    printRecordText(out, "not due", recordFile, now);
                }
                return kExitOk;
            }
        }
    }

    auto anchors = pinnedAnchors(args, *config, ids, now);
    if (!anchors)
        return reportError(anchors.error(), format);
    std::vector<std::string> order;
    for (const std::string &wanted : args.trustAnchors) {
        if (std::none_of(anchors->begin(), anchors->end(),
                         [&](const TrustAnchor &anchor) { return anchor.entityId.str() == wanted; }))
            return reportError(usage("--trust-anchor " + wanted + " is not pinned", "--trust-anchor"), format);
        order.push_back(wanted);
    }
    if (order.empty())
        for (const TrustAnchor &anchor : *anchors)
            order.push_back(anchor.entityId.str());

    Session session;
    session.clock = std::move(clock);
    session.statements.entityIds = ids;
    auto fetcher = makeCommandFetcher(
        {.allowHttp = args.allowHttp, .allowLoopback = args.allowLoopback, .caFile = args.caFile, .resolve = {}});
    if (!fetcher)
        return reportError(fetcher.error(), format);
    session.fetcher = std::move(fetcher).value();
    ResolverOptions resolverOptions;
    resolverOptions.statements.entityIds = ids;
    auto resolver = Resolver::create(resolverOptions, std::move(anchors).value(),
                                     {.fetcher = *session.fetcher, .clock = *session.clock});
    if (!resolver)
        return reportError(usage(resolver.error().message), format);
    session.resolver = std::move(resolver).value();

    // The RP's Entity Configuration as its configuration says, with the
    // client metadata tailored to the OP.
    const entity::HostedEntitySettings &settings = rp->config.entity;
    EntityConfigurationClaims claims{.entityId = rpId,
                                     .issuedAt = now,
                                     .expiresAt = now + settings.configurationLifetime.count(),
                                     .jwks = rp->keys.publishedKeys(now),
                                     .metadata = settings.metadata,
                                     .authorityHints = settings.authorityHints,
                                     .trustMarks = settings.trustMarks};
    std::string endpoint;
    Json providerMetadata;
    PresentFor presentFor = [&](const Json &opMetadata) -> Result<EntityStatement> {
        const Json *provider = opMetadata.find(rp->providerType);
        if (!provider || !provider->isObject())
            return fail(Error(ErrorCode::InvalidClaim,
                              "the OP " + op->str() + " resolves without " + rp->providerType + " metadata")
                            .withEntity(op->str()));
        const std::string *url = provider->findString("federation_registration_endpoint");
        if (!url)
            return fail(Error(ErrorCode::MissingClaim,
                              "the OP " + op->str() +
                                  " publishes no federation_registration_endpoint: it takes no explicit "
                                  "registrations")
                            .withClaim("federation_registration_endpoint")
                            .withRule("12.2")
                            .withEntity(op->str()));
        if (const Json *types = provider->find("client_registration_types_supported");
            types && !lists(types, "explicit"))
            return fail(Error(ErrorCode::InvalidClaim,
                              "the OP " + op->str() + " does not list explicit in client_registration_types_supported")
                            .withClaim("client_registration_types_supported")
                            .withRule("12.2")
                            .withEntity(op->str()));
        endpoint = *url;
        providerMetadata = *provider;
        OIDFED_TRY(Json tailored, tailorClientMetadata(*settings.metadata.find(rp->clientType), *provider, *op));
        claims.metadata.set(rp->clientType, std::move(tailored));
        OIDFED_TRY(std::string jwt, issueEntityConfiguration(claims, rp->keys.activeKey(), session.statements));
        return EntityStatement::parse(jwt, session.statements);
    };
    auto chains = resolveShared(session, *op, *rp, order, presentFor);
    if (!chains)
        return reportError(chains.error(), format);
    const std::vector<std::string> &rpPath = chains->rp->path();
    if (rpPath.size() < 2)
        return reportError(usage("the RP " + rpId.str() + " is a trust anchor itself: it has no superior to name"),
                           format);

    // The request (12.2.1): every authority hint leads to the chosen anchor.
    auto superior = EntityId::parse(rpPath[1], ids);
    if (!superior)
        return reportError(superior.error(), format);
    claims.authorityHints = {*superior};
    RegistrationRequestClaims request{.configuration = claims,
                                      .op = *op,
                                      .trustChain = chains->rp->statements(),
                                      .peerTrustChain = chains->op->statements()};
    auto jwt = issueRegistrationRequest(request, rp->keys.activeKey(), session.statements);
    if (!jwt)
        return reportError(jwt.error(), format);
    RegistrationRequestOptions requestOptions;
    requestOptions.statements = session.statements;
    auto sent = parseRegistrationRequest(*jwt, "application/entity-statement+jwt", *op, now, requestOptions);
    if (!sent)
        return reportError(sent.error(), format);

    std::string opError;
    auto response = post(args, endpoint, *jwt, opError);
    if (!response)
        return reportError(response.error(), format, opError);

    RegistrationResponseCheck check{.rp = rpId,
                                    .opChain = *chains->op,
                                    .trustAnchors = {chains->rp->trustAnchor().str()},
                                    .request = sent->configuration,
                                    .rpChain = chains->rp.get(),
                                    .now = session.clock->now(),
                                    .statements = session.statements};
    auto registration = verifyRegistrationResponse(*response, check);
    if (!registration) {
        Error error = std::move(registration).error();
        error.message = "the registration response of " + op->str() + " fails 12.2.5: " + error.message;
        return reportError(error, format);
    }

    Json out = recordJson(*registration, endpoint, providerMetadata, rp->providerType, session.clock->now());
    records->set("comment", "Explicit Registrations (OpenID Federation 12.2) of this RP, by OP, recorded by oidfed "
                            "register; renew each before its exp (oidfed register OP --renew-within D)");
    Json registrations = *records->find("registrations");
    registrations.set(op->str(), out);
    records->set("registrations", std::move(registrations));
    if (auto made = createPrivateDirectory(recordFile.parent_path()); !made)
        return reportError(made.error(), format);
    if (auto written = replaceFileAtomically(recordFile, records->dump(true) + "\n", 0600); !written)
        return reportError(written.error(), format);
    if (format == Format::Json) {
        out.set("renewal", "registered");
        out.set("file", recordFile.string());
        printJson(out);
    } else {
        printRecordText(out, "registered", recordFile, session.clock->now());
    }
    return kExitOk;
}

} // namespace

void addRegisterCommand(CLI::App &app, CommandContext &ctx)
{
    auto args = std::make_shared<RegisterArgs>();
    auto *cmd = app.add_subcommand(
        "register", "Register a relying party hosted by a configuration at an OpenID Provider (explicit "
                    "registration, spec 12.2), and renew it");
    cmd->add_option("op_entity_id", args->op, "Entity Identifier of the OpenID Provider")->required();
    cmd->add_option("--config", args->config, "The oidfed serve configuration that hosts the relying party")
        ->required();
    cmd->add_option("--entity", args->entity,
                    "The relying party's Entity Identifier (default: the one relying party of the configuration)");
    cmd->add_option("--trust-anchor", args->trustAnchors,
                    "Trust anchor to register under; repeatable; restricts and orders the anchors (default: all "
                    "pinned)");
    cmd->add_option("--trust-anchor-file", args->trustAnchorFiles,
                    "Pinned trust anchors (as oidfed resolve); default: the anchors of the configuration's resolvers");
    cmd->add_option("--state", args->state,
                    "The RP's registrations file (default: the RP's keys_dir/registrations.json)");
    cmd->add_option("--renew-within", args->renewWithin,
                    "Register only when the recorded registration ends within this window (30d, 12h, 15m, 90s or "
                    "seconds): for timers");
    cmd->add_option("--ca-file", args->caFile, "Additional trusted CA certificates (PEM) for HTTPS");
    cmd->add_flag("--allow-http", args->allowHttp, "TEST SWITCH: accept http:// entity identifiers and URLs");
    cmd->add_flag("--allow-loopback", args->allowLoopback, "TEST SWITCH: allow connections to 127.0.0.0/8 and ::1");
    cmd->callback([args, &ctx] { ctx.exitCode = runRegister(*args, ctx.global.resolved()); });
}

} // namespace oidfed::cli
