// Unit tests of the seven standard operators (6.1.3.1): operator value types,
// merge rules, combination rules and application, one behaviour per case.

#include <doctest/doctest.h>

#include <optional>

#include <oidfed/operator_registry.h>

#include "test_support.h"

using namespace oidfed;
using oidfed::test::json;

namespace {

const PolicyOperator &op(std::string_view name)
{
    static const OperatorRegistry registry = OperatorRegistry::standard();
    const PolicyOperator *found = registry.find(name);
    REQUIRE(found);
    return *found;
}

ParameterPolicy params(std::string_view text)
{
    ParameterPolicy policy{"openid_relying_party", "p", {}};
    const Json object = json(text);
    for (const auto &[name, value] : object.asObject())
        policy.operators.push_back(OperatorValue{name, value, {"https://ta.example"}});
    return policy;
}

/// Result of checking every operator's combination rules of a parameter policy.
bool combinable(std::string_view text)
{
    const ParameterPolicy policy = params(text);
    for (const OperatorValue &entry : policy.operators)
        if (!op(entry.name).checkCombination(entry.value, policy))
            return false;
    return true;
}

std::optional<Json> applyOp(std::string_view name, std::string_view value, std::optional<Json> current)
{
    auto applied = op(name).apply(json(value), std::move(current));
    REQUIRE_MESSAGE(applied, applied.error().describe());
    return *applied;
}

ErrorCode applyError(std::string_view name, std::string_view value, std::optional<Json> current)
{
    auto applied = op(name).apply(json(value), std::move(current));
    REQUIRE_FALSE(applied);
    return applied.error().code;
}

} // namespace

TEST_CASE("standard registry: names and order of application")
{
    const auto registry = OperatorRegistry::standard();
    std::vector<std::string> names;
    for (const auto &o : registry.inApplicationOrder())
        names.emplace_back(o->name());
    CHECK(names == std::vector<std::string>{"value", "add", "default", "one_of", "subset_of", "superset_of",
                                            "essential"});
    CHECK(isStandardOperator("subset_of"));
    CHECK_FALSE(isStandardOperator("Subset_of"));  // names are case-sensitive
    CHECK_FALSE(isStandardOperator("regexp"));
    CHECK(OperatorRegistry().find("value") == nullptr);
}

TEST_CASE("operator value types (6.1.3: unsupported type is a policy error)")
{
    CHECK(op("value").checkOperatorValue(json("null")));
    CHECK(op("value").checkOperatorValue(json(R"({"a":1})")));
    CHECK(op("add").checkOperatorValue(json(R"(["a", 1, {"k":"v"}])")));
    CHECK(op("add").checkOperatorValue(json("[]")));
    CHECK(op("add").checkOperatorValue(json(R"("a")")).error().code == ErrorCode::PolicyConflict);
    CHECK_FALSE(op("add").checkOperatorValue(json("[true]")));
    CHECK_FALSE(op("add").checkOperatorValue(json("[null]")));
    CHECK_FALSE(op("default").checkOperatorValue(json("null")));
    CHECK(op("default").checkOperatorValue(json("false")));
    CHECK_FALSE(op("one_of").checkOperatorValue(json("[]")));
    CHECK_FALSE(op("one_of").checkOperatorValue(json(R"("RS256")")));
    CHECK_FALSE(op("one_of").checkOperatorValue(json(R"([["a"]])")));
    CHECK(op("subset_of").checkOperatorValue(json("[]")));
    CHECK_FALSE(op("subset_of").checkOperatorValue(json(R"("RS256")")));  // threat H07
    CHECK_FALSE(op("superset_of").checkOperatorValue(json("{}")));
    CHECK(op("essential").checkOperatorValue(json("true")));
    CHECK_FALSE(op("essential").checkOperatorValue(json(R"("true")")));  // threat H07
    CHECK_FALSE(op("essential").checkOperatorValue(json("null")));
}

