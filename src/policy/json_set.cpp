#include "policy/json_set.h"

#include <algorithm>
#include <unordered_set>
#include <vector>

namespace oidfed::policy {

namespace {

/// Below this many element comparisons, a linear scan beats building a hash
/// set; above it, hashing keeps operators on large arrays (up to the JSON
/// member limit) linear instead of quadratic.
constexpr std::size_t kLinearWork = 256;

/// A lookup set over JSON values that must outlive it: strings are hashed,
/// other values (numbers, objects) are compared linearly with Json equality.
class ValueSet {
public:
    explicit ValueSet(const Json::Array &values)
    {
        strings_.reserve(values.size());
        for (const Json &v : values)
            insert(v);
    }
    ValueSet() = default;

    bool contains(const Json &v) const
    {
        if (v.isString())
            return strings_.count(std::string_view(v.asString())) != 0;
        return std::any_of(others_.begin(), others_.end(), [&](const Json *o) { return *o == v; });
    }

    /// Adds `v` (which must outlive the set); false when already present.
    bool insert(const Json &v)
    {
        if (v.isString())
            return strings_.insert(std::string_view(v.asString())).second;
        if (contains(v))
            return false;
        others_.push_back(&v);
        return true;
    }

private:
    std::unordered_set<std::string_view> strings_;
    std::vector<const Json *> others_;
};

bool small(const Json::Array &a, const Json::Array &b)
{
    return a.size() * b.size() <= kLinearWork;
}

} // namespace

bool containsValue(const Json::Array &set, const Json &value)
{
    return std::find(set.begin(), set.end(), value) != set.end();
}

bool isSubset(const Json::Array &a, const Json::Array &b)
{
    if (small(a, b))
        return std::all_of(a.begin(), a.end(), [&](const Json &v) { return containsValue(b, v); });
    const ValueSet lookup(b);
    return std::all_of(a.begin(), a.end(), [&](const Json &v) { return lookup.contains(v); });
}

bool sameSet(const Json::Array &a, const Json::Array &b)
{
    return isSubset(a, b) && isSubset(b, a);
}

bool equalAsSets(const Json &a, const Json &b)
{
    if (a.isArray() && b.isArray())
        return sameSet(a.asArray(), b.asArray());
    return a == b;
}

Json::Array setUnion(const Json::Array &a, const Json::Array &b)
{
    Json::Array out;
    out.reserve(a.size() + b.size());
    if (small(a, a) && small(b, b) && small(a, b)) {
        for (const Json &v : a)
            if (!containsValue(out, v))
                out.push_back(v);
        for (const Json &v : b)
            if (!containsValue(out, v))
                out.push_back(v);
        return out;
    }
    ValueSet seen;
    for (const Json &v : a)
        if (seen.insert(v))
            out.push_back(v);
    for (const Json &v : b)
        if (seen.insert(v))
            out.push_back(v);
    return out;
}

Json::Array setIntersection(const Json::Array &a, const Json::Array &b)
{
    Json::Array out;
    if (small(a, b) && small(a, a)) {
        for (const Json &v : a)
            if (containsValue(b, v) && !containsValue(out, v))
                out.push_back(v);
        return out;
    }
    const ValueSet lookup(b);
    ValueSet seen;
    for (const Json &v : a)
        if (lookup.contains(v) && seen.insert(v))
            out.push_back(v);
    return out;
}

Json::Array setDifference(const Json::Array &a, const Json::Array &b)
{
    Json::Array out;
    if (small(a, b) && small(a, a)) {
        for (const Json &v : a)
            if (!containsValue(b, v) && !containsValue(out, v))
                out.push_back(v);
        return out;
    }
    const ValueSet lookup(b);
    ValueSet seen;
    for (const Json &v : a)
        if (!lookup.contains(v) && seen.insert(v))
            out.push_back(v);
    return out;
}

Json::Array valuesOf(const Json &value)
{
    if (value.isNull())
        return {};
    if (value.isArray())
        return value.asArray();
    return Json::Array{value};
}

bool isSetElement(const Json &value)
{
    return value.isString() || value.isNumber() || value.isObject();
}

std::string brief(const Json &value)
{
    constexpr std::size_t kMaxChars = 200;
    std::string text = value.dump();
    if (text.size() > kMaxChars) {
        text.resize(kMaxChars);
        text += "...";
    }
    return text;
}

Json::Array splitSpaceSeparated(std::string_view text)
{
    Json::Array tokens;
    std::unordered_set<std::string_view> seen;  // views into `text`
    std::size_t pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && text[pos] == ' ')
            ++pos;
        std::size_t end = text.find(' ', pos);
        if (end == std::string_view::npos)
            end = text.size();
        if (end > pos && seen.insert(text.substr(pos, end - pos)).second)
            tokens.emplace_back(text.substr(pos, end - pos));
        pos = end;
    }
    return tokens;
}

std::string joinSpaceSeparated(const Json::Array &tokens)
{
    std::string out;
    for (const Json &token : tokens) {
        if (!out.empty())
            out += ' ';
        out += token.asString();
    }
    return out;
}

} // namespace oidfed::policy
