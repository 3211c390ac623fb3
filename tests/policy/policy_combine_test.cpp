// Combination of chain policies (6.1.4.1): structure checks,
// metadata_policy_crit, unknown operators, errors that name the parameter,
// operators, values and issuers, provenance, and the extension point
// (additional operators registered in an OperatorRegistry, 6.1.3.2).

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <oidfed/metadata_policy.h>

#include "test_support.h"

using namespace oidfed;
using oidfed::test::json;

namespace {

constexpr const char *kTa = "https://ta.example";
constexpr const char *kInt = "https://int.example";

PolicyStatement statement(const char *issuer, std::string_view policy, std::vector<std::string> crit = {})
{
    return PolicyStatement{issuer, json(policy), std::move(crit)};
}

Result<ResolvedPolicy> combine(std::vector<PolicyStatement> statements,
                               const OperatorRegistry &registry = OperatorRegistry::standard())
{
    return combinePolicies(statements, registry);
}

bool contains(const std::string &text, std::string_view part)
{
    return text.find(part) != std::string::npos;
}

/// An additional check operator: every string of the parameter (or the
/// parameter itself) must start with the operator value. Merging keeps the
/// longer prefix when one extends the other; anything else is a conflict.
class PrefixOperator final : public PolicyOperator {
public:
    std::string_view name() const noexcept override { return "prefix"; }
    int order() const noexcept override { return 650; }  // a check: after superset_of, before essential
    Result<void> checkOperatorValue(const Json &value) const override
    {
        if (!value.isString())
            return fail(ErrorCode::PolicyConflict, "prefix value must be a string");
        return ok();
    }
    Result<Json> merge(const Json &superior, const Json &subordinate) const override
    {
        const std::string &a = superior.asString();
        const std::string &b = subordinate.asString();
        if (b.rfind(a, 0) == 0)
            return subordinate;
        if (a.rfind(b, 0) == 0)
            return superior;
        return fail(ErrorCode::PolicyConflict, "prefixes " + a + " and " + b + " are incompatible");
    }
    Result<void> checkCombination(const Json &, const ParameterPolicy &policy) const override
    {
        if (policy.find("one_of"))
            return fail(Error(ErrorCode::PolicyConflict, "prefix and one_of cannot be combined").withClaim("one_of"));
        return ok();
    }
    Result<std::optional<Json>> apply(const Json &own, std::optional<Json> current) const override
    {
        if (!current)
            return current;
        auto good = [&](const Json &v) { return v.isString() && v.asString().rfind(own.asString(), 0) == 0; };
        bool all = current->isArray() ? std::all_of(current->asArray().begin(), current->asArray().end(), good)
                                      : good(*current);
        if (!all)
            return fail(ErrorCode::PolicyViolation, "does not start with " + own.asString());
        return current;
    }
};

/// An additional modifier: removes listed values from an array parameter.
class RemoveOperator final : public PolicyOperator {
public:
    std::string_view name() const noexcept override { return "remove"; }
    int order() const noexcept override { return 150; }  // after value, before add
    Result<void> checkOperatorValue(const Json &value) const override
    {
        if (!value.isArray())
            return fail(ErrorCode::PolicyConflict, "remove value must be an array");
        return ok();
    }
    Result<Json> merge(const Json &superior, const Json &subordinate) const override
    {
        Json out = superior;
        for (const Json &v : subordinate.asArray())
            if (std::find(out.asArray().begin(), out.asArray().end(), v) == out.asArray().end())
                out.push(v);
        return out;
    }
    Result<void> checkCombination(const Json &, const ParameterPolicy &) const override { return ok(); }
    Result<std::optional<Json>> apply(const Json &own, std::optional<Json> current) const override
    {
        if (!current || !current->isArray())
            return current;
        Json out = Json::array();
        for (const Json &v : current->asArray())
            if (std::find(own.asArray().begin(), own.asArray().end(), v) == own.asArray().end())
                out.push(v);
        return std::optional<Json>(std::move(out));
    }
};

} // namespace

