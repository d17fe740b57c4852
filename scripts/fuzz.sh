#!/usr/bin/env bash
# fuzz.sh: fuzz each of the API's fuzz targets with coverage guidance, one after another.
#
#   scripts/fuzz.sh [TARGET ...]    (default: all of internal/api's Fuzz functions)
#
# FUZZTIME (1m) is each target's budget, a duration or a count of executions (10000x). A
# failing input is kept in internal/api/testdata/fuzz/, where go test ./... runs it again.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(grep -ho '^func Fuzz[A-Za-z0-9_]*' internal/api/*_test.go | sed 's/^func //')
fi
for target in "${targets[@]}"; do
  echo "--- $target"
  go test -run='^$' -fuzz="^${target}\$" -fuzztime="${FUZZTIME:-1m}" -fuzzminimizetime=30s ./internal/api
done
