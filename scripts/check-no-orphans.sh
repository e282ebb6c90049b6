#!/usr/bin/env bash
# check-no-orphans.sh [BASELINE]
# Fails if a Kafka broker, Toxiproxy server, tether, containers reaper or client driver (Java, franz-go) is still running that was
# not already running when BASELINE was written (`check-no-orphans.sh --baseline FILE` writes it): after a run of
# the suite, passed or failed, the run must have left none of its own.
pids() { ps -eo pid=,args= | grep -E 'kafka\.Kafka|toxiproxy-server|/toxiproxy |cluster/tether\.pl|containers/reaper-main\.(ts|js)|franz-go-driver/driver|kd\.driver\.Driver' | grep -v -E 'grep|check-no-orphans' | awk '{print $1}' | sort; }
if [ "${1:-}" = "--baseline" ]; then pids > "$2"; exit 0; fi
baseline=${1:-/dev/null}
left=$(comm -13 "$baseline" <(pids))
if [ -n "$left" ]; then
  echo "check-no-orphans: processes left running after the run:" >&2
  for p in $left; do ps -o pid=,args= -p "$p" >&2; done
  exit 1
fi
echo "check-no-orphans: no Kafka, Toxiproxy, tether or reaper process left by this run"
