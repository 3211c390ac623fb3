// QueryParams: the parameters of a federation endpoint request (spec 8: GET
// query parameters, or a POST body), decoded as
// application/x-www-form-urlencoded with every repetition kept, because
// several parameters repeat (trust_anchor, entity_type) and a repeated
// single-valued one (sub) must be refused, not silently collapsed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <oidfed/result.h>

namespace oidfed::server {

struct QueryLimits {
    std::size_t maxBytes = 16384;       ///< whole encoded query or body
    std::size_t maxParameters = 64;
    std::size_t maxValueBytes = 4096;   ///< one decoded value
};

class QueryParams {
public:
    /// Decodes `encoded` ("a=1&b=2", '+' as space, %XX). Errors
    /// (InvalidArgument, mapped to invalid_request): a bad percent escape, a
    /// decoded NUL or control character, invalid UTF-8, and anything beyond
    /// `limits` (messages never echo the input).
    static Result<QueryParams> parse(std::string_view encoded, const QueryLimits &limits = {});

    /// Every value of `name`, in order.
    std::vector<std::string> all(std::string_view name) const;
    /// The single value of `name`: nullopt when absent; InvalidArgument when
    /// repeated (threat K03).
    Result<std::optional<std::string>> single(std::string_view name) const;
    bool has(std::string_view name) const;

    const std::vector<std::pair<std::string, std::string>> &items() const noexcept { return items_; }

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

} // namespace oidfed::server
