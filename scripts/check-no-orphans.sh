#!/usr/bin/env bash
# check-no-orphans.sh [BASELINE]
# Fails if a Kafka broker, Toxiproxy server, tether, containers reaper, client driver (Java, franz-go) or powerfs
# (the power-loss FUSE layer, or its guard) is still running, or a FUSE mount is left (a powerfs mount anywhere, or
# any FUSE mount under a run folder: .runs/ or KAFKA_DURABILITY_RUNS_DIR), that was not already there when BASELINE
# was written (`check-no-orphans.sh --baseline FILE` writes it): after a run of the suite, passed or failed, the run
# must have left none of its own.
# Also fails on what native partitions leave (harness/cluster/partition.ts): a partition warden, an nft table
# kafka_durability_*, a cgroup kafka-durability-* (baselined the same way, in BASELINE.partitions).
pids() { ps -eo pid=,args= | grep -E 'kafka\.Kafka|toxiproxy-server|/toxiproxy |cluster/tether\.pl|containers/reaper-main\.(ts|js)|franz-go-driver/driver|kd\.driver\.Driver|/powerfs -' | grep -v -E 'grep|check-no-orphans' | awk '{print $1}'; }
# Mount points (octal escapes as /proc/mounts writes them) of powerfs mounts and of FUSE mounts in run folders.
mounts() { awk -v runs="${KAFKA_DURABILITY_RUNS_DIR:-/.runs/}" '$3 == "fuse.powerfs" || ($3 ~ /^fuse/ && (index($2, "/.runs/") || index($2, runs))) { print "mount:" $2 }' /proc/mounts; }
items() { { pids; mounts; } | sort; }
partition_traces() {
  ps -eo pid=,args= | grep 'cluster/partition-warden\.pl' | grep -v grep | awk '{print "partition warden pid " $1}'
  nft list tables 2>/dev/null | awk '$3 ~ /^kafka_durability_/ {print "nft table " $2 " " $3}'
  awk '$3 == "cgroup2" {print $2}' /proc/mounts | while read -r m; do ls -d "$m"/kafka-durability-* 2>/dev/null | sed 's/^/cgroup /'; done
}
if [ "${1:-}" = "--baseline" ]; then items > "$2"; partition_traces | sort > "$2.partitions"; exit 0; fi
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
traces=$(comm -13 <(sort "$baseline.partitions" 2>/dev/null) <(partition_traces | sort))
if [ -n "$traces" ]; then
  echo "check-no-orphans: partition traces left after the run (remove: nft delete table inet <name>; rmdir <cgroup>/node-* <cgroup>):" >&2
  echo "$traces" >&2
  exit 1
fi
echo "check-no-orphans: no Kafka, Toxiproxy, tether, reaper or powerfs process, FUSE mount, partition warden, nft table or cgroup left by this run"
