// oidfed subordinate add ENTITY_ID --dir DIR [--intermediate]
//     [--entity-type T ...] [--lifetime SECONDS] [--ca-file PEM]
//     [--allow-http] [--allow-loopback] [--force] [--dry-run]
//
// Onboards an Immediate Subordinate: fetches its Entity Configuration through
// the guarded fetcher, checks that it is self-signed by the keys it
// publishes, shows those keys' thumbprints (for the operator to confirm with
// the entity out of band) and writes the subordinate file that pins them
// (docs/subordinates.md). Exit codes: 0 written (or would be, with
// --dry-run); 1 the Entity Configuration is invalid; 2 usage (bad id,
// missing directory, existing file without --force, entity already listed in
// another file); 3 unavailable (network, timeout, HTTP error).

#include "commands.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <oidfed/entity_statement.h>
#include <oidfed/federation_urls.h>
#include <oidfed/fetcher.h>
#include <oidfed/jwk.h>

#include "entity/subordinate.h"
#include "key_files.h"
#include "time_format.h"

namespace oidfed::cli {

namespace {

/// Clock skew allowed when checking the fetched Entity Configuration's iat/exp.
constexpr std::int64_t kClockSkewSeconds = 60;
/// Longest file name written (before ".json"); longer ones are shortened and
/// made unique with a hash of the entity id.
constexpr std::size_t kMaxFileStemBytes = 200;

struct SubordinateAddArgs {
    std::string entityId;
    std::string dir;
    bool intermediate = false;
    std::vector<std::string> entityTypes;
    std::int64_t lifetime = 0;
    CLI::Option *lifetimeOption = nullptr;  ///< to tell "not given" from a value
    std::string caFile;
    bool allowHttp = false;
    bool allowLoopback = false;
    bool force = false;
    bool dryRun = false;
};

/// Owns a file descriptor (ANCHORS 2.5: RAII for every C handle).
class UniqueFd {
public:
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

std::uint64_t fnv1a(std::string_view text)
{
    std::uint64_t hash = 14695981039346656037ull;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ull;
    }
    return hash;
}

/// host[_port][_path] with every byte outside [A-Za-z0-9.-] replaced by '_':
/// never a path separator, never a hidden name, never "." or "..".
std::string subordinateFileStem(const EntityId &id)
{
    const std::string &text = id.str();
    std::string_view host = id.host();
    std::string_view rest = std::string_view(text).substr(static_cast<std::size_t>(host.data() - text.data()) + host.size());
    std::string_view port;
    if (rest.starts_with(':')) {
        std::size_t slash = rest.find('/');
        port = rest.substr(1, slash == std::string_view::npos ? std::string_view::npos : slash - 1);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    }
    while (rest.starts_with('/'))
        rest.remove_prefix(1);
    while (rest.ends_with('/'))
        rest.remove_suffix(1);

    std::string stem(host);
    if (!port.empty())
        stem += "_" + std::string(port);
    if (!rest.empty())
        stem += "_" + std::string(rest);
    for (char &c : stem) {
        bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
        if (!safe)
            c = '_';
    }
    if (stem.empty() || stem.front() == '.')
        stem.insert(stem.begin(), '_');
    if (stem.size() > kMaxFileStemBytes) {
        char hash[17];
        std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(text)));
        stem = stem.substr(0, kMaxFileStemBytes - 17) + "_" + hash;
    }
    return stem;
}

/// Writes `path` through a temporary file in the same directory and a
/// rename(), so readers see the old or the new file, never a partial one.
Result<void> replaceFileAtomically(const std::filesystem::path &path, const std::string &content)
{
    const std::filesystem::path dir = path.parent_path();
    const std::string temp =
        (dir / ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()))).string();
    ::unlink(temp.c_str());  // a leftover of an interrupted run of this process id
    OIDFED_TRY_VOID(writeFileExclusive(temp, content, 0644));
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        int savedErrno = errno;
        ::unlink(temp.c_str());
        return fail(ErrorCode::InvalidArgument, "cannot replace " + path.string() + ": " + std::strerror(savedErrno));
    }
    UniqueFd dirFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dirFd.get() >= 0)
        (void)::fsync(dirFd.get());  // best effort: make the rename durable
    return ok();
}

