// parseJson() and Json::dump(): the only place that includes RapidJSON.
//
// Parsing uses RapidJSON's SAX Reader with a handler that builds oidfed::Json
// directly, so limits (depth, members, string size) and duplicate member
// names are enforced while reading, before anything large is allocated.

#include <oidfed/json.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <string>
#include <system_error>
#include <unordered_set>
#include <vector>

#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace oidfed {

namespace {

// True when the decoded UTF-8 holds an encoded surrogate code point (U+D800..
// U+DFFF), which RapidJSON lets through for a lone "\udc00" escape.
bool containsSurrogate(const char *s, std::size_t n)
{
    for (std::size_t i = 0; i + 1 < n; ++i) {
        if (static_cast<unsigned char>(s[i]) == 0xED && (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0xA0)
            return true;
    }
    return false;
}

// For a JSON number that is outside double range: whether it is too close to
// zero (rather than too large). Its magnitude is the decimal exponent of its
// first significant digit: 12.5 is 10^1, 0.001 is 10^-3. REQUIRES: `number`
// matches the JSON number grammar and is not zero.
bool tooSmallForDouble(std::string_view number)
{
    const std::size_t e = number.find_first_of("eE");
    const std::string_view mantissa = number.substr(0, e);
    const std::size_t dot = std::min(mantissa.find('.'), mantissa.size());
    const std::size_t first = mantissa.find_first_of("123456789");
    // Digits from the first significant one to the decimal point, less one.
    long long magnitude = first < dot ? static_cast<long long>(dot - first) - 1 : -static_cast<long long>(first - dot);
    if (e == std::string_view::npos)
        return magnitude < 0;
    std::string_view exponent = number.substr(e + 1);
    if (!exponent.empty() && exponent.front() == '+')
        exponent.remove_prefix(1);
    long long value = 0;
    if (std::from_chars(exponent.data(), exponent.data() + exponent.size(), value).ec != std::errc())
        return exponent.front() == '-';  // beyond long long: its sign decides
    return value < -magnitude;
}

class BuildHandler {
public:
    explicit BuildHandler(const JsonLimits &limits) : limits_(limits) {}

    bool Null() { return add(Json()); }
    bool Bool(bool b) { return add(Json(b)); }
    // Numbers arrive as RawNumber() only (kParseNumbersAsStringsFlag).
    bool Int(int) { return false; }
    bool Uint(unsigned) { return false; }
    bool Int64(std::int64_t) { return false; }
    bool Uint64(std::uint64_t) { return false; }
    bool Double(double) { return false; }

    // A number that RapidJSON has checked against the JSON grammar, as text.
    // An integer in int64 range is kept as one; anything else becomes the
    // nearest double, by std::from_chars: RapidJSON's own conversion can be
    // one unit in the last place off, and then a dumped number does not read
    // back as the same value (issue #8, found by fuzz/json_fuzz.cpp).
    bool RawNumber(const char *s, rapidjson::SizeType n, bool)
    {
        const char *end = s + n;
        if (std::find_if(s, end, [](char c) { return c == '.' || c == 'e' || c == 'E'; }) == end) {
            std::int64_t i = 0;
            if (auto [ptr, ec] = std::from_chars(s, end, i); ec == std::errc() && ptr == end)
                return add(Json(i));
        }
        double d = 0;
        auto [ptr, ec] = std::from_chars(s, end, d);
        if (ec == std::errc::result_out_of_range && tooSmallForDouble(std::string_view(s, n)))
            d = *s == '-' ? -0.0 : 0.0;  // underflow reads as zero, as strtod does
        else if (ec != std::errc() || ptr != end || !std::isfinite(d))
            return failWith(ErrorCode::Malformed, "number out of range");
        return add(Json(d));
    }

    bool String(const char *s, rapidjson::SizeType n, bool)
    {
        if (!checkString(s, n))
            return false;
        return add(Json(std::string(s, n)));
    }

    bool Key(const char *s, rapidjson::SizeType n, bool)
    {
        if (!checkString(s, n))
            return false;
        Frame &frame = stack_.back();
        std::string_view key(s, n);
        // Small objects: linear scan; large ones switch to a hash set.
        if (frame.keys) {
            if (!frame.keys->insert(std::string(key)).second)
                return duplicate(key);
        } else {
            for (const auto &member : frame.value.asObject())
                if (member.first == key)
                    return duplicate(key);
            if (frame.value.size() >= 32) {
                frame.keys = std::make_unique<std::unordered_set<std::string>>();
                for (const auto &member : frame.value.asObject())
                    frame.keys->insert(member.first);
                frame.keys->insert(std::string(key));
            }
        }
        frame.pendingKey.assign(s, n);
        return true;
    }

    bool StartObject() { return open(Json::object()); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool StartArray() { return open(Json::array()); }
    bool EndArray(rapidjson::SizeType) { return close(); }

    Json takeRoot() { return std::move(root_); }
    bool hasError() const { return hasError_; }
    const Error &error() const { return error_; }

private:
    struct Frame {
        Json value;
        std::string pendingKey;
        std::unique_ptr<std::unordered_set<std::string>> keys;
    };

    bool failWith(ErrorCode code, std::string message)
    {
        hasError_ = true;
        error_ = Error(code, std::move(message));
        return false;
    }

    bool duplicate(std::string_view key)
    {
        return failWith(ErrorCode::Malformed, "duplicate member name \"" + std::string(key) + "\"");
    }

    bool checkString(const char *s, std::size_t n)
    {
        if (n > limits_.maxStringBytes)
            return failWith(ErrorCode::LimitExceeded, "string longer than " + std::to_string(limits_.maxStringBytes) + " bytes");
        if (containsSurrogate(s, n))
            return failWith(ErrorCode::Malformed, "string contains a lone surrogate");
        return true;
    }

    bool open(Json container)
    {
        if (stack_.size() >= limits_.maxDepth)
            return failWith(ErrorCode::LimitExceeded, "nesting deeper than " + std::to_string(limits_.maxDepth));
        stack_.push_back(Frame{std::move(container), {}, nullptr});
        return true;
    }

    bool close()
    {
        Json value = std::move(stack_.back().value);
        stack_.pop_back();
        return add(std::move(value));
    }

    bool add(Json value)
    {
        if (stack_.empty()) {
            root_ = std::move(value);
            return true;
        }
        Frame &frame = stack_.back();
        if (frame.value.size() >= limits_.maxMembers)
            return failWith(ErrorCode::LimitExceeded, "more than " + std::to_string(limits_.maxMembers) + " members");
        if (frame.value.isArray())
            frame.value.asArray().push_back(std::move(value));
        else
            frame.value.asObject().emplace_back(std::move(frame.pendingKey), std::move(value));
        return true;
    }

    const JsonLimits &limits_;
    std::vector<Frame> stack_;
    Json root_;
    bool hasError_ = false;
    Error error_;
};

template <typename Writer>
void writeValue(Writer &writer, const Json &value)
{
    switch (value.type()) {
    case Json::Type::Null:
        writer.Null();
        break;
    case Json::Type::Bool:
        writer.Bool(value.asBool());
        break;
    case Json::Type::Int:
        writer.Int64(value.asInt());
        break;
    case Json::Type::Double:
        writer.Double(value.asDouble());
        break;
    case Json::Type::String:
        writer.String(value.asString().data(), static_cast<rapidjson::SizeType>(value.asString().size()));
        break;
    case Json::Type::Array:
        writer.StartArray();
        for (const Json &element : value.asArray())
            writeValue(writer, element);
        writer.EndArray();
        break;
    case Json::Type::Object:
        writer.StartObject();
        for (const auto &[key, member] : value.asObject()) {
            writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
            writeValue(writer, member);
        }
        writer.EndObject();
        break;
    }
}

} // namespace

Result<Json> parseJson(std::string_view text, const JsonLimits &limits)
{
    if (text.size() > limits.maxBytes)
        return fail(ErrorCode::LimitExceeded, "JSON text longer than " + std::to_string(limits.maxBytes) + " bytes");

    // A raw NUL byte is never valid JSON, and RapidJSON's stream would take it
    // for the end of input, accepting "{}\0anything".
    if (text.find('\0') != std::string_view::npos)
        return fail(ErrorCode::Malformed, "JSON text contains a NUL byte");

    BuildHandler handler(limits);
    rapidjson::Reader reader;
    rapidjson::MemoryStream stream(text.data(), text.size());
    // Numbers come to BuildHandler::RawNumber() as text (see there).
    constexpr unsigned kFlags =
        rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
    rapidjson::ParseResult result = reader.Parse<kFlags>(stream, handler);
    if (handler.hasError())
        return fail(handler.error());
    if (result.IsError()) {
        return fail(ErrorCode::Malformed, std::string("invalid JSON at offset ") + std::to_string(result.Offset()) +
                                              ": " + rapidjson::GetParseError_En(result.Code()));
    }
    return handler.takeRoot();
}

std::string Json::dump(bool pretty) const
{
    rapidjson::StringBuffer buffer;
    if (pretty) {
        rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
        writer.SetIndent(' ', 2);
        writeValue(writer, *this);
    } else {
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        writeValue(writer, *this);
    }
    return std::string(buffer.GetString(), buffer.GetSize());
}

} // namespace oidfed
