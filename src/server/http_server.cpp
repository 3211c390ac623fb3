#include "server/http_server.h"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <thread>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/mime.h>
#include <pistache/net.h>
#include <pistache/peer.h>

#include "server/http_responses.h"
#include "server/server_log.h"

namespace oidfed::server {

namespace {

using namespace Pistache;

constexpr const char *kRequestLineData = "oidfed.requestLine";
constexpr std::size_t kMaxRequestLine = 1 << 20;  // beyond it, maxRequestBytes has refused the request

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

// The request line of the request a connection is sending, accumulated
// until its CRLF.
struct RequestLine {
    std::string text;
    bool complete = false;
};

std::string methodName(Http::Method method)
{
    switch (method) {
    case Http::Method::Get:
        return "GET";
    case Http::Method::Post:
        return "POST";
    case Http::Method::Head:
        return "HEAD";
    default:
        return "OTHER";
    }
}

// Pistache keeps query parameters in an unordered_map, which loses repeated
// parameters (trust_anchor, entity_type) and hides a repeated sub. So this
// handler keeps the raw request line of each request: onInput() is Pistache's
// own input step, rewritten on its public API (parser, ResponseWriter), with
// the request line recorded before the bytes are parsed.
class Handler : public Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)

    explicit Handler(FederationService *service) : service_(service) {}

    void onRequest(const Http::Request &request, Http::ResponseWriter writer) override
    {
        // Not reached: onInput() handles complete requests itself.
        writer.send(Http::Code::Internal_Server_Error);
        (void)request;
    }

private:
    void onInput(const char *buffer, size_t length, const std::shared_ptr<Tcp::Peer> &peer) override
    {
        auto line = std::static_pointer_cast<RequestLine>(peer->tryGetData(kRequestLineData));
        if (!line) {
            line = std::make_shared<RequestLine>();
            peer->putData(kRequestLineData, line);
        }
        if (!line->complete) {
            std::string_view input(buffer, length);
            std::size_t end = input.find('\n');
            line->text.append(input.substr(0, end));
            line->complete = end != std::string_view::npos;
        }

        auto parser = getParser(peer);
        auto &request = parser->request;
        try {
            if (line->text.size() > kMaxRequestLine || !parser->feed(buffer, length)) {
                parser->reset();
                *line = RequestLine{};
                sendPlain(peer, request.version(), errorResponse("invalid_request", "request too large"), 413);
                return;
            }
            if (parser->parse() != Http::Private::State::Done)
                return;
            HttpRequest mine = toRequest(request, line->text);
            *line = RequestLine{};
            peer->setIdle(false);
            HttpResponse response = service_->handle(mine);
            Http::ResponseWriter writer(request.version(), transport(), this, peer);
            // HTTP/1.1 connections are persistent unless the client says
            // otherwise (RFC 9112 9.3); Pistache's own handler answers
            // "Close" whenever the header is absent, which makes every
            // client reconnect for each request.
            auto connection = request.headers().tryGet<Http::Header::Connection>();
            Http::ConnectionControl control = connection ? connection->control()
                                              : request.version() == Http::Version::Http11
                                                  ? Http::ConnectionControl::KeepAlive
                                                  : Http::ConnectionControl::Close;
            writer.headers().add<Http::Header::Connection>(control);
            send(writer, response);
            parser->reset();
        } catch (const std::exception &e) {
            logLine(LogLevel::Error, std::string("request failed: ") + e.what());
            *line = RequestLine{};
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
        if (out.method == "POST")
            out.body = request.body();
        return out;
    }

    static void send(Http::ResponseWriter &writer, const HttpResponse &response)
    {
        for (const auto &[name, value] : response.headers)
            writer.headers().add(std::make_shared<NamedHeader>(name, value));
        if (!response.contentType.empty())
            writer.setMime(Http::Mime::MediaType::fromString(response.contentType));
        writer.send(static_cast<Http::Code>(response.status), response.body);
    }

    void sendPlain(const std::shared_ptr<Tcp::Peer> &peer, Http::Version version, HttpResponse response, int status)
    {
        response.status = status;
        Http::ResponseWriter writer(version, transport(), this, peer);
        writer.headers().add<Http::Header::Connection>(Http::ConnectionControl::Close);
        send(writer, response);
    }

    FederationService *service_;
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
        impl->endpoint.setHandler(Http::make_handler<Handler>(&service));
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