std::string keyTypeName(KeyType type)
{
    switch (type) {
    case KeyType::Rsa:
        return "RSA";
    case KeyType::Ec:
        return "EC";
    case KeyType::Okp:
        return "OKP";
    }
    return "?";
}

Json keysJson(const JwkSet &jwks)
{
    Json keys = Json::array();
    for (const Jwk &key : jwks.keys()) {
        Json entry = Json::object();
        entry.set("kid", key.kid());
        entry.set("kty", keyTypeName(key.type()));
        if (!key.curve().empty())
            entry.set("crv", key.curve());
        if (key.rsaBits() > 0)
            entry.set("bits", key.rsaBits());
        entry.set("thumbprint", key.thumbprint());
        keys.push(std::move(entry));
    }
    return keys;
}

Json stringsJson(const std::vector<std::string> &values)
{
    Json out = Json::array();
    for (const std::string &value : values)
        out.push(value);
    return out;
}

std::string joined(const std::vector<std::string> &values)
{
    std::string out;
    for (const std::string &value : values)
        out += (out.empty() ? "" : ", ") + value;
    return out.empty() ? "(none)" : out;
}

/// What one run found and did, for either output format.
struct AddReport {
    std::string entityId;
    std::string url;
    std::string file;
    Json keys;
    std::vector<std::string> metadataTypes;
    bool looksIntermediate = false;
    std::vector<std::string> warnings;
    Json subordinate;
    bool dryRun = false;
    bool replaced = false;
};

void printReport(const AddReport &report, Format format)
{
    if (format == Format::Json) {
        Json out = Json::object();
        out.set("entity_id", report.entityId);
        out.set("entity_configuration_url", report.url);
        out.set("file", report.file);
        out.set("written", !report.dryRun);
        out.set("dry_run", report.dryRun);
        out.set("replaced", report.replaced);
        out.set("keys", report.keys);
        out.set("metadata_entity_types", stringsJson(report.metadataTypes));
        out.set("looks_like_intermediate", report.looksIntermediate);
        out.set("warnings", stringsJson(report.warnings));
        out.set("subordinate", report.subordinate);
        printJson(out);
        return;
    }
    std::cout << "entity:         " << report.entityId << "\n"
              << "fetched:        " << report.url << " (self-signature verified)\n"
              << "keys (confirm these thumbprints with the entity out of band):\n";
    for (const Json &key : report.keys.asArray()) {
        std::cout << "  kid " << key.find("kid")->asString() << "  " << key.find("kty")->asString();
        if (const std::string *crv = key.findString("crv"))
            std::cout << " " << *crv;
        if (const Json *bits = key.find("bits"))
            std::cout << " " << bits->asInt() << " bits";
        std::cout << "  thumbprint " << key.find("thumbprint")->asString() << "\n";
    }
    std::cout << "metadata types: " << joined(report.metadataTypes) << "\n"
              << "intermediate:   "
              << (report.looksIntermediate ? "looks like one (has a federation_fetch_endpoint)"
                                           : "does not look like one (no federation_fetch_endpoint)")
              << "; recorded as " << (report.subordinate.find("intermediate")->asBool() ? "intermediate" : "leaf")
              << "\n";
    for (const std::string &warning : report.warnings)
        std::cout << "warning:        " << warning << "\n";
    if (report.dryRun) {
        std::cout << "dry run: would write " << report.file << ":\n" << report.subordinate.dump(true) << "\n";
    } else {
        std::cout << (report.replaced ? "replaced:       " : "wrote:          ") << report.file << "\n";
    }
}

int failWith(const Error &error, Format format, int exitCode)
{
    (void)reportError(error, format);
    return exitCode;
}

int usage(std::string message, Format format)
{
    return failWith(Error(ErrorCode::InvalidArgument, std::move(message)), format, kExitUsage);
}

/// A fetch failure's exit code: a refused URL is usage, an answer that is not
/// an Entity Configuration (wrong media type, too large) is invalid, and
/// everything else (network, timeout, 404, 5xx) is unavailable.
int fetchExitCode(const Error &error)
{
    switch (error.code) {
    case ErrorCode::InvalidArgument:
        return kExitUsage;
    case ErrorCode::Malformed:
    case ErrorCode::LimitExceeded:
        return kExitInvalid;
    default:
        return kExitUnavailable;
    }
}

