// The trust mark type files of a hosted Trust Mark Issuer: parsing, loading
// a directory, and the one edit the CLI makes (revocation).

#include "entity/trust_mark_catalog.h"

#include <algorithm>
#include <array>

#include "core/directory_lock.h"
#include "core/file_read.h"
#include "core/file_write.h"
#include "statement/claims.h"

namespace oidfed::entity {

namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 9> kMembers = {"trust_mark_type", "subjects", "lifetime_seconds",
                                                      "logo_uri",        "ref",      "delegation_file",
                                                      "delegated_by",    "typ",      "comment"};

Unexpected problem(const std::string &source, std::string_view member, const std::string &what)
{
    return fail(Error(ErrorCode::InvalidArgument, source + ": " + std::string(member) + ": " + what).withClaim(member));
}

Result<std::string> optionalString(const Json &json, std::string_view name, const std::string &source)
{
    const Json *value = json.find(name);
    if (!value)
        return std::string();
    if (!value->isString() || value->asString().empty())
        return problem(source, name, "must be a non-empty string");
    return value->asString();
}

Result<TrustMarkSubject> parseSubject(const Json &json, const std::string &source, const EntityIdOptions &idOptions)
{
    const std::string where = "subjects[]";
    if (!json.isObject())
        return problem(source, where, "each subject must be an object {\"entity_id\", \"revoked\"?, \"comment\"?}");
    for (const auto &[name, value] : json.asObject())
        if (name != "entity_id" && name != "revoked" && name != "comment")
            return problem(source, where, "unknown member " + name);
    const std::string *id = json.findString("entity_id");
    if (!id)
        return problem(source, where, "entity_id (a string) is required");
    auto entityId = EntityId::parse(*id, idOptions);
    if (!entityId)
        return problem(source, where, *id + " is not a valid Entity Identifier: " + entityId.error().message);
    TrustMarkSubject subject{.entityId = std::move(entityId).value()};
    if (const Json *revoked = json.find("revoked")) {
        if (!revoked->isObject())
            return problem(source, where, "revoked must be {\"revoked_at\", \"reason\"?}");
        for (const auto &[name, value] : revoked->asObject())
            if (name != "revoked_at" && name != "reason")
                return problem(source, where, "unknown member revoked." + name);
        const Json *at = revoked->find("revoked_at");
        if (!at || !at->isInt() || at->asInt() < 0)
            return problem(source, where, "revoked.revoked_at must be a NumericDate (integer)");
        TrustMarkRevocation revocation{.revokedAt = at->asInt()};
        if (const Json *reason = revoked->find("reason")) {
            if (!reason->isString())
                return problem(source, where, "revoked.reason must be a string");
            revocation.reason = reason->asString();
        }
        subject.revoked = std::move(revocation);
    }
    if (const Json *comment = json.find("comment")) {
        if (!comment->isString())
            return problem(source, where, "comment must be a string");
        subject.comment = comment->asString();
    }
    return subject;
}

Result<std::vector<std::string>> jsonFileNames(const fs::path &dir)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return fail(ErrorCode::InvalidArgument, "trust mark directory " + dir.string() + " does not exist or is not a directory");
    std::vector<std::string> names;
    for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        std::string name = it->path().filename().string();
        std::error_code typeError;
        if (name.starts_with(".") || !name.ends_with(".json") || !it->is_regular_file(typeError))
            continue;
        names.push_back(std::move(name));
    }
    if (ec)
        return fail(ErrorCode::InvalidArgument, "cannot list trust mark directory " + dir.string() + ": " + ec.message());
    std::sort(names.begin(), names.end());
    return names;
}

Result<Json> readJsonFile(const fs::path &path, const std::string &name)
{
    OIDFED_TRY(std::string text, readRegularFile(path, kMaxTrustMarkFileBytes));
    JsonLimits limits;
    limits.maxBytes = kMaxTrustMarkFileBytes;
    auto json = parseJson(text, limits);
    if (!json)
        return fail(ErrorCode::InvalidArgument, name + ": " + json.error().message);
    return json;
}

} // namespace

const TrustMarkSubject *TrustMarkTypeRecord::find(std::string_view entityId) const
{
    auto it = std::lower_bound(subjects.begin(), subjects.end(), entityId,
                               [](const TrustMarkSubject &s, std::string_view id) { return s.entityId.str() < id; });
    return it != subjects.end() && it->entityId.str() == entityId ? &*it : nullptr;
}

