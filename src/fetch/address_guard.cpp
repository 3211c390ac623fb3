#include "fetch/address_guard.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/test_switch_hints.h"

namespace oidfed::fetch {

namespace {

/// A block of the classification tables: `prefix` bytes compared over
/// `bits` bits.
struct Block {
    std::array<std::uint8_t, 16> prefix;
    int bits;
    AddressClass addressClass;
};

bool matchesPrefix(const std::array<std::uint8_t, 16> &bytes, const std::array<std::uint8_t, 16> &prefix,
                   int bits) noexcept
{
    const int fullBytes = bits / 8;
    for (int i = 0; i < fullBytes; ++i) {
        if (bytes[i] != prefix[i])
            return false;
    }
    const int restBits = bits % 8;
    if (restBits == 0)
        return true;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - restBits));
    return (bytes[fullBytes] & mask) == (prefix[fullBytes] & mask);
}

// IPv4 special-purpose blocks (IANA IPv4 Special-Purpose Address Registry),
// most specific first where they overlap.
constexpr Block kV4Blocks[] = {
    {{0}, 8, AddressClass::Unspecified},                       // "this network"; 0.0.0.0 dials the local host
    {{10}, 8, AddressClass::Private},                          // RFC 1918
    {{100, 64}, 10, AddressClass::SharedAddressSpace},         // RFC 6598 CGNAT
    {{127}, 8, AddressClass::Loopback},                        // RFC 1122
    {{169, 254}, 16, AddressClass::LinkLocal},                 // RFC 3927, cloud metadata
    {{172, 16}, 12, AddressClass::Private},                    // RFC 1918
    {{192, 0, 0}, 24, AddressClass::Reserved},                 // IETF protocol assignments
    {{192, 0, 2}, 24, AddressClass::Reserved},                 // TEST-NET-1
    {{192, 88, 99}, 24, AddressClass::Reserved},               // 6to4 relay anycast (deprecated)
    {{192, 168}, 16, AddressClass::Private},                   // RFC 1918
    {{198, 18}, 15, AddressClass::Reserved},                   // benchmarking
    {{198, 51, 100}, 24, AddressClass::Reserved},              // TEST-NET-2
    {{203, 0, 113}, 24, AddressClass::Reserved},               // TEST-NET-3
    {{224}, 4, AddressClass::Multicast},                       // RFC 5771
    {{240}, 4, AddressClass::Reserved},                        // future use, 255.255.255.255 broadcast
};

// IPv6 special-purpose blocks. ::ffff:0:0/96 and 64:ff9b::/96 never get here:
// they are classified as the IPv4 address they carry.
constexpr Block kV6Blocks[] = {
    {{}, 128, AddressClass::Unspecified},                                        // ::
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, AddressClass::Loopback},  // ::1
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, AddressClass::Private},           // NAT64 local use
    {{0x01, 0x00}, 64, AddressClass::Reserved},                                  // discard-only
    {{0x20, 0x01, 0x0d, 0xb8}, 32, AddressClass::Reserved},                      // documentation
    {{0x20, 0x01, 0x00}, 23, AddressClass::Reserved},                            // IETF assignments, Teredo
    {{0x20, 0x02}, 16, AddressClass::Reserved},                                  // 6to4
    {{0x3f, 0xff, 0x00}, 20, AddressClass::Reserved},                            // documentation (RFC 9637)
    {{0xfc}, 7, AddressClass::Private},                                          // unique local
    {{0xfe, 0x80}, 10, AddressClass::LinkLocal},
    {{0xfe, 0xc0}, 10, AddressClass::Private},                                   // site-local (deprecated)
    {{0xff}, 8, AddressClass::Multicast},
};

constexpr std::array<std::uint8_t, 16> kV4MappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
constexpr std::array<std::uint8_t, 16> kNat64Prefix{0x00, 0x64, 0xff, 0x9b};
constexpr std::array<std::uint8_t, 16> kGlobalUnicastPrefix{0x20};  // 2000::/3

} // namespace

std::optional<IpAddress> IpAddress::parse(std::string_view text)
{
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN)
        return std::nullopt;
    char buffer[INET6_ADDRSTRLEN] = {};
    std::memcpy(buffer, text.data(), text.size());

    IpAddress address;
    if (inet_pton(AF_INET, buffer, address.bytes.data()) == 1) {
        address.family = Family::V4;
        return address;
    }
    if (inet_pton(AF_INET6, buffer, address.bytes.data()) == 1) {
        address.family = Family::V6;
        return address;
    }
    return std::nullopt;
}

std::optional<IpAddress> IpAddress::fromSockaddr(const void *sockaddr, std::size_t length)
{
    if (!sockaddr || length < sizeof(sa_family_t))
        return std::nullopt;
    sa_family_t family;
    std::memcpy(&family, static_cast<const char *>(sockaddr) + offsetof(sockaddr_storage, ss_family), sizeof family);

    IpAddress address;
    if (family == AF_INET && length >= sizeof(sockaddr_in)) {
        sockaddr_in in;
        std::memcpy(&in, sockaddr, sizeof in);
        address.family = Family::V4;
        std::memcpy(address.bytes.data(), &in.sin_addr, 4);
        return address;
    }
    if (family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
        sockaddr_in6 in6;
        std::memcpy(&in6, sockaddr, sizeof in6);
        address.family = Family::V6;
        std::memcpy(address.bytes.data(), &in6.sin6_addr, 16);
        return address;
    }
    return std::nullopt;
}