TEST_CASE("merge rules (6.1.3.1)")
{
    SUBCASE("value: equal, arrays as sets")
    {
        CHECK(*op("value").merge(json(R"(["a","b"])"), json(R"(["b","a"])")) == json(R"(["a","b"])"));
        CHECK(*op("value").merge(json("null"), json("null")) == json("null"));
        CHECK(op("value").merge(json(R"("a")"), json(R"("b")")).error().code == ErrorCode::PolicyConflict);
        CHECK_FALSE(op("value").merge(json("null"), json(R"("a")")));
        CHECK_FALSE(op("value").merge(json("1"), json(R"("1")")));
    }
    SUBCASE("add: union without duplicates")
    {
        CHECK(*op("add").merge(json(R"(["a","b"])"), json(R"(["b","c"])")) == json(R"(["a","b","c"])"));
    }
    SUBCASE("default: equal")
    {
        CHECK(op("default").merge(json(R"("a")"), json(R"("a")")));
        CHECK_FALSE(op("default").merge(json(R"("a")"), json(R"("b")")));
    }
    SUBCASE("one_of: intersection, empty is an error")
    {
        CHECK(*op("one_of").merge(json(R"(["a","b","c"])"), json(R"(["c","b","d"])")) == json(R"(["b","c"])"));
        CHECK_FALSE(op("one_of").merge(json(R"(["a"])"), json(R"(["b"])")));
    }
    SUBCASE("subset_of: intersection, empty allowed")
    {
        CHECK(*op("subset_of").merge(json(R"(["a","b"])"), json(R"(["b","c"])")) == json(R"(["b"])"));
        CHECK(*op("subset_of").merge(json(R"(["a"])"), json(R"(["b"])")) == json("[]"));
    }
    SUBCASE("superset_of: union")
    {
        CHECK(*op("superset_of").merge(json(R"(["a"])"), json(R"(["b"])")) == json(R"(["a","b"])"));
    }
    SUBCASE("essential: logical OR, true is never relaxed")
    {
        CHECK(*op("essential").merge(json("true"), json("false")) == json("true"));
        CHECK(*op("essential").merge(json("false"), json("true")) == json("true"));
        CHECK(*op("essential").merge(json("false"), json("false")) == json("false"));
    }
}

TEST_CASE("combination table (6.1.3.1)")
{
    // value row
    CHECK(combinable(R"({"value":["a","b"],"add":["a"]})"));
    CHECK_FALSE(combinable(R"({"value":["a"],"add":["b"]})"));
    CHECK(combinable(R"({"value":null,"add":[]})"));
    CHECK_FALSE(combinable(R"({"value":null,"add":["a"]})"));  // values of null = the empty set
    CHECK(combinable(R"({"value":"a","default":"b"})"));
    CHECK_FALSE(combinable(R"({"value":null,"default":"b"})"));
    CHECK(combinable(R"({"value":"a","one_of":["a","b"]})"));
    CHECK_FALSE(combinable(R"({"value":"c","one_of":["a","b"]})"));
    CHECK_FALSE(combinable(R"({"value":null,"one_of":["a"]})"));
    CHECK(combinable(R"({"value":["a"],"subset_of":["a","b"]})"));
    CHECK(combinable(R"({"value":null,"subset_of":["a"]})"));
    CHECK_FALSE(combinable(R"({"value":["a","c"],"subset_of":["a","b"]})"));
    CHECK(combinable(R"({"value":["a","b"],"superset_of":["a"]})"));
    CHECK_FALSE(combinable(R"({"value":["a"],"superset_of":["a","c"]})"));
    CHECK_FALSE(combinable(R"({"value":null,"superset_of":["a"]})"));
    CHECK(combinable(R"({"value":null,"essential":false})"));
    CHECK_FALSE(combinable(R"({"value":null,"essential":true})"));
    CHECK(combinable(R"({"value":"x","essential":true})"));
    // add row
    CHECK(combinable(R"({"add":["a"],"default":["b"]})"));
    CHECK_FALSE(combinable(R"({"add":["a"],"one_of":["a"]})"));
    CHECK(combinable(R"({"add":["a"],"subset_of":["a","b"]})"));
    CHECK_FALSE(combinable(R"({"add":["c"],"subset_of":["a","b"]})"));
    CHECK(combinable(R"({"add":["x"],"superset_of":["a"]})"));
    CHECK(combinable(R"({"add":["x"],"essential":true})"));
    // default row: unconditional since draft 42
    CHECK(combinable(R"({"default":"c","one_of":["a","b"]})"));
    CHECK(combinable(R"({"default":["c"],"subset_of":["a"],"superset_of":[]})"));
    // one_of row
    CHECK_FALSE(combinable(R"({"one_of":["a"],"subset_of":["a"]})"));
    CHECK_FALSE(combinable(R"({"one_of":["a"],"superset_of":["a"]})"));
    CHECK(combinable(R"({"one_of":["a"],"essential":true})"));
    // subset_of row: "set equals" is subset_of + superset_of with one array (6.1.3.1.8)
    CHECK(combinable(R"({"subset_of":["a","b"],"superset_of":["a","b"]})"));
    CHECK_FALSE(combinable(R"({"subset_of":["a"],"superset_of":["a","b"]})"));
    CHECK(combinable(R"({"subset_of":[],"essential":true})"));
}