Result<TrustMarkTypeRecord> parseTrustMarkTypeFile(const Json &json, const std::string &source, const fs::path &dir,
                                                   const EntityIdOptions &idOptions)
{
    if (!json.isObject())
        return fail(ErrorCode::Malformed, source + ": a trust mark type file must be a JSON object");
    for (const auto &[name, value] : json.asObject())
        if (std::find(kMembers.begin(), kMembers.end(), name) == kMembers.end())
            return problem(source, name, "unknown member");
    TrustMarkTypeRecord record{.sourceFile = source};
    OIDFED_TRY(record.trustMarkType, optionalString(json, "trust_mark_type", source));
    if (record.trustMarkType.empty())
        return problem(source, "trust_mark_type", "missing (REQUIRED)");

    const Json *subjects = json.find("subjects");
    if (!subjects || !subjects->isArray())
        return problem(source, "subjects", "must be an array (REQUIRED; may be empty)");
    for (const Json &entry : subjects->asArray()) {
        OIDFED_TRY(TrustMarkSubject subject, parseSubject(entry, source, idOptions));
        record.subjects.push_back(std::move(subject));
    }
    std::sort(record.subjects.begin(), record.subjects.end(),
              [](const TrustMarkSubject &a, const TrustMarkSubject &b) { return a.entityId.str() < b.entityId.str(); });
    for (std::size_t i = 1; i < record.subjects.size(); ++i)
        if (record.subjects[i].entityId == record.subjects[i - 1].entityId)
            return problem(source, "subjects", record.subjects[i].entityId.str() + " is listed twice");

    if (const Json *lifetime = json.find("lifetime_seconds")) {
        if (!lifetime->isInt() || lifetime->asInt() < 60 || lifetime->asInt() > 31536000)
            return problem(source, "lifetime_seconds", "must be an integer in 60..31536000");
        record.lifetimeSeconds = lifetime->asInt();
    }
    for (auto [name, target] : {std::pair<std::string_view, std::string *>{"logo_uri", &record.logoUri},
                                std::pair<std::string_view, std::string *>{"ref", &record.ref}}) {
        OIDFED_TRY(*target, optionalString(json, name, source));
        if (!target->empty() && !claims::isEndpointUrl(*target, idOptions.allowHttp))
            return problem(source, name, "must be an absolute https URL without a fragment");
    }
    OIDFED_TRY(record.typ, optionalString(json, "typ", source));
    if (!record.typ.empty() && record.typ.find_first_of(" \t\r\n") != std::string::npos)
        return problem(source, "typ", "must be a JWS typ value without spaces, e.g. \"trust-mark+jwt\"");
    OIDFED_TRY(std::string delegationFile, optionalString(json, "delegation_file", source));
    OIDFED_TRY(std::string delegatedBy, optionalString(json, "delegated_by", source));
    if (!delegationFile.empty() && !delegatedBy.empty())
        return problem(source, "delegated_by", "give delegation_file or delegated_by, not both");
    if (!delegationFile.empty()) {
        auto text = readRegularFile(dir / delegationFile, kMaxTrustMarkFileBytes);
        if (!text)
            return problem(source, "delegation_file", (dir / delegationFile).string() + ": " + text.error().message);
        std::string jwt = *text;
        while (!jwt.empty() && (jwt.back() == '\n' || jwt.back() == '\r' || jwt.back() == ' '))
            jwt.pop_back();
        if (jwt.empty())
            return problem(source, "delegation_file", (dir / delegationFile).string() + " is empty");
        record.delegation = std::move(jwt);
    }
    if (!delegatedBy.empty()) {
        auto owner = EntityId::parse(delegatedBy, idOptions);
        if (!owner)
            return problem(source, "delegated_by", delegatedBy + " is not a valid Entity Identifier");
        record.delegatedBy = std::move(owner).value();
    }
    return record;
}

Result<std::shared_ptr<const TrustMarkCatalog>> TrustMarkCatalog::loadDirectory(const fs::path &dir,
                                                                               const EntityIdOptions &idOptions)
{
    OIDFED_TRY(std::vector<std::string> names, jsonFileNames(dir));
    auto catalog = std::make_shared<TrustMarkCatalog>();
    for (const std::string &name : names) {
        OIDFED_TRY(Json json, readJsonFile(dir / name, name));
        OIDFED_TRY(TrustMarkTypeRecord record, parseTrustMarkTypeFile(json, name, dir, idOptions));
        if (const TrustMarkTypeRecord *seen = catalog->find(record.trustMarkType))
            return fail(ErrorCode::InvalidArgument, name + ": trust_mark_type " + record.trustMarkType +
                                                        " is also defined by " + seen->sourceFile);
        catalog->types_.push_back(std::move(record));
        std::sort(catalog->types_.begin(), catalog->types_.end(),
                  [](const auto &a, const auto &b) { return a.trustMarkType < b.trustMarkType; });
    }
    return std::shared_ptr<const TrustMarkCatalog>(std::move(catalog));
}

