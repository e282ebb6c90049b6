#!/usr/bin/env bash
# .ci/run's team-repo step (issue 15): the package proven as a team uses it. Packs this project
# (`npm pack`, whose prepack builds dist/), copies examples/team-repo to a temporary folder,
# installs the tarball there (--prefer-offline: from npm's cache when it has them) and runs the
# team's two commands in it:
#   npx kafka-durability gate --scenarios lost-answer payments.durability.json   (one scenario of the battery)
#   npx vitest run                                                              (its own scenario, on the preset)
# Each step's time is printed. The folder is removed when both pass; kept (and named) when one
# fails, with its reports/ and .runs/. Every process either command starts ends with it (the run's
# owner is the command); .ci/run checks for orphans after this step.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
TEAM_REPO_SCENARIOS=${TEAM_REPO_SCENARIOS:-lost-answer}
TIMES=()
step() {
  local label=$1 t0=$SECONDS
  shift
  "$@"
  TIMES+=("$label: $((SECONDS - t0)) s")
}
work=$(mktemp -d "${TMPDIR:-/tmp}/kd-team-repo.XXXXXX")
ok=false
finish() {
  echo "team repo: ${TIMES[*]}; total: $SECONDS s"
  if $ok; then rm -rf "$work"; else echo "team repo: FAILED; its folder is kept: $work (reports/, .runs/)"; fi
}
trap finish EXIT
pack() {
  local tgz
  tgz=$(npm pack --silent --pack-destination "$work" | tail -1)
  mv "$work/$tgz" "$work/kafka-durability.tgz"
}
step "build + npm pack" pack
tar -C examples/team-repo --exclude=node_modules --exclude=reports --exclude=.runs --exclude=kafka-durability.tgz -cf - . | tar -C "$work" -xf -
cd "$work"
step "npm install" npm install --prefer-offline --no-audit --no-fund --loglevel=error
step gate npx kafka-durability gate --scenarios "$TEAM_REPO_SCENARIOS" payments.durability.json
step "vitest run" npx vitest run
ok=true
cd "$repo"
