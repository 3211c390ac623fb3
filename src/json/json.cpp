#include <oidfed/json.h>

#include <algorithm>

namespace oidfed {

double Json::asDouble() const
{
    if (isInt())
        return static_cast<double>(std::get<std::int64_t>(v_));
    return std::get<double>(v_);
}

const Json *Json::find(std::string_view name) const
{
    if (!isObject())
        return nullptr;
    for (const auto &[key, value] : std::get<Object>(v_))
        if (key == name)
            return &value;
    return nullptr;
}

Json *Json::find(std::string_view name)
{
    return const_cast<Json *>(std::as_const(*this).find(name));
}

const std::string *Json::findString(std::string_view name) const
{
    const Json *member = find(name);
    return member && member->isString() ? &member->asString() : nullptr;
}

Json &Json::set(std::string_view name, Json value)
{
    if (isNull())
        v_ = Object{};
    if (Json *existing = find(name)) {
        *existing = std::move(value);
        return *existing;
    }
    auto &object = std::get<Object>(v_);
    object.emplace_back(std::string(name), std::move(value));
    return object.back().second;
}

bool Json::erase(std::string_view name)
{
    auto &object = std::get<Object>(v_);
    auto it = std::find_if(object.begin(), object.end(), [&](const Member &m) { return m.first == name; });
    if (it == object.end())
        return false;
    object.erase(it);
    return true;
}

Json &Json::push(Json value)
{
    if (isNull())
        v_ = Array{};
    auto &array = std::get<Array>(v_);
    array.push_back(std::move(value));
    return array.back();
}

std::size_t Json::size() const noexcept
{
    if (isArray())
        return std::get<Array>(v_).size();
    if (isObject())
        return std::get<Object>(v_).size();
    return 0;
}

bool operator==(const Json &a, const Json &b)
{
    if (a.isNumber() && b.isNumber()) {
        if (a.isInt() && b.isInt())
            return a.asInt() == b.asInt();
        return a.asDouble() == b.asDouble();
    }
    if (a.type() != b.type())
        return false;
    switch (a.type()) {
    case Json::Type::Null:
        return true;
    case Json::Type::Bool:
        return a.asBool() == b.asBool();
    case Json::Type::String:
        return a.asString() == b.asString();
    case Json::Type::Array:
        return a.asArray() == b.asArray();
    case Json::Type::Object: {
        const auto &ao = a.asObject();
        if (ao.size() != b.asObject().size())
            return false;
        for (const auto &[key, value] : ao) {
            const Json *other = b.find(key);
            if (!other || !(value == *other))
                return false;
        }
        return true;
    }
    case Json::Type::Int:
    case Json::Type::Double:
        break;
    }
    return false;
}

} // namespace oidfed
