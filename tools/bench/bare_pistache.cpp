// bare_pistache — the baseline of the HTTP benchmark (PRODUCT.md 5): a
// Pistache endpoint whose handler returns the same bytes for every request,
// with the given Content-Type, and does nothing else. `oidfed serve` answering
// a cached resolve is compared with it, in the same run, on the same machine.
//
//   bare_pistache PORT THREADS BODY_FILE CONTENT_TYPE

#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/mime.h>

namespace {

class Handler : public Pistache::Http::Handler {
public:
    HTTP_PROTOTYPE(Handler)
    Handler(std::string body, std::string contentType) : body_(std::move(body)), contentType_(std::move(contentType))
    {
    }
    void onRequest(const Pistache::Http::Request &, Pistache::Http::ResponseWriter response) override
    {
        response.setMime(Pistache::Http::Mime::MediaType::fromString(contentType_));
        response.send(Pistache::Http::Code::Ok, body_);
    }

private:
    std::string body_;
    std::string contentType_;
};

} // namespace

int main(int argc, char **argv)
{
    if (argc != 5) {
        std::cerr << "usage: bare_pistache PORT THREADS BODY_FILE CONTENT_TYPE\n";
        return 2;
    }
    std::ifstream in(argv[3], std::ios::binary);
    std::stringstream body;
    body << in.rdbuf();
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    Pistache::Http::Endpoint endpoint(
        Pistache::Address(Pistache::Ipv4::loopback(), Pistache::Port(static_cast<std::uint16_t>(std::stoi(argv[1])))));
    endpoint.init(Pistache::Http::Endpoint::options().threads(std::stoi(argv[2])).flags(
        Pistache::Tcp::Options::ReuseAddr));
    endpoint.setHandler(Pistache::Http::make_handler<Handler>(body.str(), argv[4]));
    endpoint.serveThreaded();
    int received = 0;
    sigwait(&signals, &received);
    endpoint.shutdown();
    return 0;
}