TEST_CASE("combination errors name the other operator")
{
    const ParameterPolicy policy = params(R"({"value":["a"],"add":["b"]})");
    auto checked = op("value").checkCombination(json(R"(["a"])"), policy);
    REQUIRE_FALSE(checked);
    CHECK(checked.error().code == ErrorCode::PolicyConflict);
    CHECK(checked.error().claim == "add");
}

TEST_CASE("apply: value")
{
    CHECK(applyOp("value", R"("x")", json(R"("y")")) == json(R"("x")"));
    CHECK(applyOp("value", R"("x")", std::nullopt) == json(R"("x")"));
    CHECK(applyOp("value", "null", json(R"("y")")) == std::nullopt);  // null removes
    CHECK(applyOp("value", "null", std::nullopt) == std::nullopt);
}

TEST_CASE("apply: add")
{
    CHECK(applyOp("add", R"(["a"])", std::nullopt) == json(R"(["a"])"));  // initialises
    CHECK(applyOp("add", R"(["a","b"])", json(R"(["b","c"])")) == json(R"(["b","c","a"])"));
    CHECK(applyOp("add", "[]", std::nullopt) == json("[]"));
    CHECK(applyError("add", R"(["a"])", json(R"("b")")) == ErrorCode::PolicyViolation);
}

TEST_CASE("apply: default")
{
    CHECK(applyOp("default", R"("ES256")", std::nullopt) == json(R"("ES256")"));
    CHECK(applyOp("default", R"("ES256")", json(R"("RS256")")) == json(R"("RS256")"));
    CHECK(applyOp("default", R"(["a"])", json("[]")) == json("[]"));  // [] is present
}

TEST_CASE("apply: one_of")
{
    CHECK(applyOp("one_of", R"(["a","b"])", json(R"("b")")) == json(R"("b")"));
    CHECK(applyOp("one_of", R"(["a","b"])", std::nullopt) == std::nullopt);
    CHECK(applyOp("one_of", "[1,2]", json("2")) == json("2"));
    CHECK(applyError("one_of", R"(["a"])", json(R"("b")")) == ErrorCode::PolicyViolation);
    CHECK(applyError("one_of", R"(["a"])", json(R"(["a"])")) == ErrorCode::PolicyViolation);
}

TEST_CASE("apply: subset_of")
{
    CHECK(applyOp("subset_of", R"(["a","b","c"])", json(R"(["a","e"])")) == json(R"(["a"])"));
    CHECK(applyOp("subset_of", R"(["a","b","c"])", json(R"(["d","e"])")) == json("[]"));  // stays, empty
    CHECK(applyOp("subset_of", R"(["a"])", std::nullopt) == std::nullopt);  // never creates
    CHECK(applyError("subset_of", R"(["a"])", json(R"("a")")) == ErrorCode::PolicyViolation);
}

TEST_CASE("apply: superset_of")
{
    CHECK(applyOp("superset_of", R"(["a"])", json(R"(["a","b"])")) == json(R"(["a","b"])"));
    CHECK(applyOp("superset_of", R"(["a"])", std::nullopt) == std::nullopt);
    CHECK(applyOp("superset_of", "[]", json("[]")) == json("[]"));
    CHECK(applyError("superset_of", R"(["a","c"])", json(R"(["a","b"])")) == ErrorCode::PolicyViolation);
}

TEST_CASE("apply: essential")
{
    CHECK(applyOp("essential", "true", json("1")) == json("1"));
    CHECK(applyOp("essential", "false", std::nullopt) == std::nullopt);
    CHECK(applyError("essential", "true", std::nullopt) == ErrorCode::PolicyViolation);
}

TEST_CASE("set semantics hold on large arrays (hashed path) and across number representations")
{
    Json big = Json::array();
    Json half = Json::array();
    for (int i = 0; i < 9000; ++i) {
        big.push("v" + std::to_string(i));
        if (i % 2 == 0)
            half.push("v" + std::to_string(i));
    }
    big.push(1);
    half.push(1.0);  // 1 and 1.0 are the same JSON number

    auto subset = op("subset_of").apply(half, big);
    REQUIRE(subset);
    CHECK((*subset)->size() == 4501);
    CHECK(op("superset_of").apply(half, big));
    CHECK_FALSE(op("superset_of").apply(big, half));
    auto merged = op("add").merge(half, big);
    REQUIRE(merged);
    CHECK(merged->size() == 9001);
    auto both = op("subset_of").merge(big, half);
    REQUIRE(both);
    CHECK(both->size() == 4501);
    CHECK(*op("value").merge(big, big) == big);
    CHECK_FALSE(op("value").merge(big, half));
}
