// The destination guard's address classification and policy (threats
// A01-A03): pure functions over IPv4/IPv6 tables, no network.
#include "fetch/address_guard.h"

#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <doctest/doctest.h>

using oidfed::ErrorCode;
using oidfed::fetch::AddressClass;
using oidfed::fetch::AddressGuard;
using oidfed::fetch::Cidr;
using oidfed::fetch::classifyAddress;
using oidfed::fetch::IpAddress;

namespace {

IpAddress ip(const std::string &text)
{
    auto parsed = IpAddress::parse(text);
    REQUIRE_MESSAGE(parsed.has_value(), text);
    return *parsed;
}

struct ClassCase {
    const char *address;
    AddressClass expected;
};

} // namespace

TEST_CASE("classifyAddress: IPv4 special-purpose blocks")
{
    const ClassCase cases[] = {
        {"0.0.0.0", AddressClass::Unspecified},
        {"0.1.2.3", AddressClass::Unspecified},
        {"127.0.0.1", AddressClass::Loopback},
        {"127.255.255.254", AddressClass::Loopback},
        {"10.0.0.1", AddressClass::Private},
        {"172.16.0.1", AddressClass::Private},
        {"172.31.255.255", AddressClass::Private},
        {"192.168.1.1", AddressClass::Private},
        {"100.64.0.1", AddressClass::SharedAddressSpace},
        {"100.127.255.255", AddressClass::SharedAddressSpace},
        {"169.254.169.254", AddressClass::LinkLocal},
        {"224.0.0.1", AddressClass::Multicast},
        {"239.255.255.250", AddressClass::Multicast},
        {"255.255.255.255", AddressClass::Reserved},
        {"240.0.0.1", AddressClass::Reserved},
        {"192.0.2.10", AddressClass::Reserved},
        {"198.18.0.1", AddressClass::Reserved},
        {"198.51.100.7", AddressClass::Reserved},
        {"203.0.113.9", AddressClass::Reserved},
        {"192.0.0.8", AddressClass::Reserved},
        // Neighbours of the blocks above are public.
        {"8.8.8.8", AddressClass::Public},
        {"1.1.1.1", AddressClass::Public},
        {"172.15.255.255", AddressClass::Public},
        {"172.32.0.1", AddressClass::Public},
        {"100.63.255.255", AddressClass::Public},
        {"100.128.0.1", AddressClass::Public},
        {"169.253.1.1", AddressClass::Public},
        {"11.0.0.1", AddressClass::Public},
        {"223.255.255.255", AddressClass::Public},
        {"192.169.0.1", AddressClass::Public},
    };
    for (const auto &c : cases) {
        CAPTURE(c.address);
        CHECK(classifyAddress(ip(c.address)) == c.expected);
    }
}

TEST_CASE("classifyAddress: IPv6 blocks, IPv4-mapped and NAT64 forms")
{
    const ClassCase cases[] = {
        {"::", AddressClass::Unspecified},
        {"::1", AddressClass::Loopback},
        {"::ffff:127.0.0.1", AddressClass::Loopback},
        {"::ffff:10.0.0.1", AddressClass::Private},
        {"::ffff:169.254.169.254", AddressClass::LinkLocal},
        {"::ffff:100.64.0.1", AddressClass::SharedAddressSpace},
        {"::ffff:0.0.0.0", AddressClass::Unspecified},
        {"::ffff:224.0.0.1", AddressClass::Multicast},
        {"::ffff:8.8.8.8", AddressClass::Public},
        {"64:ff9b::7f00:1", AddressClass::Loopback},     // NAT64 of 127.0.0.1
        {"64:ff9b::a00:1", AddressClass::Private},       // NAT64 of 10.0.0.1
        {"64:ff9b::808:808", AddressClass::Public},      // NAT64 of 8.8.8.8
        {"64:ff9b:1::1", AddressClass::Private},
        {"::127.0.0.1", AddressClass::Reserved},         // IPv4-compatible (deprecated)
        {"fd00::1", AddressClass::Private},
        {"fc00::1", AddressClass::Private},
        {"fec0::1", AddressClass::Private},
        {"fe80::1", AddressClass::LinkLocal},
        {"febf::1", AddressClass::LinkLocal},
        {"ff02::1", AddressClass::Multicast},
        {"2001:db8::1", AddressClass::Reserved},
        {"2001::1", AddressClass::Reserved},             // Teredo
        {"2002:7f00:1::1", AddressClass::Reserved},      // 6to4
        {"100::1", AddressClass::Reserved},
        {"3fff::1", AddressClass::Reserved},
        {"4000::1", AddressClass::Reserved},             // outside 2000::/3
        {"2606:4700:4700::1111", AddressClass::Public},
        {"2a00:1450:4001::1", AddressClass::Public},
        {"2001:4860:4860::8888", AddressClass::Public},  // 2001:4860 is outside 2001::/23
    };
    for (const auto &c : cases) {
        CAPTURE(c.address);
        CHECK(classifyAddress(ip(c.address)) == c.expected);
    }
}

TEST_CASE("IpAddress::parse accepts only canonical literals")
{
    CHECK(IpAddress::parse("127.0.0.1"));
    CHECK(IpAddress::parse("::ffff:127.0.0.1"));
    CHECK_FALSE(IpAddress::parse(""));
    CHECK_FALSE(IpAddress::parse("2130706433"));
    CHECK_FALSE(IpAddress::parse("0x7f.1"));
    CHECK_FALSE(IpAddress::parse("017700000001"));
    CHECK_FALSE(IpAddress::parse("[::1]"));
    CHECK_FALSE(IpAddress::parse("fe80::1%eth0"));
    CHECK_FALSE(IpAddress::parse("localhost"));
    CHECK(ip("::ffff:10.0.0.1").unmapped() == ip("10.0.0.1"));
    CHECK(ip("::ffff:10.0.0.1").toString() == "::ffff:10.0.0.1");
}

