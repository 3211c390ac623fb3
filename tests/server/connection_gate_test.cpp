// ConnectionGate (threat K11): the cap on open connections, its tokens, and
// the metrics it keeps.

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "server/connection_gate.h"
#include "server/metrics.h"

using namespace oidfed::server;

TEST_CASE("the connection gate admits up to its limit and frees a slot when a token goes")
{
    Metrics metrics;
    ConnectionGate gate(2, &metrics);
    std::shared_ptr<void> a = gate.tryAdmit();
    std::shared_ptr<void> b = gate.tryAdmit();
    REQUIRE(a);
    REQUIRE(b);
    CHECK(gate.open() == 2);
    CHECK_FALSE(gate.tryAdmit());
    CHECK_FALSE(gate.tryAdmit());
    CHECK(gate.refused() == 2);

    std::shared_ptr<void> copy = a;  // a token shared by two owners holds one slot
    a.reset();
    CHECK(gate.open() == 2);
    copy.reset();
    CHECK(gate.open() == 1);
    std::shared_ptr<void> c = gate.tryAdmit();
    CHECK(c);

    const std::string text = metrics.render();
    CHECK(text.find("oidfed_http_connections_open 2\n") != std::string::npos);
    CHECK(text.find("# TYPE oidfed_http_connections_refused_total counter\n"
                    "oidfed_http_connections_refused_total 2\n") != std::string::npos);
}

TEST_CASE("connection tokens may outlive their gate")
{
    std::shared_ptr<void> token;
    {
        ConnectionGate gate(1, nullptr);
        token = gate.tryAdmit();
        REQUIRE(token);
    }
    token.reset();  // no use of a destroyed gate (ASan would tell)
}

TEST_CASE("the gate never exceeds its limit, and every refusal is counted")
{
    ConnectionGate gate(8, nullptr);
    std::vector<std::shared_ptr<void>> held;
    for (int i = 0; i < 100; ++i)
        if (auto token = gate.tryAdmit())
            held.push_back(std::move(token));
    CHECK(held.size() == 8);
    CHECK(gate.refused() == 92);
    held.clear();
    CHECK(gate.open() == 0);
}
