# Sourced (from the repository root) by the shell benches that run two gateways side by side under wrk,
# taking turns round by round, and read CPU per request from /proc: bench/workers.sh, bench/rate-ipc.sh.
# Their common knobs (each script sets DURATION's default itself) and helpers. Needs wrk and bc.

ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}

# "pid ticks" lines: utime+stime in clock ticks (100 Hz) of each pid still running
ticks() { for p in "$@"; do awk -v p="$p" '{print p, $14+$15}' "/proc/$p/stat" 2>/dev/null || true; done; }
# CPU ticks used between two ticks listings: a pid in both counts its difference, one born meanwhile all
# of its time, one gone meanwhile nothing
used() { awk 'NR==FNR {a[$1]=$2; next} {s += $2 - ($1 in a ? a[$1] : 0)} END {print s+0}' <(echo "$1") <(echo "$2"); }
# A process and its children (a gateway's primary and its workers)
tree() { echo "$1" $(pgrep -P "$1" || true); }
# Milliseconds of CPU per request from ticks (100 Hz) and a request count
ms_per_request() { echo "$1*10/$2" | bc -l; }

# Waits until the gateway on port $1 answers /readyz and its process $2 has at least $3 children (workers).
wait_ready() {
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && [ "$(pgrep -c -P "$2" || true)" -ge "$3" ] && return 0
    sleep 0.5
  done
}

# wrk for 3 s on URL $1, answers ignored: pools filled, plans cached.
warm_up() { wrk -t "$THREADS" -c "$CONNECTIONS" -d 3s "$1" >/dev/null; }

# wrk for DURATION seconds on URL $1; prints the requests answered, and on stderr a warning naming run $2
# when some answers were not 2xx.
measure() {
  local out non2xx
  out=$(wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" "$1") || return
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  if [ -n "$non2xx" ]; then echo "warning: $non2xx non-2xx answers in $2" >&2; fi
  echo "$out" | awk '/requests in/ {print $1}'
}
