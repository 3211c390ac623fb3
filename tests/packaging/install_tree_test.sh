#!/usr/bin/env bash
# The install tree of `meson install`, which is what the Debian package ships
# (debian/oidfed.install; scripts/package builds the package itself):
#   - it installs into a scratch DESTDIR without root;
#   - the binary, oidfed.service, the sysusers.d file, the example
#     configuration (with its subordinates directory) and oidfed(1) are where
#     the build's directories say;
#   - the unit runs the installed binary on the installed configuration as the
#     user that the sysusers.d file creates (systemd-sysusers --root), keeps
#     its hardening, passes `systemd-analyze verify` without a word (its
#     Documentation=man:oidfed(1) found in the tree) and `systemd-analyze
#     security` at an exposure of at most 2.0;
#   - the example configuration passes `oidfed check-config`, and its key
#     directory is in the unit's StateDirectory, the only place it may write;
#   - the man page renders with `man --warnings` without a warning at 80
#     columns and documents every command heading of docs/cli.md.
# Without systemd-analyze, systemd-sysusers, man or a generated man page
# (pandoc) it is skipped (exit 77), except in CI (CI=true), where that is a
# failure: scripts/install-deps installs them.
# Usage: install_tree_test.sh BUILD_DIR (meson test, suite packaging).
set -euo pipefail
build="$1"
source_dir="${OIDFED_SOURCE_DIR:?}"

missing() {
  if [ "${CI:-}" = "true" ]; then
    echo "packaging: $1: failing, as in CI the packaging suite must run" >&2
    exit 1
  fi
  echo "packaging: $1: skipped" >&2
  exit 77
}
for tool in systemd-analyze systemd-sysusers man python3; do
  command -v "$tool" >/dev/null || missing "$tool is not installed (scripts/install-deps)"
done

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
dest="$scratch/root"

meson install -C "$build" --no-rebuild --destdir "$dest" --quiet >"$scratch/install.log" 2>&1 || {
  cat "$scratch/install.log" >&2
  echo "FAIL: meson install --destdir" >&2
  exit 1
}

# The directories of this build: absolute, as `meson install` uses them.
# (StateDirectory= is /var/lib/NAME whatever the prefix.)
eval "$(meson introspect "$build" --buildoptions | python3 -c '
import json, os, shlex, sys
options = {o["name"]: o["value"] for o in json.load(sys.stdin)}
prefix = options["prefix"]
for name in ("bindir", "sysconfdir", "mandir"):
    print(f"{name}={shlex.quote(os.path.join(prefix, options[name]))}")
')"
eval "$(meson introspect "$build" --installed | python3 -c '
import json, shlex, sys
installed = json.load(sys.stdin).values()
def find(suffix):
    found = [p for p in installed if p.endswith(suffix)]
    return found[0] if len(found) == 1 else ""
print("unit=" + shlex.quote(find("/systemd/system/oidfed.service")))
print("sysusers=" + shlex.quote(find("/sysusers.d/oidfed.conf")))
print("manpage=" + shlex.quote(find("/man1/oidfed.1")))
')"
[ -n "$manpage" ] || missing "oidfed(1) is not built (pandoc was not found when the build was configured)"

# Layout.
binary="$bindir/oidfed"
config="$sysconfdir/oidfed/oidfed.json"
[ -x "$dest$binary" ] || fail "$binary is not installed"
[ -n "$unit" ] && [ -f "$dest$unit" ] || fail "oidfed.service is not installed in a systemd/system directory"
[ -n "$sysusers" ] && [ -f "$dest$sysusers" ] || fail "the sysusers.d file oidfed.conf is not installed"
[ -f "$dest$config" ] || fail "$config is not installed"
[ -d "$dest$sysconfdir/oidfed/subordinates/ta" ] || fail "$sysconfdir/oidfed/subordinates/ta is not installed"
[ -f "$dest$manpage" ] && [ "$manpage" = "$mandir/man1/oidfed.1" ] || fail "oidfed(1) is not in $mandir/man1"
if [ "$failures" -gt 0 ]; then
  echo "packaging: installed: $(cd "$dest" && find . -type f | sort | tr '\n' ' ')" >&2
  exit 1
