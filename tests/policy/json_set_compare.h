// Set-aware JSON comparison for the policy tests: the order of merged
// operator values and of resolved metadata arrays is not defined (6.1.3,
// shared/oidfed-vectors/README.md), so arrays compare as sets, at any depth.
#pragma once

#include <algorithm>

#include <oidfed/json.h>

namespace oidfed::test {

inline bool equalAsSets(const Json &a, const Json &b);

inline bool arrayContains(const Json::Array &set, const Json &value)
{
    return std::any_of(set.begin(), set.end(), [&](const Json &v) { return equalAsSets(v, value); });
}

/// Objects: same member names, members equal as sets. Arrays: every element
/// of each has an equal element in the other. Scalars: Json equality.
inline bool equalAsSets(const Json &a, const Json &b)
{
    if (a.isArray() && b.isArray()) {
        const auto &x = a.asArray();
        const auto &y = b.asArray();
        return std::all_of(x.begin(), x.end(), [&](const Json &v) { return arrayContains(y, v); }) &&
               std::all_of(y.begin(), y.end(), [&](const Json &v) { return arrayContains(x, v); });
    }
    if (a.isObject() && b.isObject()) {
        if (a.size() != b.size())
            return false;
        for (const auto &[key, value] : a.asObject()) {
            const Json *other = b.find(key);
            if (!other || !equalAsSets(value, *other))
                return false;
        }
        return true;
    }
    return a == b;
}

} // namespace oidfed::test
