#include "policy/json_set.h"

#include <algorithm>

namespace oidfed::policy {

bool containsValue(const Json::Array &set, const Json &value)
{
    return std::find(set.begin(), set.end(), value) != set.end();
}

bool isSubset(const Json::Array &a, const Json::Array &b)
{
    return std::all_of(a.begin(), a.end(), [&](const Json &v) { return containsValue(b, v); });
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
    for (const Json &v : a)
        if (!containsValue(out, v))
            out.push_back(v);
    for (const Json &v : b)
        if (!containsValue(out, v))
            out.push_back(v);
    return out;
}

Json::Array setIntersection(const Json::Array &a, const Json::Array &b)
{
    Json::Array out;
    for (const Json &v : a)
        if (containsValue(b, v) && !containsValue(out, v))
            out.push_back(v);
    return out;
}

Json::Array setDifference(const Json::Array &a, const Json::Array &b)
{
    Json::Array out;
    for (const Json &v : a)
        if (!containsValue(b, v) && !containsValue(out, v))
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
    std::size_t pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && text[pos] == ' ')
            ++pos;
        std::size_t end = text.find(' ', pos);
        if (end == std::string_view::npos)
            end = text.size();
        if (end > pos) {
            Json token(text.substr(pos, end - pos));
            if (!containsValue(tokens, token))
                tokens.push_back(std::move(token));
        }
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
