#!/usr/bin/env python3
"""A fleet on loopback (issue 20 item 2): three `oidfed serve` replicas of one
federation behind nginx, sharing Redis behind Sentinel, under a steady load
of cached resolves and a trickle of cold ones (subjects no replica resolved
before). Three events, each measured:

  (a) the Redis master is killed (SIGKILL): Sentinel promotes the replica;
      no cached resolve may fail; measured: until the Sentinels name the new
      master, until a replica's write reaches it, until every replica's
      /readyz says ready with Redis ok again.
  (b) one replica is killed (SIGKILL): nginx's passive health check
      (max_fails, proxy_next_upstream) routes around it; no request may fail
      once nginx has seen it down (in practice none fails at all).
  (c) a subordinate file changes and every replica gets SIGHUP: every
      replica, and so nginx, serves the new subordinate statement within a
      bound; no request may fail meanwhile.

The replicas share the federation directory, its key directories and its
subordinate files; their configuration files differ only in `listen`
(replica-N.json beside oidfed.json, so relative paths name the same
directories). The Entity Identifiers are nginx's address, as in a real
fleet: a cold resolve fetches the federation's statements through nginx.

Usage: fleet_test.py [--long]. --long (or OIDFED_FLEET_LONG=1) runs the
full-length measurement of docs/benchmarks.md; OIDFED_FLEET_KEEP=1 keeps the
temporary directory (the replicas' logs and configurations, nginx.conf). Needs $OIDFED_CLI and
$OIDFED_SOURCE_DIR (meson test sets them), nginx, redis-server and
redis-sentinel (on $PATH or /usr/sbin, or named by $OIDFED_NGINX,
$OIDFED_REDIS_SERVER, $OIDFED_REDIS_SENTINEL); without those it is skipped (exit 77), except in CI
(CI=true), where that is a failure."""

import json
import os
import shutil
import signal
import sys
import tempfile
import time
import urllib.parse

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fleet_parts import (Load, Process, SentinelGroup, find_program, free_port, http_get,  # noqa: E402
                         jwt_payload, nginx_config, redis_command, wait_for)

SKIP = 77
REPLICAS = 3

SHORT = dict(leaves=80, clients=3, rate=80, cold_interval=0.3, steady=2.0, after_kill=4.0, reload_bound=20.0)
LONG = dict(leaves=700, clients=4, rate=150, cold_interval=0.25, steady=20.0, after_kill=30.0, reload_bound=20.0)


def unavailable(what):
    if os.environ.get("CI") == "true":
        print("FAIL: %s, and CI=true requires the fleet test to run" % what, file=sys.stderr)
        return 1
    print("SKIP: %s" % what, file=sys.stderr)
    return SKIP


class Failed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failed(message)
    print("  ok: " + message)


def build_federation(fed_dir, base, sentinels, leaves):
    """The demo federation (trust-anchors/demo) under `base`, plus `leaves`
    leaf entities below the intermediate for cold resolves, with Redis
    behind the Sentinels and the per-client limits of a server behind a
    proxy (every request comes from nginx's address)."""
    demo = os.path.join(os.environ["OIDFED_SOURCE_DIR"], "trust-anchors", "demo")
    for root, dirs, files in os.walk(demo):
        relative = os.path.relpath(root, demo)
        dirs[:] = [d for d in dirs if not (relative == "." and d in ("keys", "clients"))]
        os.makedirs(os.path.join(fed_dir, relative), exist_ok=True)
        for name in files:
            with open(os.path.join(root, name)) as f:
                text = f.read().replace("http://127.0.0.1:8777", base)
            with open(os.path.join(fed_dir, relative, name), "w") as f:
                f.write(text)
    config_path = os.path.join(fed_dir, "oidfed.json")
    with open(config_path) as f:
        config = json.load(f)
    config["redis"] = {"key_prefix": "fleet:", "sentinel": {"addresses": sentinels, "master_name": "oidfed"}}
    # Without the anchor's crawler: the cold resolves below must be cold (a
    # crawl would have put every chain in Redis before the failover).
    for entity in config["entities"]:
        entity.get("resolver", {}).pop("crawl", None)
    config["resolver_limits"] = {"on_demand_per_client_rate": 0, "max_concurrent_on_demand": 64,
                                 "max_on_demand_per_client": 64}
    for i in range(leaves):
        name = "leaf%04d" % i
        config["entities"].append({
            "entity_id": "%s/%s" % (base, name),
            "keys_dir": "keys/" + name,
            "metadata": {"federation_entity": {"organization_name": "Fleet test leaf %d" % i}},
            "authority_hints": [base + "/ia"],
        })
        with open(os.path.join(fed_dir, "subordinates", "ia", name + ".json"), "w") as f:
            json.dump({"entity_id": "%s/%s" % (base, name), "entity_types": ["federation_entity"]}, f)
    return config


