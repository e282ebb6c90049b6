#!/usr/bin/env bash
# tether.sh LIFELINE PIDFILE LOGFILE CMD [ARG...]
#
# Runs CMD with stdout and stderr appended to LOGFILE, writes its pid to PIDFILE, and ties its life
# to the run's owner: LIFELINE is a FIFO that the owner process (vitest's main process, the bench,
# the durability CLI) holds open for writing. When the owner exits for any reason, SIGKILL included,
# the kernel closes that descriptor, the read below sees end-of-file, and CMD is killed. No polling.
set -u
lifeline=$1 pidfile=$2 logfile=$3
shift 3
[ -p "$lifeline" ] || { echo "tether: lifeline $lifeline is not a FIFO" >&2; exit 97; }
"$@" >>"$logfile" 2>&1 </dev/null &
child=$!
echo "$child" >"$pidfile.tmp" && mv -f "$pidfile.tmp" "$pidfile"
(
  read -r _ <"$lifeline"
  kill -KILL "$child" 2>/dev/null
) &
watcher=$!
wait "$child"
rc=$?
kill "$watcher" 2>/dev/null
exit "$rc"
