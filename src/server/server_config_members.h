// The tables the configuration file is read with (private to
// server_config.cpp and its tests). One table per JSON object of the file:
// each row names a member, the C++ field it fills, and how it is read. The
// same rows are the allow-list (a member without a row is refused), the
// reader, the map from a validate*Options() refusal (which names the C++
// field in Error::claim) back to the member's JSON path, and the list of
// members the tests check against docs/configuration.md. Ranges are never
// written here: they live in the validate functions.
//
// A row, for example
//     number("max_chain_depth", "resolver.maxChainDepth", &ServerOptions::resolver, &ResolverOptions::maxChainDepth)
// reads an integer (type-checked against the field: a negative value for an
// unsigned field is refused here) into options.resolver.maxChainDepth;
// "resolver.maxChainDepth" is how validateServerOptions() names that field.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <oidfed/entity_id.h>
#include <oidfed/json.h>
#include <oidfed/result.h>

#include "core/range_check.h"
#include "server/server_config.h"

namespace oidfed::server::config {

/// What the readers need besides the value. Readers run in table order, and
/// one may change the context for the rows after it (allow_http sets ids).
struct Context {
    std::filesystem::path baseDir{};  ///< anchors relative paths
    EntityIdOptions ids{};
};

/// Appends the description of a nested table: (path prefix, field prefix,
/// scope) -> rows.
using Describe = std::function<void(const std::string &path, const std::string &field, const std::string &scope,
                                    std::vector<ConfigMember> &out)>;

/// One row: a member of the JSON object that fills a T.
template <typename T>
struct Member {
    std::string_view name{};
    /// The field as the validate function of this scope names it
    /// (Error::claim), relative to the scope's root; empty when none does.
    std::string_view field{};
    ConfigValueKind kind = ConfigValueKind::Any;
    bool required = false;
    std::string_view unit{};  ///< "ms" or "s" for durations
    std::function<Result<void>(const Json &value, const std::string &path, Context &context, T &target)> read{};
    Describe describe{};  ///< nested members (sections and arrays of objects)
};

template <typename T>
using Table = std::vector<Member<T>>;

/// "where.name", or "name" at the top level.
inline std::string memberPath(const std::string &where, std::string_view name)
{
    return where.empty() ? std::string(name) : where + "." + std::string(name);
}

/// Reads `object` into `target` with `table`: a member without a row is
/// refused, a required row without a member too.
template <typename T>
Result<void> readObject(const Json &object, const std::string &where, const Table<T> &table, Context &context,
                        T &target)
{
    if (!object.isObject())
        return fail(ErrorCode::InvalidArgument,
                    (where.empty() ? "the configuration" : where) + " must be a JSON object");
    for (const auto &[name, value] : object.asObject()) {
        bool known = false;
        for (const Member<T> &member : table)
            known = known || member.name == name;
        if (!known)
            return fail(Error(ErrorCode::InvalidArgument, "unknown member " + memberPath(where, name))
                            .withClaim(memberPath(where, name)));
    }
    for (const Member<T> &member : table) {
        const std::string path = memberPath(where, member.name);
        const Json *value = object.find(member.name);
        if (!value) {
            if (member.required)
                return fail(Error(ErrorCode::InvalidArgument, path + " is required").withClaim(path));
            continue;
        }
        // Every refusal names the member in Error::claim (the innermost one,
        // for a nested member, or what a validate function named).
        if (Result<void> read = member.read(*value, path, context, target); !read) {
            Error error = std::move(read).error();
            if (error.claim.empty())
                error.claim = path;
            return fail(std::move(error));
        }
    }
    return ok();
}

/// The rows of `table` and of the tables nested in it.
template <typename T>
void describeTable(const Table<T> &table, const std::string &path, const std::string &field, const std::string &scope,
                   std::vector<ConfigMember> &out)
{
    for (const Member<T> &member : table) {
        const std::string memberField =
            member.field.empty() ? std::string() : (field.empty() ? "" : field + ".") + std::string(member.field);
        out.push_back(ConfigMember{.path = memberPath(path, member.name),
                                   .field = memberField,
                                   .scope = scope,
                                   .kind = member.kind,
                                   .unit = std::string(member.unit),
                                   .required = member.required});
        if (member.describe)
            member.describe(memberPath(path, member.name), memberField, scope, out);
    }
}

/// A validate function's refusal with the field named by its JSON path:
/// the row of `members` in `scope` whose field is the claim gives the path
/// (rows of nested scopes are relative to another root and do not count).
/// `where` replaces the scope's "[]" with the element's index.
inline Result<void> namedByMember(Result<void> checked, const std::vector<ConfigMember> &members,
                                  const std::string &scope, const std::string &where)
{
    if (checked || checked.error().claim.empty())
        return checked;
    Error error = std::move(checked).error();
    for (const ConfigMember &member : members) {
        if (member.scope != scope || member.field != error.claim)
            continue;
        std::string path = where + member.path.substr(scope.size());
        if (error.message.compare(0, error.claim.size(), error.claim) == 0)
            error.message = path + error.message.substr(error.claim.size());
        else
            error.message = path + ": " + error.message;
        error.claim = path;
        break;
    }
    return fail(std::move(error));
}

// ---- Field access through a chain of member pointers -------------------

template <typename>
struct ClassOf;
template <typename M, typename C>
struct ClassOf<M C::*> {
    using type = C;
};

template <typename Root, typename... Path>
decltype(auto) fieldAt(Root &root, Path... path)
{
    return (root .* ... .* path);
}

template <typename First, typename... Rest>
using RootOf = typename ClassOf<First>::type;

template <typename First, typename... Rest>
using FieldOf = std::remove_reference_t<decltype(fieldAt(std::declval<RootOf<First> &>(), std::declval<First>(),
                                                         std::declval<Rest>()...))>;

/// The integer a field holds: itself, or a duration's count.
template <typename T>
struct CountOf {
    using type = T;
};
template <typename Rep, typename Period>
struct CountOf<std::chrono::duration<Rep, Period>> {
    using type = Rep;
};

// ---- Rows -------------------------------------------------------------

/// An integer member into an integral or std::chrono::duration field (the
/// member's unit is the field's: "_ms" for milliseconds, "_seconds" for
/// seconds). Only the type is checked here; the range is the validate
/// function's.
template <typename First, typename... Rest>
Member<RootOf<First>> number(std::string_view name, std::string_view field, First first, Rest... rest)
{
    using Root = RootOf<First>;
    using Field = FieldOf<First, Rest...>;
    using Value = typename CountOf<Field>::type;
    static_assert(std::is_integral_v<Value>, "number() fills an integer or a duration");
    Member<Root> member{.name = name, .field = field, .kind = ConfigValueKind::Integer};
    member.unit = detail::unitOf<Field>();
    if (!member.unit.empty())
        member.unit.remove_prefix(1);  // " ms" -> "ms"
    member.read = [=](const Json &value, const std::string &path, Context &, Root &root) -> Result<void> {
        if (!value.isInt())
            return fail(ErrorCode::InvalidArgument, path + ": must be an integer");
        const std::int64_t number = value.asInt();
        if (std::is_unsigned_v<Value> && number < 0)
            return fail(ErrorCode::InvalidArgument, path + ": must not be negative");
        if (!std::in_range<Value>(number))
            return fail(ErrorCode::InvalidArgument, path + ": is too large");
        fieldAt(root, first, rest...) = Field(static_cast<Value>(number));
        return ok();
    };
    return member;
}

/// true or false into a bool field.
template <typename First, typename... Rest>
Member<RootOf<First>> flag(std::string_view name, std::string_view field, First first, Rest... rest)
{
    using Root = RootOf<First>;
    Member<Root> member{.name = name, .field = field, .kind = ConfigValueKind::Boolean};
    member.read = [=](const Json &value, const std::string &path, Context &, Root &root) -> Result<void> {
        if (!value.isBool())
            return fail(ErrorCode::InvalidArgument, path + ": must be true or false");
        fieldAt(root, first, rest...) = value.asBool();
        return ok();
    };
    return member;
}

/// The string of a member that must be a non-empty string.
inline Result<std::string> nonEmptyString(const Json &value, const std::string &path)
{
    if (!value.isString() || value.asString().empty())
        return fail(ErrorCode::InvalidArgument, path + ": must be a non-empty string");
    return value.asString();
}

/// A non-empty string into a std::string field.
template <typename First, typename... Rest>
Member<RootOf<First>> text(std::string_view name, std::string_view field, First first, Rest... rest)
{
    using Root = RootOf<First>;
    Member<Root> member{.name = name, .field = field, .kind = ConfigValueKind::String};
    member.read = [=](const Json &value, const std::string &path, Context &, Root &root) -> Result<void> {
        OIDFED_TRY(fieldAt(root, first, rest...), nonEmptyString(value, path));
        return ok();
    };
    return member;
}

/// A path, relative to the file's directory, into a path or string field
/// (or an optional one).
template <typename First, typename... Rest>
Member<RootOf<First>> filePath(std::string_view name, std::string_view field, First first, Rest... rest)
{
    using Root = RootOf<First>;
    using Field = FieldOf<First, Rest...>;
    Member<Root> member{.name = name, .field = field, .kind = ConfigValueKind::String};
    member.read = [=](const Json &value, const std::string &path, Context &context, Root &root) -> Result<void> {
        OIDFED_TRY(std::string relative, nonEmptyString(value, path));
        const std::filesystem::path absolute = context.baseDir / relative;
        if constexpr (std::is_same_v<Field, std::string>)
            fieldAt(root, first, rest...) = absolute.string();
        else
            fieldAt(root, first, rest...) = absolute;
        return ok();
    };
    return member;
}

/// An array of strings into a std::vector<std::string> field. Whether an
/// entry is acceptable is the validate function's business.
template <typename First, typename... Rest>
Member<RootOf<First>> strings(std::string_view name, std::string_view field, std::string_view what, First first,
                              Rest... rest)
{
    using Root = RootOf<First>;
    Member<Root> member{.name = name, .field = field, .kind = ConfigValueKind::Strings};
    member.read = [=](const Json &value, const std::string &path, Context &, Root &root) -> Result<void> {
        if (!value.isArray())
            return fail(ErrorCode::InvalidArgument, path + ": must be an array of " + std::string(what));
        std::vector<std::string> out;
        for (const Json &item : value.asArray()) {
            if (!item.isString())
                return fail(ErrorCode::InvalidArgument, path + ": must be an array of " + std::string(what));
            out.push_back(item.asString());
        }
        fieldAt(root, first, rest...) = std::move(out);
        return ok();
    };
    return member;
}

/// A row with its own reader (a member that is not a plain field).
template <typename Root>
Member<Root> custom(std::string_view name, std::string_view field, ConfigValueKind kind,
                    std::function<Result<void>(const Json &, const std::string &, Context &, Root &)> read)
{
    return Member<Root>{.name = name, .field = field, .kind = kind, .read = std::move(read)};
}

/// A member accepted and ignored ("comment").
template <typename Root>
Member<Root> ignored(std::string_view name)
{
    return custom<Root>(name, "", ConfigValueKind::Any, [](const Json &, const std::string &, Context &, Root &) {
        return ok();
    });
}

/// Marks a row required.
template <typename Root>
Member<Root> required(Member<Root> member)
{
    member.required = true;
    return member;
}

/// An object member read with its own table into what `target` returns
/// (an accessor, which emplaces an optional target). `field` is the prefix of the
/// table's fields in this scope ("fetch": its "connectTimeout" is
/// "fetch.connectTimeout"); empty when the table's fields are already
/// relative to this scope's root.
template <typename Root, typename Target, typename Child = typename std::remove_reference_t<
                                               std::invoke_result_t<Target, Root &>>>
Member<Root> section(std::string_view name, std::string_view field, const Table<Child> &table, Target target)
{
    Member<Root> member{.name = name, .field = field, .kind = ConfigValueKind::Object};
    member.read = [&table, target](const Json &value, const std::string &path, Context &context,
                                   Root &root) -> Result<void> {
        return readObject(value, path, table, context, target(root));
    };
    member.describe = [&table](const std::string &path, const std::string &field, const std::string &scope,
                               std::vector<ConfigMember> &out) { describeTable(table, path, field, scope, out); };
    return member;
}

/// An array of objects, each read with `table` into an Element that `make`
/// builds from the object first (from its identifier, e.g. entity_id), then
/// handed to `add`. The element's fields are relative to Element: a new scope.
template <typename Root, typename Element>
Member<Root> objectArray(std::string_view name, const Table<Element> &table, bool nonEmpty,
                         std::function<Result<Element>(const Json &, const std::string &, Context &)> make,
                         std::function<Result<void>(Root &, Element &&, const std::string &, Context &)> add)
{
    Member<Root> member{.name = name, .field = "", .kind = ConfigValueKind::ObjectArray};
    member.read = [&table, nonEmpty, make, add](const Json &value, const std::string &path, Context &context,
                                                Root &root) -> Result<void> {
        if (!value.isArray() || (nonEmpty && value.asArray().empty()))
            return fail(ErrorCode::InvalidArgument,
                        path + ": must be " + (nonEmpty ? "a non-empty" : "an") + " array of objects");
        for (std::size_t i = 0; i < value.size(); ++i) {
            const Json &object = value.asArray()[i];
            const std::string where = path + "[" + std::to_string(i) + "]";
            if (!object.isObject())
                return fail(ErrorCode::InvalidArgument, where + " must be a JSON object");
            // A refusal that names no member names the element.
            auto named = [&where](Error error) {
                if (error.claim.empty())
                    error.claim = where;
                return fail(std::move(error));
            };
            Result<Element> element = make(object, where, context);
            if (!element)
                return named(std::move(element).error());
            if (Result<void> read = readObject(object, where, table, context, *element); !read)
                return named(std::move(read).error());
            if (Result<void> added = add(root, std::move(element).value(), where, context); !added)
                return named(std::move(added).error());
        }
        return ok();
    };
    member.describe = [&table](const std::string &path, const std::string &, const std::string &,
                               std::vector<ConfigMember> &out) {
        describeTable(table, path + "[]", "", path + "[]", out);
    };
    return member;
}

/// A "HOST:PORT" listen address ("listen", "admin.listen").
struct ListenAddress {
    std::string host{};
    std::uint16_t port = 0;
};

/// InvalidArgument "<path> must be HOST:PORT ..." or "<path>: the port must
/// be 1..65535".
Result<ListenAddress> parseListenAddress(const Json &value, const std::string &path);

/// The top-level "admin" member (admin_config.cpp): AdminSettings into
/// ServerOptions::admin.
Member<ServerConfig> adminSection();

/// The top-level "console" member (console_config.cpp): ConsoleSettings
/// into ServerOptions::console.
Member<ServerConfig> consoleSection();

} // namespace oidfed::server::config
