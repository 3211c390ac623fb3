/// oidfed::Json — an immutable-by-convention JSON value used across the API.
///
/// Objects keep their members in insertion order and never hold two members
/// with the same name (parseJson rejects duplicates, set() replaces). Numbers
/// are kept as int64 when the text was an integer in range, else as double;
/// equality compares numbers by value and objects regardless of member order.
/// A Json is a plain value: copies are deep, and a const Json may be read from
/// any number of threads.
#pragma once

#include <concepts>
#include <cstdint>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <oidfed/result.h>

namespace oidfed {

class Json {
public:
    using Array = std::vector<Json>;
    using Member = std::pair<std::string, Json>;
    using Object = std::vector<Member>;

    enum class Type { Null, Bool, Int, Double, String, Array, Object };

    Json() = default;
    Json(std::nullptr_t) {}
    Json(bool b) : v_(b) {}
    template <std::integral I>
        requires(!std::same_as<I, bool> && !std::same_as<I, char>)
    Json(I i) : v_(static_cast<std::int64_t>(i))
    {
    }
    Json(double d) : v_(d) {}
    Json(const char *s) : v_(std::string(s)) {}
    Json(std::string s) : v_(std::move(s)) {}
    Json(std::string_view s) : v_(std::string(s)) {}
    Json(Array a) : v_(std::move(a)) {}
    Json(Object o) : v_(std::move(o)) {}

    static Json array() { return Json(Array{}); }
    static Json object() { return Json(Object{}); }

    Type type() const noexcept { return static_cast<Type>(v_.index()); }
    bool isNull() const noexcept { return type() == Type::Null; }
    bool isBool() const noexcept { return type() == Type::Bool; }
    bool isInt() const noexcept { return type() == Type::Int; }
    bool isNumber() const noexcept { return type() == Type::Int || type() == Type::Double; }
    bool isString() const noexcept { return type() == Type::String; }
    bool isArray() const noexcept { return type() == Type::Array; }
    bool isObject() const noexcept { return type() == Type::Object; }

    /// REQUIRES: the matching is*() predicate holds.
    bool asBool() const { return std::get<bool>(v_); }
    std::int64_t asInt() const { return std::get<std::int64_t>(v_); }
    double asDouble() const;  ///< any number, as double
    const std::string &asString() const { return std::get<std::string>(v_); }
    const Array &asArray() const { return std::get<Array>(v_); }
    Array &asArray() { return std::get<Array>(v_); }
    const Object &asObject() const { return std::get<Object>(v_); }
    Object &asObject() { return std::get<Object>(v_); }

    /// Member lookup; nullptr when this is not an object or has no such member.
    /// The pointer stays valid until this object is modified.
    const Json *find(std::string_view name) const;
    Json *find(std::string_view name);
    bool contains(std::string_view name) const { return find(name) != nullptr; }

    /// Member string value, or nullptr when absent or not a string.
    const std::string *findString(std::string_view name) const;

    /// Sets (replacing) a member. REQUIRES: isObject() or isNull() (becomes an object).
    Json &set(std::string_view name, Json value);
    /// Removes a member; returns whether it was present. REQUIRES: isObject().
    bool erase(std::string_view name);
    /// Appends to an array. REQUIRES: isArray() or isNull() (becomes an array).
    Json &push(Json value);

    /// Elements of an array or members of an object; 0 otherwise.
    std::size_t size() const noexcept;

    friend bool operator==(const Json &a, const Json &b);

    /// Compact (default) or two-space indented serialization.
    std::string dump(bool pretty = false) const;

private:
    std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, Array, Object> v_{nullptr};
};

/// Bounds applied while parsing untrusted JSON (threat D02, D07).
struct JsonLimits {
    std::size_t maxBytes = 1 << 20;         ///< whole document, bytes
    std::size_t maxDepth = 64;              ///< nesting of arrays and objects
    std::size_t maxMembers = 10000;         ///< members of one object / elements of one array
    std::size_t maxStringBytes = 128 << 10; ///< one string or member name, bytes
};

/// Parses exactly one JSON text (RFC 8259, UTF-8). Rejects with Malformed:
/// syntax errors, trailing content, invalid UTF-8 or lone surrogates, a BOM,
/// duplicate member names, NaN/Infinity; with LimitExceeded: anything beyond
/// `limits`. Numbers outside double range are Malformed.
Result<Json> parseJson(std::string_view text, const JsonLimits &limits = {});

} // namespace oidfed