Result<TrustMarkCatalogLoad> TrustMarkCatalog::loadEachFile(const fs::path &dir, const EntityIdOptions &idOptions,
                                                            const TrustMarkCatalog *previous)
{
    OIDFED_TRY(std::vector<std::string> names, jsonFileNames(dir));
    TrustMarkCatalogLoad load;
    std::vector<TrustMarkTypeRecord> records;
    auto taken = [&](const std::string &type) {
        return std::any_of(records.begin(), records.end(), [&](const auto &r) { return r.trustMarkType == type; });
    };
    for (const std::string &name : names) {
        Result<Json> json = readJsonFile(dir / name, name);
        Result<TrustMarkTypeRecord> record =
            json ? parseTrustMarkTypeFile(*json, name, dir, idOptions) : fail(std::move(json).error());
        if (record && taken(record->trustMarkType))
            record = fail(Error(ErrorCode::InvalidArgument, name + ": trust_mark_type " + record->trustMarkType +
                                                                " is also defined by a file before it")
                              .withClaim("trust_mark_type"));
        if (record) {
            records.push_back(std::move(record).value());
            continue;
        }
        TrustMarkTypeProblem problem{.file = name, .error = std::move(record).error()};
        const TrustMarkTypeRecord *before = previous ? previous->findBySourceFile(name) : nullptr;
        if (before && !taken(before->trustMarkType)) {
            problem.keptPrevious = true;
            problem.trustMarkType = before->trustMarkType;
            records.push_back(*before);
        }
        load.problems.push_back(std::move(problem));
    }
    OIDFED_TRY(load.catalog, fromRecords(std::move(records)));
    return load;
}

Result<std::shared_ptr<const TrustMarkCatalog>> TrustMarkCatalog::fromRecords(std::vector<TrustMarkTypeRecord> records)
{
    std::sort(records.begin(), records.end(),
              [](const auto &a, const auto &b) { return a.trustMarkType < b.trustMarkType; });
    for (std::size_t i = 1; i < records.size(); ++i)
        if (records[i].trustMarkType == records[i - 1].trustMarkType)
            return fail(ErrorCode::InvalidArgument, records[i].sourceFile + ": trust_mark_type " +
                                                        records[i].trustMarkType + " is also defined by " +
                                                        records[i - 1].sourceFile);
    auto catalog = std::make_shared<TrustMarkCatalog>();
    catalog->types_ = std::move(records);
    return std::shared_ptr<const TrustMarkCatalog>(std::move(catalog));
}

const TrustMarkTypeRecord *TrustMarkCatalog::findBySourceFile(std::string_view file) const
{
    for (const TrustMarkTypeRecord &record : types_)
        if (record.sourceFile == file)
            return &record;
    return nullptr;
}

const TrustMarkTypeRecord *TrustMarkCatalog::find(std::string_view trustMarkType) const
{
    auto it = std::lower_bound(types_.begin(), types_.end(), trustMarkType,
                               [](const TrustMarkTypeRecord &r, std::string_view t) { return r.trustMarkType < t; });
    return it != types_.end() && it->trustMarkType == trustMarkType ? &*it : nullptr;
}

Result<std::string> revokeTrustMarkSubject(const fs::path &dir, std::string_view trustMarkType,
                                           std::string_view subject, std::string_view reason, UnixTime now,
                                           const EntityIdOptions &idOptions)
{
    OIDFED_TRY(DirectoryLock lock, DirectoryLock::acquire(dir, DirectoryLock::Mode::Exclusive));
    OIDFED_TRY(std::vector<std::string> names, jsonFileNames(dir));
    for (const std::string &name : names) {
        OIDFED_TRY(Json json, readJsonFile(dir / name, name));
        const std::string *type = json.isObject() ? json.findString("trust_mark_type") : nullptr;
        if (!type || *type != trustMarkType)
            continue;
        OIDFED_TRY_VOID(parseTrustMarkTypeFile(json, name, dir, idOptions));  // a bad file is never rewritten
        Json *subjects = nullptr;
        for (auto &[member, value] : json.asObject())
            if (member == "subjects")
                subjects = &value;
        for (Json &entry : subjects->asArray()) {
            const std::string *id = entry.findString("entity_id");
            if (!id || *id != subject)
                continue;
            if (entry.contains("revoked"))
                return fail(ErrorCode::InvalidArgument,
                            std::string(subject) + " is already revoked in " + name);
            Json revoked = Json::object();
            revoked.set("revoked_at", now);
            if (!reason.empty())
                revoked.set("reason", std::string(reason));
            entry.set("revoked", std::move(revoked));
            OIDFED_TRY_VOID(replaceFileAtomically(dir / name, json.dump(true) + "\n", 0644));
            return name;
        }
        return fail(ErrorCode::NotFound, std::string(subject) + " is not listed in " + name);
    }
    return fail(ErrorCode::NotFound, "no file in " + dir.string() + " defines trust_mark_type " + std::string(trustMarkType));
}

} // namespace oidfed::entity
