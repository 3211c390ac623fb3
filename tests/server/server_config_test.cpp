// The configuration file's tables (src/server/server_config_members.h): the
// allow-list, the reader and the map from a validate function's field to the
// JSON member are one table, so they cannot disagree. These tests hold that
// for every row, whatever rows are added: each is read (a value of the wrong
// type is refused naming it), each integer's range comes from a validate
// function and is reported with the member's JSON path, unknown members are
// refused at every level, and docs/configuration.md names every member.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>

#include "server/server_config.h"
#include "test_support.h"

using namespace oidfed;
using namespace oidfed::server;
using oidfed::test::json;

namespace {

constexpr const char *kHash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

// `text` with every %HASH% replaced by `hash`, as JSON.
Json withHash(const char *hash, std::string text)
{
    for (std::size_t at = text.find("%HASH%"); at != std::string::npos; at = text.find("%HASH%", at))
        text.replace(at, 6, hash);
    return json(text);
}

// Every section present with only its required members, so that any one
// member can be added to it.
Json baseConfig()
{
    return withHash(kHash, R"({"listen": "127.0.0.1:9000", "fetch": {}, "resolver_limits": {},
        "redis": {"sentinel": {"addresses": ["127.0.0.1:26379"], "master_name": "oidfed"}}, "trust_mark_verification": {}, "log": {},
        "admin": {"listen": "127.0.0.1:9001", "audit_log": "audit.log",
            "operators": [{"name": "alice", "token_sha256": "%HASH%", "role": "write"}]},
        "console": {},
        "entities": [{"entity_id": "https://op.example.org", "keys_dir": "k",
            "trust_mark_issuer": {"directory": "marks"},
            "trust_mark_sources": [{"trust_mark_type": "https://marks.example/t", "issuer": "https://tmi.example.org"}],
            "resolver": {"trust_anchors": [{"entity_id": "https://ta.example.org"}], "crawl": {}},
            "metadata": {"openid_provider": {"issuer": "https://op.example.org"}},
            "explicit_registration": {"client_store": {"type": "directory", "directory": "clients"},
                "trust_anchors": [{"entity_id": "https://ta.example.org"}]},
            "trust_api": {"callers": [{"name": "op-module", "token_sha256": "%HASH%"}],
                "trust_anchors": [{"entity_id": "https://ta.example.org"}]}}]})");
}

// "entities[].keys_dir" as the error names it: "entities[0].keys_dir".
std::string concrete(std::string path)
{
    for (std::size_t at = path.find("[]"); at != std::string::npos; at = path.find("[]", at))
        path.replace(at, 2, "[0]");
    return path;
}

// Sets the member at `path` (elements of arrays: the first) to `value`.
void setMember(Json &root, const std::string &path, Json value)
{
    Json *node = &root;
    std::size_t start = 0;
    for (std::size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', start)) {
        std::string part = path.substr(start, dot - start);
        const bool element = part.size() > 2 && part.compare(part.size() - 2, 2, "[]") == 0;
        if (element)
            part.resize(part.size() - 2);
        node = node->find(part);
        REQUIRE_MESSAGE(node != nullptr, "the base configuration has no " << part << " for " << path);
        if (element)
            node = &node->asArray()[0];
        start = dot + 1;
    }
    node->set(path.substr(start), std::move(value));
}

Error refusal(const Json &config)
{
    auto parsed = parseServerConfig(config, "/base");
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == ErrorCode::InvalidArgument);
    return parsed.error();
}

Error refusalWith(const std::string &path, Json value)
{
    Json config = baseConfig();
    setMember(config, path, std::move(value));
    return refusal(config);
}

// A value of another type than the member's.
Json wrongType(ConfigValueKind kind)
{
    switch (kind) {
    case ConfigValueKind::Integer:
    case ConfigValueKind::Boolean:
        return Json("x");
    default:
        return Json(std::int64_t{1});
    }
}

bool hasNestedMembers(const std::vector<ConfigMember> &members, const std::string &path)
{
    for (const ConfigMember &member : members)
        if (member.path.rfind(path + ".", 0) == 0 || member.path.rfind(path + "[].", 0) == 0)
            return true;
    return false;
}

std::string lastName(const std::string &path)
{
    const std::size_t dot = path.rfind('.');
    return dot == std::string::npos ? path : path.substr(dot + 1);
}

