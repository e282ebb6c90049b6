#!/usr/bin/env bash
# Checks the tools the native provider needs and, where it is allowed to (root with apt-get, as
# in CI), installs the missing ones from Debian. Otherwise says exactly what to install.
#   --clients  also what `npm run setup:clients` builds with: a JDK's javac (the Java driver),
#              and the compiler and -dev libraries librdkafka is built against
#              (@confluentinc/kafka-javascript with CKJS_LINKING=dynamic).
set -euo pipefail
clients=false
for a in "$@"; do
  case "$a" in
    --clients) clients=true ;;
    *) echo "prerequisites: unknown argument '$a'; usage: prerequisites.sh [--clients]" >&2; exit 2 ;;
  esac
done
need=()
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)\(\.\([0-9]*\)\)\?.*/\1 \3/p' | head -1 | awk '{ print ($1 == 1) ? $2 : $1 }'; }
if ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then need+=(openjdk-17-jre-headless)
elif [ -z "${JAVA_HOME:-}" ] && [ "$(java_major)" -lt 17 ]; then need+=(openjdk-17-jre-headless); fi
command -v mvn >/dev/null 2>&1 || need+=(maven)
# Headless Chromium renders the HTML report in a test (CHROMIUM_PATH may point at another build).
# Installed where we may (root with apt-get); elsewhere only that one test needs it.
want_chromium=false
[ -n "${CHROMIUM_PATH:-}" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || want_chromium=true
command -v node >/dev/null 2>&1 || { echo "prerequisites: Node.js 20+ is required (https://nodejs.org)" >&2; exit 1; }
if ! command -v go >/dev/null 2>&1; then
  echo "prerequisites: Go 1.22+ is required to build Toxiproxy once (https://go.dev/doc/install)" >&2
  exit 1
fi
if $clients; then
  javac_cmd=javac; [ -n "${JAVA_HOME:-}" ] && javac_cmd="$JAVA_HOME/bin/javac"
  command -v "$javac_cmd" >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
  # Each package by a file it installs (as harness/runtime/clients.ts checks them).
  for pf in build-essential:/usr/bin/make build-essential:/usr/bin/g++ python3:/usr/bin/python3 libssl-dev:/usr/include/openssl/ssl.h \
            zlib1g-dev:/usr/include/zlib.h libsasl2-dev:/usr/include/sasl/sasl.h liblz4-dev:/usr/include/lz4.h libzstd-dev:/usr/include/zstd.h; do
    [ -e "${pf#*:}" ] || [[ " ${need[*]} " == *" ${pf%%:*} "* ]] || need+=("${pf%%:*}")
  done
fi
if $want_chromium; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then need+=(chromium)
  else echo "prerequisites: no chromium: the report's render test will fail until you install it (or set CHROMIUM_PATH)" >&2; fi
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "prerequisites: installing ${need[*]} from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "prerequisites: missing ${need[*]}; install them (Debian/Ubuntu: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
fi
echo "prerequisites: java $(java_major), $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g'), $(go version), node $(node -v)"
if $clients; then echo "prerequisites (clients): $("${javac_cmd}" -version 2>&1), librdkafka build dependencies present"; fi
