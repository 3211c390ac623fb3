#include <doctest/doctest.h>

#include <memory>
#include <string>

#include <oidfed/result.h>

using namespace oidfed;

namespace {

Result<int> half(int x)
{
    if (x % 2)
        return fail(ErrorCode::InvalidArgument, "odd");
    return x / 2;
}

Result<int> quarter(int x)
{
    OIDFED_TRY(int h, half(x));
    OIDFED_TRY(int q, half(h));
    return q;
}

Result<void> checkEven(int x)
{
    OIDFED_TRY_VOID(half(x));
    return ok();
}

} // namespace

TEST_CASE("Result holds a value or an error")
{
    Result<int> good = half(8);
    REQUIRE(good.has_value());
    CHECK(*good == 4);

    Result<int> bad = half(3);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("OIDFED_TRY propagates the first error")
{
    CHECK(*quarter(8) == 2);
    auto r = quarter(6);  // 6 -> 3 -> odd
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "odd");
    CHECK(checkEven(2).has_value());
    CHECK_FALSE(checkEven(1).has_value());
}

TEST_CASE("Result works with move-only types")
{
    Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
    REQUIRE(r);
    std::unique_ptr<int> p = std::move(r).value();
    CHECK(*p == 5);
}

TEST_CASE("Error context and names")
{
    Error e = Error(ErrorCode::BadType, "typ is JWT").withRule("3.2 typ").withClaim("typ").withEntity("https://a.example");
    CHECK(e.describe() == "bad_type: typ is JWT [rule 3.2 typ] [claim typ] [entity https://a.example]");
    CHECK(specErrorCode(ErrorCode::BadSignature) == "invalid_trust_chain");
    CHECK(specErrorCode(ErrorCode::PolicyConflict) == "invalid_metadata");
    CHECK(specErrorCode(ErrorCode::Unavailable) == "temporarily_unavailable");
    CHECK(errorCodeName(ErrorCode::LimitExceeded) == "limit_exceeded");
    // Automatic registration (12.1.3): the codes a verifier answers with.
    CHECK(specErrorCode(ErrorCode::InvalidMetadata) == "invalid_metadata");
    CHECK(specErrorCode(ErrorCode::InvalidRequestObject) == "invalid_request_object");
    CHECK(specErrorCode(ErrorCode::InvalidClient) == "invalid_client");
    CHECK(errorCodeName(ErrorCode::InvalidRequestObject) == "invalid_request_object");
}