bool endsWith(const std::string &s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

TEST_CASE("the base configuration of these tests parses")
{
    auto parsed = parseServerConfig(baseConfig(), "/base");
    REQUIRE_MESSAGE(parsed, parsed.error().describe());
    CHECK(parsed->options.redis);
    CHECK(parsed->entities.at(0).entity.trustMarkIssuer);
    CHECK(parsed->entities.at(0).entity.resolver);
    CHECK(parsed->entities.at(0).registration);
    REQUIRE(parsed->entities.at(0).trustApi);
    const TrustApiSettings &api = *parsed->entities.at(0).trustApi;
    CHECK(api.clientEntityType == "openid_relying_party");
    REQUIRE(api.callers.size() == 1);
    CHECK(api.callers[0].name == "op-module");
    REQUIRE(api.callers[0].tokenSha256);
    CHECK((*api.callers[0].tokenSha256)[0] == 0x01);
    CHECK((*api.callers[0].tokenSha256)[31] == 0xef);
    REQUIRE(parsed->options.admin);
    const AdminSettings &admin = *parsed->options.admin;
    CHECK(admin.listenHost == "127.0.0.1");
    CHECK(admin.listenPort == 9001);
    CHECK(admin.auditLog == "/base/audit.log");
    CHECK(admin.maxBodyBytes == 262144);
    REQUIRE(admin.operators.size() == 1);
    CHECK(admin.operators[0].name == "alice");
    CHECK(admin.operators[0].role == AdminRole::Write);
    CHECK(admin.operators[0].tokenSha256[0] == 0x01);
}

TEST_CASE("admin: operators, roles and listen refused naming the member; off without it")
{
    const std::string hash = kHash;
    const std::string other = std::string(64, 'a');
    const struct {
        const char *name;
        std::string admin;  // the admin object
        const char *claim;
    } cases[] = {
        {"no operators", R"({"listen": "127.0.0.1:9001", "audit_log": "a"})", "admin.operators"},
        {"an empty list of operators", R"({"listen": "127.0.0.1:9001", "audit_log": "a", "operators": []})",
         "admin.operators"},
        {"no audit log", R"({"listen": "127.0.0.1:9001", "operators": [{"name": "a", "token_sha256": ")" + hash +
                              R"(", "role": "read"}]})",
         "admin.audit_log"},
        {"no listen", R"({"audit_log": "a", "operators": [{"name": "a", "token_sha256": ")" + hash +
                          R"(", "role": "read"}]})",
         "admin.listen"},
        {"a listen without a port", R"({"listen": "127.0.0.1", "audit_log": "a", "operators": [{"name": "a",
            "token_sha256": ")" + hash + R"(", "role": "read"}]})",
         "admin.listen"},
        {"an unknown role", R"({"listen": "127.0.0.1:9001", "audit_log": "a", "operators": [{"name": "a",
            "token_sha256": ")" + hash + R"(", "role": "admin"}]})",
         "admin.operators[0].role"},
        {"no role", R"({"listen": "127.0.0.1:9001", "audit_log": "a", "operators": [{"name": "a",
            "token_sha256": ")" + hash + R"("}]})",
         "admin.operators[0].role"},
        {"a token itself instead of its digest", R"({"listen": "127.0.0.1:9001", "audit_log": "a", "operators": [
            {"name": "a", "token_sha256": "secret-token", "role": "read"}]})",
         "admin.operators[0].token_sha256"},
        {"two operators of one name", R"({"listen": "127.0.0.1:9001", "audit_log": "a", "operators": [
            {"name": "a", "token_sha256": ")" + hash + R"(", "role": "read"},
            {"name": "a", "token_sha256": ")" + other + R"(", "role": "write"}]})",
         "admin.operators[1].name"},
        {"two operators with one token", R"({"listen": "127.0.0.1:9001", "audit_log": "a", "operators": [
            {"name": "a", "token_sha256": ")" + hash + R"(", "role": "read"},
            {"name": "b", "token_sha256": ")" + hash + R"(", "role": "write"}]})",
         "admin.operators[1].token_sha256"},
        {"a body cap under 1 KiB", R"({"listen": "127.0.0.1:9001", "audit_log": "a", "max_body_bytes": 1000,
            "operators": [{"name": "a", "token_sha256": ")" + hash + R"(", "role": "read"}]})",
         "admin.max_body_bytes"},
    };
    for (const auto &c : cases) {
        CAPTURE(c.name);
        Json config = baseConfig();
        config.set("admin", json(c.admin));
        Error error = refusal(config);
        CHECK_MESSAGE(error.claim == c.claim, error.message);
    }

    Json off = baseConfig();
    off.erase("admin");
    off.erase("console");
    auto parsed = parseServerConfig(off, "/base");
    REQUIRE_MESSAGE(parsed, parsed.error().describe());
    CHECK_FALSE(parsed->options.admin);
}