TEST_CASE("IpAddress::fromSockaddr reads AF_INET and AF_INET6")
{
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    inet_pton(AF_INET, "169.254.169.254", &v4.sin_addr);
    auto a = IpAddress::fromSockaddr(&v4, sizeof v4);
    REQUIRE(a);
    CHECK(*a == ip("169.254.169.254"));

    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    inet_pton(AF_INET6, "::ffff:127.0.0.1", &v6.sin6_addr);
    auto b = IpAddress::fromSockaddr(&v6, sizeof v6);
    REQUIRE(b);
    CHECK(classifyAddress(*b) == AddressClass::Loopback);

    CHECK_FALSE(IpAddress::fromSockaddr(&v6, sizeof v4));  // too short for AF_INET6
    sockaddr_in other{};
    other.sin_family = AF_UNIX;
    CHECK_FALSE(IpAddress::fromSockaddr(&other, sizeof other));
    CHECK_FALSE(IpAddress::fromSockaddr(nullptr, 0));
}

TEST_CASE("Cidr::parse and contains")
{
    auto ten = Cidr::parse("10.0.0.0/8");
    REQUIRE(ten);
    CHECK(ten->contains(ip("10.255.1.2")));
    CHECK(ten->contains(ip("::ffff:10.1.1.1")));
    CHECK_FALSE(ten->contains(ip("11.0.0.1")));
    CHECK_FALSE(ten->contains(ip("::1")));

    auto host = Cidr::parse("127.0.0.1");
    REQUIRE(host);
    CHECK(host->prefixLength == 32);
    CHECK(host->contains(ip("127.0.0.1")));
    CHECK_FALSE(host->contains(ip("127.0.0.2")));

    auto ula = Cidr::parse("fd12:3456::/32");
    REQUIRE(ula);
    CHECK(ula->contains(ip("fd12:3456::1")));
    CHECK_FALSE(ula->contains(ip("fd12:3457::1")));

    auto mapped = Cidr::parse("::ffff:192.168.0.0/112");
    REQUIRE(mapped);
    CHECK(mapped->contains(ip("192.168.7.7")));
    CHECK_FALSE(mapped->contains(ip("192.169.0.1")));

    auto odd = Cidr::parse("172.16.0.0/12");
    REQUIRE(odd);
    CHECK(odd->contains(ip("172.31.0.1")));
    CHECK_FALSE(odd->contains(ip("172.32.0.1")));

    for (const char *bad : {"", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8x", "example.org/8",
                            "10.0.0.0/08 ", "/8"}) {
        CAPTURE(bad);
        auto parsed = Cidr::parse(bad);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().code == ErrorCode::InvalidArgument);
    }
}

TEST_CASE("AddressGuard: default policy refuses every non-public destination")
{
    auto guard = AddressGuard::create(false, {});
    REQUIRE(guard);
    for (const char *refused : {"127.0.0.1", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "0.0.0.0", "::",
                                "169.254.169.254", "fd00::1", "fe80::1", "100.64.0.1", "224.0.0.1", "10.1.2.3",
                                "192.168.0.1", "172.20.0.1", "255.255.255.255", "2001:db8::1"}) {
        CAPTURE(refused);
        auto checked = guard->check(ip(refused));
        REQUIRE_FALSE(checked);
        CHECK(checked.error().code == ErrorCode::InvalidArgument);
    }
    for (const char *allowed : {"8.8.8.8", "93.184.216.34", "::ffff:8.8.8.8", "2606:4700:4700::1111"}) {
        CAPTURE(allowed);
        CHECK(guard->check(ip(allowed)));
    }
}

TEST_CASE("AddressGuard: allowLoopback opens loopback only")
{
    auto guard = AddressGuard::create(true, {});
    REQUIRE(guard);
    CHECK(guard->check(ip("127.0.0.1")));
    CHECK(guard->check(ip("127.1.2.3")));
    CHECK(guard->check(ip("::1")));
    CHECK(guard->check(ip("::ffff:127.0.0.1")));
    CHECK_FALSE(guard->check(ip("0.0.0.0")));
    CHECK_FALSE(guard->check(ip("::")));
    CHECK_FALSE(guard->check(ip("10.0.0.1")));
    CHECK_FALSE(guard->check(ip("169.254.169.254")));
    CHECK_FALSE(guard->check(ip("fd00::1")));
}

TEST_CASE("AddressGuard: allowed networks open their blocks, never unspecified or multicast")
{
    auto guard = AddressGuard::create(false, {"10.20.0.0/16", "fd00::/8", "127.0.0.1/32", "0.0.0.0/0"});
    REQUIRE(guard);
    CHECK(guard->check(ip("10.20.3.4")));
    CHECK(guard->check(ip("::ffff:10.20.3.4")));
    CHECK(guard->check(ip("fd00::1")));
    CHECK(guard->check(ip("127.0.0.1")));
    CHECK_FALSE(guard->check(ip("::1")));       // not in any listed block (0.0.0.0/0 is IPv4)
    CHECK_FALSE(guard->check(ip("0.0.0.0")));   // unspecified: always refused
    CHECK_FALSE(guard->check(ip("224.0.0.1"))); // multicast: always refused

    auto narrow = AddressGuard::create(false, {"10.20.0.0/16"});
    REQUIRE(narrow);
    CHECK_FALSE(narrow->check(ip("10.21.0.1")));
    CHECK_FALSE(narrow->check(ip("127.0.0.1")));

    auto bad = AddressGuard::create(false, {"10.0.0.0/8", "not-a-cidr"});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == ErrorCode::InvalidArgument);
}
