#include "server/http_server.h"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <thread>

#include <sys/socket.h>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/mime.h>
#include <pistache/net.h>
#include <pistache/peer.h>

#include "server/connection_gate.h"
#include "server/descriptor_budget.h"
#include "server/http_responses.h"
#include "server/server_log.h"

namespace oidfed::server {

namespace {

using namespace Pistache;

constexpr const char *kConnectionData = "oidfed.connection";
constexpr std::size_t kMaxRequestLine = 1 << 20;  // beyond it, maxRequestBytes has refused the request
// Response bodies larger than this are written in pieces of this size (see
// sendInPieces()).
constexpr std::size_t kPieceBytes = 64 << 10;
// Response bodies larger than this go the way of sendInPieces() too: one
// copy of the body instead of Pistache's three (a signed resolve response
// is 2-20 KB). Smaller ones (errors, health) are not worth the second write.
constexpr std::size_t kDirectWriteBytes = 1 << 10;

// A response header by name and value. Pistache writes only typed headers
// (Collection::addRaw() ones are dropped on output), so every header the
// service sets travels as one of these.
class NamedHeader : public Http::Header::Header {
public:
    NamedHeader(std::string name, std::string value) : name_(std::move(name)), value_(std::move(value)) {}
    const char *name() const override { return name_.c_str(); }
    void write(std::ostream &stream) const override { stream << value_; }
#ifdef SAFE_HEADER_CAST
    std::uint64_t hash() const override { return std::hash<std::string>()(name_); }
#endif

private:
    std::string name_;
    std::string value_;
};

// What this handler keeps per connection: the request line of the request
// being received, accumulated until its CRLF, and the connection's slot
// under maxConnections (none: the connection was refused).
struct Connection {
    std::string requestLine;
    bool lineComplete = false;
    std::shared_ptr<void> slot;
};

// The whole answer to a connection over maxConnections, sent before any
// request is read: 503 with the spec 8.9 body, Retry-After and
// `Connection: close`.
std::string refusalBytes()
{
    HttpResponse refusal = errorResponse("temporarily_unavailable", "too many open connections; retry later");
    std::string out = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: " + refusal.contentType + "\r\n";
    for (const auto &[name, value] : refusal.headers)
        out += name + ": " + value + "\r\n";
    out += "Retry-After: 1\r\nConnection: close\r\nContent-Length: " + std::to_string(refusal.body.size()) +
           "\r\n\r\n" + refusal.body;
    return out;
}

std::string methodName(Http::Method method)
{
    switch (method) {
    case Http::Method::Get:
        return "GET";
    case Http::Method::Post:
        return "POST";
    case Http::Method::Head:
        return "HEAD";
    case Http::Method::Put:
        return "PUT";
    case Http::Method::Patch:
        return "PATCH";
    case Http::Method::Delete:
        return "DELETE";
    default:
        return "OTHER";
    }
}

// Pistache keeps query parameters in an unordered_map, which loses repeated
// parameters (trust_anchor, entity_type) and hides a repeated sub. So this
// handler keeps the raw request line of each request: onInput() is Pistache's
// own input step, rewritten on its public API (parser, ResponseWriter), with
// the request line recorded before the bytes are parsed.
//
// The connection cap (maxConnections) is enforced in onConnection(), which
// Pistache calls on the worker thread once the connection is accepted and
// before it reads from it. Pistache 0.0.5 offers no public way to close a
// connection or to stop accepting, so a refused connection gets its 503
// written straight to its socket and its sending side shut down; it holds no
// slot, its input is ignored, and Pistache closes it when the client does or
// at the latest after headerTimeout (a connection that sends no complete
// request is timed out). Connections that hold a slot are never affected.
class Handler : public Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)

    Handler(HttpServer::RequestHandler handle, std::shared_ptr<ConnectionGate> gate)
        : handle_(std::move(handle)), gate_(std::move(gate)), refusal_(std::make_shared<const std::string>(refusalBytes()))
    {
    }

