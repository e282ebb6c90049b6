#!/usr/bin/env bash
# Fails if any Kafka broker or Toxiproxy server is still running: after a run of the suite,
# passed or failed, there must be none.
left=$(ps -eo pid,args | grep -E 'kafka\.Kafka|toxiproxy-server' | grep -v -E 'grep|check-no-orphans')
if [ -n "$left" ]; then
  echo "check-no-orphans: processes left running after the run:" >&2
  echo "$left" >&2
  exit 1
fi
echo "check-no-orphans: no Kafka or Toxiproxy process left"
