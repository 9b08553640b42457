#!/usr/bin/env bash
# Runs a command while N other processes keep the cores busy (as during CI), then stops them: the
# "both cores also loaded by another process" condition of the scale-out acceptance (issue 16).
#
#   bash bench/busy.sh 2 -- node bench/sos.mjs          # two busy loops beside the SOS benchmark
#
# The busy loops are `yes > /dev/null` at normal priority, started in a session of their own (setsid):
# with the kernel's autogroup scheduling (/proc/sys/kernel/sched_autogroup_enabled, on by default) CPU
# is shared between sessions first, so loops left in the bench's session would take their share from
# the bench's own processes only, not from servers running as daemons (the MapServer peer, PostgreSQL).
# The servers under test do not share by session either: sos.mjs and wfs.mjs put each one in a cpu
# cgroup of its own for their load runs (bench/lib/cpuGroups.mjs), one share per server as deployed.
# They are killed when the command ends (or is interrupted); the command's exit status is returned.
set -euo pipefail
n="${1:?usage: busy.sh N -- command...}"; shift
[ "${1:-}" = "--" ] && shift
pidfile=$(mktemp)
# Never fails (under set -e a failing kill here would replace the command's exit status).
stop() {
  if [ -s "$pidfile" ]; then pkill -P "$(cat "$pidfile")" 2>/dev/null || true; kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  rm -f "$pidfile"
}
trap stop EXIT INT TERM
setsid bash -c 'echo $$ > "$1"; for _ in $(seq 1 "$2"); do yes > /dev/null & done; wait' busy "$pidfile" "$n" &
for _ in $(seq 1 50); do [ -s "$pidfile" ] && break; sleep 0.1; done
echo "busy.sh: ${n} busy loop(s) in session $(cat "$pidfile") (autogroup $(cat /proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || echo n/a)), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$@"