    void onRequest(const Http::Request &request, Http::ResponseWriter writer) override
    {
        // Not reached: onInput() handles complete requests itself.
        writer.send(Http::Code::Internal_Server_Error);
        (void)request;
    }

private:
    void onConnection(const std::shared_ptr<Tcp::Peer> &peer) override
    {
        // What Http::Handler::onConnection() does (it is private): the
        // request parser. Every connection needs it, a refused one too (the
        // idle-connection timer reads it).
        peer->putData(ParserData, std::make_shared<Http::RequestParser>(getMaxRequestSize()));
        auto connection = std::make_shared<Connection>();
        connection->slot = gate_->tryAdmit();
        peer->putData(kConnectionData, connection);
        if (!connection->slot) {
            // The socket is non-blocking and new: the few hundred bytes fit
            // in its send buffer. MSG_NOSIGNAL: a client gone already must
            // not raise SIGPIPE.
            (void)::send(peer->fd(), refusal_->data(), refusal_->size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            ::shutdown(peer->fd(), SHUT_WR);
        }
    }

    void onInput(const char *buffer, size_t length, const std::shared_ptr<Tcp::Peer> &peer) override
    {
        auto connection = std::static_pointer_cast<Connection>(peer->tryGetData(kConnectionData));
        if (!connection || !connection->slot)
            return;  // refused: answered already, the input is dropped
        if (!connection->lineComplete) {
            std::string_view input(buffer, length);
            std::size_t end = input.find('\n');
            connection->requestLine.append(input.substr(0, end));
            connection->lineComplete = end != std::string_view::npos;
        }

        auto parser = getParser(peer);
        auto &request = parser->request;
        auto nextRequest = [&connection] {
            connection->requestLine.clear();
            connection->lineComplete = false;
        };
        try {
            if (connection->requestLine.size() > kMaxRequestLine || !parser->feed(buffer, length)) {
                parser->reset();
                nextRequest();
                sendPlain(peer, request.version(), errorResponse("invalid_request", "request too large"), 413);
                return;
            }
            if (parser->parse() != Http::Private::State::Done)
                return;
            HttpRequest mine = toRequest(request, connection->requestLine);
            mine.clientAddress = peer->address().host();
            nextRequest();
            peer->setIdle(false);
            HttpResponse response = handle_(mine);
            Http::ResponseWriter writer(request.version(), transport(), this, peer);
            // HTTP/1.1 connections are persistent unless the client says
            // otherwise (RFC 9112 9.3); Pistache's own handler answers
            // "Close" whenever the header is absent, which makes every
            // client reconnect for each request.
            auto connectionHeader = request.headers().tryGet<Http::Header::Connection>();
            Http::ConnectionControl control = connectionHeader ? connectionHeader->control()
                                              : request.version() == Http::Version::Http11
                                                  ? Http::ConnectionControl::KeepAlive
                                                  : Http::ConnectionControl::Close;
            if (response.bodyView().size() > kDirectWriteBytes) {
                sendInPieces(peer, request.version(), control, response);
            } else {
                writer.headers().add<Http::Header::Connection>(control);
                send(writer, response);
            }
            parser->reset();
        } catch (const std::exception &e) {
            logLine(LogLevel::Error, std::string("request failed: ") + e.what());
            nextRequest();
            sendPlain(peer, request.version(), errorResponse("invalid_request", "malformed HTTP request"), 400);
            parser->reset();
        }
    }

    static HttpRequest toRequest(const Http::Request &request, const std::string &requestLine)
    {
        HttpRequest out;
        out.method = methodName(request.method());
        out.path = request.resource();
        // "METHOD SP target SP version": the query is what follows '?'.
        std::size_t targetBegin = requestLine.find(' ');
        std::size_t targetEnd = requestLine.find(' ', targetBegin + 1);
        if (targetBegin != std::string::npos && targetEnd != std::string::npos) {
            std::string target = requestLine.substr(targetBegin + 1, targetEnd - targetBegin - 1);
            std::size_t question = target.find('?');
            if (question != std::string::npos)
                out.query = target.substr(question + 1);
        }
        const auto &headers = request.headers();
        if (auto host = headers.tryGetRaw("Host"))
            out.host = host->value();
        if (auto type = headers.tryGetRaw("Content-Type"))
            out.contentType = type->value();
        if (auto match = headers.tryGetRaw("If-None-Match"))
            out.ifNoneMatch = match->value();
        if (auto match = headers.tryGetRaw("If-Match"))
            out.ifMatch = match->value();
        if (auto authorization = headers.tryGetRaw("Authorization"))
            out.authorization = authorization->value();
        if (out.method != "GET" && out.method != "HEAD")
            out.body = request.body();
        return out;
    }

    static void send(Http::ResponseWriter &writer, const HttpResponse &response)
    {
        for (const auto &[name, value] : response.headers)
            writer.headers().add(std::make_shared<NamedHeader>(name, value));
        if (!response.contentType.empty())
            writer.setMime(Http::Mime::MediaType::fromString(response.contentType));
        const std::string_view body = response.bodyView();
        writer.send(static_cast<Http::Code>(response.status), body.data(), body.size());
    }

    // Pistache 0.0.5's ResponseWriter::send() copies a body into a stream
    // buffer that grows by doubling, copies that into the write queue twice,
    // and its transport copies what is left of it on every send() the socket
    // does not take whole. For a body of megabytes (the list endpoint of an
    // authority with 100,000 subordinates) that is most of the cost of the
    // request: memcpy and page faults on fresh multi-megabyte buffers. So a
    // large body is written here: the status line and headers, then the body
    // in pieces of kPieceBytes, each its own write-queue entry (the queue
    // keeps their order), so that every copy is of one small piece. A body of
    // one piece or less goes in the same write as the head: one copy and one
    // send(2) per response.
    void sendInPieces(const std::shared_ptr<Tcp::Peer> &peer, Http::Version version, Http::ConnectionControl control,
                      const HttpResponse &response)
    {
        const auto code = static_cast<Http::Code>(response.status);
        std::string head = std::string(Http::versionString(version)) + " " + std::to_string(response.status) + " " +
                           Http::codeString(code) + "\r\n";
        if (!response.contentType.empty())
            head += "Content-Type: " + response.contentType + "\r\n";
        for (const auto &[name, value] : response.headers)
            head += name + ": " + value + "\r\n";
        head += control == Http::ConnectionControl::KeepAlive ? "Connection: Keep-Alive\r\n" : "Connection: Close\r\n";
        const std::string_view body = response.bodyView();
        head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
        Tcp::Transport *out = transport();
        if (body.size() <= kPieceBytes) {
            // One write, one send(2): the head and the body together.
            head.append(body);
            const std::size_t bytes = head.size();
            out->asyncWrite(peer->fd(), RawBuffer(std::move(head), bytes), 0);
            return;
        }
        const std::size_t headBytes = head.size();
        out->asyncWrite(peer->fd(), RawBuffer(std::move(head), headBytes), MSG_MORE);
        for (std::size_t offset = 0; offset < body.size(); offset += kPieceBytes) {
            const std::size_t length = std::min(kPieceBytes, body.size() - offset);
            const bool last = offset + length == body.size();
            out->asyncWrite(peer->fd(), RawBuffer(body.data() + offset, length), last ? 0 : MSG_MORE);
        }
    }

    void sendPlain(const std::shared_ptr<Tcp::Peer> &peer, Http::Version version, HttpResponse response, int status)
    {
        response.status = status;
        Http::ResponseWriter writer(version, transport(), this, peer);
        writer.headers().add<Http::Header::Connection>(Http::ConnectionControl::Close);
        send(writer, response);
    }

    HttpServer::RequestHandler handle_;
    std::shared_ptr<ConnectionGate> gate_;    ///< shared by every worker's clone
    std::shared_ptr<const std::string> refusal_;
};

} // namespace

