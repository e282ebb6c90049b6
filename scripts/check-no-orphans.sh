#!/usr/bin/env bash
# check-no-orphans.sh [BASELINE]
# Fails if a Kafka broker, Toxiproxy server, tether, containers reaper, client driver (Java, franz-go) or powerfs
# (the power-loss FUSE layer, or its guard) is still running, or a FUSE mount is left (a powerfs mount anywhere, or
# any FUSE mount under a run folder: .runs/ or KAFKA_DURABILITY_RUNS_DIR), that was not already there when BASELINE
# was written (`check-no-orphans.sh --baseline FILE` writes it): after a run of the suite, passed or failed, the run
# must have left none of its own.
pids() { ps -eo pid=,args= | grep -E 'kafka\.Kafka|toxiproxy-server|/toxiproxy |cluster/tether\.pl|containers/reaper-main\.ts|franz-go-driver/driver|kd\.driver\.Driver|/powerfs -' | grep -v -E 'grep|check-no-orphans' | awk '{print $1}'; }
# Mount points (octal escapes as /proc/mounts writes them) of powerfs mounts and of FUSE mounts in run folders.
mounts() { awk -v runs="${KAFKA_DURABILITY_RUNS_DIR:-/.runs/}" '$3 == "fuse.powerfs" || ($3 ~ /^fuse/ && (index($2, "/.runs/") || index($2, runs))) { print "mount:" $2 }' /proc/mounts; }
items() { { pids; mounts; } | sort; }
if [ "${1:-}" = "--baseline" ]; then items > "$2"; exit 0; fi
baseline=${1:-/dev/null}
left=$(comm -13 "$baseline" <(items))
if [ -n "$left" ]; then
  echo "check-no-orphans: left behind by the run:" >&2
  for p in $left; do
    case $p in
      mount:*) echo "  FUSE mount ${p#mount:} (unmount: fusermount3 -uz ${p#mount:})" >&2 ;;
      *) ps -o pid=,args= -p "$p" >&2 ;;
    esac
  done
  exit 1
fi
echo "check-no-orphans: no Kafka, Toxiproxy, tether, reaper or powerfs process and no FUSE mount left by this run"
