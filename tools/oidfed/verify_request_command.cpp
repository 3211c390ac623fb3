// oidfed verify-request JWT --op OP_ENTITY_ID [--client-assertion]
//     [--client-id ID] [--entity-type TYPE] [--assertion-audience URL]
//     [--require-trust-chain] + the resolve options
//
// For people debugging a failed login (issue 17): the verdict an OP that
// supports Automatic Registration (spec 12.1) gives a Request Object
// (12.1.1.1) or, with --client-assertion, a private_key_jwt client assertion
// (12.1.1.2) — the same library calls as the trust API, so the same answer.
// JWT is the compact JWS itself, or a file holding it ("-": stdin). The jti
// is checked against a store of this run only: a debugging run never spends
// a jti in a store an OP shares. Output: the trust API's JSON
// (verifiedClientJson), or the error object; --explain adds the resolution's
// candidates and problems. --entity-type names the client's entity type
// (default openid_relying_party; oauth_client for an OAuth AS). Exit codes: 0 valid; 1 refused; 2 usage; 3
// unavailable.

#include <cctype>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <oidfed/automatic_registration.h>

#include "commands.h"
#include "resolver_setup.h"
#include "text_output.h"
#include "time_format.h"

namespace oidfed::cli {

namespace {

struct VerifyRequestArgs {
    std::string jwt;
    std::string op;
    std::string clientId;
    std::vector<std::string> assertionAudiences;
    bool clientAssertion = false;
    bool requireTrustChain = false;
    ResolveArgs resolve;
};

// A compact JWS: three base64url parts. Anything else names a file.
bool looksLikeCompactJws(const std::string &text)
{
    std::size_t dots = 0;
    for (char c : text) {
        if (c == '.')
            ++dots;
        else if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
            return false;
    }
    return dots == 2;
}

Result<std::string> readJwt(const std::string &argument)
{
    if (looksLikeCompactJws(argument))
        return argument;
    OIDFED_TRY(std::string text, readInput(argument, "JWT file"));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    return text;
}

void printVerdictText(const VerifiedClient &client, bool assertion)
{
    std::cout << "valid:        " << (assertion ? "client assertion" : "Request Object") << " of "
              << client.clientId.str() << "\n"
              << "trust anchor: " << client.trustAnchor.str() << "\n"
              << "expires:      " << formatRfc3339(client.expiresAt) << " (the chain; trust must be established again "
              << "after it)\n";
    std::cout << "keys:         " << protocolKeySourceName(client.keys->source);
    if (!client.keys->uri.empty())
        std::cout << " " << client.keys->uri;
    std::cout << ", kid";
    for (const Jwk &key : client.keys->keys.keys())
        std::cout << " " << key.kid();
    std::cout << "\n";
    std::cout << "claims:\n";
    printValueText(std::cout, client.claims, 2);
    std::cout << client.entityType << " metadata:\n";
    printValueText(std::cout, client.clientMetadata, 2);
}

int runVerifyRequest(const VerifyRequestArgs &args, Format format)
{
    const EntityIdOptions ids{.allowHttp = args.resolve.allowHttp};
    auto op = EntityId::parse(args.op, ids);
    if (!op)
        return reportError(Error(ErrorCode::InvalidArgument, "--op: " + op.error().message), format);
    auto jwt = readJwt(args.jwt);
    if (!jwt)
        return reportError(jwt.error(), format);
    std::unique_ptr<Clock> clock;
    if (!args.resolve.at.empty()) {
        if (!args.resolve.redis.empty())
            return reportError(Error(ErrorCode::InvalidArgument, "--at and --redis together: a chain judged at "
                                                                 "another time must not enter a shared cache"),
                               format);
        auto at = parseRfc3339(args.resolve.at);
        if (!at)
            return reportError(at.error(), format);
        clock = makeFixedClock(*at);
    }
    auto bundle = makeResolver(args.resolve, ResolverUse::Single, std::move(clock));
    if (!bundle)
        return reportError(bundle.error(), format);
    auto keys = ProtocolKeyStore::create({}, {*bundle->fetcher, *bundle->clock});
    auto replay = makeMemoryReplayStore();
    if (!keys || !replay)
        return reportError(!keys ? keys.error() : replay.error(), format);

    AutomaticRegistrationContext context{.op = *op, .resolver = *bundle->resolver, .keys = **keys,
                                         .replay = **replay, .now = bundle->clock->now()};
    context.validation.statements.entityIds = ids;
    context.assertionAudiences = args.assertionAudiences;
    context.explain = args.resolve.explain;
    AutomaticRegistrationOptions options;
    if (args.resolve.entityTypes.size() > 1)
        return reportError(Error(ErrorCode::InvalidArgument, "--entity-type: give the client's one entity type"),
                           format);
    if (!args.resolve.entityTypes.empty())
        options.entityType = args.resolve.entityTypes.front();
    options.trustAnchors = args.resolve.trustAnchors;
    options.requireTrustChain = args.requireTrustChain;
    auto verified = args.clientAssertion ? verifyClientAssertion(*jwt, context, options, args.clientId)
                                         : verifyRequestObject(*jwt, context, options, args.clientId);
    if (!verified)
        return reportError(verified.error(), format);
    ResolveOutcome outcome{.chain = verified->chain, .report = verified->report};
    if (format == Format::Text) {
        printVerdictText(*verified, args.clientAssertion);
        if (args.resolve.explain)
            printExplainText(std::cout, explainJson(outcome));
        return kExitOk;
    }
    Json out = verifiedClientJson(*verified);
    if (args.resolve.explain)
        out.set("explain", explainJson(outcome));
    printJson(out);
    return kExitOk;
}

} // namespace

void addVerifyRequestCommand(CLI::App &app, CommandContext &ctx)
{
    auto args = std::make_shared<VerifyRequestArgs>();
    CLI::App *command = app.add_subcommand(
        "verify-request", "Verify a Request Object or client assertion as an OP with Automatic Registration would "
                          "(spec 12.1)");
    command->add_option("jwt", args->jwt, "The JWT (compact JWS), or a file holding it (- for stdin)")->required();
    command->add_option("--op", args->op, "The OP's Entity Identifier: the audience the JWT must name")->required();
    command->add_flag("--client-assertion", args->clientAssertion,
                      "The JWT is a private_key_jwt client assertion (PAR / token endpoint, 12.1.1.2)");
    command->add_option("--client-id", args->clientId, "The request's own client_id parameter, when it had one");
    command->add_option("--assertion-audience", args->assertionAudiences,
                        "An endpoint URL also accepted as a client assertion's aud (RFC 7523 3); repeatable");
    command->add_flag("--require-trust-chain", args->requireTrustChain,
                      "Refuse a Request Object without a trust_chain header (spec 18.1)");
    addResolveOptions(*command, args->resolve);
    command->callback([args, &ctx]() { ctx.exitCode = runVerifyRequest(*args, ctx.global.resolved()); });
}

} // namespace oidfed::cli
