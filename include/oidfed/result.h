/// oidfed::Result<T> — a value or an Error, with std::expected's member names.
///
/// Every fallible function of the library returns a Result. It is
/// [[nodiscard]], so a failure cannot be dropped silently. Result<void>
/// carries only success or an Error. Thread safety: as for T.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include <oidfed/error.h>

namespace oidfed {

/// Wraps an Error so that Result<T> can be built from it unambiguously.
struct Unexpected {
    Error error;
};

inline Unexpected fail(ErrorCode code, std::string message)
{
    return Unexpected{Error(code, std::move(message))};
}

inline Unexpected fail(Error error)
{
    return Unexpected{std::move(error)};
}

template <typename T>
class [[nodiscard]] Result {
public:
    static_assert(!std::is_same_v<std::remove_cv_t<T>, Error>, "Result<Error> is ambiguous");

    Result(const T &value) : v_(std::in_place_index<0>, value) {}
    Result(T &&value) : v_(std::in_place_index<0>, std::move(value)) {}
    template <typename U>
        requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, Result> &&
                 !std::is_same_v<std::decay_t<U>, Unexpected> && !std::is_same_v<std::decay_t<U>, T>)
    Result(U &&value) : v_(std::in_place_index<0>, T(std::forward<U>(value)))
    {
    }
    Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {}

    bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    /// REQUIRES: has_value().
    T &value() & { assert(has_value()); return std::get<0>(v_); }
    const T &value() const & { assert(has_value()); return std::get<0>(v_); }
    T &&value() && { assert(has_value()); return std::get<0>(std::move(v_)); }

    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }
    T &&operator*() && { return std::move(*this).value(); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }

    /// REQUIRES: !has_value().
    const Error &error() const & { assert(!has_value()); return std::get<1>(v_); }
    Error &error() & { assert(!has_value()); return std::get<1>(v_); }
    Error &&error() && { assert(!has_value()); return std::get<1>(std::move(v_)); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Unexpected u) : error_(std::move(u.error)), ok_(false) {}

    bool has_value() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    void value() const { assert(ok_); }

    const Error &error() const & { assert(!ok_); return error_; }
    Error &error() & { assert(!ok_); return error_; }
    Error &&error() && { assert(!ok_); return std::move(error_); }

private:
    Error error_;
    bool ok_ = true;
};

/// Success value for Result<void>.
inline Result<void> ok()
{
    return {};
}

} // namespace oidfed

#define OIDFED_CONCAT_INNER_(a, b) a##b
#define OIDFED_CONCAT_(a, b) OIDFED_CONCAT_INNER_(a, b)

/// OIDFED_TRY(auto x, expr): evaluates expr (a Result); on error returns the
/// error from the enclosing function, else binds the value to the declaration.
/// OIDFED_TRY_VOID(expr) does the same for Result<void>. The only error macros.
#define OIDFED_TRY_IMPL_(tmp, decl, expr)                                                        \
    auto tmp = (expr);                                                                           \
    if (!tmp.has_value())                                                                        \
        return ::oidfed::Unexpected{std::move(tmp).error()};                                     \
    decl = std::move(tmp).value()
#define OIDFED_TRY(decl, expr) OIDFED_TRY_IMPL_(OIDFED_CONCAT_(oidfedTry_, __LINE__), decl, expr)
#define OIDFED_TRY_VOID(expr)                                                                    \
    do {                                                                                         \
        auto oidfedTryVoid_ = (expr);                                                            \
        if (!oidfedTryVoid_.has_value())                                                         \
            return ::oidfed::Unexpected{std::move(oidfedTryVoid_).error()};                      \
    } while (0)
