#!/usr/bin/env bash
# Runs a gateway fuzz target for a bounded time over a scratch copy of its seed corpus, so the
# source tree is never written. Exits non-zero when the fuzzer reports a crash, leak, timeout
# or out-of-memory; the input that caused it is kept in ARTIFACT_DIR and printed in base64.
#
#   run_fuzzer.sh FUZZER SECONDS [ARTIFACT_DIR] [libFuzzer flags...]
#
#   FUZZER        e.g. build/fuzz/transcode_fuzzer
#   SECONDS       -max_total_time
#   ARTIFACT_DIR  where failing inputs are copied (default: the current folder)
#
# Reproduce a finding with: FUZZER ARTIFACT_DIR/crash-<sha1>
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FUZZER=${1:?usage: run_fuzzer.sh FUZZER SECONDS [ARTIFACT_DIR] [libFuzzer flags...]}
SECONDS_TO_RUN=${2:?usage: run_fuzzer.sh FUZZER SECONDS [ARTIFACT_DIR] [libFuzzer flags...]}
ARTIFACT_DIR=${3:-$PWD}
shift $(($# < 3 ? $# : 3))

[ -x "$FUZZER" ] || { echo "run_fuzzer: $FUZZER is not built" >&2; exit 2; }
name=$(basename "$FUZZER")
corpus_src=$HERE/corpus
dict=$HERE/${name%_fuzzer}.dict

work=$(mktemp -d "${TMPDIR:-/tmp}/${name}.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts"
cp "$corpus_src"/* "$work/corpus/"

flags=(-max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=2048 -timeout=5 -print_final_stats=1
       -artifact_prefix="$work/artifacts/")
[ -f "$dict" ] && flags+=(-dict="$dict")

status=0
(cd "$work" && "$FUZZER" "${flags[@]}" "$@" "$work/corpus") || status=$?

if [ "$status" -ne 0 ]; then
  echo "run_fuzzer: $name failed (exit $status)" >&2
  mkdir -p "$ARTIFACT_DIR"
  for f in "$work"/artifacts/*; do
    [ -f "$f" ] || continue
    cp "$f" "$ARTIFACT_DIR/"
    echo "run_fuzzer: input kept as $ARTIFACT_DIR/$(basename "$f"); base64:" >&2
    base64 "$f" >&2
  done
  exit 1
fi
echo "run_fuzzer: $name ran ${SECONDS_TO_RUN}s over $(ls "$corpus_src" | wc -l) seeds without a finding"
