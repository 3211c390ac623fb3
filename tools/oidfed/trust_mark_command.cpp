// oidfed trust-mark issue|delegate|revoke|verify|status
//
// issue and delegate sign a Trust Mark / Trust Mark Delegation offline with
// the active key of a key directory (the one `oidfed serve` or `oidfed keys`
// keeps) and print the compact JWT; issue first records the mark in the
// hosted issuer's directory (--dir; spec 8.4.2), unless --no-record. revoke
// marks a subject revoked in a hosted issuer's trust mark type file (the
// server picks it up on SIGHUP).
// verify checks a mark per spec 7.3 under pinned trust anchors, resolving
// the issuer and the anchor's policy; status asks the issuer's status
// endpoint (8.4) and verifies its signed answer.
//
// Exit codes: 0 ok / valid / active; 1 invalid (or a status other than
// active, or a mark unknown to its issuer); 2 usage; 3 unavailable.

#include "commands.h"

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include <oidfed/clock.h>
#include <oidfed/federation_urls.h>
#include <oidfed/trust_mark.h>
#include <oidfed/trust_mark_status.h>

#include "entity/key_store.h"
#include "entity/trust_mark_catalog.h"
#include "entity/trust_mark_record.h"
#include "resolver_setup.h"

namespace oidfed::cli {

namespace {

struct SignArgs {
    std::string keysDir;
    std::string issuer;   ///< issue: iss; delegate: sub (the delegated issuer)
    std::string owner;    ///< delegate: iss
    std::string subject;  ///< issue: sub
    std::string type;
    std::int64_t lifetime = -1;  ///< seconds; 0: no exp; -1: the default
    std::string delegationFile;
    std::string logoUri;
    std::string ref;
    std::string typ;  ///< issue: the JWS typ (empty: the type file's, or trust-mark+jwt)
    std::string recordDir;  ///< issue: the issuer's trust mark directory, whose record gets the mark
    bool noRecord = false;  ///< issue: --no-record
    bool allowHttp = false;
};

struct RevokeArgs {
    std::string dir;
    std::string type;
    std::string subject;
    std::string reason;
    bool allowHttp = false;
};

struct CheckArgs {
    std::string input;
    std::string endpoint;
    ResolveArgs resolve;
};

constexpr std::int64_t kDefaultMarkLifetime = 86400;
constexpr std::int64_t kDefaultDelegationLifetime = 30 * 86400;

Result<Jwk> activeKeyOf(const std::string &dir, UnixTime now)
{
    entity::KeyStoreOptions options;
    options.createIfMissing = false;
    OIDFED_TRY(entity::KeyStore store, entity::KeyStore::open(dir, options, now));
    return store.activeKey();
}

Result<EntityId> entityIdArg(const std::string &value, const char *name, bool allowHttp)
{
    auto id = EntityId::parse(value, EntityIdOptions{.allowHttp = allowHttp});
    if (!id)
        return fail(ErrorCode::InvalidArgument, std::string(name) + ": " + id.error().message);
    return id;
}

std::string trimmed(std::string text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    return text;
}

// --dir: the type file of the mark in the issuer's directory, which must list
// the subject (not revoked), so that the status endpoint will answer active.
Result<entity::TrustMarkTypeRecord> recordedType(const SignArgs &args, const std::string &subject)
{
    OIDFED_TRY(std::shared_ptr<const entity::TrustMarkCatalog> catalog,
               entity::TrustMarkCatalog::loadDirectory(args.recordDir, EntityIdOptions{.allowHttp = args.allowHttp}));
    const entity::TrustMarkTypeRecord *type = catalog->find(args.type);
    if (!type)
        return fail(Error(ErrorCode::InvalidArgument, "no file in " + args.recordDir + " defines trust_mark_type " +
                                                          args.type + ": add the type file first")
                        .withClaim("--type"));
    const entity::TrustMarkSubject *holder = type->find(subject);
    if (!holder || holder->revoked)
        return fail(Error(ErrorCode::InvalidArgument,
                          subject + (holder ? " is revoked in " : " is not listed in ") + type->sourceFile +
                              ": the issuer's status endpoint would answer revoked; list it in \"subjects\" first")
                        .withClaim("--sub"));
    if (!args.typ.empty() && args.typ != (type->typ.empty() ? std::string(kTrustMarkType) : type->typ))
        return fail(Error(ErrorCode::InvalidArgument, "--typ " + args.typ + " is not the typ " + type->sourceFile +
                                                          " sets for this type (" +
                                                          (type->typ.empty() ? std::string(kTrustMarkType) : type->typ) +
                                                          ")")
                        .withClaim("--typ"));
    return *type;
}

Result<std::string> issueMark(const SignArgs &args)
{
    const UnixTime now = makeSystemClock()->now();
    if (args.recordDir.empty() && !args.noRecord)
        return fail(Error(ErrorCode::InvalidArgument,
                          "say where the mark is recorded: --dir DIR, the issuer's trust mark directory "
                          "(trust_mark_issuer.directory), so that its status endpoint knows the mark, or --no-record "
                          "when no status endpoint answers for this issuer")
                        .withClaim("--dir"));
    OIDFED_TRY(EntityId issuer, entityIdArg(args.issuer, "--issuer", args.allowHttp));
    OIDFED_TRY(EntityId subject, entityIdArg(args.subject, "--sub", args.allowHttp));
    std::string typ = args.typ;
    if (!args.recordDir.empty()) {
        OIDFED_TRY(entity::TrustMarkTypeRecord type, recordedType(args, subject.str()));
        typ = type.typ;
    }
    OIDFED_TRY(Jwk key, activeKeyOf(args.keysDir, now));
    const std::int64_t lifetime = args.lifetime < 0 ? kDefaultMarkLifetime : args.lifetime;
    TrustMarkClaims claims{.issuer = issuer, .subject = subject, .trustMarkType = args.type, .issuedAt = now,
                           .expiresAt = lifetime == 0 ? -1 : now + lifetime};
    claims.typ = typ;
    if (!args.delegationFile.empty()) {
        OIDFED_TRY(std::string delegation, readInput(args.delegationFile));
        claims.delegation = trimmed(std::move(delegation));
    }
    if (!args.logoUri.empty())
        claims.extraClaims.set("logo_uri", args.logoUri);
    if (!args.ref.empty())
        claims.extraClaims.set("ref", args.ref);
    StatementOptions options;
    options.entityIds.allowHttp = args.allowHttp;
    OIDFED_TRY(std::string jwt, issueTrustMark(claims, key, options));
    if (!args.recordDir.empty())  // before it is printed: a mark not recorded is not handed out
        OIDFED_TRY_VOID(entity::recordIssuedTrustMark(args.recordDir, jwt));
    return jwt;
}

Result<std::string> issueDelegation(const SignArgs &args)
{
    const UnixTime now = makeSystemClock()->now();
    OIDFED_TRY(EntityId owner, entityIdArg(args.owner, "--owner", args.allowHttp));
    OIDFED_TRY(EntityId issuer, entityIdArg(args.issuer, "--issuer", args.allowHttp));
    OIDFED_TRY(Jwk key, activeKeyOf(args.keysDir, now));
    const std::int64_t lifetime = args.lifetime < 0 ? kDefaultDelegationLifetime : args.lifetime;
    TrustMarkDelegationClaims claims{.owner = owner, .issuer = issuer, .trustMarkType = args.type, .issuedAt = now,
                                     .expiresAt = lifetime == 0 ? -1 : now + lifetime};
    if (!args.ref.empty())
        claims.extraClaims.set("ref", args.ref);
    StatementOptions options;
    options.entityIds.allowHttp = args.allowHttp;
    return issueTrustMarkDelegation(claims, key, options);
}

int printJwt(const Result<std::string> &jwt, Format format)
{
    if (!jwt)
        return reportError(jwt.error(), format);
    std::cout << *jwt << '\n';
    return kExitOk;
}

int runRevoke(const RevokeArgs &args, Format format)
{
    const UnixTime now = makeSystemClock()->now();
    auto file = entity::revokeTrustMarkSubject(args.dir, args.type, args.subject, args.reason, now,
                                               EntityIdOptions{.allowHttp = args.allowHttp});
    if (!file) {
        int code = reportError(file.error(), format);
        return file.error().code == ErrorCode::NotFound ? kExitUsage : code;
    }
    Json out = Json::object();
    out.set("revoked", args.subject);
    out.set("trust_mark_type", args.type);
    out.set("file", *file);
    out.set("revoked_at", now);
    out.set("reload", kReloadNote);
    if (format == Format::Json) {
        printJson(out);
    } else {
        std::cout << "revoked " << args.subject << " (" << args.type << ") in " << *file << "\n";
        printReloadNote();
    }
    return kExitOk;
}

// The anchor's verified Entity Configuration, as the policy source (7.3).
Result<TrustMarkAnchor> anchorPolicy(Resolver &resolver, const std::string &anchorId, const StatementOptions &options)
{
    ResolveOutcome outcome = resolver.resolve(ResolveRequest{.subject = anchorId, .trustAnchors = {anchorId}});
    if (!outcome.chain)
        return fail(std::move(outcome.chain).error());
    OIDFED_TRY(EntityStatement configuration,
               EntityStatement::parse((*outcome.chain)->statements().front(), options));
    return TrustMarkAnchor::fromConfiguration(configuration);
}

// The issuer's chain under `anchorId` (its keys and metadata are trusted).
Result<std::shared_ptr<const TrustChain>> issuerChain(Resolver &resolver, const std::string &issuer,
                                                      const std::string &anchorId)
{
    ResolveOutcome outcome = resolver.resolve(ResolveRequest{.subject = issuer, .trustAnchors = {anchorId}});
    if (!outcome.chain)
        return fail(Error(outcome.chain.error().code,
                          "trust mark issuer " + issuer + " has no valid chain: " + outcome.chain.error().message)
                        .withEntity(issuer));
    return *outcome.chain;
}

std::string chosenAnchor(const ResolveArgs &args, Resolver &resolver)
{
    return args.trustAnchors.empty() ? resolver.trustAnchors().front().entityId.str() : args.trustAnchors.front();
}

Result<Json> verifyMark(const CheckArgs &args)
{
    OIDFED_TRY(std::string input, readInput(args.input));
    const std::string jwt = trimmed(std::move(input));
    OIDFED_TRY(ResolverBundle bundle, makeResolver(args.resolve));
    StatementOptions options;
    options.entityIds.allowHttp = args.resolve.allowHttp;
    OIDFED_TRY(TrustMarkTypValues typs, trustMarkTypArgs(args.resolve));
    OIDFED_TRY(UnverifiedTrustMark decoded, decodeTrustMark(jwt, options, typs));
    const std::string anchorId = chosenAnchor(args.resolve, *bundle.resolver);
    OIDFED_TRY(TrustMarkAnchor anchor, anchorPolicy(*bundle.resolver, anchorId, options));
    TrustMarkContext context{
        .anchor = std::move(anchor), .now = bundle.clock->now(), .options = options, .typValues = std::move(typs)};
    context.issuerKeys = [&](const EntityId &issuer) -> Result<JwkSet> {
        OIDFED_TRY(std::shared_ptr<const TrustChain> chain, issuerChain(*bundle.resolver, issuer.str(), anchorId));
        OIDFED_TRY(EntityStatement configuration, EntityStatement::parse(chain->statements().front(), options));
        return configuration.jwks();
    };
    OIDFED_TRY(VerifiedTrustMark verified, verifyTrustMark(jwt, decoded.subject, context));
    Json out = Json::object();
    out.set("valid", true);
    out.set("trust_anchor", anchorId);
    out.set("trust_mark_type", verified.trustMarkType);
    out.set("iss", verified.issuer);
    out.set("sub", decoded.subject.str());
    if (verified.expiresAt >= 0)
        out.set("exp", verified.expiresAt);
    return out;
}

Result<Json> askStatus(const CheckArgs &args)
{
    OIDFED_TRY(std::string input, readInput(args.input));
    const std::string jwt = trimmed(std::move(input));
    OIDFED_TRY(ResolverBundle bundle, makeResolver(args.resolve));
    StatementOptions options;
    options.entityIds.allowHttp = args.resolve.allowHttp;
    OIDFED_TRY(TrustMarkTypValues typs, trustMarkTypArgs(args.resolve));
    OIDFED_TRY(UnverifiedTrustMark decoded, decodeTrustMark(jwt, options, typs));
    const std::string anchorId = chosenAnchor(args.resolve, *bundle.resolver);
    OIDFED_TRY(std::shared_ptr<const TrustChain> chain,
               issuerChain(*bundle.resolver, decoded.issuer.str(), anchorId));
    std::string endpoint = args.endpoint;
    if (endpoint.empty()) {
        const Json *federation = chain->metadata().find("federation_entity");
        const std::string *published =
            federation ? federation->findString("federation_trust_mark_status_endpoint") : nullptr;
        if (!published)
            return fail(ErrorCode::NotFound,
                        decoded.issuer.str() + " publishes no federation_trust_mark_status_endpoint");
        endpoint = *published;
    }
    OIDFED_TRY(EntityStatement configuration, EntityStatement::parse(chain->statements().front(), options));
    FetchRequest post{.url = endpoint, .expectedMediaType = std::string(kTrustMarkStatusResponseMediaType)};
    post.formBody = "trust_mark=" + percentEncode(jwt);
    auto response = bundle.fetcher->fetch(post);
    if (!response) {
        Error error = std::move(response).error();
        if (error.code == ErrorCode::NotFound)
            error.message = "the issuer does not know this trust mark (HTTP 404): " + error.message;
        return fail(std::move(error));
    }
    OIDFED_TRY(TrustMarkStatusResponse status,
               verifyTrustMarkStatusResponse(response->body, configuration.jwks(), decoded.issuer, jwt,
                                             bundle.clock->now(), std::chrono::seconds(60), options));
    Json out = Json::object();
    out.set("status", status.status);
    out.set("iss", status.issuer.str());
    out.set("iat", status.issuedAt);
    out.set("trust_mark_type", decoded.trustMarkType);
    out.set("sub", decoded.subject.str());
    out.set("trust_anchor", anchorId);
    return out;
}

int printCheck(const Result<Json> &result, Format format, const char *verdictKey)
{
    if (!result)
        return reportError(result.error(), format);
    const Json &out = *result;
    if (format == Format::Json) {
        printJson(out);
    } else {
        const Json *verdict = out.find(verdictKey);
        std::cout << verdictKey << ": " << (verdict->isBool() ? (verdict->asBool() ? "true" : "false")
                                                               : verdict->asString())
                  << "\n  trust_mark_type: " << out.find("trust_mark_type")->asString()
                  << "\n  iss: " << out.find("iss")->asString() << "\n  sub: " << out.find("sub")->asString()
                  << "\n  trust_anchor: " << out.find("trust_anchor")->asString() << '\n';
    }
    const Json *status = out.find("status");
    return status && status->asString() != "active" ? kExitInvalid : kExitOk;
}

void addSignOptions(CLI::App &command, SignArgs &args)
{
    command.add_option("--keys-dir", args.keysDir, "Key directory whose active key signs (keys.json, <kid>.pem)")
        ->required();
    command.add_option("--type", args.type, "The trust_mark_type")->required();
    command.add_option("--ref", args.ref, "Optional ref claim (URL)");
    command.add_flag("--allow-http", args.allowHttp, "TEST SWITCH: accept http:// entity identifiers");
}

} // namespace

void addTrustMarkCommand(CLI::App &app, CommandContext &ctx)
{
    CLI::App *trustMark = app.add_subcommand("trust-mark", "Issue, delegate, revoke, verify and check Trust Marks");
    trustMark->require_subcommand(1);

    auto issue = std::make_shared<SignArgs>();
    CLI::App *issueCmd = trustMark->add_subcommand("issue", "Sign a Trust Mark offline and print it");
    addSignOptions(*issueCmd, *issue);
    issueCmd->add_option("--issuer", issue->issuer, "iss: the Trust Mark Issuer (owner of --keys-dir)")->required();
    issueCmd->add_option("--sub", issue->subject, "sub: the entity the mark is for")->required();
    issueCmd->add_option("--lifetime", issue->lifetime, "exp - iat in seconds (default 86400; 0: no exp)")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{31536000}));
    issueCmd->add_option("--delegation", issue->delegationFile, "File holding the owner's delegation JWT ('-': stdin)");
    issueCmd->add_option("--logo-uri", issue->logoUri, "Optional logo_uri claim (URL)");
    issueCmd->add_option("--typ", issue->typ,
                         "The JWS typ, when the trust framework defines one for this type (default: the type file's "
                         "typ with --dir, else trust-mark+jwt)");
    CLI::Option *dirOption =
        issueCmd->add_option("--dir", issue->recordDir,
                             "The issuer's trust mark directory (trust_mark_issuer.directory): the type's file must "
                             "list --sub; the mark is recorded in its " +
                                 std::string(entity::kTrustMarkRecordFile) + ", so the status endpoint knows it");
    issueCmd->add_flag("--no-record", issue->noRecord,
                       "Record the mark nowhere: no status endpoint answers for it (404)")
        ->excludes(dirOption);
    issueCmd->callback([&ctx, issue] { ctx.exitCode = printJwt(issueMark(*issue), ctx.global.resolved()); });

    auto delegate = std::make_shared<SignArgs>();
    CLI::App *delegateCmd =
        trustMark->add_subcommand("delegate", "Sign a Trust Mark Delegation as the owner and print it");
    addSignOptions(*delegateCmd, *delegate);
    delegateCmd->add_option("--owner", delegate->owner, "iss: the Trust Mark Owner (owner of --keys-dir)")->required();
    delegateCmd->add_option("--issuer", delegate->issuer, "sub: the Trust Mark Issuer allowed to issue")->required();
    delegateCmd->add_option("--lifetime", delegate->lifetime, "exp - iat in seconds (default 30 days; 0: no exp)")
        ->check(CLI::Range(std::int64_t{0}, std::int64_t{10} * 31536000));
    delegateCmd->callback(
        [&ctx, delegate] { ctx.exitCode = printJwt(issueDelegation(*delegate), ctx.global.resolved()); });

    auto revoke = std::make_shared<RevokeArgs>();
    CLI::App *revokeCmd =
        trustMark->add_subcommand("revoke", "Mark a subject revoked in a hosted issuer's trust mark files");
    revokeCmd->add_option("--dir", revoke->dir, "The issuer's trust mark directory (trust_mark_issuer.directory)")
        ->required();
    revokeCmd->add_option("--type", revoke->type, "The trust_mark_type")->required();
    revokeCmd->add_option("--sub", revoke->subject, "The entity whose mark is revoked")->required();
    revokeCmd->add_option("--reason", revoke->reason, "Optional reason, kept in the file");
    revokeCmd->add_flag("--allow-http", revoke->allowHttp, "TEST SWITCH: accept http:// entity identifiers");
    revokeCmd->callback([&ctx, revoke] { ctx.exitCode = runRevoke(*revoke, ctx.global.resolved()); });

    auto verify = std::make_shared<CheckArgs>();
    CLI::App *verifyCmd = trustMark->add_subcommand("verify", "Verify a Trust Mark (spec 7.3) under pinned anchors");
    verifyCmd->add_option("MARK", verify->input, "The compact Trust Mark, a file holding it, or - for stdin")
        ->required();
    addResolveOptions(*verifyCmd, verify->resolve);
    verifyCmd->callback([&ctx, verify] {
        ctx.exitCode = printCheck(verifyMark(*verify), ctx.global.resolved(), "valid");
    });

    auto status = std::make_shared<CheckArgs>();
    CLI::App *statusCmd =
        trustMark->add_subcommand("status", "Ask the issuer's status endpoint (spec 8.4) and verify the answer");
    statusCmd->add_option("MARK", status->input, "The compact Trust Mark, a file holding it, or - for stdin")
        ->required();
    statusCmd->add_option("--endpoint", status->endpoint,
                          "Status endpoint URL (default: the issuer's federation_trust_mark_status_endpoint)");
    addResolveOptions(*statusCmd, status->resolve);
    statusCmd->callback([&ctx, status] {
        ctx.exitCode = printCheck(askStatus(*status), ctx.global.resolved(), "status");
    });
}

} // namespace oidfed::cli