TEST_CASE("statements without metadata_policy are skipped; none at all gives an absent policy")
{
    std::vector<PolicyStatement> none{PolicyStatement{kTa, std::nullopt, {}}};
    auto resolved = combinePolicies(none, OperatorRegistry::standard());
    REQUIRE(resolved);
    CHECK_FALSE(resolved->present);
    CHECK(resolved->toJson() == json("{}"));

    auto one = combine({PolicyStatement{kTa, std::nullopt, {}}, statement(kInt, R"({"openid_provider":{}})")});
    REQUIRE(one);
    CHECK(one->present);
    CHECK(one->toJson() == json(R"({"openid_provider":{}})"));
}

TEST_CASE("structure errors are policy errors naming the statement")
{
    for (const char *bad : {R"([])", R"({"openid_provider":[]})", R"({"openid_provider":{"p":["a"]}})",
                            R"({"openid_provider":{"p":{"subset_of":"a"}}})"}) {
        CAPTURE(bad);
        auto resolved = combine({statement(kTa, "{}"), statement(kInt, bad)});
        REQUIRE_FALSE(resolved);
        CHECK(resolved.error().code == ErrorCode::PolicyConflict);
        CHECK(resolved.error().entityId == kInt);
    }
}

TEST_CASE("an illegal combination inside one statement is caught before merging")
{
    auto resolved = combine({statement(kTa, R"({"openid_relying_party":{"grant_types":{"value":[],"add":["x"]}}})")});
    REQUIRE_FALSE(resolved);
    CHECK(resolved.error().code == ErrorCode::PolicyConflict);
    CHECK(resolved.error().claim == "grant_types");
    CHECK(resolved.error().entityId == kTa);
}

TEST_CASE("merge conflicts name parameter, operators, values and issuers")
{
    auto resolved = combine({statement(kTa, R"({"openid_relying_party":{"alg":{"value":"RS256"}}})"),
                             statement(kInt, R"({"openid_relying_party":{"alg":{"value":"ES256"}}})")});
    REQUIRE_FALSE(resolved);
    const Error &error = resolved.error();
    CHECK(error.code == ErrorCode::PolicyConflict);
    CHECK(error.claim == "alg");
    CHECK(error.entityId == kInt);
    CHECK(error.rule == "6.1.4.1");
    CHECK(contains(error.message, "openid_relying_party.alg"));
    CHECK(contains(error.message, R"(value "RS256" (from https://ta.example))"));
    CHECK(contains(error.message, R"(value "ES256" (from https://int.example))"));
}

TEST_CASE("combination errors after merging name both operators and their issuers")
{
    auto resolved = combine({statement(kTa, R"({"openid_relying_party":{"gt":{"subset_of":["a","b"]}}})"),
                             statement(kInt, R"({"openid_relying_party":{"gt":{"add":["c"]}}})")});
    REQUIRE_FALSE(resolved);
    const Error &error = resolved.error();
    CHECK(error.code == ErrorCode::PolicyConflict);
    CHECK(error.claim == "gt");
    CHECK(error.entityId == kInt);
    CHECK(contains(error.message, R"(add ["c"] (from https://int.example))"));
    CHECK(contains(error.message, R"(subset_of ["a","b"] (from https://ta.example))"));
    CHECK(contains(error.message, "after merging"));
}

