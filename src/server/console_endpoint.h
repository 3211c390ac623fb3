// ConsoleEndpoint: the web console of `oidfed serve` (docs/console.md), on
// the main listener under console.path (default /ui/), when the
// configuration has "console":
//
//   PATH, PATH + FILE      the console's own files (console_assets.h), to
//                          anyone: they hold no federation data
//   PATH + "api/" + VIEW   the data of each view as JSON (console_data.h);
//                          an admin operator's bearer token (read or write
//                          role) unless console.read_without_credentials
//   PATH + "admin/" + ...  the admin API (admin_api.h) itself, in process,
//                          with the request's own Authorization header: the
//                          console's changes are admin API calls, with the
//                          same operators, roles, If-Match and audit log
//
// Every answer carries a strict Content-Security-Policy (no inline script
// or style, nothing from another origin, no framing), nosniff and
// no-referrer: the console shows what federation members publish, and no
// script of theirs may run in an operator's browser (docs/security.md).
//
// Thread-safe: handle() runs on every HTTP worker thread at once.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>

#include "server/admin_settings.h"
#include "server/console_settings.h"
#include "server/http_message.h"
#include "server/server_options.h"

namespace oidfed::server {

class AdminApi;
class FederationService;

class ConsoleEndpoint {
public:
    /// `options`: the running server's (options.console, which must be
    /// set; options.admin, whose operators' tokens open the data; allowHttp).
    /// `admin`: the admin API when configured (nullptr: the console is
    /// read-only). `service` and `admin` must outlive the endpoint.
    ConsoleEndpoint(const ServerOptions &options, FederationService &service, AdminApi *admin);

    /// Whether `path` (a request's, without the query) is the console's.
    bool owns(std::string_view path) const noexcept;

    HttpResponse handle(const HttpRequest &request);

    /// The Content-Security-Policy of every console answer.
    static constexpr std::string_view kContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

private:
    HttpResponse asset(const HttpRequest &request, std::string_view name) const;
    HttpResponse data(const HttpRequest &request, std::string_view view);
    HttpResponse forwardToAdmin(const HttpRequest &request, std::string_view rest);

    ConsoleSettings settings_;
    std::optional<AdminSettings> adminSettings_;
    bool allowHttp_ = false;
    FederationService &service_;
    AdminApi *admin_;
    /// Resolutions running now (explain, federation), at most
    /// settings_.maxConcurrentResolutions.
    std::atomic<std::size_t> resolving_{0};
};

} // namespace oidfed::server
