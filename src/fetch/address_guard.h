/// The destination guard of the fetcher (private header; threats A01-A04).
///
/// IpAddress is an IPv4 or IPv6 address in network byte order. Addresses are
/// classified with the IANA special-purpose registries in mind; an
/// IPv4-mapped IPv6 address (::ffff:a.b.c.d) is classified, and matched
/// against allowed networks, as the IPv4 address it carries, and so is a
/// NAT64 address (64:ff9b::a.b.c.d). AddressGuard decides whether the fetcher
/// may connect to an address. Everything here is pure and immutable once
/// built; share freely between threads.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <oidfed/result.h>

namespace oidfed::fetch {

struct IpAddress {
    enum class Family { V4, V6 };

    Family family = Family::V4;
    /// Network byte order; an IPv4 address uses bytes[0..3], the rest are 0.
    std::array<std::uint8_t, 16> bytes{};

    /// Parses a dotted-quad IPv4 or an RFC 4291 IPv6 literal (no brackets, no
    /// zone id). Empty on anything else, including "0x7f.1" style IPv4 forms.
    static std::optional<IpAddress> parse(std::string_view text);

    /// Reads an AF_INET or AF_INET6 socket address of `length` bytes; empty
    /// for any other family or a short length.
    static std::optional<IpAddress> fromSockaddr(const void *sockaddr, std::size_t length);

    /// The embedded IPv4 address of an IPv4-mapped (::ffff:0:0/96) or NAT64
    /// (64:ff9b::/96) IPv6 address; otherwise the address itself.
    IpAddress unmapped() const;

    /// Canonical text form (inet_ntop).
    std::string toString() const;

    friend bool operator==(const IpAddress &, const IpAddress &) = default;
};

enum class AddressClass {
    Public,              ///< globally routable unicast
    Unspecified,         ///< 0.0.0.0/8, ::
    Loopback,            ///< 127.0.0.0/8, ::1
    Private,             ///< 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10, 64:ff9b:1::/48
    SharedAddressSpace,  ///< 100.64.0.0/10 (carrier-grade NAT)
    LinkLocal,           ///< 169.254.0.0/16 (cloud metadata), fe80::/10
    Multicast,           ///< 224.0.0.0/4, ff00::/8
    Reserved,            ///< documentation, benchmarking, 240/4, broadcast, 6to4, Teredo, outside 2000::/3, ...
};

/// Stable lowercase name, e.g. "link-local".
std::string_view addressClassName(AddressClass addressClass) noexcept;

AddressClass classifyAddress(const IpAddress &address) noexcept;

/// A CIDR block, e.g. "10.0.0.0/8" or "fd00::/8"; a bare address is a /32 or
/// /128. An IPv4-mapped IPv6 block is stored as the IPv4 block it denotes.
struct Cidr {
    IpAddress network;
    int prefixLength = 0;

    /// InvalidArgument on a malformed block or a prefix out of range. Host
    /// bits beyond the prefix are ignored ("10.1.2.3/8" is 10.0.0.0/8).
    static Result<Cidr> parse(std::string_view text);

    /// Whether `address` (after unmapped()) lies in the block.
    bool contains(const IpAddress &address) const noexcept;
};

/// Policy: public addresses pass; loopback passes with allowLoopback; an
/// address inside an allowed network passes; unspecified and multicast
/// addresses never pass; everything else is refused.
class AddressGuard {
public:
    /// InvalidArgument when an entry of `allowedNetworks` is not a CIDR block.
    static Result<AddressGuard> create(bool allowLoopback, const std::vector<std::string> &allowedNetworks);

    /// ok, or InvalidArgument naming the address and its class.
    Result<void> check(const IpAddress &address) const;

private:
    AddressGuard(bool allowLoopback, std::vector<Cidr> allowed)
        : allowLoopback_(allowLoopback), allowed_(std::move(allowed))
    {
    }

    bool allowLoopback_ = false;
    std::vector<Cidr> allowed_;
};

} // namespace oidfed::fetch
