// libFuzzer target: what the library reads back from Redis (threat P4, with
// J07, R9 and R13): the frame of a cached value (src/cache/value_codec.h) and
// the RESP reply it arrives in (src/cache/redis_connection.h). Every input is
// used three ways.
//
// 1. The input as a frame. decodeCacheValue fails only with Malformed or
//    LimitExceeded; LimitExceeded only when the announced length is over
//    maxValueBytes, and Malformed only for a frame that no larger
//    maxValueBytes would accept. An accepted frame is canonical: encoding
//    the entry gives the input back byte for byte; the value respects
//    maxValueBytes and the origin is Shared.
// 2. The input as a value, with expiresAt and negative taken from its first
//    bytes: the frame is 17 bytes longer, decodes to the same entry, fails
//    with LimitExceeded when maxValueBytes is one byte short, and with
//    Malformed when truncated or padded by one byte.
// 3. The input as Redis's reply to a command. A RedisConnection, set up by
//    its own open() and so with the reader bounded exactly as in
//    production, reads it from a canned server (canned_redis_server.h)
//    followed by end of stream. It must agree with a reference hiredis
//    reader that refuses arrays over kMaxReplyElements and is fed the same
//    bytes in small chunks: the same reply (an error reply may instead fail
//    the command with Unavailable), LimitExceeded when the reference refused
//    an array, Unavailable for a protocol error or an incomplete reply.
//    A returned reply has no array over kMaxReplyElements and is no deeper
//    than hiredis's reader stack.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include <hiredis/hiredis.h>

#include <oidfed/cache.h>
#include <oidfed/cache_options.h>

#include "cache/redis_connection.h"
#include "cache/redis_ptr.h"
#include "cache/value_codec.h"
#include "canned_redis_server.h"
#include "core/c_deleter.h"
#include "fuzz_support.h"

using oidfed::CacheEntry;
using oidfed::CacheOrigin;
using oidfed::ErrorCode;
using oidfed::cache::decodeCacheValue;
using oidfed::cache::encodeCacheValue;
using oidfed::cache::kMaxReplyElements;
using oidfed::cache::kValueHeaderBytes;
using oidfed::cache::RedisReplyPtr;
using oidfed::fuzz::check;

