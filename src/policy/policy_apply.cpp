// Application of a resolved metadata policy to metadata, 6.1.4.2 step 5, and
// the Immediate Superior's `metadata` override, step 2. Every change is
// recorded with the operator and the statements that caused it.

#include <oidfed/metadata_policy.h>

#include <string>

#include "policy/json_set.h"

namespace oidfed {

namespace {

/// RFC 7591 `scope` is a space-separated string that the operators treat as
/// an array of strings (6.1.3.1.8).
constexpr std::string_view kScope = "scope";

bool isStringArray(const Json &value)
{
    if (!value.isArray())
        return false;
    for (const Json &element : value.asArray())
        if (!element.isString())
            return false;
    return true;
}

std::string describeIssuers(const std::vector<std::string> &issuers)
{
    std::string out;
    for (const std::string &issuer : issuers) {
        out += out.empty() ? "" : ", ";
        out += issuer.empty() ? std::string("<unnamed statement>") : issuer;
    }
    return out;
}

ParameterChange::Effect effectOf(const std::optional<Json> &before, const std::optional<Json> &after)
{
    if (!after)
        return ParameterChange::Effect::Removed;
    return before ? ParameterChange::Effect::Modified : ParameterChange::Effect::Set;
}

bool sameValue(const std::optional<Json> &a, const std::optional<Json> &b)
{
    if (a.has_value() != b.has_value())
        return false;
    return !a || *a == *b;
}

/// Runs the operators of one parameter policy, in order of application, on
/// one Entity Type's metadata object.
Result<void> applyParameter(const ParameterPolicy &param, Json &typeMetadata, const OperatorRegistry &registry,
                            std::vector<ParameterChange> &changes)
{
    const bool isScope = param.parameter == kScope;
    std::optional<Json> current;
    if (const Json *present = typeMetadata.find(param.parameter); present && !present->isNull())
        current = *present;
    const std::size_t firstChange = changes.size();

    for (const auto &op : registry.inApplicationOrder()) {
        const OperatorValue *entry = param.find(op->name());
        if (!entry)
            continue;
        if (isScope && current && current->isString())
            current = Json(policy::splitSpaceSeparated(current->asString()));
        std::optional<Json> before = current;
        auto applied = op->apply(entry->value, std::move(current));
        if (!applied) {
            const Error &reason = applied.error();
            std::string message = param.entityType + "." + param.parameter + ": ";
            message += before ? "metadata value " + policy::brief(*before) + " " : std::string("parameter ");
            message += reason.message + " (" + entry->name + " " + policy::brief(entry->value) + " from " +
                       describeIssuers(entry->issuers) + ")";
            return fail(Error(reason.code, std::move(message))
                            .withRule(reason.rule.empty() ? "6.1.4.2" : reason.rule)
                            .withClaim(param.parameter));
        }
        current = std::move(applied).value();
        if (!sameValue(before, current)) {
            changes.push_back(ParameterChange{param.entityType, param.parameter, entry->name, entry->issuers,
                                              effectOf(before, current), std::move(before), current});
        }
    }
    if (changes.size() == firstChange)
        return ok();  // untouched: leave the parameter exactly as the metadata had it
    if (isScope) {
        // Back to the space-separated form, in the metadata and in the record.
        auto join = [](std::optional<Json> &value) {
            if (value && isStringArray(*value))
                value = Json(policy::joinSpaceSeparated(value->asArray()));
        };
        join(current);
        for (std::size_t i = firstChange; i < changes.size(); ++i) {
            join(changes[i].before);
            join(changes[i].after);
        }
    }
    if (current)
        typeMetadata.set(param.parameter, std::move(*current));
    else if (typeMetadata.find(param.parameter))
        typeMetadata.erase(param.parameter);
    return ok();
}

} // namespace

Result<ResolvedMetadata> applyPolicy(const ResolvedPolicy &policy, Json metadata, const OperatorRegistry &registry)
{
    if (!metadata.isObject())
        return fail(Error(ErrorCode::Malformed, "metadata must be a JSON object keyed by Entity Type")
                        .withClaim("metadata"));
    ResolvedMetadata out;
    for (auto &[typeName, typeMetadata] : metadata.asObject()) {
        const EntityTypePolicy *typePolicy = policy.find(typeName);
        if (!typePolicy)
            continue;  // only Entity Types the subject has, and only those with a policy
        if (!typeMetadata.isObject())
            return fail(Error(ErrorCode::Malformed, "metadata of Entity Type " + typeName + " must be a JSON object")
                            .withClaim(typeName));
        for (const ParameterPolicy &param : typePolicy->parameters)
            OIDFED_TRY_VOID(applyParameter(param, typeMetadata, registry, out.changes));
    }
    out.metadata = std::move(metadata);
    return out;
}

Result<ResolvedMetadata> applySuperiorMetadata(Json subjectMetadata, const Json &superiorMetadata,
                                               std::string_view superiorIssuer)
{
    if (!subjectMetadata.isObject())
        return fail(Error(ErrorCode::Malformed, "the subject's metadata must be a JSON object keyed by Entity Type")
                        .withClaim("metadata"));
    if (!superiorMetadata.isObject())
        return fail(Error(ErrorCode::Malformed, "the superior's metadata must be a JSON object keyed by Entity Type")
                        .withClaim("metadata")
                        .withEntity(superiorIssuer));
    ResolvedMetadata out;
    for (const auto &[typeName, overrides] : superiorMetadata.asObject()) {
        Json *typeMetadata = subjectMetadata.find(typeName);
        if (!typeMetadata)
            continue;  // only Entity Types present in the subject's metadata (6.1.4.2 step 2)
        if (!overrides.isObject() || !typeMetadata->isObject())
            return fail(Error(ErrorCode::Malformed, "metadata of Entity Type " + typeName + " must be a JSON object")
                            .withClaim(typeName)
                            .withEntity(superiorIssuer));
        for (const auto &[param, value] : overrides.asObject()) {
            std::optional<Json> before;
            if (const Json *existing = typeMetadata->find(param))
                before = *existing;
            if (before && *before == value)
                continue;
            out.changes.push_back(ParameterChange{typeName, param, "metadata", {std::string(superiorIssuer)},
                                                  effectOf(before, value), std::move(before), value});
            typeMetadata->set(param, value);
        }
    }
    out.metadata = std::move(subjectMetadata);
    return out;
}

} // namespace oidfed
