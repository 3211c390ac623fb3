// HttpServer: the Pistache endpoint in front of a FederationService (or, on
// its own listener, the admin API). It moves bytes only: every decision is
// made by FederationService::handle() (AdminApi::handle()).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <oidfed/result.h>

#include "server/federation_service.h"

namespace oidfed::server {

class HttpServer {
public:
    /// Binds and starts serving on Pistache's threads. InvalidArgument /
    /// Unavailable when the address cannot be bound. `service` must outlive
    /// the server.
    static Result<std::unique_ptr<HttpServer>> start(FederationService &service, const ServerOptions &options);

    /// Answers each request with `handler` (called on every worker thread
    /// at once), on options.listenHost:listenPort with options' limits;
    /// refused connections are counted in `metrics`. The admin listener.
    using RequestHandler = std::function<HttpResponse(const HttpRequest &)>;
    static Result<std::unique_ptr<HttpServer>> start(RequestHandler handler, Metrics &metrics,
                                                     const ServerOptions &options);
    ~HttpServer();
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    /// The port bound (useful when the configuration asked for port 0).
    std::uint16_t port() const;
    /// Stops accepting, closes connections and joins the threads.
    void shutdown();

    struct Impl;

private:
    explicit HttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace oidfed::server