TEST_CASE("Entity Types and parameters new to the current policy are copied")
{
    auto resolved = combine({statement(kTa, R"({"openid_provider":{"a":{"value":1}}})"),
                             statement(kInt, R"({"openid_relying_party":{"b":{"essential":true}},
                                                 "openid_provider":{"c":{"default":"x"}}})")});
    REQUIRE(resolved);
    CHECK(resolved->toJson() == json(R"({"openid_provider":{"a":{"value":1},"c":{"default":"x"}},
                                         "openid_relying_party":{"b":{"essential":true}}})"));
}

TEST_CASE("provenance: each operator value records the statements that contributed")
{
    auto resolved = combine({statement(kTa, R"({"openid_relying_party":{"contacts":{"add":["a"]},"x":{"value":1}}})"),
                             statement("https://mid.example", R"({"openid_relying_party":{"x":{"essential":true}}})"),
                             statement(kInt, R"({"openid_relying_party":{"contacts":{"add":["b"]}}})")});
    REQUIRE(resolved);
    const ParameterPolicy *contacts = resolved->find("openid_relying_party", "contacts");
    REQUIRE(contacts);
    CHECK(contacts->find("add")->issuers == std::vector<std::string>{kTa, kInt});
    const ParameterPolicy *x = resolved->find("openid_relying_party", "x");
    REQUIRE(x);
    CHECK(x->find("value")->issuers == std::vector<std::string>{kTa});
    CHECK(x->find("essential")->issuers == std::vector<std::string>{"https://mid.example"});
    CHECK(resolved->find("openid_provider") == nullptr);
}

TEST_CASE("metadata_policy_crit: unknown critical operators fail, unknown others are ignored")
{
    const char *withRegexp = R"({"openid_relying_party":{"client_name":{"regexp":"^a","essential":true}}})";

    SUBCASE("not critical: ignored and dropped from the resolved policy (threat H05)")
    {
        auto resolved = combine({statement(kTa, withRegexp)});
        REQUIRE(resolved);
        CHECK(resolved->toJson() == json(R"({"openid_relying_party":{"client_name":{"essential":true}}})"));
    }
    SUBCASE("critical in the statement that uses it (threat H04)")
    {
        auto resolved = combine({statement(kTa, withRegexp, {"regexp"})});
        REQUIRE_FALSE(resolved);
        CHECK(resolved.error().code == ErrorCode::UnknownCritical);
        CHECK(resolved.error().claim == "client_name");
        CHECK(resolved.error().entityId == kTa);
    }
    SUBCASE("critical in any statement of the chain covers every statement (6.1.4.1 step 1)")
    {
        auto resolved = combine({statement(kTa, withRegexp), statement(kInt, "{}", {"regexp"})});
        REQUIRE_FALSE(resolved);
        CHECK(resolved.error().code == ErrorCode::UnknownCritical);
    }
    SUBCASE("critical but understood")
    {
        auto registry = OperatorRegistry::standard();
        REQUIRE(registry.add(std::make_shared<PrefixOperator>()));
        auto resolved = combine({statement(kTa, R"({"openid_relying_party":{"client_name":{"prefix":"a"}}})",
                                           {"prefix"})},
                                registry);
        CHECK(resolved);
    }
    SUBCASE("a standard operator in metadata_policy_crit is rejected")
    {
        auto resolved = combine({statement(kTa, "{}", {"value"})});
        REQUIRE_FALSE(resolved);
        CHECK(resolved.error().code == ErrorCode::InvalidClaim);
    }
}

TEST_CASE("parseMetadataPolicyCrit (threat H06)")
{
    CHECK(*parseMetadataPolicyCrit(json(R"(["regexp","prefix"])")) == std::vector<std::string>{"regexp", "prefix"});
    CHECK(parseMetadataPolicyCrit(json("[]")).error().code == ErrorCode::InvalidClaim);
    CHECK_FALSE(parseMetadataPolicyCrit(json(R"("regexp")")));
    CHECK_FALSE(parseMetadataPolicyCrit(json(R"(["value"])")));
    CHECK_FALSE(parseMetadataPolicyCrit(json(R"([""])")));
    CHECK_FALSE(parseMetadataPolicyCrit(json(R"(["a","a"])")));
    CHECK_FALSE(parseMetadataPolicyCrit(json("[1]")));
}

TEST_CASE("extension point: registering additional operators")
{
    auto registry = OperatorRegistry::standard();
    REQUIRE(registry.add(std::make_shared<PrefixOperator>()));
    REQUIRE(registry.add(std::make_shared<RemoveOperator>()));

    SUBCASE("registration rules (6.1.3.2)")
    {
        CHECK(registry.add(std::make_shared<PrefixOperator>()).error().code == ErrorCode::InvalidArgument);
        CHECK_FALSE(registry.add(nullptr));
        struct Bad final : PolicyOperator {
            int position;
            std::string label;
            Bad(int p, std::string l) : position(p), label(std::move(l)) {}
            std::string_view name() const noexcept override { return label; }
            int order() const noexcept override { return position; }
            Result<void> checkOperatorValue(const Json &) const override { return ok(); }
            Result<Json> merge(const Json &a, const Json &) const override { return a; }
            Result<void> checkCombination(const Json &, const ParameterPolicy &) const override { return ok(); }
            Result<std::optional<Json>> apply(const Json &, std::optional<Json> c) const override { return c; }
        };
        CHECK_FALSE(registry.add(std::make_shared<Bad>(operator_order::kValue, "before_value")));
        CHECK_FALSE(registry.add(std::make_shared<Bad>(operator_order::kEssential, "after_essential")));
        CHECK_FALSE(registry.add(std::make_shared<Bad>(300, "")));
        CHECK_FALSE(registry.add(std::make_shared<Bad>(300, "value")));
        CHECK(registry.add(std::make_shared<Bad>(300, "noop")));
    }
    SUBCASE("order of application places them between the standard ones")
    {
        std::vector<std::string> names;
        for (const auto &o : registry.inApplicationOrder())
            names.emplace_back(o->name());
        CHECK(names == std::vector<std::string>{"value", "remove", "add", "default", "one_of", "subset_of",
                                                "superset_of", "prefix", "essential"});
    }
    SUBCASE("their merge and combination rules are used")
    {
        auto merged = combine({statement(kTa, R"({"openid_relying_party":{"n":{"prefix":"ab"}}})"),
                               statement(kInt, R"({"openid_relying_party":{"n":{"prefix":"abc"}}})")},
                              registry);
        REQUIRE(merged);
        CHECK(merged->toJson() == json(R"({"openid_relying_party":{"n":{"prefix":"abc"}}})"));
        auto conflict = combine({statement(kTa, R"({"openid_relying_party":{"n":{"prefix":"ab"}}})"),
                                 statement(kInt, R"({"openid_relying_party":{"n":{"prefix":"x"}}})")},
                                registry);
        REQUIRE_FALSE(conflict);
        CHECK(conflict.error().code == ErrorCode::PolicyConflict);
        CHECK(conflict.error().claim == "n");
        CHECK(conflict.error().entityId == kInt);
        auto combo = combine({statement(kTa, R"({"openid_relying_party":{"n":{"prefix":"a"}}})"),
                              statement(kInt, R"({"openid_relying_party":{"n":{"one_of":["abc"]}}})")},
                             registry);
        REQUIRE_FALSE(combo);
        CHECK(combo.error().code == ErrorCode::PolicyConflict);
        CHECK(combo.error().claim == "n");
    }
    SUBCASE("their apply runs in order")
    {
        auto policy = combine({statement(kTa, R"({"openid_relying_party":{"uris":{"remove":["http://x"],
                                  "add":["https://b"],"prefix":"https://"}}})")},
                              registry);
        REQUIRE(policy);
        auto applied = applyPolicy(*policy, json(R"({"openid_relying_party":{"uris":["https://a","http://x"]}})"),
                                   registry);
        REQUIRE_MESSAGE(applied, applied.error().describe());
        CHECK(applied->metadata == json(R"({"openid_relying_party":{"uris":["https://a","https://b"]}})"));
        auto violating = applyPolicy(*policy, json(R"({"openid_relying_party":{"uris":["ftp://a"]}})"), registry);
        REQUIRE_FALSE(violating);
        CHECK(violating.error().code == ErrorCode::PolicyViolation);
        CHECK(violating.error().claim == "uris");
    }
    SUBCASE("a registry without them ignores them")
    {
        auto policy = combine({statement(kTa, R"({"openid_relying_party":{"n":{"prefix":"ab"}}})")});
        REQUIRE(policy);
        CHECK(policy->toJson() == json(R"({"openid_relying_party":{"n":{}}})"));
    }
}