fi
version=$(meson introspect "$build" --projectinfo | python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
[ "$("$dest$binary" --format text --version)" = "oidfed $version" ] || fail "the installed binary is not version $version"

# The unit: what it runs, as whom, how it is reloaded and restarted, and its
# hardening (each a line that must be there as written).
unit_value() { sed -n "s/^$1=//p" "$dest$unit"; }
[ "$(unit_value ExecStart)" = "$binary serve --config $config" ] ||
  fail "ExecStart is '$(unit_value ExecStart)', not the installed binary on the installed configuration"
for line in 'ExecReload=/bin/kill -HUP $MAINPID' 'Restart=on-failure' 'User=oidfed' 'Group=oidfed' \
    'StateDirectory=oidfed' 'StateDirectoryMode=0700' 'UMask=0077' 'NoNewPrivileges=yes' 'CapabilityBoundingSet=' \
    'AmbientCapabilities=' 'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' \
    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'SystemCallFilter=@system-service' \
    'WantedBy=multi-user.target'; do
  grep -qxF -- "$line" "$dest$unit" || fail "oidfed.service lacks '$line'"
done

# The user: systemd-sysusers creates it from the installed file in a scratch
# root, with the state directory as its home; the unit runs as it.
mkdir -p "$scratch/users/etc"
systemd-sysusers --root="$scratch/users" "$dest$sysusers" >/dev/null 2>&1 ||
  fail "systemd-sysusers refuses $sysusers"
passwd_entry=$(grep "^$(unit_value User):" "$scratch/users/etc/passwd" || true)
[ -n "$passwd_entry" ] || fail "the sysusers.d file does not create the unit's user $(unit_value User)"
[ "$(echo "$passwd_entry" | cut -d: -f6)" = "/var/lib/$(unit_value StateDirectory)" ] ||
  fail "the user's home is not the state directory: $passwd_entry"
grep -q "^$(unit_value Group):" "$scratch/users/etc/group" || fail "no group $(unit_value Group)"

# systemd-analyze verify: the unit as installed, its ExecStart pointing into
# the tree (the binary is not installed on this machine); man:oidfed(1) is
# looked up in the tree. Any message is a failure.
mkdir -p "$scratch/verify"
sed "s|^ExecStart=$binary |ExecStart=$dest$binary |" "$dest$unit" >"$scratch/verify/oidfed.service"
if ! MANPATH="$dest$mandir" systemd-analyze verify "$scratch/verify/oidfed.service" >"$scratch/verify.log" 2>&1 ||
    [ -s "$scratch/verify.log" ]; then
  cat "$scratch/verify.log" >&2
  fail "systemd-analyze verify oidfed.service"
fi
if ! systemd-analyze security --offline=yes --threshold=20 "$scratch/verify/oidfed.service" >"$scratch/security.log" 2>&1; then
  grep -E 'Overall exposure|✗' "$scratch/security.log" >&2 || cat "$scratch/security.log" >&2
  fail "systemd-analyze security: the exposure of oidfed.service is above 2.0"
fi
echo "packaging: $(grep -o 'Overall exposure level.*' "$scratch/security.log" || true)"

# The example configuration: valid as installed, except that its key
# directory is moved into the scratch directory (check-config reads it when it
# exists); the key directory is in the state directory.
keys_dir=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["entities"][0]["keys_dir"])' "$dest$config")
case "$keys_dir" in
  "/var/lib/$(unit_value StateDirectory)"/*) ;;
  *) fail "the example's keys_dir $keys_dir is not in the unit's state directory" ;;
esac
python3 - "$dest$config" "$dest$sysconfdir/oidfed/check.json" "$scratch/keys/ta" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
for entity in config["entities"]:
    entity["keys_dir"] = sys.argv[3]
json.dump(config, open(sys.argv[2], "w"))
EOF
if ! "$dest$binary" --format json check-config "$dest$sysconfdir/oidfed/check.json" >"$scratch/check.json" 2>&1 ||
    ! python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["valid"] is True else 1)' "$scratch/check.json"; then
  cat "$scratch/check.json" >&2
  fail "oidfed check-config refuses the example configuration"
fi
[ ! -e "$scratch/keys" ] || fail "check-config wrote the key directory"

# The man page: no warning from man (as lintian runs it) at 80 and 120
# columns; NAME and SYNOPSIS; every command heading of docs/cli.md as a
# subsection heading (indented by 3 columns, where the text is by 7).
for width in 80 120; do
  MANWIDTH=$width LC_ALL=C.UTF-8 man --warnings -E UTF-8 -l -Tutf8 -Z "$dest$manpage" >/dev/null 2>"$scratch/man.log" || true
  if [ -s "$scratch/man.log" ]; then
    cat "$scratch/man.log" >&2
    fail "man --warnings on oidfed(1) at $width columns"
  fi
done
MANWIDTH=80 LC_ALL=C.UTF-8 man -l "$dest$manpage" 2>/dev/null >"$scratch/oidfed.txt"
for section in NAME SYNOPSIS DESCRIPTION 'SEE ALSO'; do
  grep -qx "$section" "$scratch/oidfed.txt" || fail "oidfed(1) has no $section section"
done
commands=0
while IFS= read -r heading; do
  commands=$((commands + 1))
  grep -qE -- "^   $heading( |\$)" "$scratch/oidfed.txt" || fail "oidfed(1) lacks the heading '$heading' of docs/cli.md"
done < <(sed -n 's/^## `\(oidfed [a-z-]*\).*/\1/p' "$source_dir/docs/cli.md")
[ "$commands" -ge 10 ] || fail "found only $commands command headings in docs/cli.md"

if [ "$failures" -gt 0 ]; then
  echo "packaging: $failures failures" >&2
  exit 1
fi
echo "packaging: install tree, unit, user, example configuration and man page ($commands commands) checked"
