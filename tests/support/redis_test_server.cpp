#include "redis_test_server.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "cache/redis_url.h"

namespace oidfed::test {

namespace {

/// $variable, else `program` in the first directory of $PATH that has it.
std::string findProgram(const char *variable, const char *program)
{
    if (const char *configured = std::getenv(variable); configured && *configured)
        return configured;
    const char *path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const std::size_t end = dirs.find(':', start);
        const std::string dir = dirs.substr(start, end == std::string::npos ? std::string::npos : end - start);
        const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate.string();
        if (end == std::string::npos)
            break;
        start = end + 1;
    }
    return {};
}

/// fork + exec of `args` with stdio on /dev/null, killed with the test
/// (PR_SET_PDEATHSIG). Returns the child's pid.
pid_t spawnQuietly(std::vector<std::string> args)
{
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        // Child: only async-signal-safe calls until exec.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(127);
        const int devnull = ::open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            ::dup2(devnull, STDIN_FILENO);
            ::dup2(devnull, STDOUT_FILENO);
            ::dup2(devnull, STDERR_FILENO);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    return pid;
}

void killAndReap(pid_t pid)
{
    if (pid <= 0)
        return;
    ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

} // namespace

std::string redisServerBinary()
{
    return findProgram("OIDFED_REDIS_SERVER", "redis-server");
}

std::string redisSentinelBinary()
{
    return findProgram("OIDFED_REDIS_SENTINEL", "redis-sentinel");
}

RedisServerProcess::RedisServerProcess(std::vector<std::string> extraArgs, int port)
    : extraArgs_(std::move(extraArgs)), port_(port)
{
    if (port_ == 0)
        port_ = freeLoopbackPort();
    start();
}

RedisServerProcess::~RedisServerProcess()
{
    kill9();
}

void RedisServerProcess::start()
{
    const std::string binary = redisServerBinary();
    if (binary.empty())
        throw std::runtime_error("redis-server not found");
    std::vector<std::string> args = {binary,   "--port",       std::to_string(port_), "--bind", "127.0.0.1",
                                     "--save", "",             "--appendonly",        "no",     "--daemonize",
                                     "no",     "--loglevel",   "warning"};
    args.insert(args.end(), extraArgs_.begin(), extraArgs_.end());
    pid_ = spawnQuietly(std::move(args));
    const bool up = waitFor(
        [&] {
            try {
                AdminConnection admin(url());
                admin.command({"PING"});  // any reply (PONG, or NOAUTH with --requirepass) means it is up
                return true;
            } catch (const std::exception &) {
                return false;
            }
        },
        std::chrono::seconds(5));
    if (!up) {
        kill9();
        throw std::runtime_error("redis-server did not come up on port " + std::to_string(port_));
    }
}

void RedisServerProcess::kill9()
{
    killAndReap(pid_);
    pid_ = -1;
}

void RedisServerProcess::pause()
{
    if (pid_ > 0)
        ::kill(pid_, SIGSTOP);
}

void RedisServerProcess::resume()
{
    if (pid_ > 0)
        ::kill(pid_, SIGCONT);
}

void RedisServerProcess::restart()
{
    kill9();
    start();
}

namespace {

/// Arguments of a Redis node of the group: its directory (a replica's full
/// sync writes an RDB file there) and its password.
std::vector<std::string> nodeArgs(const std::string &directory, const std::string &password)
{
    std::vector<std::string> args = {"--dir", directory};
    if (!password.empty())
        args.insert(args.end(), {"--requirepass", password, "--masterauth", password});
    return args;
}

std::vector<std::string> replicaArgs(const std::string &directory, const std::string &password, int masterPort)
{
    std::vector<std::string> args = nodeArgs(directory, password);
    args.insert(args.end(), {"--replicaof", "127.0.0.1", std::to_string(masterPort)});
    return args;
}

std::string urlWith(const std::string &password, int port)
{
    return "redis://" + (password.empty() ? std::string() : ":" + password + "@") + "127.0.0.1:" +
           std::to_string(port);
}

} // namespace

RedisSentinelGroup::RedisSentinelGroup(const std::string &directory, const std::string &masterPassword,
                                       const std::string &sentinelPassword)
    : masterPassword_(masterPassword),
      sentinelPassword_(sentinelPassword),
      master_(nodeArgs(directory, masterPassword)),
      replica_(replicaArgs(directory, masterPassword, master_.port()))
{
    const std::string binary = redisSentinelBinary();
    if (binary.empty())
        throw std::runtime_error("redis-sentinel not found");
    for (int i = 0; i < 3; ++i) {
        const int port = freeLoopbackPort();
        const std::string file = directory + "/sentinel-" + std::to_string(port) + ".conf";
        {
            std::ofstream conf(file);
            conf << "port " << port << "\nbind 127.0.0.1\ndaemonize no\nloglevel warning\ndir " << directory << "\n"
                 << "sentinel monitor " << kMasterName << " 127.0.0.1 " << master_.port() << " 2\n"
                 << "sentinel down-after-milliseconds " << kMasterName << " 1000\n"
                 << "sentinel failover-timeout " << kMasterName << " 3000\n"
                 << "sentinel parallel-syncs " << kMasterName << " 1\n";
            if (!masterPassword_.empty())
                conf << "sentinel auth-pass " << kMasterName << " " << masterPassword_ << "\n";
            if (!sentinelPassword_.empty())
                conf << "requirepass " << sentinelPassword_ << "\n";
            if (!conf)
                throw std::runtime_error("cannot write " + file);
        }
        sentinelPorts_.push_back(port);
        sentinelPids_.push_back(spawnQuietly({binary, file}));
    }
    // Ready when every Sentinel knows the replica and the other two
    // Sentinels (hello messages go every 2 s, INFO every 10 s).
    const bool ready = waitFor(
        [&] {
            for (int port : sentinelPorts_) {
                try {
                    AdminConnection sentinel(sentinelUrl(port));
                    const AdminReply master = sentinel.command({"SENTINEL", "master", kMasterName});
                    const std::string &t = master.text;
                    // A flat list of field names and values.
                    auto field = [&t](const std::string &name) {
                        const std::string key = "\n" + name + "\n";
                        const std::size_t at = t.find(key);
                        if (at == std::string::npos)
                            return std::string();
                        const std::size_t from = at + key.size();
                        return t.substr(from, t.find('\n', from) - from);
                    };
                    if (field("num-slaves") != "1" || field("num-other-sentinels") != "2")
                        return false;
                } catch (const std::exception &) {
                    return false;
                }
            }
            return true;
        },
        std::chrono::seconds(15));
    if (!ready) {
        for (pid_t pid : sentinelPids_)
            killAndReap(pid);
        throw std::runtime_error("the sentinels did not see the replica and each other within 15 s");
    }
}

RedisSentinelGroup::~RedisSentinelGroup()
{
    for (pid_t pid : sentinelPids_)
        killAndReap(pid);
}

std::vector<std::string> RedisSentinelGroup::sentinelAddresses() const
{
    std::vector<std::string> out;
    for (int port : sentinelPorts_)
        out.push_back("127.0.0.1:" + std::to_string(port));
    return out;
}

std::string RedisSentinelGroup::nodeUrl(int port) const
{
    return urlWith(masterPassword_, port);
}

std::string RedisSentinelGroup::sentinelUrl(int port) const
{
    return urlWith(sentinelPassword_, port);
}

int RedisSentinelGroup::masterPort()
{
    for (int port : sentinelPorts_) {
        try {
            AdminConnection sentinel(sentinelUrl(port));
            const AdminReply reply = sentinel.command({"SENTINEL", "get-master-addr-by-name", kMasterName});
            const std::size_t newline = reply.text.find('\n');
            if (reply.type == REDIS_REPLY_ARRAY && newline != std::string::npos)
                return std::stoi(reply.text.substr(newline + 1));
        } catch (const std::exception &) {
        }
    }
    return 0;
}

AdminConnection::AdminConnection(const std::string &url)
{
    auto endpoint = cache::parseRedisUrl(url);
    if (!endpoint)
        throw std::runtime_error(endpoint.error().message);
    const timeval tv{1, 0};
    context_.reset(endpoint->transport == cache::RedisEndpoint::Transport::Tcp
                       ? redisConnectWithTimeout(endpoint->host.c_str(), endpoint->port, tv)
                       : redisConnectUnixWithTimeout(endpoint->socketPath.c_str(), tv));
    if (!context_ || context_->err)
        throw std::runtime_error("admin connection failed");
    redisSetTimeout(context_.get(), tv);
    if (!endpoint->password.empty()) {
        std::vector<std::string> auth = {"AUTH"};
        if (!endpoint->user.empty())
            auth.push_back(endpoint->user);
        auth.push_back(endpoint->password);
        command(auth);
    }
    if (endpoint->db != 0)
        command({"SELECT", std::to_string(endpoint->db)});
}

AdminReply AdminConnection::command(const std::vector<std::string> &args)
{
    std::vector<const char *> argv;
    std::vector<std::size_t> lengths;
    for (const auto &a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    cache::RedisReplyPtr reply(static_cast<redisReply *>(
        redisCommandArgv(context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (!reply)
        throw std::runtime_error("admin command failed");
    AdminReply out{reply->type, {}};
    switch (reply->type) {
    case REDIS_REPLY_INTEGER:
        out.text = std::to_string(reply->integer);
        break;
    case REDIS_REPLY_NIL:
        out.text = "(nil)";
        break;
    case REDIS_REPLY_ARRAY:
        for (std::size_t i = 0; i < reply->elements; ++i) {
            if (i)
                out.text += '\n';
            if (reply->element[i]->str)
                out.text.append(reply->element[i]->str, reply->element[i]->len);
        }
        break;
    default:
        if (reply->str)
            out.text.assign(reply->str, reply->len);
    }
    return out;
}

bool waitFor(const std::function<bool()> &condition, std::chrono::milliseconds limit)
{
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (condition())
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return condition();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

} // namespace oidfed::test
