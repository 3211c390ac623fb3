// oidfed keygen --alg ALG [--out DIR]
//
// Generates a Federation Entity Key: writes the private key as PKCS#8 PEM
// (mode 0600, created exclusively so an existing key is never overwritten)
// and the public JWK, both named after the kid (the RFC 7638 thumbprint), in
// --out, which is created (mode 0700) when missing.

#include "commands.h"

#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include <oidfed/jwk.h>

#include "core/file_write.h"

namespace oidfed::cli {

namespace {

struct KeygenArgs {
    std::string alg;
    std::string out = ".";
};

int runKeygen(const KeygenArgs &args, Format format)
{
    auto alg = parseJwsAlgorithm(args.alg);
    if (!alg)
        return reportError(Error(ErrorCode::InvalidArgument, "unsupported --alg " + args.alg), format);
    auto key = Jwk::generate(*alg);
    if (!key)
        return reportError(key.error(), format);

    // --out is created (0700: it will hold a private key) when missing.
    if (auto created = createPrivateDirectory(args.out); !created)
        return reportError(Error(ErrorCode::InvalidArgument, "--out " + args.out + ": " + created.error().message),
                           format);
    const std::string privatePath = args.out + "/" + key->kid() + ".key.pem";
    const std::string publicPath = args.out + "/" + key->kid() + ".jwk.json";
    if (auto written = writeFileExclusive(privatePath, key->toPrivatePem(), 0600); !written)
        return reportError(written.error(), format);
    Json publicJwk = key->toPublicJson();
    if (auto written = writeFileExclusive(publicPath, publicJwk.dump(true) + "\n", 0644); !written)
        return reportError(written.error(), format);

    if (format == Format::Json) {
        Json out = Json::object();
        out.set("kid", key->kid());
        out.set("alg", std::string(jwsAlgorithmName(*alg)));
        out.set("private_key_file", privatePath);
        out.set("public_jwk_file", publicPath);
        out.set("public_jwk", publicJwk);
        printJson(out);
    } else {
        std::cout << "kid:         " << key->kid() << "\n"
                  << "alg:         " << jwsAlgorithmName(*alg) << "\n"
                  << "private key: " << privatePath << " (mode 0600)\n"
                  << "public JWK:  " << publicPath << "\n"
                  << publicJwk.dump(true) << "\n";
    }
    return kExitOk;
}

} // namespace

void addKeygenCommand(CLI::App &app, CommandContext &ctx)
{
    auto args = std::make_shared<KeygenArgs>();
    auto *cmd = app.add_subcommand("keygen", "Generate a Federation Entity Key (private PEM 0600 + public JWK)");
    cmd->add_option("--alg", args->alg, "ES256, ES384, ES512, RS256, PS256 or EdDSA")
        ->required()
        ->check(CLI::IsMember({"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"}));
    cmd->add_option("--out", args->out,
                    "Directory to write the key files to, created (mode 0700) when missing (default: current "
                    "directory)");
    cmd->callback([args, &ctx] { ctx.exitCode = runKeygen(*args, ctx.global.resolved()); });
}

} // namespace oidfed::cli