/// The entity id recorded in an existing subordinate file, when readable.
std::optional<std::string> recordedEntityId(const std::filesystem::path &path)
{
    auto text = readInput(path.string());
    if (!text)
        return std::nullopt;
    auto json = parseJson(*text);
    if (!json)
        return std::nullopt;
    const std::string *id = json->findString("entity_id");
    return id ? std::optional<std::string>(*id) : std::nullopt;
}

/// GETs the Entity Configuration; errors map through fetchExitCode().
Result<std::string> fetchEntityConfiguration(const SubordinateAddArgs &args, const std::string &url)
{
    FetchOptions options;
    options.allowHttp = args.allowHttp;
    options.allowLoopback = args.allowLoopback;
    options.caFile = args.caFile;
    auto fetcher = makeCurlFetcher(options);
    if (!fetcher)
        return fail(Error(ErrorCode::InvalidArgument, fetcher.error().message));
    OIDFED_TRY(FetchResponse response,
               (*fetcher)->fetch(FetchRequest{url, std::string(kEntityStatementMediaType), {}}));
    std::string body = std::move(response.body);
    while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' '))
        body.pop_back();
    return body;
}

/// Spec 3.2 structure, iss = sub = `id`, self-signature and validity
/// period. Every error means the Entity Configuration is invalid (exit 1).
Result<EntityStatement> checkEntityConfiguration(const std::string &token, const EntityId &id, const std::string &url,
                                                 const EntityIdOptions &idOptions)
{
    StatementOptions statementOptions;
    statementOptions.entityIds = idOptions;
    OIDFED_TRY(EntityStatement statement, EntityStatement::parse(token, statementOptions));
    if (!statement.isEntityConfiguration() || statement.issuer() != id)
        return fail(Error(ErrorCode::InvalidClaim, url + " does not serve the Entity Configuration of " + id.str() +
                                                       " (iss " + statement.issuer().str() + ", sub " +
                                                       statement.subject().str() + ")")
                        .withRule("9 iss = sub = entity id")
                        .withClaim("sub")
                        .withEntity(id.str()));
    OIDFED_TRY_VOID(statement.verifySignature(statement.jwks()));
    OIDFED_TRY_VOID(statement.checkValidityPeriod(static_cast<UnixTime>(std::time(nullptr)), kClockSkewSeconds));
    return statement;
}