IpAddress IpAddress::unmapped() const
{
    if (family != Family::V6 || !(matchesPrefix(bytes, kV4MappedPrefix, 96) || matchesPrefix(bytes, kNat64Prefix, 96)))
        return *this;
    IpAddress v4;
    v4.family = Family::V4;
    std::copy(bytes.begin() + 12, bytes.end(), v4.bytes.begin());
    return v4;
}

std::string IpAddress::toString() const
{
    char buffer[INET6_ADDRSTRLEN] = {};
    if (!inet_ntop(family == Family::V4 ? AF_INET : AF_INET6, bytes.data(), buffer, sizeof buffer))
        return "?";
    return buffer;
}

std::string_view addressClassName(AddressClass addressClass) noexcept
{
    switch (addressClass) {
    case AddressClass::Public: return "public";
    case AddressClass::Unspecified: return "unspecified";
    case AddressClass::Loopback: return "loopback";
    case AddressClass::Private: return "private";
    case AddressClass::SharedAddressSpace: return "shared address space (CGNAT)";
    case AddressClass::LinkLocal: return "link-local";
    case AddressClass::Multicast: return "multicast";
    case AddressClass::Reserved: return "reserved";
    }
    return "reserved";
}

AddressClass classifyAddress(const IpAddress &input) noexcept
{
    const IpAddress address = input.unmapped();
    if (address.family == IpAddress::Family::V4) {
        for (const Block &block : kV4Blocks) {
            if (matchesPrefix(address.bytes, block.prefix, block.bits))
                return block.addressClass;
        }
        return AddressClass::Public;
    }
    for (const Block &block : kV6Blocks) {
        if (matchesPrefix(address.bytes, block.prefix, block.bits))
            return block.addressClass;
    }
    // Only 2000::/3 is allocated for global unicast; everything else left
    // (::/8 remainders such as IPv4-compatible addresses, unallocated space)
    // has no business being an upstream.
    if (!matchesPrefix(address.bytes, kGlobalUnicastPrefix, 3))
        return AddressClass::Reserved;
    return AddressClass::Public;
}

Result<Cidr> Cidr::parse(std::string_view text)
{
    auto refuse = [&] {
        return fail(ErrorCode::InvalidArgument, "allowed network '" + std::string(text) + "' is not a CIDR block");
    };

    const std::size_t slash = text.find('/');
    auto parsed = IpAddress::parse(text.substr(0, slash));
    if (!parsed)
        return refuse();

    const int maxBits = parsed->family == IpAddress::Family::V4 ? 32 : 128;
    int bits = maxBits;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || bits < 0 || bits > maxBits)
            return refuse();
    }

    Cidr cidr;
    cidr.network = *parsed;
    cidr.prefixLength = bits;
    // ::ffff:10.0.0.0/104 is the IPv4 block 10.0.0.0/8.
    if (parsed->family == IpAddress::Family::V6 && bits >= 96 && parsed->unmapped().family == IpAddress::Family::V4 &&
        matchesPrefix(parsed->bytes, kV4MappedPrefix, 96)) {
        cidr.network = parsed->unmapped();
        cidr.prefixLength = bits - 96;
    }
    return cidr;
}

bool Cidr::contains(const IpAddress &input) const noexcept
{
    const IpAddress address = input.unmapped();
    if (address.family != network.family)
        return false;
    return matchesPrefix(address.bytes, network.bytes, prefixLength);
}

Result<AddressGuard> AddressGuard::create(bool allowLoopback, const std::vector<std::string> &allowedNetworks)
{
    std::vector<Cidr> allowed;
    allowed.reserve(allowedNetworks.size());
    for (const std::string &text : allowedNetworks) {
        OIDFED_TRY(Cidr cidr, Cidr::parse(text));
        allowed.push_back(cidr);
    }
    return AddressGuard(allowLoopback, std::move(allowed));
}

Result<void> AddressGuard::check(const IpAddress &address) const
{
    const AddressClass addressClass = classifyAddress(address);
    switch (addressClass) {
    case AddressClass::Public:
        return ok();
    case AddressClass::Unspecified:
    case AddressClass::Multicast:
        break;  // never a valid destination, whatever the allow-list says
    case AddressClass::Loopback:
        if (allowLoopback_)
            return ok();
        [[fallthrough]];
    default:
        if (std::any_of(allowed_.begin(), allowed_.end(), [&](const Cidr &c) { return c.contains(address); }))
            return ok();
        break;
    }
    std::string why = "destination " + address.toString() + " is a " + std::string(addressClassName(addressClass)) +
                      " address; refused (SSRF guard)";
    if (addressClass == AddressClass::Loopback)
        why += "; " + std::string(kAllowLoopbackHint);
    return fail(ErrorCode::InvalidArgument, std::move(why));
}

} // namespace oidfed::fetch