struct HttpServer::Impl {
    explicit Impl(const Address &address) : endpoint(address) {}
    Http::Endpoint endpoint;
    bool stopped = false;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer()
{
    shutdown();
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(FederationService &service, const ServerOptions &options)
{
    return start([&service](const HttpRequest &request) { return service.handle(request); }, service.metrics(),
                 options);
}

Result<std::unique_ptr<HttpServer>> HttpServer::start(RequestHandler handler, Metrics &metrics,
                                                      const ServerOptions &options)
{
    std::size_t threads = options.threads;
    if (threads == 0)
        threads = std::max(2u, std::thread::hardware_concurrency());
    try {
        auto impl = std::make_unique<Impl>(Address(options.listenHost, Port(options.listenPort)));
        auto endpointOptions = Http::Endpoint::options()
                                   .threads(static_cast<int>(threads))
                                   .flags(Tcp::Options::ReuseAddr)
                                   .maxRequestSize(options.maxRequestBytes)
                                   .maxResponseSize(64u << 20)
                                   .headerTimeout(options.headerTimeout)
                                   .bodyTimeout(options.headerTimeout);
        impl->endpoint.init(endpointOptions);
        if (auto warning = checkDescriptorBudget(options.maxConnections))
            logLine(LogLevel::Warning, *warning);
        auto gate = std::make_shared<ConnectionGate>(options.maxConnections, &metrics);
        impl->endpoint.setHandler(Http::make_handler<Handler>(std::move(handler), std::move(gate)));
        impl->endpoint.serveThreaded();
        return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
    } catch (const std::exception &e) {
        return fail(ErrorCode::Unavailable, "cannot listen on " + options.listenHost + ":" +
                                                std::to_string(options.listenPort) + ": " + e.what());
    }
}

std::uint16_t HttpServer::port() const
{
    return static_cast<std::uint16_t>(impl_->endpoint.getPort());
}

void HttpServer::shutdown()
{
    if (impl_ && !impl_->stopped) {
        impl_->stopped = true;
        impl_->endpoint.shutdown();
    }
}

} // namespace oidfed::server