int runSubordinateAdd(const SubordinateAddArgs &args, Format format)
{
    const EntityIdOptions idOptions{.allowHttp = args.allowHttp};
    auto id = EntityId::parse(args.entityId, idOptions);
    if (!id)
        return usage("ENTITY_ID " + args.entityId + " is not a valid Entity Identifier: " + id.error().message, format);
    const bool lifetimeGiven = args.lifetimeOption && args.lifetimeOption->count() > 0;
    if (lifetimeGiven && (args.lifetime < entity::kMinStatementLifetime || args.lifetime > entity::kMaxStatementLifetime))
        return usage("--lifetime must be " + std::to_string(entity::kMinStatementLifetime) + ".." +
                         std::to_string(entity::kMaxStatementLifetime) + " seconds",
                     format);
    for (const std::string &type : args.entityTypes)
        if (type.empty())
            return usage("--entity-type must not be empty", format);

    std::error_code ec;
    const std::filesystem::path dir(args.dir);
    if (!std::filesystem::is_directory(dir, ec))
        return usage("--dir " + args.dir + " is not an existing directory", format);
    const std::string fileName = subordinateFileStem(*id) + ".json";
    const std::filesystem::path path = dir / fileName;
    const bool exists = std::filesystem::exists(std::filesystem::symlink_status(path, ec));
    if (exists && !args.force)
        return usage(path.string() + " already exists (use --force to replace it)", format);
    if (exists) {
        auto recorded = recordedEntityId(path);
        if (recorded && *recorded != id->str())
            return usage(path.string() + " holds another entity (" + *recorded + "); not replacing it", format);
    }

    AddReport report;
    report.entityId = id->str();
    report.file = path.string();
    report.dryRun = args.dryRun;
    report.replaced = exists && !args.dryRun;
    // Another file listing the same entity would make the whole directory fail to load.
    auto current = entity::SubordinateSet::loadDirectory(dir, idOptions);
    if (current) {
        const entity::Subordinate *listed = (*current)->find(id->str());
        if (listed && listed->sourceFile != fileName)
            return usage(id->str() + " is already listed in " + (dir / listed->sourceFile).string(), format);
    } else {
        report.warnings.push_back("the directory does not load as it is (the server would refuse it): " +
                                  current.error().message);
    }

    auto url = entityConfigurationUrl(id->str());
    if (!url)
        return usage(url.error().message, format);
    report.url = *url;
    auto token = fetchEntityConfiguration(args, *url);
    if (!token)
        return failWith(token.error(), format, fetchExitCode(token.error()));
    auto statement = checkEntityConfiguration(*token, *id, *url, idOptions);
    if (!statement)
        return failWith(statement.error(), format, kExitInvalid);

    report.keys = keysJson(statement->jwks());
    report.metadataTypes = statement->entityTypes();
    const Json *metadata = statement->claim("metadata");
    const Json *federation = metadata ? metadata->find("federation_entity") : nullptr;
    report.looksIntermediate = federation && federation->contains("federation_fetch_endpoint");
    if (report.looksIntermediate && !args.intermediate)
        report.warnings.push_back("it publishes a federation_fetch_endpoint but --intermediate was not given");
    if (!report.looksIntermediate && args.intermediate)
        report.warnings.push_back("--intermediate was given but it publishes no federation_fetch_endpoint");
    for (const std::string &type : args.entityTypes)
        if (std::find(report.metadataTypes.begin(), report.metadataTypes.end(), type) == report.metadataTypes.end())
            report.warnings.push_back("--entity-type " + type + " is not in its metadata");

    entity::Subordinate subordinate{.entityId = *id};
    subordinate.jwks = statement->jwks();
    subordinate.entityTypes = args.entityTypes.empty() ? report.metadataTypes : args.entityTypes;
    subordinate.intermediate = args.intermediate;
    if (lifetimeGiven)
        subordinate.statementLifetime = args.lifetime;
    subordinate.comment = "added by oidfed subordinate add on " +
                          formatRfc3339(static_cast<UnixTime>(std::time(nullptr))) + " from " + *url;
    // Normalise through the loader's own parser: what is written always loads.
    auto checked = entity::parseSubordinate(entity::subordinateToJson(subordinate), fileName, idOptions);
    if (!checked)
        return failWith(checked.error(), format, kExitInvalid);
    report.subordinate = entity::subordinateToJson(*checked);

    if (!args.dryRun) {
        const std::string content = report.subordinate.dump(true) + "\n";
        auto written = exists ? replaceFileAtomically(path, content) : writeFileExclusive(path.string(), content, 0644);
        if (!written)
            return failWith(written.error(), format, kExitUsage);
    }
    printReport(report, format);
    return kExitOk;
}

} // namespace

void addSubordinateCommand(CLI::App &app, CommandContext &ctx)
{
    auto *group = app.add_subcommand("subordinate", "Manage the Immediate Subordinates of an authority");
    group->require_subcommand(1);

    auto args = std::make_shared<SubordinateAddArgs>();
    auto *cmd = group->add_subcommand(
        "add", "Fetch an entity's Entity Configuration, check its self-signature and pin its keys in DIR");
    cmd->add_option("entity_id", args->entityId, "Entity Identifier of the new subordinate")->required();
    cmd->add_option("--dir", args->dir, "Subordinate directory (one JSON file per subordinate)")->required();
    cmd->add_flag("--intermediate", args->intermediate, "Mark it as an intermediate (for the list endpoint)");
    cmd->add_option("--entity-type", args->entityTypes,
                    "Repeatable: its entity types (default: the entity types of its metadata)");
    args->lifetimeOption = cmd->add_option("--lifetime", args->lifetime,
                                           "Lifetime of the Subordinate Statements about it, in seconds (60..31536000; "
                                           "default: the server's)");
    cmd->add_option("--ca-file", args->caFile, "Additional trusted CA certificates (PEM)");
    cmd->add_flag("--allow-http", args->allowHttp, "TEST SWITCH: accept an http:// entity id");
    cmd->add_flag("--allow-loopback", args->allowLoopback, "TEST SWITCH: allow fetching from 127.0.0.0/8 and ::1");
    cmd->add_flag("--force", args->force, "Replace an existing file for this entity (atomically)");
    cmd->add_flag("--dry-run", args->dryRun, "Check and print the file, write nothing");
    cmd->callback([args, &ctx] { ctx.exitCode = runSubordinateAdd(*args, ctx.global.resolved()); });
}

} // namespace oidfed::cli
