#!/usr/bin/env python3
"""Nothing lost on a crash (issue 20 item 5): `oidfed` commands that write
the federation's files are killed with SIGKILL at random points, hundreds of
times, and after every kill the files must be the old state or the new one,
never a torn one, with no private key lost.

Two copies of the demo federation (trust-anchors/demo):
  A is served by `oidfed serve` on loopback: `subordinate add` fetches from
    it, and `oidfed register` registers its RP with its OP (the server writes
    the OP's client store; the CLI writes the RP's registrations file).
  B is never served during the loop; the commands change its files:
    keys rotate / activate / revoke   B's intermediate key directory
    subordinate add / set / remove    B's intermediate subordinates
    trust-mark issue / revoke         B's intermediate trust mark directory
    register --state FILE             the RP's registrations file (of A's RP)
  Every 25th registration also kills the server A mid-request and starts it
  again on what it left (the OP's client store).

Each iteration: start the command, sleep a random 0..N ms (N: 1.5 times
the command's measured run time), SIGKILL, then check:
  - every JSON file of the directory parses (issued.jsonl line by line);
  - the key manifest is the old one or the command's successor, names a
    private key file for its active and next key that matches (`oidfed keys
    list` loads it), and every key ever shown active or next is still listed,
    and its private key file is present unless the key was revoked;
  - the subordinate set and the trust mark subjects are the old or the new;
  - temporary files (*.tmp.*) left by a kill are counted: nothing reads them,
    and the next writer of a key directory removes its temporary manifests.
At the end: `oidfed check-config` on B, and `oidfed serve` starts on B and
says ready with no problems; A's server restarted after each of its kills.

Usage: crash_test.py [--long]  (or OIDFED_CRASH_LONG=1): the long run of
docs/benchmarks.md. Short (meson test --suite crash): bounded by time."""

import base64
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fleet"))
from fleet_parts import Process, free_port, wait_for  # noqa: E402

TYPE = "https://demo-federation.example.org/trust-marks/certified-provider"
SUBJECTS = 600


class Failed(Exception):
    pass


def copy_demo(dest, port):
    demo = os.path.join(os.environ["OIDFED_SOURCE_DIR"], "trust-anchors", "demo")
    for root, dirs, files in os.walk(demo):
        relative = os.path.relpath(root, demo)
        dirs[:] = [d for d in dirs if not (relative == "." and d in ("keys", "clients"))]
        os.makedirs(os.path.join(dest, relative), exist_ok=True)
        for name in files:
            with open(os.path.join(root, name)) as f:
                text = f.read().replace("127.0.0.1:8777", "127.0.0.1:%d" % port)
            with open(os.path.join(dest, relative, name), "w") as f:
                f.write(text)


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except ValueError as e:
        raise Failed("%s does not parse (%s): %r" % (path, e, open(path, "rb").read()[:200]))