TEST_CASE("console: its path, and its data without admin operators, refused naming the member; off without it")
{
    const struct {
        const char *name;
        const char *console;  // the console object
        const char *claim;
    } cases[] = {
        {"the root", R"({"path": "/"})", "console.path"},
        {"no trailing slash", R"({"path": "/ui"})", "console.path"},
        {"a dot-dot segment", R"({"path": "/ui/../"})", "console.path"},
        {"an empty segment", R"({"path": "/ui//x/"})", "console.path"},
        {"a character outside the segment set", R"({"path": "/u%69/"})", "console.path"},
        {"no resolutions at once", R"({"max_concurrent_resolutions": 0})", "console.max_concurrent_resolutions"},
    };
    for (const auto &c : cases) {
        CAPTURE(c.name);
        Json config = baseConfig();
        config.set("console", json(c.console));
        Error error = refusal(config);
        CHECK_MESSAGE(error.claim == c.claim, error.message);
    }

    Json under = baseConfig();
    setMember(under, "entities[].entity_id", Json("https://op.example.org/ui/op"));
    under.set("console", json(R"({"path": "/ui/"})"));
    CHECK(refusal(under).claim == "console.path");

    Json withoutAdmin = baseConfig();
    withoutAdmin.erase("admin");
    CHECK(refusal(withoutAdmin).claim == "console.read_without_credentials");
    withoutAdmin.set("console", json(R"({"read_without_credentials": true})"));
    auto open = parseServerConfig(withoutAdmin, "/base");
    REQUIRE_MESSAGE(open, open.error().describe());
    REQUIRE(open->options.console);
    CHECK(open->options.console->path == "/ui/");
    CHECK(open->options.console->readWithoutCredentials);
    CHECK(open->options.console->maxConcurrentResolutions == 2);

    Json off = baseConfig();
    off.erase("console");
    auto parsed = parseServerConfig(off, "/base");
    REQUIRE_MESSAGE(parsed, parsed.error().describe());
    CHECK_FALSE(parsed->options.console);
}

TEST_CASE("a value out of range is refused with the member's JSON path")
{
    SUBCASE("top-level sections")
    {
        Error depth = refusalWith("resolver_limits.max_chain_depth", Json(std::int64_t{33}));
        CHECK(depth.claim == "resolver_limits.max_chain_depth");
        CHECK(depth.message == "resolver_limits.max_chain_depth: must be 1..32");

        Error connect = refusalWith("fetch.connect_timeout_ms", Json(std::int64_t{6000}));  // total is 5 s
        CHECK(connect.claim == "fetch.connect_timeout_ms");
        CHECK(connect.message.rfind("fetch.connect_timeout_ms: must be 1..5000 ms", 0) == 0);

        Error pool = refusalWith("redis.pool_size", Json(std::int64_t{65}));
        CHECK(pool.claim == "redis.pool_size");

        Error ttl = refusalWith("trust_mark_verification.status_cache_ttl_seconds", Json(std::int64_t{0}));
        CHECK(ttl.claim == "trust_mark_verification.status_cache_ttl_seconds");
        CHECK(ttl.message == "trust_mark_verification.status_cache_ttl_seconds: must be 1..3600 s");

        Error types = refusalWith("trust_mark_verification.status_types", json(R"([""])"));
        CHECK(types.claim == "trust_mark_verification.status_types");

        Error threads = refusalWith("threads", Json(std::int64_t{257}));
        CHECK(threads.claim == "threads");
        CHECK(threads.message == "threads: must be 0..256");
    }
    SUBCASE("a bound that is another member")
    {
        Json config = baseConfig();
        setMember(config, "resolver_limits.max_cache_ttl_seconds", Json(std::int64_t{100}));
        setMember(config, "resolver_limits.refresh_ahead_seconds", Json(std::int64_t{101}));
        CHECK(refusal(config).claim == "resolver_limits.refresh_ahead_seconds");
    }
    SUBCASE("a hosted entity's members, with the element's index")
    {
        Json config = baseConfig();
        config.find("entities")->asArray().push_back(
            json(R"({"entity_id": "https://rp.example.org", "keys_dir": "k2", "configuration_lifetime_seconds": 59})"));
        Error lifetime = refusal(config);
        CHECK(lifetime.claim == "entities[1].configuration_lifetime_seconds");
        CHECK(lifetime.message == "entities[1].configuration_lifetime_seconds: must be 60..31536000 s");

        Error delegation =
            refusalWith("entities[].trust_mark_issuer.delegation_lifetime_seconds", Json(std::int64_t{60}));
        CHECK(delegation.claim == "entities[0].trust_mark_issuer.delegation_lifetime_seconds");

        Error retired = refusalWith("entities[].retired_key_lifetime_seconds", Json(std::int64_t{3599}));
        CHECK(retired.claim == "entities[0].retired_key_lifetime_seconds");
    }
    SUBCASE("a negative count is refused as such")
    {
        Error negative = refusalWith("fetch.max_waiting_per_host", Json(std::int64_t{-1}));
        CHECK(negative.message == "fetch.max_waiting_per_host: must not be negative");
    }
}

TEST_CASE("every row of the tables is read, and every integer's range names its member")
{
    const std::vector<ConfigMember> members = describeServerConfig();
    REQUIRE(members.size() > 60);
    std::size_t integers = 0;
    for (const ConfigMember &member : members) {
        CAPTURE(member.path);
        if (member.kind == ConfigValueKind::Any)
            continue;
        // Read: a value of the wrong type is refused, naming the member.
        Error typed = refusalWith(member.path, wrongType(member.kind));
        CHECK_MESSAGE(typed.message.find(concrete(member.path)) != std::string::npos, typed.message);
        if (member.kind != ConfigValueKind::Integer)
            continue;
        // Checked: every integer has a range in a validate function, and the
        // refusal is mapped back to this member.
        ++integers;
        CHECK_FALSE(member.field.empty());
        Error range = refusalWith(member.path, Json(std::int64_t{1000000000000}));
        CHECK(range.claim == concrete(member.path));
        CHECK(range.message.rfind(concrete(member.path) + ": must be ", 0) == 0);
        // The unit of a duration is the member name's.
        if (member.unit == "ms")
            CHECK(endsWith(member.path, "_ms"));
        else if (member.unit == "s")
            CHECK(endsWith(member.path, "_seconds"));
        else
            CHECK_FALSE((endsWith(member.path, "_ms") || endsWith(member.path, "_seconds")));
    }
    CHECK(integers > 30);
}

TEST_CASE("an unknown member is refused in every object of the file")
{
    Error top = refusal([] {
        Json config = baseConfig();
        config.set("listn", "x");
        return config;
    }());
    CHECK(top.message == "unknown member listn");

    for (const ConfigMember &member : describeServerConfig()) {
        if (!hasNestedMembers(describeServerConfig(), member.path))
            continue;
        CAPTURE(member.path);
        const std::string inner =
            member.path + (member.kind == ConfigValueKind::ObjectArray ? "[]" : "") + ".no_such_member";
        Error unknown = refusalWith(inner, Json(std::int64_t{1}));
        CHECK(unknown.message == "unknown member " + concrete(inner));
    }
}

TEST_CASE("docs/configuration.md names every member of the file")
{
    const char *source = std::getenv("OIDFED_SOURCE_DIR");
    REQUIRE(source != nullptr);
    const std::string doc =
        oidfed::test::readFile((std::filesystem::path(source) / "docs" / "configuration.md").string());
    const std::size_t section = doc.find("## `oidfed serve` configuration file");
    REQUIRE(section != std::string::npos);
    const std::string fileSection = doc.substr(section);
    for (const ConfigMember &member : describeServerConfig()) {
        const std::string name = lastName(member.path);
        CHECK_MESSAGE(fileSection.find("`" + name + "`") != std::string::npos,
                      "docs/configuration.md does not document the member " << member.path);
    }
}

TEST_CASE("explicit_registration: what no single member says is refused naming the member")
{
    struct Case {
        const char *name;
        const char *registration;  // the explicit_registration object
        const char *claim;         // after "entities[0].explicit_registration"
        bool withoutProvider = false;
    };
    const Case cases[] = {
        {"an rfc7591 store without its endpoint",
         R"({"client_store": {"type": "rfc7591", "directory": "s", "initial_access_token_env": "T"}})",
         ".client_store.registration_endpoint"},
        {"an rfc7591 store with both token sources",
         R"({"client_store": {"type": "rfc7591", "directory": "s", "registration_endpoint": "https://op.example.org/reg",
             "initial_access_token_env": "T", "initial_access_token_file": "t"}})",
         ".client_store"},
        {"an rfc7591 store with no token source",
         R"({"client_store": {"type": "rfc7591", "directory": "s", "registration_endpoint": "https://op.example.org/reg"}})",
         ".client_store"},
        {"a directory store with the bridge's members",
         R"({"client_store": {"type": "directory", "directory": "s", "initial_access_token_env": "T"}})",
         ".client_store"},
        {"a body cap over max_request_bytes",
         R"({"max_body_bytes": 1048576, "client_store": {"type": "directory", "directory": "s"}})",
         ".max_body_bytes"},
        {"an entity type the metadata lacks",
         R"({"entity_type": "oauth_authorization_server", "client_store": {"type": "directory", "directory": "s"}})",
         ".entity_type"},
        {"an entity that is no provider", R"({"client_store": {"type": "directory", "directory": "s"}})", "", true},
    };
    for (const Case &c : cases) {
        CAPTURE(c.name);
        Json config = baseConfig();
        Json &entity = config.find("entities")->asArray()[0];
        entity.set("explicit_registration", json(c.registration));
        if (c.withoutProvider)
            entity.set("metadata", json(R"({"federation_entity": {}})"));
        Error error = refusal(config);
        CHECK(error.claim == std::string("entities[0].explicit_registration") + c.claim);
    }
    // An http endpoint only with allow_http.
    Json config = baseConfig();
    config.find("entities")->asArray()[0].set(
        "explicit_registration",
        json(R"({"client_store": {"type": "rfc7591", "directory": "s", "registration_endpoint": "http://op.example.org/reg",
             "initial_access_token_env": "T"}})"));
    CHECK(refusal(config).claim == "entities[0].explicit_registration.client_store.registration_endpoint");
    config.find("entities")->asArray()[0].find("explicit_registration")->find("client_store")->set("allow_http", true);
    auto parsed = parseServerConfig(config, "/base");
    CHECK_MESSAGE(parsed, parsed.error().describe());
}

