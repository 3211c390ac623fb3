"""The parts of the fleet test (tests/fleet/fleet_test.py), each a real
process on loopback owned by the test: a Redis master, its replica and three
Sentinels; `oidfed serve` replicas; nginx in front of them; and a load
generator that counts every request and when it failed.

Only the Python standard library: the test runs on a plain Debian 12."""

import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

MASTER_NAME = "oidfed"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, step=0.05):
    """True as soon as predicate() is; False after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except (OSError, http.client.HTTPException, RedisError):
            pass
        time.sleep(step)
    return False


def find_program(name, env_name=None):
    """$env_name, else `name` on $PATH or in /usr/sbin (nginx is there, and
    /usr/sbin is not on a non-root user's PATH)."""
    if env_name and os.environ.get(env_name):
        return shutil.which(os.environ[env_name])  # None when it is not an executable
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


class Process:
    """A child process with its output in a log file; SIGKILLed at close()."""

    def __init__(self, args, log_path):
        self.args = args
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.popen = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def send(self, sig):
        if self.popen.poll() is None:
            self.popen.send_signal(sig)

    def kill9(self):
        self.send(signal.SIGKILL)
        self.popen.wait()

    def close(self, sig=signal.SIGKILL, timeout=10):
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log.close()

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


# --- Redis -----------------------------------------------------------------

class RedisError(Exception):
    pass


def redis_command(port, *args, timeout=1.0):
    """One RESP command on a fresh connection; the reply as str, int or list."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        request = "*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a.encode()), a) for a in args)
        s.sendall(request.encode())
        reader = s.makefile("rb")
        return _read_reply(reader)


def _read_reply(reader):
    line = reader.readline()
    if not line:
        raise RedisError("connection closed")
    kind, rest = line[:1], line[1:-2].decode()
    if kind == b"+":
        return rest
    if kind == b"-":
        raise RedisError(rest)
    if kind == b":":
        return int(rest)
    if kind == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = reader.read(n + 2)
        return data[:-2].decode()
    if kind == b"*":
        n = int(rest)
        return None if n < 0 else [_read_reply(reader) for _ in range(n)]
    raise RedisError("unexpected reply " + repr(line))


class SentinelGroup:
    """A master, one replica and three Sentinels (quorum 2, master down after
    1 s, failover timeout 3 s), as tests/support/redis_test_server.cpp sets
    them up for serve_sentinel_test."""

    def __init__(self, directory, redis_server, redis_sentinel):
        self.processes = []
        self.master_port = free_port()
        self.replica_port = free_port()
        common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                  "--loglevel", "warning", "--dir", directory]
        self.master = self._start([redis_server, "--port", str(self.master_port)] + common,
                                  os.path.join(directory, "redis-master.log"))
        self.replica = self._start([redis_server, "--port", str(self.replica_port)] + common +
                                   ["--replicaof", "127.0.0.1", str(self.master_port)],
                                   os.path.join(directory, "redis-replica.log"))
        for port in (self.master_port, self.replica_port):
            if not wait_for(lambda: redis_command(port, "PING") == "PONG", 5):
                raise RuntimeError("redis-server on %d did not answer" % port)
        self.sentinel_ports = []
        for _ in range(3):
            port = free_port()
            conf = os.path.join(directory, "sentinel-%d.conf" % port)
            with open(conf, "w") as f:
                f.write("port %d\nbind 127.0.0.1\ndir %s\n" % (port, directory))
                f.write("sentinel monitor %s 127.0.0.1 %d 2\n" % (MASTER_NAME, self.master_port))
                f.write("sentinel down-after-milliseconds %s 1000\n" % MASTER_NAME)
                f.write("sentinel failover-timeout %s 3000\n" % MASTER_NAME)
                f.write("sentinel parallel-syncs %s 1\n" % MASTER_NAME)
            self.sentinel_ports.append(port)
            self._start([redis_sentinel, conf], os.path.join(directory, "sentinel-%d.log" % port))

        def settled():
            for port in self.sentinel_ports:
                fields = redis_command(port, "SENTINEL", "master", MASTER_NAME)
                info = dict(zip(fields[::2], fields[1::2]))
                if info.get("num-slaves") != "1" or info.get("num-other-sentinels") != "2":
                    return False
            return True

        if not wait_for(settled, 20, 0.1):
            raise RuntimeError("the Sentinels did not see the replica and each other within 20 s")

    def _start(self, args, log):
        process = Process(args, log)
        self.processes.append(process)
        return process

    def addresses(self):
        return ["127.0.0.1:%d" % p for p in self.sentinel_ports]

    def current_master_port(self):
        """The master's port as the first Sentinel that answers says (0: none)."""
        for port in self.sentinel_ports:
            try:
                reply = redis_command(port, "SENTINEL", "get-master-addr-by-name", MASTER_NAME)
                if reply:
                    return int(reply[1])
            except (OSError, RedisError):
                continue
        return 0

    def close(self):
        for process in self.processes:
            process.close()


# --- nginx -----------------------------------------------------------------

def nginx_config(prefix, listen_port, upstream_ports, run_as_root):
    """The configuration the test runs nginx with: its own prefix, pid file
    and logs, never a system service. docs/deployment.md shows the same
    upstream and proxy settings."""
    servers = "".join("        server 127.0.0.1:%d max_fails=1 fail_timeout=10s;\n" % p for p in upstream_ports)
    # As root, nginx's workers would switch to `nobody`, who cannot enter the
    # test's private directory.
    user = "user root root;\n" if run_as_root else ""
    return f"""{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;

    upstream oidfed {{
{servers}        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{listen_port};
        location ~ ^/(healthz|readyz|metrics)$ {{ return 404; }}
        location / {{
            proxy_pass http://oidfed;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_connect_timeout 1s;
            proxy_read_timeout 10s;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 3;
        }}
    }}
}}
"""


# --- HTTP ------------------------------------------------------------------

def http_get(port, path, timeout=10):
    """(status, body) of one GET on a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def jwt_payload(compact):
    part = compact.split(b".")[1]
    return json.loads(base64.urlsafe_b64decode(part + b"=" * (-len(part) % 4)))


class Load:
    """Closed-loop clients over keep-alive connections to one port, each
    paced to `rate` requests per second, recording (time, ok) of every
    request. A request fails when it gets no answer or any status but 200."""

    def __init__(self, port, paths, clients, rate):
        self.port = port
        self.paths = paths
        self.clients = clients
        self.rate = rate
        self.records = []  # (monotonic time, ok, status or error)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(clients)]

    def start(self):
        for t in self._threads:
            t.start()
        return self

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join()

    def _run(self, index):
        connection = None
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        i = index
        while not self._stop.is_set():
            path = self.paths[i % len(self.paths)]
            i += 1
            outcome = None
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                outcome = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException) as e:
                outcome = type(e).__name__
                if connection is not None:
                    connection.close()
                connection = None
            with self._lock:
                self.records.append((time.monotonic(), outcome == 200, outcome))
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                next_at = time.monotonic()
        if connection is not None:
            connection.close()

    def window(self, start, end=float("inf")):
        """(requests, failures, [failure records]) in [start, end)."""
        with self._lock:
            chosen = [r for r in self.records if start <= r[0] < end]
        failed = [r for r in chosen if not r[1]]
        return len(chosen), len(failed), failed
