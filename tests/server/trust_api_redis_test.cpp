// The trust API of two `oidfed serve` replicas sharing a real redis-server
// (skipped, exit 77, without one; a failure in CI): a Request Object's jti
// used at one replica is refused at the other (issue 17: "a replayed jti on
// another replica"), and so is a spec 8.8 caller assertion's.

#include <doctest/doctest.h>

#include <cstdlib>
#include <ctime>

#include "background_process.h"
#include "trust_api_federation.h"

using namespace oidfed;
using namespace oidfed::test::trust_api;
using test::HttpReply;

TEST_CASE("replicas on one Redis refuse a jti used at the other")
{
    const std::string url = std::getenv("OIDFED_TEST_REDIS");
    const std::string redis = "\"redis\": {\"url\": \"" + url + "\", \"key_prefix\": \"trust-api-test-" +
                              std::to_string(std::time(nullptr)) + ":\"},";
    TrustApiFederation t("", "", "", redis);
    const int replicaPort = test::freeLoopbackPort();
    std::unique_ptr<test::BackgroundProcess> replica = t.fed->startReplica(replicaPort);
    auto atReplica = [&](const std::string &call, const std::string &body, const std::vector<std::string> &extra) {
        std::vector<std::string> headers{"Content-Type: application/x-www-form-urlencoded", "Expect:"};
        headers.insert(headers.end(), extra.begin(), extra.end());
        return test::httpRequest("http://127.0.0.1:" + std::to_string(replicaPort) + "/op/trust-api/" + call, headers,
                                 "POST", body);
    };
    const std::string bearer = "Authorization: Bearer " + t.token;

    // A Request Object verified at the first replica, replayed at the second.
    const std::string request = sign(t.requestObjectClaims(), "oauth-authz-req+jwt", t.protocolKey);
    checkVerified(t, t.call("request-object", {{"request", request}}), true);
    HttpReply replayed = atReplica("request-object", form({{"request", request}}), {bearer});
    checkRefusal(replayed, 400, "invalid_request_object", "12.1.1.1 jti single use");
    // A fresh one is verified at the second replica.
    checkVerified(t,
                  atReplica("request-object",
                            form({{"request", sign(t.requestObjectClaims(), "oauth-authz-req+jwt", t.protocolKey)}}),
                            {bearer}),
                  true);

    // A caller's assertion used at one replica, and its jti again at the other.
    const std::string jti = uniqueJti();
    auto first = t.callerAuth("client", nullptr, jti);
    first.push_back({"client_id", t.rp()});
    checkVerified(t, t.post("client", form(first)), false);
    auto again = t.callerAuth("client", nullptr, jti);
    again.push_back({"client_id", t.rp()});
    checkUnauthenticated(atReplica("client", form(again), {}));
}
