// A small federation for the registration tests, published on a FakeFetcher:
//
//     ta (anchor)
//     |-- im (intermediate) -- rp (relying party; publishes NO well-known EC)
//     `-- op (OpenID Provider)
//
// with requests built and signed the way an RP builds them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/json.h>
#include <oidfed/registration_request.h>
#include <oidfed/resolver.h>
#include <oidfed/result.h>

#include <doctest/doctest.h>

#include "fake_clock.h"
#include "fake_fetcher.h"
#include "test_federation.h"

namespace oidfed::test::registration {

inline constexpr UnixTime kNow = 1767800000;
inline constexpr const char *kTa = "https://ta.example";
inline constexpr const char *kIm = "https://im.example";
inline constexpr const char *kRp = "https://rp.example";
inline constexpr const char *kOp = "https://op.example";

/// What a test changes in the request the RP sends; defaults: a valid one.
struct RequestSpec {
    std::string op = kOp;                          ///< aud
    std::optional<UnixTime> iat{};                 ///< default: the federation's
    std::optional<UnixTime> exp{};
    std::vector<std::string> authorityHints{kIm};
    Json metadata{};                               ///< null: the RP's registered metadata
    std::vector<std::string> trustChain{};         ///< the trust_chain header
    std::vector<std::string> peerTrustChain{};     ///< the peer_trust_chain header
    Json extraClaims = Json::object();             ///< set over the claims (signedRequest only)
    bool signWithUnpublishedKey = false;           ///< signedRequest only
    /// Publish (jwks) and sign with a fresh key that no superior vouches for.
    bool signWithUnvouchedKey = false;
};

/// Statement options of the tests (http allowed for the fixture's ids).
StatementOptions testStatementOptions();
RegistrationRequestOptions requestOptions();

/// The RP's registered client metadata (openid_relying_party).
Json rpClientMetadata();

struct Federation {
    TestFederation fed;
    FakeFetcher fetcher;
    FakeClock clock{kNow};
    SubordinateClaims imClaims{};  ///< what ta says about im (policy...)
    SubordinateClaims rpClaims{};  ///< what im says about rp

    Federation();

    /// (Re)publishes every statement on the fetcher from the claims above.
    void publish();

    /// The RP's chain as it would present it: its (well-known form) EC,
    /// im's statement about it, ta's about im, ta's EC.
    std::vector<std::string> rpChain(std::optional<UnixTime> exp = std::nullopt) const;
    /// The OP's chain: its EC, ta's statement about it, ta's EC.
    std::vector<std::string> opChain() const;

    /// A request signed with issueRegistrationRequest; fails the test if it
    /// cannot be issued.
    std::string request(const RequestSpec &spec);
    Result<std::string> tryRequest(const RequestSpec &spec);
    /// A request signed directly (no issuing checks), with extraClaims set
    /// over the claims: for requests issueRegistrationRequest refuses.
    std::string signedRequest(const RequestSpec &spec);

    /// A resolver pinned on ta, over the fetcher.
    std::unique_ptr<Resolver> resolver(ResolverOptions options = {});
};

/// A refusal: its code, rule, claim and entity.
template <typename T>
void checkError(const Result<T> &r, ErrorCode code, std::string_view rule, std::string_view claim,
                std::string_view entity = kRp)
{
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
    CHECK(r.error().rule == rule);
    CHECK(r.error().claim == claim);
    CHECK(r.error().entityId == entity);
}

} // namespace oidfed::test::registration
