// Set semantics over JSON arrays, as the metadata policy operators need them
// (6.1.3: arrays are sets; the order of a merged result is not defined).
// Results keep the order of their first argument, then the new elements of
// the second, and never hold duplicates. Private to src/policy/.
#pragma once

#include <string>
#include <string_view>

#include <oidfed/json.h>

namespace oidfed::policy {

bool containsValue(const Json::Array &set, const Json &value);

/// Every element of `a` is in `b`.
bool isSubset(const Json::Array &a, const Json::Array &b);

/// Same elements, ignoring order and duplicates.
bool sameSet(const Json::Array &a, const Json::Array &b);

/// Equality where arrays (at the top level) compare as sets.
bool equalAsSets(const Json &a, const Json &b);

Json::Array setUnion(const Json::Array &a, const Json::Array &b);
Json::Array setIntersection(const Json::Array &a, const Json::Array &b);

/// Elements of `a` not in `b`.
Json::Array setDifference(const Json::Array &a, const Json::Array &b);

/// "The values of" an operator value: [] for null, the array itself, or a
/// one-element array for a single value.
Json::Array valuesOf(const Json &value);

/// Whether `value` may be an element of an operator's array value: a string,
/// a number or an object (6.1.3.1; objects and numbers are the optional types).
bool isSetElement(const Json &value);

/// Compact JSON for messages, cut at about 200 characters.
std::string brief(const Json &value);

/// Splits a space-separated string (RFC 7591 `scope`) into an array of its
/// non-empty tokens, and joins an array of strings back with single spaces.
Json::Array splitSpaceSeparated(std::string_view text);
std::string joinSpaceSeparated(const Json::Array &tokens);

} // namespace oidfed::policy