namespace {

constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

/// Nesting levels a hiredis reader can build: one per slot of its stack.
constexpr std::size_t kReaderDepth = std::extent_v<decltype(redisReader::rstack)>;

/// Reply bytes the canned server sends at most: well within a Unix socket's
/// buffer, and within kMaxReplyBytes.
constexpr std::size_t kMaxReplyBytesSent = 64 * 1024;
/// The command's reply bound; never the reason a command fails here.
constexpr std::size_t kMaxReplyBytes = 1024 * 1024;

using RedisReaderPtr = std::unique_ptr<redisReader, oidfed::CDeleter<&redisReaderFree>>;

bool sameEntry(const CacheEntry &a, const CacheEntry &b)
{
    return a.value == b.value && a.expiresAt == b.expiresAt && a.negative == b.negative && a.origin == b.origin;
}

/// The value length a frame announces (bytes 13-16, big-endian).
/// REQUIRES: frame.size() >= kValueHeaderBytes.
std::uint64_t announcedLength(std::string_view frame)
{
    std::uint64_t length = 0;
    for (std::size_t i = 13; i < 17; ++i)
        length = (length << 8) | static_cast<unsigned char>(frame[i]);
    return length;
}

// ---- 1. The input as a frame ----

void checkFrame(std::string_view frame)
{
    const std::size_t maxValueBytes = oidfed::RedisCacheOptions{}.maxValueBytes;
    auto decoded = decodeCacheValue(frame, maxValueBytes);
    if (!decoded) {
        const ErrorCode code = decoded.error().code;
        if (code == ErrorCode::LimitExceeded) {
            check(frame.size() >= kValueHeaderBytes && announcedLength(frame) > maxValueBytes,
                  "LimitExceeded only when the announced length is over maxValueBytes");
        } else {
            check(code == ErrorCode::Malformed, "decodeCacheValue fails with Malformed or LimitExceeded only");
            auto unlimited = decodeCacheValue(frame, kNoLimit);
            check(!unlimited && unlimited.error().code == ErrorCode::Malformed,
                  "a Malformed frame stays Malformed whatever maxValueBytes");
        }
        return;
    }
    check(decoded->value.size() <= maxValueBytes, "a decoded value respects maxValueBytes");
    check(decoded->origin == CacheOrigin::Shared, "a decoded entry has origin Shared");
    check(encodeCacheValue(*decoded) == frame, "an accepted frame is canonical: encode(decode(f)) == f");
    if (!decoded->value.empty()) {
        auto tight = decodeCacheValue(frame, decoded->value.size() - 1);
        check(!tight && tight.error().code == ErrorCode::LimitExceeded,
              "a value one byte over maxValueBytes is LimitExceeded");
    }
}

// ---- 2. The input as a value ----

void checkValue(std::string_view input)
{
    CacheEntry entry;
    entry.value.assign(input);
    std::uint64_t expiry = 0;
    for (std::size_t i = 0; i < 8 && i < input.size(); ++i)
        expiry = (expiry << 8) | static_cast<unsigned char>(input[i]);
    entry.expiresAt = static_cast<oidfed::UnixTime>(expiry);  // any int64, negative ones too
    entry.negative = input.size() > 8 ? (static_cast<unsigned char>(input[8]) & 1) != 0 : input.size() % 2 == 1;
    entry.origin = CacheOrigin::Shared;

    const std::string frame = encodeCacheValue(entry);
    check(frame.size() == kValueHeaderBytes + input.size(), "a frame is the value plus a 17-byte header");
    auto decoded = decodeCacheValue(frame, input.size());
    check(decoded.has_value() && sameEntry(*decoded, entry), "decode(encode(x)) == x");
    if (!input.empty()) {
        auto tight = decodeCacheValue(frame, input.size() - 1);
        check(!tight && tight.error().code == ErrorCode::LimitExceeded,
              "an encoded value one byte over maxValueBytes is LimitExceeded");
    }
    auto truncated = decodeCacheValue(std::string_view(frame).substr(0, frame.size() - 1), kNoLimit);
    check(!truncated && truncated.error().code == ErrorCode::Malformed, "a frame cut by one byte is Malformed");
    auto padded = decodeCacheValue(frame + '\0', kNoLimit);
    check(!padded && padded.error().code == ErrorCode::Malformed, "a frame with one more byte is Malformed");
}

// ---- 3. The input as a RESP reply ----

/// The reference reader's reply builders: hiredis's own, with createArray
/// refusing arrays over kMaxReplyElements as RedisConnection's does, and
/// remembering that it did.
struct BoundedBuilders {
    const redisReplyObjectFunctions *defaults = nullptr;
    redisReplyObjectFunctions functions{};
    bool refused = false;
};

void *createBoundedArray(const redisReadTask *task, int elements)
{
    auto *builders = static_cast<BoundedBuilders *>(task->privdata);
    // RedisConnection relies on this too: without its privdata, its
    // createArray refuses every array.
    check(builders != nullptr, "hiredis hands the reader's privdata to every read task");
    if (elements < 0 || static_cast<std::size_t>(elements) > kMaxReplyElements) {
        builders->refused = true;
        return nullptr;
    }
    return builders->defaults->createArray(task, elements);
}

enum class Outcome { Reply, Refused, ProtocolError, Incomplete };

struct ReferenceRead {
    Outcome outcome = Outcome::Incomplete;
    RedisReplyPtr reply;  ///< Outcome::Reply only
};

/// What the reference reader makes of `bytes`, fed in chunks of 1 to 16
/// bytes (the first byte of each chunk picks its size), as a server that
/// trickles its reply would send it.
ReferenceRead readReference(std::string_view bytes)
{
    BoundedBuilders builders;  // outlives the reader, which uses it until freed
    RedisReaderPtr reader(redisReaderCreate());
    check(reader != nullptr, "a hiredis reader is created");
    builders.defaults = reader->fn;
    builders.functions = *reader->fn;
    builders.functions.createArray = &createBoundedArray;
    reader->fn = &builders.functions;
    reader->privdata = &builders;

    ReferenceRead read;
    for (std::size_t at = 0; at < bytes.size();) {
        const std::size_t chunk =
            std::min<std::size_t>(bytes.size() - at, 1 + static_cast<unsigned char>(bytes[at]) % 16);
        check(redisReaderFeed(reader.get(), bytes.data() + at, chunk) == REDIS_OK, "the reader takes the bytes");
        at += chunk;
        void *raw = nullptr;
        if (redisReaderGetReply(reader.get(), &raw) != REDIS_OK) {
            read.outcome = builders.refused ? Outcome::Refused : Outcome::ProtocolError;
            return read;
        }
        if (raw) {
            read.outcome = Outcome::Reply;
            read.reply.reset(static_cast<redisReply *>(raw));
            return read;
        }
    }
    return read;
}

bool isText(const redisReply &reply)
{
    return reply.type == REDIS_REPLY_STRING || reply.type == REDIS_REPLY_STATUS || reply.type == REDIS_REPLY_ERROR;
}

/// A reply as RedisConnection hands it out: known types, text present,
/// arrays within kMaxReplyElements, at most kReaderDepth levels.
void checkReplyShape(const redisReply &reply, std::size_t depth)
{
    check(depth <= kReaderDepth, "a reply is no deeper than the reader's stack");
    if (isText(reply)) {
        check(reply.str != nullptr, "a text reply has its bytes");
        return;
    }
    if (reply.type != REDIS_REPLY_ARRAY) {
        check(reply.type == REDIS_REPLY_INTEGER || reply.type == REDIS_REPLY_NIL, "a reply has a known type");
        return;
    }
    check(reply.elements <= kMaxReplyElements, "a reply array has at most kMaxReplyElements elements");
    check(reply.elements == 0 || reply.element != nullptr, "an array reply has its elements");
    for (std::size_t i = 0; i < reply.elements; ++i) {
        check(reply.element[i] != nullptr, "no element of an array reply is missing");
        checkReplyShape(*reply.element[i], depth + 1);
    }
}

bool sameReply(const redisReply &a, const redisReply &b)
{
    if (a.type != b.type)
        return false;
    if (isText(a))
        return std::string_view(a.str, a.len) == std::string_view(b.str, b.len);
    if (a.type == REDIS_REPLY_INTEGER)
        return a.integer == b.integer;
    if (a.type != REDIS_REPLY_ARRAY)
        return true;  // nil
    if (a.elements != b.elements)
        return false;
    for (std::size_t i = 0; i < a.elements; ++i)
        if (!sameReply(*a.element[i], *b.element[i]))
            return false;
    return true;
}

void checkReply(std::string_view bytes)
{
    // Destroyed at exit, which removes its temporary directory.
    static oidfed::fuzz::CannedRedisServer server;
    // Generous timeouts: the reply and the end of stream are already queued
    // when the command starts, so nothing ever waits for them.
    const oidfed::cache::RedisTimeouts timeouts{.connect = std::chrono::seconds(10),
                                                .command = std::chrono::seconds(10)};
    auto connection = oidfed::cache::RedisConnection::open(server.endpoint(), timeouts);
    check(connection.has_value(), "RedisConnection connects to the canned server");
    const auto exchange = server.answer(bytes.substr(0, kMaxReplyBytesSent));

    const std::array<std::string_view, 2> get = {"GET", "k"};
    auto reply = (*connection)->command(get, kMaxReplyBytes);
    const ReferenceRead expected = readReference(bytes.substr(0, exchange.sent));
    if (reply)
        checkReplyShape(**reply, 1);

    switch (expected.outcome) {
    case Outcome::Reply:
        if (reply)
            check(sameReply(**reply, *expected.reply), "command() returns the reply the reference reader reads");
        else
            check(expected.reply->type == REDIS_REPLY_ERROR && reply.error().code == ErrorCode::Unavailable,
                  "command() refuses a complete reply only when it is an error reply, with Unavailable");
        break;
    case Outcome::Refused:
        check(!reply && reply.error().code == ErrorCode::LimitExceeded,
              "an array over kMaxReplyElements fails the command with LimitExceeded");
        break;
    case Outcome::ProtocolError:
    case Outcome::Incomplete:
        check(!reply && reply.error().code == ErrorCode::Unavailable,
              "a protocol error or a reply cut by end of stream fails the command with Unavailable");
        break;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view input = oidfed::fuzz::asText(data, size);
    checkFrame(input);
    checkValue(input);
    checkReply(input);
    return 0;
}