def resolve_path(base, subject):
    return "/ta/resolve?" + urllib.parse.urlencode({"sub": subject, "trust_anchor": base + "/ta"})


def readiness(port):
    status, body = http_get(port, "/readyz", timeout=2)
    data = json.loads(body)
    return data.get("status"), data.get("redis")


def fetched_name(port, base):
    """organization_name of the intermediate's subordinate statement as the
    trust anchor's fetch endpoint at `port` serves it (None: no answer)."""
    path = "/ta/fetch?" + urllib.parse.urlencode({"sub": base + "/ia"})
    status, body = http_get(port, path, timeout=2)
    if status != 200:
        return None
    metadata = jwt_payload(body.strip()).get("metadata", {})
    return metadata.get("federation_entity", {}).get("organization_name")


def ms(seconds):
    return int(round(seconds * 1000))


def run(work, params, cli, nginx, redis_server, redis_sentinel):
    nginx_port = free_port()
    base = "http://127.0.0.1:%d" % nginx_port
    replica_ports = [free_port() for _ in range(REPLICAS)]
    processes = []
    try:
        t = time.monotonic()
        os.makedirs(os.path.join(work, "redis"))
        group = SentinelGroup(os.path.join(work, "redis"), redis_server, redis_sentinel)
        processes.append(group)
        fed = os.path.join(work, "fed")
        config = build_federation(fed, base, group.addresses(), params["leaves"])
        configs = []
        for i, port in enumerate(replica_ports):
            config["listen"] = "127.0.0.1:%d" % port
            path = os.path.join(fed, "replica-%d.json" % (i + 1))
            with open(path, "w") as f:
                json.dump(config, f, indent=1)
            configs.append(path)

        def start_replica(i):
            return Process([cli, "serve", "--config", configs[i]], os.path.join(work, "replica-%d.log" % (i + 1)))

        # All three start at once on the same, still empty, key directories:
        # the first to take a directory's lock creates its key, the others
        # load it (src/entity/key_store.cpp).
        replicas = [start_replica(i) for i in range(REPLICAS)]
        processes.extend(replicas)
        prefix = os.path.join(work, "nginx")
        os.makedirs(prefix)
        nginx_conf = os.path.join(prefix, "nginx.conf")
        with open(nginx_conf, "w") as f:
            f.write(nginx_config(prefix, nginx_port, replica_ports, os.geteuid() == 0))
        processes.append(Process([nginx, "-p", prefix, "-c", nginx_conf, "-g", "daemon off;"],
                                 os.path.join(prefix, "stderr.log")))
        for i, port in enumerate(replica_ports):
            if not wait_for(lambda: readiness(port) == ("ready", "ok"), 60, 0.1):
                raise Failed("replica %d did not become ready: %s" % (i + 1, replicas[i].log()[-2000:]))
        if not wait_for(lambda: http_get(nginx_port, "/ta/.well-known/openid-federation")[0] == 200, 10):
            raise Failed("nginx does not answer: " + open(os.path.join(prefix, "error.log")).read())
        # The shared key directories: one key per entity, whichever replica created it.
        headers = {http_get(p, "/ta/.well-known/openid-federation")[1].split(b".")[0] for p in replica_ports}
        check(len(headers) == 1, "every replica signs with the same key (the kid in the JWS header)")
        print("fleet up in %.1f s: nginx :%d, replicas %s, Redis master :%d, replica :%d, Sentinels %s, %d entities"
              % (time.monotonic() - t, nginx_port, replica_ports, group.master_port, group.replica_port,
                 group.sentinel_ports, len(config["entities"])))

        # The load: cached resolves of the demo's subjects, and cold ones.
        subjects = [base + "/" + n for n in ("ia", "op", "rp", "ci")]
        for s in subjects:
            status, body = http_get(nginx_port, resolve_path(base, s))
            if status != 200:
                raise Failed("resolve %s: %d %s" % (s, status, body[:300]))
        cached = Load(nginx_port, [resolve_path(base, s) for s in subjects], params["clients"], params["rate"])
        cold_paths = [resolve_path(base, "%s/leaf%04d" % (base, i)) for i in range(params["leaves"])]
        cold = Load(nginx_port, cold_paths, 1, 1.0 / params["cold_interval"])
        cached.start()
        cold.start()
        started = time.monotonic()
        time.sleep(params["steady"])
        results = {}

        # (a) Redis master killed.
        print("(a) SIGKILL to the Redis master")
        before = redis_command(group.master_port, "DBSIZE")
        killed = time.monotonic()
        group.master.kill9()
        failover = written = ready = None
        seen_degraded = set()
        while time.monotonic() < killed + 60 and ready is None:
            now = time.monotonic()
            if failover is None and group.current_master_port() == group.replica_port:
                failover = now - killed
            if failover is not None and written is None:
                try:
                    if redis_command(group.replica_port, "DBSIZE") > before:
                        written = now - killed
                except OSError:
                    pass
            states = []
            for p in replica_ports:
                try:
                    states.append(readiness(p))
                except (OSError, ValueError):
                    states.append(None)
            seen_degraded.update(p for p, s in zip(replica_ports, states) if s and s[0] == "degraded")
            if written is not None and all(s == ("ready", "ok") for s in states):
                ready = time.monotonic() - killed
            time.sleep(0.05)
        time.sleep(params["after_kill"])
        end_a = time.monotonic()
        n_cached, f_cached, failures = cached.window(killed, end_a)
        n_cold, f_cold, _ = cold.window(killed, end_a)
        results["a"] = dict(cached=n_cached, cached_failed=f_cached, cold=n_cold, cold_failed=f_cold,
                            failover_ms=ms(failover) if failover else None, write_ms=ms(written) if written else None,
                            ready_ms=ms(ready) if ready else None, degraded_replicas=len(seen_degraded))
        print("    cached resolves %d, failed %d; cold resolves %d, failed %d; Sentinels named the new master after "
              "%s ms; first write reached it after %s ms; all replicas ready (Redis ok) after %s ms; %d of %d "
              "replicas reported degraded meanwhile"
              % (n_cached, f_cached, n_cold, f_cold, results["a"]["failover_ms"], results["a"]["write_ms"],
                 results["a"]["ready_ms"], len(seen_degraded), REPLICAS))
        check(f_cached == 0, "no cached resolve failed during the Redis failover (%s)" % failures[:3])
        check(failover is not None, "the Sentinels promoted the replica")
        check(written is not None, "resolutions are written to the new master again within 60 s")
        check(ready is not None, "every replica is ready with Redis ok again within 60 s")

        # (b) One replica killed.
        print("(b) SIGKILL to replica 3")
        killed = time.monotonic()
        replicas[2].kill9()
        time.sleep(params["after_kill"])
        end_b = time.monotonic()
        n_all, f_all, failures = cached.window(killed, end_b)
        n_cold, f_cold, cold_failures = cold.window(killed, end_b)
        failures = sorted(failures + cold_failures)
        detected = 1.0  # nginx marks it down at its first failed connect; a second is generous
        late = [f for f in failures if f[0] >= killed + detected]
        with open(os.path.join(prefix, "error.log")) as f:
            # A refused connect, or a kept-alive connection found closed:
            # either way nginx counts a failure of that server and retries.
            dead = "127.0.0.1:%d" % replica_ports[2]
            refused = sum(1 for line in f if "[error]" in line and dead in line)
        results["b"] = dict(requests=n_all + n_cold, failed=len(failures), failed_late=len(late),
                            failure_times_ms=[ms(f[0] - killed) for f in failures], nginx_errors=refused)
        print("    requests %d, failed %d (at %s ms after the kill), %d after the first %d ms; nginx logged %d errors "
              "of it" % (n_all + n_cold, len(failures), results["b"]["failure_times_ms"][:10], len(late),
                                  ms(detected), refused))
        check(len(late) == 0, "no request failed once nginx had seen the replica down")
        check(refused >= 1, "nginx tried the dead replica and routed around it")
        replicas[2].close()
        replicas[2] = start_replica(2)
        processes.append(replicas[2])
        check(wait_for(lambda: readiness(replica_ports[2]) == ("ready", "ok"), 60, 0.1),
              "replica 3 started again on the shared directories")

        # (c) A changed subordinate, SIGHUP to every replica.
        print("(c) the intermediate's subordinate file changed, SIGHUP to every replica")
        name = "Demo Universities Intermediate, changed at %d" % time.time()
        ia_file = os.path.join(fed, "subordinates", "ta", "ia.json")
        with open(ia_file) as f:
            statement = json.load(f)
        statement["metadata"] = {"federation_entity": {"organization_name": name}}
        with open(ia_file + ".new", "w") as f:
            json.dump(statement, f)
        os.rename(ia_file + ".new", ia_file)
        check(all(fetched_name(p, base) != name for p in replica_ports), "no replica serves it before the reload")
        hup = time.monotonic()
        for r in replicas:
            r.send(signal.SIGHUP)
        seen = {}
        while time.monotonic() < hup + params["reload_bound"] and len(seen) < REPLICAS:
            for i, p in enumerate(replica_ports):
                if i not in seen and fetched_name(p, base) == name:
                    seen[i] = time.monotonic() - hup
            time.sleep(0.01)
        through_nginx = [fetched_name(nginx_port, base) for _ in range(30)]
        time.sleep(1.0)
        end_c = time.monotonic()
        n_all, f_all, failures = cached.window(hup, end_c)
        n_cold, f_cold, cold_failures = cold.window(hup, end_c)
        results["c"] = dict(replica_ms=[ms(seen[i]) if i in seen else None for i in range(REPLICAS)],
                            requests=n_all + n_cold, failed=f_all + f_cold)
        print("    new statement served by replicas 1-3 after %s ms; requests meanwhile %d, failed %d"
              % (results["c"]["replica_ms"], n_all + n_cold, f_all + f_cold))
        check(len(seen) == REPLICAS, "every replica serves the new statement within %d s" % params["reload_bound"])
        check(all(n == name for n in through_nginx), "30 fetches through nginx all return the new statement")
        check(f_all + f_cold == 0, "no request failed during the reload")

        cached.stop()
        cold.stop()
        n_all, f_all, _ = cached.window(started)
        n_cold, f_cold, _ = cold.window(started)
        elapsed = time.monotonic() - started
        results["total"] = dict(seconds=round(elapsed, 1), cached=n_all, cached_failed=f_all, cold=n_cold,
                                cold_failed=f_cold)
        print("total: %.1f s under load, %d cached resolves (%d failed), %d cold resolves (%d failed)"
              % (elapsed, n_all, f_all, n_cold, f_cold))
        print("results: " + json.dumps(results))
        return 0
    except Failed as e:
        print("FAIL: %s" % e, file=sys.stderr)
        for name in os.listdir(work) + ["nginx/error.log"]:
            if name.endswith(".log") and os.path.exists(os.path.join(work, name)):
                print("--- %s (tail)\n%s" % (name, open(os.path.join(work, name), errors="replace").read()[-1500:]),
                      file=sys.stderr)
        return 1
    finally:
        for p in reversed(processes):
            if isinstance(p, Process) and p.args[1:2] == ["serve"]:
                p.close(signal.SIGTERM)
            elif p is not None:
                p.close()


def main():
    long_mode = "--long" in sys.argv[1:] or os.environ.get("OIDFED_FLEET_LONG") == "1"
    cli = os.environ.get("OIDFED_CLI")
    if not cli or not os.environ.get("OIDFED_SOURCE_DIR"):
        print("FAIL: OIDFED_CLI and OIDFED_SOURCE_DIR must be set (meson test sets them)", file=sys.stderr)
        return 1
    nginx = find_program("nginx", "OIDFED_NGINX")
    redis_server = find_program("redis-server", "OIDFED_REDIS_SERVER")
    redis_sentinel = find_program("redis-sentinel", "OIDFED_REDIS_SENTINEL")
    missing = [n for n, p in (("nginx", nginx), ("redis-server", redis_server), ("redis-sentinel", redis_sentinel))
               if not p]
    if missing:
        return unavailable("no %s program (scripts/install-deps installs them)" % ", ".join(missing))
    work = tempfile.mkdtemp(prefix="oidfed-fleet-")
    try:
        return run(work, LONG if long_mode else SHORT, cli, nginx, redis_server, redis_sentinel)
    finally:
        if os.environ.get("OIDFED_FLEET_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept " + work)


if __name__ == "__main__":
    sys.exit(main())
