#include "text_output.h"

#include <ostream>
#include <sstream>
#include <string>

namespace oidfed::cli {

namespace {

bool isScalar(const Json &value)
{
    return !value.isObject() && !value.isArray();
}

bool holdsOnlyScalars(const Json &array)
{
    for (const Json &element : array.asArray())
        if (!isScalar(element))
            return false;
    return true;
}

/// A value that fits on the line after "name: ".
std::string inlineText(const Json &value)
{
    if (value.isString()) {
        const std::string &text = value.asString();
        return text.empty() || text.find('\n') != std::string::npos ? value.dump() : text;
    }
    return value.dump();
}

bool fitsInline(const Json &value)
{
    if (value.isObject())
        return value.size() == 0;
    if (value.isArray())
        return value.size() == 0 || holdsOnlyScalars(value);
    return true;
}

} // namespace

void printValueText(std::ostream &out, const Json &value, int indent)
{
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    if (value.isObject()) {
        for (const auto &[name, member] : value.asObject()) {
            if (fitsInline(member)) {
                out << pad << name << ": " << inlineText(member) << '\n';
            } else {
                out << pad << name << ":\n";
                printValueText(out, member, indent + 2);
            }
        }
        return;
    }
    if (value.isArray() && !fitsInline(value)) {
        for (const Json &element : value.asArray()) {
            if (fitsInline(element)) {
                out << pad << "- " << inlineText(element) << '\n';
            } else {
                // "- " in place of the indentation of the element's first line.
                std::ostringstream nested;
                printValueText(nested, element, indent + 2);
                std::string text = nested.str();
                text.replace(static_cast<std::size_t>(indent), 2, "- ");
                out << text;
            }
        }
        return;
    }
    out << pad << inlineText(value) << '\n';
}

void printCandidatesText(std::ostream &out, const Json &explain)
{
    for (const Json &candidate : explain.find("candidates")->asArray()) {
        out << "  candidate";
        for (const Json &id : candidate.find("path")->asArray())
            out << " -> " << id.asString();
        out << ": " << candidate.find("verdict")->asString();
        if (const Json *reason = candidate.find("reason"))
            out << " (" << reason->find("error_description")->asString() << ")";
        out << "\n";
    }
}

void printExplainText(std::ostream &out, const Json &explain)
{
    out << "explanation (" << explain.find("fetches")->dump() << " fetches, answer from "
        << inlineText(*explain.find("source")) << "):\n";
    printCandidatesText(out, explain);
    for (const Json &problem : explain.find("problems")->asArray())
        out << "  problem: " << problem.find("error_description")->asString() << "\n";
}

void printAlarmsText(std::ostream &out, const ResolveOutcome &outcome)
{
    for (const ResolveAlarm &alarm : outcome.report.alarms)
        out << "ALARM (" << resolveAlarmKindName(alarm.kind) << "): " << alarm.detail.describe() << "\n";
}

void printChangesText(std::ostream &out, std::string_view heading, const std::vector<ParameterChange> &changes)
{
    out << heading << ":" << (changes.empty() ? " none" : "") << "\n";
    for (const ParameterChange &change : changes) {
        out << "  " << change.entityType << (change.parameter.empty() ? "" : "." + change.parameter) << ": "
            << changeEffectName(change.effect) << " by " << change.source;
        if (!change.issuers.empty()) {
            std::string issuers;
            for (const std::string &issuer : change.issuers)
                issuers += (issuers.empty() ? "" : ", ") + issuer;
            out << " (" << issuers << ")";
        }
        if (change.before)
            out << ", was " << change.before->dump();
        if (change.after)
            out << ", now " << change.after->dump();
        out << "\n";
    }
}

} // namespace oidfed::cli