class Crash:
    def __init__(self, work, cli):
        self.work = work
        self.cli = cli
        self.seed = int(os.environ.get("OIDFED_CRASH_SEED", time.time()))
        self.rng = random.Random(self.seed)
        self.port_a = free_port()
        self.port_b = free_port()
        self.a = os.path.join(work, "a")
        self.b = os.path.join(work, "b")
        copy_demo(self.a, self.port_a)
        copy_demo(self.b, self.port_b)
        self.base_a = "http://127.0.0.1:%d" % self.port_a
        self.base_b = "http://127.0.0.1:%d" % self.port_b
        self.keys = os.path.join(self.b, "keys", "ia")
        self.subs = os.path.join(self.b, "subordinates", "ia")
        self.marks = os.path.join(self.b, "trust-marks", "ia")
        self.state = os.path.join(work, "registrations.json")
        # Many subjects for the trust mark type: each revocation uses one up.
        type_file = os.path.join(self.marks, "certified-provider.json")
        marks = read_json(type_file)
        marks["subjects"] += [{"entity_id": "%s/holder%d" % (self.base_b, i)} for i in range(SUBJECTS)]
        with open(type_file, "w") as f:
            json.dump(marks, f, indent=1)
        self.next_subject = 0
        self.server = None
        self.stats = {}  # operation -> [iterations, killed mid-command, completed]
        self.temp_files = 0
        self.ever_signing = set()  # kids ever active or next
        self.server_kills = 0

    # --- running commands --------------------------------------------------

    def run(self, args, timeout=60):
        return subprocess.run([self.cli] + args, capture_output=True, timeout=timeout)

    def must(self, args):
        r = self.run(args)
        if r.returncode != 0:
            raise Failed("%s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.decode()[-600:]))
        return r.stdout

    def killed_run(self, args, window_ms):
        """Starts the command, SIGKILLs it after a random 0..window_ms ms;
        True when it was still running then (killed mid-command)."""
        with tempfile.TemporaryFile() as err:
            p = subprocess.Popen([self.cli] + args, stdout=subprocess.DEVNULL, stderr=err)
            time.sleep(self.rng.uniform(0, window_ms) / 1000.0)
            mid = p.poll() is None
            p.send_signal(signal.SIGKILL)
            p.wait()
            if not mid and p.returncode != 0:
                err.seek(0)
                raise Failed("%s failed on its own (exit %d): %s" % (" ".join(args), p.returncode,
                                                                     err.read().decode()[-600:]))
        return mid

    def start_server(self):
        self.server = Process([self.cli, "serve", "--config", os.path.join(self.a, "oidfed.json")],
                              os.path.join(self.work, "serve-a.log"))
        if not wait_for(lambda: urllib.request.urlopen(self.base_a + "/readyz", timeout=2).status == 200, 30):
            raise Failed("oidfed serve (A) did not start: " + self.server.log()[-2000:])

    # --- the state of each kind of file ------------------------------------

    def key_state(self):
        manifest = read_json(os.path.join(self.keys, "keys.json"))
        records = manifest["keys"] if isinstance(manifest, dict) else manifest
        return {r["kid"]: (r["state"], bool(r.get("revoked"))) for r in records}

    def check_keys(self, before, op, completed):
        after = self.key_state()
        listed = self.run(["keys", "list", "--dir", self.keys])
        if listed.returncode != 0:
            raise Failed("keys list refuses the directory after %s: %s" % (op, listed.stderr.decode()[-400:]))
        new_kids = set(after) - set(before)
        changed = {k for k in before if before[k] != after.get(k)}
        if set(before) - set(after):
            raise Failed("%s lost key records %s" % (op, set(before) - set(after)))
        if after != before:
            if op == "rotate":
                ok = len(new_kids) == 1 and not changed and after[next(iter(new_kids))] == ("next", False)
            elif op == "activate":
                ok = not new_kids and all(before[k][0] == "next" and after[k] == ("active", False) or
                                          before[k][0] == "active" and after[k] == ("retired", False)
                                          for k in changed) and len(changed) == 2
            else:  # revoke
                ok = not new_kids and len(changed) == 1 and after[next(iter(changed))][1]
            if not ok:
                raise Failed("%s left a key manifest that is neither the old nor the new state: %s -> %s"
                             % (op, before, after))
        elif completed:
            raise Failed("%s completed but the manifest did not change" % op)
        stale = [f for f in os.listdir(self.keys) if f.startswith("keys.json.tmp.")]
        if len(stale) > 1:  # the next writer removes what a killed one left
            raise Failed("temporary manifests pile up in the key directory: %s" % stale)
        for kid, (state, revoked) in after.items():
            if state in ("active", "next") and not revoked:
                self.ever_signing.add(kid)
        for kid in self.ever_signing:
            state, revoked = after[kid]
            if not revoked and not os.path.exists(os.path.join(self.keys, kid + ".pem")):
                raise Failed("the private key of %s key %s was lost after %s" % (state, kid, op))

    def subordinate_state(self):
        state = {}
        for name in sorted(os.listdir(self.subs)):
            if name.endswith(".json"):
                data = read_json(os.path.join(self.subs, name))  # raises on a torn file
                state[data["entity_id"]] = data.get("metadata")
        listed = self.run(["subordinate", "list", "--dir", self.subs, "--allow-http"])
        if listed.returncode != 0:
            raise Failed("subordinate list reports problems: " + listed.stdout.decode()[-600:])
        return state

    def mark_state(self):
        marks = read_json(os.path.join(self.marks, "certified-provider.json"))
        revoked = {s["entity_id"] for s in marks["subjects"] if s.get("revoked")}
        issued = 0
        path = os.path.join(self.marks, "issued.jsonl")
        if os.path.exists(path):
            with open(path) as f:
                for n, line in enumerate(f, 1):
                    if line.strip():
                        try:
                            entry = json.loads(line)
                        except ValueError:
                            raise Failed("issued.jsonl line %d does not parse: %r" % (n, line[:200]))
                        if not isinstance(entry, dict) or "sha256" not in entry:
                            raise Failed("issued.jsonl line %d is not a record: %r" % (n, line[:200]))
                        issued += 1
        return revoked, issued

    def registration_state(self):
        if not os.path.exists(self.state):
            return None
        data = read_json(self.state)
        record = data["registrations"].get(self.base_a + "/op")
        return record and record["client_id"]

    def client_store_state(self):
        directory = os.path.join(self.a, "clients", "op")
        count = 0
        if os.path.isdir(directory):
            for name in os.listdir(directory):
                if name.endswith(".json"):
                    read_json(os.path.join(directory, name))
                    count += 1
        return count

    def count_orphan_keys(self):
        """Private key files the manifest does not name: a key generated by a
        rotate killed before its manifest was renamed into place."""
        named = set(self.key_state())
        return sum(1 for f in os.listdir(self.keys) if f.endswith(".pem") and f[:-4] not in named)

    def count_temp_files(self):
        found = 0
        for root in (self.b, os.path.dirname(self.state), os.path.join(self.a, "clients")):
            for r, _, files in os.walk(root):
                found += sum(1 for f in files if ".tmp." in f)
        return found

    # --- the operations ----------------------------------------------------

    def choose(self):
        return self.rng.choice(["keys", "keys", "subordinate", "trust-mark", "trust-mark", "register"])

    def iteration(self, windows):
        kind = self.choose()
        if kind == "keys":
            before = self.key_state()
            has_next = [k for k, v in before.items() if v == ("next", False)]
            retired = [k for k, v in before.items() if v == ("retired", False)]
            if has_next:
                op = self.rng.choice(["activate", "activate", "revoke"])
                args = ["keys", op, "--dir", self.keys] + (["--reason", "superseded"] if op == "revoke" else [])
                if op == "revoke":
                    args += ["--", has_next[0]]  # a kid (base64url) may begin with "-"
            elif retired and self.rng.random() < 0.2:
                op = "revoke"
                args = ["keys", "revoke", "--dir", self.keys, "--", self.rng.choice(retired)]
            else:
                op = "rotate"
                args = ["keys", "rotate", "--dir", self.keys]
            mid = self.killed_run(args, windows["keys"])
            self.check_keys(before, op, not mid)
        elif kind == "subordinate":
            before = self.subordinate_state()
            rp = self.base_a + "/rp"
            if rp not in before:
                op = "add"
                args = ["subordinate", "add", rp, "--dir", self.subs, "--allow-http", "--allow-loopback"]
            elif self.rng.random() < 0.5:
                op = "remove"
                args = ["subordinate", "remove", rp, "--dir", self.subs, "--allow-http"]
            else:
                op = "set"
                metadata = os.path.join(self.work, "metadata-%d.json" % self.rng.randrange(2))
                args = ["subordinate", "set", rp, "--dir", self.subs, "--allow-http", "--metadata", metadata]
            mid = self.killed_run(args, windows["subordinate"])
            after = self.subordinate_state()
            others = {k: v for k, v in after.items() if k != rp}
            if others != {k: v for k, v in before.items() if k != rp}:
                raise Failed("subordinate %s changed other subordinates" % op)
            if op == "add":
                good = after.get(rp, "absent") in ("absent", None)
            elif op == "remove":
                good = rp not in after or after[rp] == before[rp]
            else:
                good = rp in after
            if not good:
                raise Failed("subordinate %s left a state that is neither old nor new: %s" % (op, after.get(rp)))
        elif kind == "trust-mark":
            revoked_before, issued_before = self.mark_state()
            subject = "%s/holder%d" % (self.base_b, self.next_subject)
            if self.rng.random() < 0.7:
                op = "issue"
                args = ["trust-mark", "issue", "--keys-dir", self.keys, "--issuer", self.base_b + "/ia",
                        "--sub", subject, "--type", TYPE, "--dir", self.marks, "--allow-http"]
            else:
                op = "revoke"
                args = ["trust-mark", "revoke", "--dir", self.marks, "--type", TYPE, "--sub", subject,
                        "--allow-http"]
            mid = self.killed_run(args, windows["trust-mark"])
            revoked_after, issued_after = self.mark_state()
            if op == "issue" and (revoked_after != revoked_before or issued_after not in (issued_before,
                                                                                          issued_before + 1)):
                raise Failed("trust-mark issue left %d records after %d" % (issued_after, issued_before))
            if op == "revoke":
                if revoked_after - revoked_before not in (set(), {subject}) or revoked_before - revoked_after:
                    raise Failed("trust-mark revoke changed %s" % (revoked_after ^ revoked_before))
                if subject in revoked_after:
                    self.next_subject += 1
        else:
            op = "register"
            before = self.registration_state()
            kill_server = self.rng.random() < 0.04
            args = ["register", self.base_a + "/op", "--config", os.path.join(self.a, "oidfed.json"),
                    "--state", self.state, "--allow-http", "--allow-loopback"]
            if kill_server:
                op = "register+serve"
                p = subprocess.Popen([self.cli] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(self.rng.uniform(0, windows["register"]) / 1000.0)
                mid = p.poll() is None
                self.server.kill9()
                self.server.close()
                p.wait(60)
                self.server_kills += 1
                self.client_store_state()
                self.start_server()
            else:
                mid = self.killed_run(args, windows["register"])
            after = self.registration_state()  # parses, or raises
            if after is None and before is not None:
                raise Failed("register lost the recorded registration")
            self.client_store_state()
        self.temp_files = self.count_temp_files()
        entry = self.stats.setdefault(kind + " " + op if kind != "register" else op, [0, 0])
        entry[0] += 1
        entry[1] += 1 if mid else 0

    def calibrate(self):
        """The run time of each kind of command, not killed (ms)."""
        def timed(args):
            t = time.monotonic()
            self.must(args)
            return (time.monotonic() - t) * 1000

        windows = {}
        windows["keys"] = max(timed(["keys", "rotate", "--dir", self.keys]), timed(["keys", "activate", "--dir",
                                                                                     self.keys]))
        rp = self.base_a + "/rp"
        windows["subordinate"] = timed(["subordinate", "add", rp, "--dir", self.subs, "--allow-http",
                                        "--allow-loopback"])
        windows["trust-mark"] = timed(["trust-mark", "issue", "--keys-dir", self.keys, "--issuer",
                                       self.base_b + "/ia", "--sub", self.base_b + "/op", "--type", TYPE,
                                       "--dir", self.marks, "--allow-http"])
        windows["register"] = timed(["register", self.base_a + "/op", "--config", os.path.join(self.a, "oidfed.json"),
                                     "--state", self.state, "--allow-http", "--allow-loopback"])
        return {k: 1.5 * v for k, v in windows.items()}

    def final_check(self):
        self.must(["check-config", os.path.join(self.b, "oidfed.json")])
        server = Process([self.cli, "serve", "--config", os.path.join(self.b, "oidfed.json")],
                         os.path.join(self.work, "serve-b.log"))
        try:
            def ready():
                with urllib.request.urlopen(self.base_b + "/readyz", timeout=2) as r:
                    return json.loads(r.read())
            if not wait_for(lambda: ready().get("status") == "ready", 30):
                raise Failed("oidfed serve on B is not ready: %s %s" % (
                    json.dumps(ready()) if server.popen.poll() is None else "exited", server.log()[-1500:]))
            with urllib.request.urlopen(self.base_b + "/ia/.well-known/openid-federation", timeout=5) as r:
                header = json.loads(base64.urlsafe_b64decode(r.read().split(b".")[0] + b"=="))
            active = [k for k, v in self.key_state().items() if v[0] == "active"]
            if header.get("kid") != active[0]:
                raise Failed("B's intermediate signs with %s, its manifest's active key is %s" % (header, active))
        finally:
            server.close(signal.SIGTERM)


def main():
    long_mode = "--long" in sys.argv[1:] or os.environ.get("OIDFED_CRASH_LONG") == "1"
    cli = os.environ.get("OIDFED_CLI")
    if not cli or not os.environ.get("OIDFED_SOURCE_DIR"):
        print("FAIL: OIDFED_CLI and OIDFED_SOURCE_DIR must be set (meson test sets them)", file=sys.stderr)
        return 1
    budget = float(os.environ.get("OIDFED_CRASH_SECONDS", 600 if long_mode else 25))
    minimum = 1000 if long_mode else 200
    work = tempfile.mkdtemp(prefix="oidfed-crash-")
    crash = Crash(work, cli)
    try:
        for n in range(2):
            with open(os.path.join(work, "metadata-%d.json" % n), "w") as f:
                json.dump({"federation_entity": {"organization_name": "Crash test %d" % n}}, f)
        for entity in ("ta", "ia", "op", "rp", "ci"):
            crash.must(["keys", "init", "--dir", os.path.join(crash.b, "keys", entity)])
        crash.start_server()
        windows = crash.calibrate()
        print("seed %d (OIDFED_CRASH_SEED repeats the choices; the kill points depend on timing too)" % crash.seed)
        print("kill windows (1.5 x the command's run time): " +
              ", ".join("%s %.0f ms" % (k, v) for k, v in windows.items()))
        started = time.monotonic()
        iterations = 0
        while iterations < minimum or time.monotonic() - started < budget:
            if time.monotonic() - started > budget and iterations >= minimum:
                break
            crash.iteration(windows)
            iterations += 1
            if not long_mode and time.monotonic() - started > budget and iterations >= minimum:
                break
            if time.monotonic() - started > 4 * budget:
                break
        elapsed = time.monotonic() - started
        crash.final_check()
        mid = sum(v[1] for v in crash.stats.values())
        print("%d iterations in %.1f s, %d killed mid-command (the others had finished); server A killed %d times "
              "mid-registration and restarted" % (iterations, elapsed, mid, crash.server_kills))
        for op, (n, m) in sorted(crash.stats.items()):
            print("  %-16s %4d runs, %4d killed mid-command" % (op, n, m))
        keys = crash.key_state()
        print("key directory: %d records (%d ever active or next, none lost), %d private key files of keys no "
              "manifest named (a rotate killed before its rename); %d temporary files left by kills (read by "
              "nothing); trust mark records %d; subordinate set, registrations and client store parse"
              % (len(keys), len(crash.ever_signing), crash.count_orphan_keys(), crash.temp_files,
                 crash.mark_state()[1]))
        print("check-config and oidfed serve on the crashed files: ok")
        # A slow build (the sanitizers make each command 5-10 times slower)
        # stops at 4 times the budget with fewer iterations; still a test.
        if iterations < (50 if elapsed > 4 * budget else minimum):
            raise Failed("only %d iterations" % iterations)
        return 0
    except Failed as e:
        print("FAIL: %s" % e, file=sys.stderr)
        keep = work + "-failed"
        shutil.copytree(work, keep, symlinks=True, ignore_dangling_symlinks=True)
        print("files kept in " + keep, file=sys.stderr)
        return 1
    finally:
        if crash.server is not None:
            crash.server.close(signal.SIGTERM)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