TEST_CASE("redis: a url or a sentinel, never both or neither; sentinel refusals name their member")
{
    Json both = baseConfig();
    both.find("redis")->set("url", "redis://127.0.0.1:6380");
    CHECK(refusal(both).claim == "redis.url");

    Json neither = baseConfig();
    neither.set("redis", json(R"({"key_prefix": "x:"})"));
    CHECK(refusal(neither).claim == "redis.url");

    Json url = baseConfig();
    url.set("redis", json(R"({"url": "redis://127.0.0.1:6380"})"));
    auto parsed = parseServerConfig(url, "/base");
    REQUIRE_MESSAGE(parsed, parsed.error().describe());
    CHECK_FALSE(parsed->options.redis->sentinel);

    parsed = parseServerConfig(baseConfig(), "/base");
    REQUIRE(parsed);
    REQUIRE(parsed->options.redis->sentinel);
    CHECK(parsed->options.redis->sentinel->addresses == std::vector<std::string>{"127.0.0.1:26379"});
    CHECK(parsed->options.redis->sentinel->masterName == "oidfed");

    CHECK(refusalWith("redis.sentinel.addresses", json(R"(["127.0.0.1:99999"])")).claim == "redis.sentinel.addresses");
    CHECK(refusalWith("redis.sentinel.addresses", json("[]")).claim == "redis.sentinel.addresses");
    CHECK(refusalWith("redis.sentinel.master_name", Json("two words")).claim == "redis.sentinel.master_name");
    Error user = refusalWith("redis.sentinel.master_user", Json("oidfed"));  // without master_password
    CHECK(user.claim == "redis.sentinel.master_user");
    CHECK(user.message.rfind("redis.sentinel.master_user: ", 0) == 0);
}

TEST_CASE("trust_api: callers and what no single member says are refused naming the member")
{
    struct Case {
        const char *name;
        std::string api;    // the trust_api object
        const char *claim;  // after "entities[0].trust_api"
        bool withoutProvider = false;
    };
    const std::string hash = kHash;
    const Case cases[] = {
        {"an unknown member", R"({"callers": [{"name": "m", "token_sha256": "%HASH%"}], "tokens": 1})", ".tokens"},
        {"no callers", R"({"trust_anchors": [{"entity_id": "https://ta.example.org"}]})", ".callers"},
        {"an empty list of callers", R"({"callers": []})", ".callers"},
        {"a caller without a name", R"({"callers": [{"token_sha256": "%HASH%"}]})", ".callers[0].name"},
        {"two callers of one name",
         R"({"callers": [{"name": "m", "token_sha256": "%HASH%"}, {"name": "m", "entity_id": "https://m.example.org"}]})",
         ".callers[1].name"},
        {"a digest in upper case", R"({"callers": [{"name": "m", "token_sha256": ")" + std::string(64, 'A') + R"("}]})",
         ".callers[0].token_sha256"},
        {"a digest too short", R"({"callers": [{"name": "m", "token_sha256": ")" + hash.substr(2) + R"("}]})",
         ".callers[0].token_sha256"},
        {"a digest that is no hex", R"({"callers": [{"name": "m", "token_sha256": ")" + std::string(64, 'g') + R"("}]})",
         ".callers[0].token_sha256"},
        {"a caller with a token and an entity",
         R"({"callers": [{"name": "m", "token_sha256": "%HASH%", "entity_id": "https://m.example.org"}]})",
         ".callers[0]"},
        {"a caller with neither", R"({"callers": [{"name": "m"}]})", ".callers[0]"},
        {"a caller entity that is no Entity Identifier",
         R"({"callers": [{"name": "m", "entity_id": "http://m.example.org"}]})", ".callers[0].entity_id"},
        {"an audience that is no URL",
         R"({"callers": [{"name": "m", "token_sha256": "%HASH%"}], "assertion_audiences": ["token endpoint"]})",
         ".assertion_audiences"},
        {"a body cap over max_request_bytes",
         R"({"callers": [{"name": "m", "token_sha256": "%HASH%"}], "max_body_bytes": 1048576})", ".max_body_bytes"},
        {"a JWT lifetime over an hour",
         R"({"callers": [{"name": "m", "token_sha256": "%HASH%"}], "max_jwt_lifetime_seconds": 3601})",
         ".max_jwt_lifetime_seconds"},
        {"federation_entity as the client type",
         R"({"callers": [{"name": "m", "token_sha256": "%HASH%"}], "client_entity_type": "federation_entity"})",
         ".client_entity_type"},
        {"an entity that is no provider, server nor issuer",
         R"({"callers": [{"name": "m", "token_sha256": "%HASH%"}]})", "", true},
    };
    for (const Case &c : cases) {
        CAPTURE(c.name);
        Json config = baseConfig();
        Json &entity = config.find("entities")->asArray()[0];
        entity.set("trust_api", withHash(kHash, c.api));
        if (c.withoutProvider) {
            entity.set("metadata", withHash(kHash, R"({"federation_entity": {}})"));
            entity.erase("explicit_registration");
        }
        Error error = refusal(config);
        CHECK_MESSAGE(error.claim == std::string("entities[0].trust_api") + c.claim, error.message);
        CHECK(error.message.find("entities[0].trust_api") != std::string::npos);
    }

    // Without its own anchors and without a resolver: refused; with the
    // resolver's: accepted. An authorization server's clients are
    // oauth_client by default.
    Json config = baseConfig();
    Json &entity = config.find("entities")->asArray()[0];
    entity.set("trust_api", withHash(kHash, R"({"callers": [{"name": "m", "entity_id": "https://m.example.org"}]})"));
    entity.set("metadata", withHash(kHash, R"({"oauth_authorization_server": {"issuer": "https://op.example.org"}})"));
    entity.erase("explicit_registration");
    auto parsed = parseServerConfig(config, "/base");
    REQUIRE_MESSAGE(parsed, parsed.error().describe());
    CHECK(parsed->entities[0].trustApi->clientEntityType == "oauth_client");
    CHECK(parsed->entities[0].trustApi->callers[0].entityId->str() == "https://m.example.org");
    entity.erase("resolver");
    CHECK(refusal(config).claim == "entities[0].trust_api.trust_anchors");
}
