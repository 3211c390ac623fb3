#include "federation_server.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <tuple>
#include <map>
#include <mutex>
#include <stdexcept>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/mime.h>
#include <pistache/net.h>

namespace oidfed::test {

struct FederationServer::Impl {
    std::mutex mutex;
    // Guarded by mutex: "/path" or "/path|sub=<decoded>" -> (body, delay in ms, media type).
    std::map<std::string, std::tuple<std::string, int, std::string>> bodies;
    // Guarded by mutex: "/path" -> POST handler.
    std::map<std::string, FederationServer::PostHandler> posts;
    std::atomic<int> requests{0};
    Pistache::Http::Endpoint endpoint{Pistache::Address(Pistache::Ipv4::loopback(), Pistache::Port(0))};
    std::string base;
};

namespace {

std::string percentDecode(const std::string &text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// Table key: the path, plus the decoded `sub` parameter when there is one
// (however the client chose to encode it).
std::string tableKey(const std::string &path, const std::string &sub)
{
    return sub.empty() ? path : path + "|sub=" + percentDecode(sub);
}

// The table key of a URL served here (its path, and the sub of a fetch).
std::string tableKeyOf(const std::string &base, const std::string &url)
{
    if (url.rfind(base, 0) != 0)
        throw std::invalid_argument("not served here: " + url);
    std::string rest = url.substr(base.size());
    std::string path = rest.substr(0, rest.find('?'));
    std::string sub;
    if (auto at = rest.find("?sub="); at != std::string::npos)
        sub = rest.substr(at + 5);
    return tableKey(path, sub);
}

class Handler : public Pistache::Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)

    explicit Handler(FederationServer::Impl *impl) : impl_(impl) {}

    void onRequest(const Pistache::Http::Request &request, Pistache::Http::ResponseWriter response) override
    {
        ++impl_->requests;
        if (request.method() == Pistache::Http::Method::Post) {
            FederationServer::PostHandler handler;
            {
                std::lock_guard lock(impl_->mutex);
                if (auto it = impl_->posts.find(request.resource()); it != impl_->posts.end())
                    handler = it->second;
            }
            if (handler) {
                auto type = request.headers().tryGet<Pistache::Http::Header::ContentType>();
                FederationServer::PostAnswer answer = handler(request.body(), type ? type->mime().toString() : "");
                response.setMime(Pistache::Http::Mime::MediaType::fromString(answer.mediaType));
                response.send(static_cast<Pistache::Http::Code>(answer.status), answer.body);
                return;
            }
        }
        std::string key = tableKey(request.resource(), request.query().get("sub").value_or(""));
        std::string body;
        int delayMs = 0;
        std::string mediaType;
        bool found = false;
        {
            std::lock_guard lock(impl_->mutex);
            auto it = impl_->bodies.find(key);
            if (it != impl_->bodies.end()) {
                std::tie(body, delayMs, mediaType) = it->second;
                found = true;
            }
        }
        if (delayMs > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(delayMs, 5000)));
        if (!found) {
            response.setMime(Pistache::Http::Mime::MediaType::fromString("application/json"));
            response.send(Pistache::Http::Code::Not_Found, R"({"error":"not_found","error_description":"no such statement"})");
            return;
        }
        response.setMime(Pistache::Http::Mime::MediaType::fromString(mediaType));
        response.send(Pistache::Http::Code::Ok, body);
    }

private:
    FederationServer::Impl *impl_;
};

} // namespace

std::unique_ptr<Fetcher> makeLoopbackFetcher()
{
    FetchOptions options;
    options.allowHttp = true;
    options.allowLoopback = true;
    auto fetcher = makeCurlFetcher(options);
    if (!fetcher)
        throw std::runtime_error("loopback fetcher: " + fetcher.error().describe());
    return std::move(fetcher).value();
}

ResolverOptions loopbackResolverOptions()
{
    ResolverOptions options;
    options.statements.entityIds.allowHttp = true;
    return options;
}

FederationServer::FederationServer() : impl_(std::make_unique<Impl>())
{
    auto options = Pistache::Http::Endpoint::options().threads(4).flags(Pistache::Tcp::Options::ReuseAddr).maxRequestSize(1 << 20);
    impl_->endpoint.init(options);
    impl_->endpoint.setHandler(std::make_shared<Handler>(impl_.get()));
    impl_->endpoint.serveThreaded();
    impl_->base = "http://127.0.0.1:" + std::to_string(static_cast<std::uint16_t>(impl_->endpoint.getPort()));
}

FederationServer::~FederationServer()
{
    impl_->endpoint.shutdown();
}

std::string FederationServer::base() const
{
    return impl_->base;
}

void FederationServer::stopServing(const std::string &url)
{
    const std::string key = tableKeyOf(impl_->base, url);
    std::lock_guard lock(impl_->mutex);
    impl_->bodies.erase(key);
}

void FederationServer::serve(const std::string &url, std::string body, int delayMs, std::string mediaType)
{
    const std::string key = tableKeyOf(impl_->base, url);
    std::lock_guard lock(impl_->mutex);
    impl_->bodies.insert_or_assign(key, std::make_tuple(std::move(body), delayMs, std::move(mediaType)));
}

void FederationServer::handlePost(const std::string &url, PostHandler handler)
{
    if (url.rfind(impl_->base, 0) != 0)
        throw std::invalid_argument("not served here: " + url);
    std::lock_guard lock(impl_->mutex);
    impl_->posts.insert_or_assign(url.substr(impl_->base.size()), std::move(handler));
}

int FederationServer::requests() const
{
    return impl_->requests.load();
}

} // namespace oidfed::test
