#!/usr/bin/env bash
# Runs a command while N other processes keep the cores busy (as during CI), then stops them: the
# "both cores also loaded by another process" condition of the scale-out acceptance (issue 16).
#
#   bash bench/busy.sh 2 -- node bench/sos.mjs          # two busy loops beside the SOS benchmark
#
# The busy loops are `yes > /dev/null` at normal priority; their pids are killed when the command ends
# (or is interrupted). The command's exit status is returned.
set -euo pipefail
n="${1:?usage: busy.sh N -- command...}"; shift
[ "${1:-}" = "--" ] && shift
pids=()
stop() { [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true; }
trap stop EXIT INT TERM
for _ in $(seq 1 "$n"); do yes > /dev/null & pids+=($!); done
echo "busy.sh: ${n} busy loop(s) running (pids ${pids[*]}), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$@"
