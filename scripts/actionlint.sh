#!/usr/bin/env bash
# Lints the GitHub Actions files teams copy or use: examples/github/durability-gate.yml, and the
# composite action.yml through a workflow that uses it (actionlint checks a local action's
# metadata and its inputs where a workflow uses it). actionlint is built once with go install
# into the runtime cache (pinned below, from the Go module proxy); later runs make no network call.
set -euo pipefail
cd "$(dirname "$0")/.."
ACTIONLINT_VERSION=v1.7.12
bin_dir="${KAFKA_DURABILITY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-durability}/bin"
actionlint="$bin_dir/actionlint"
if ! [ -x "$actionlint" ] || [ "$("$actionlint" -version | head -1)" != "$ACTIONLINT_VERSION" ]; then
  command -v go >/dev/null || { echo "actionlint: Go is needed to build actionlint $ACTIONLINT_VERSION once (https://go.dev/doc/install)" >&2; exit 3; }
  echo "actionlint: building $ACTIONLINT_VERSION into $bin_dir"
  GOBIN="$bin_dir" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A project root of its own: the example workflow as a team has it, and a workflow using this
# repository's action.yml as a local action (`uses: ./`).
mkdir -p "$work/.github/workflows"
cp action.yml "$work/action.yml"
cp examples/github/durability-gate.yml "$work/.github/workflows/durability-gate.yml"
cat > "$work/.github/workflows/uses-the-action.yml" <<'YAML'
name: uses the action
on: pull_request
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: gate
        uses: ./
        with:
          config: kafka/producer.durability.json kafka/other.durability.json
          scenarios: leader-kill,lost-answer
      - run: echo "report in ${{ steps.gate.outputs.report }}"
YAML
cd "$work"
git init -q . # actionlint finds the project root, and the local action in it, by its git folder
"$actionlint" -no-color .github/workflows/*.yml
echo "actionlint $ACTIONLINT_VERSION: examples/github/durability-gate.yml and action.yml (used as ./) clean"
