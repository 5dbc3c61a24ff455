#!/usr/bin/env bash
# Throughput of `classify` end to end, as ratios to a reference pass
# measured in the same run (issue #4).
#
#   benches/throughput.sh            # 100 MB corpus
#   SIZE_MB=1000 benches/throughput.sh   # 1 GB: the streaming-memory target
#   CLASSIFY=/path/to/old/classify benches/throughput.sh   # another build,
#                                    # e.g. an earlier commit's, same corpus
#
# 1. builds the release binaries (`classify`, `corpus`, `reference`);
# 2. builds a corpus of at least SIZE_MB × 10⁶ bytes in a temporary folder
#    by replicating fixtures/ads/*.jsonl and ../shared/corpus/real.jsonl
#    (JSON Lines with id, title, text);
# 3. runs the reference pass over it (aho-corasick DFA, leftmost-longest,
#    as many patterns as the lexicon has entries; see src/bin/reference.rs);
# 4. runs `classify --format jsonl --jobs 1` and `--jobs JOBS` (all
#    cores by default) under
#    /usr/bin/time -v, and checks that both outputs are identical; then
#    `--jobs 1 --explain` (every evidence item with its snippet). The
#    three runs are repeated TRIES times, interleaved, and the best time of
#    each counts, as the reference pass keeps its best of three: on a
#    shared machine the fastest run is the least disturbed one. The
#    slowest is printed too.
#    With JOBS > 1, the same corpus cut into JOBS parts is classified by
#    JOBS independent `--jobs 1` processes at once: the parallel ceiling of
#    the machine, against which `--jobs JOBS` is judged;
# 5. times one ad on standard input (hyperfine when installed, otherwise
#    a loop of RUNS runs), lexicon compilation included;
# 6. prints the table.
#
# MB are 10⁶ bytes of the corpus file; ads/s counts its lines. Needs
# /usr/bin/time (Debian package `time`).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZE_MB=${SIZE_MB:-100}
RUNS=${RUNS:-50}
TRIES=${TRIES:-3}
JOBS=${JOBS:-$(nproc)}
AD=${AD:-$ROOT/fixtures/examples/community-manager.txt}
REAL=${REAL:-$ROOT/../shared/corpus/real.jsonl}

if [[ ! -x /usr/bin/time ]]; then
    echo "throughput.sh: /usr/bin/time is missing (apt-get install time)" >&2
    exit 2
fi

cd "$ROOT"
cargo build --quiet --release -p classify-cli -p classify-benches --bins
BIN=$ROOT/target/release
CLASSIFY=${CLASSIFY:-$BIN/classify}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/classify-throughput.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
CORPUS=$TMP/corpus.jsonl

inputs=("$ROOT"/fixtures/ads/*.jsonl)
if [[ -f $REAL ]]; then
    inputs+=("$REAL")
else
    echo "throughput.sh: $REAL not found, fixtures only" >&2
fi
"$BIN/corpus" "$CORPUS" "$SIZE_MB" "${inputs[@]}" >/dev/null
BYTES=$(stat -c %s "$CORPUS")
ADS=$(wc -l <"$CORPUS")

# key=value lines → variables ref_*
while IFS='=' read -r key value; do
    printf -v "ref_$key" '%s' "$value"
done < <("$BIN/reference" "$CORPUS")

now() { date +%s%N; }

# run NAME JOBS [ARGS]: classify the corpus with --jobs JOBS and ARGS into
# $TMP/out.NAME; keeps the best and worst time in best_NAME, worst_NAME
# and the highest peak RSS in rss_NAME (KB).
run() {
    local name=$1 jobs=$2 start end secs rss
    shift 2
    start=$(now)
    /usr/bin/time -v -o "$TMP/time.$name" \
        "$CLASSIFY" --format jsonl --jobs "$jobs" "$@" "$CORPUS" >"$TMP/out.$name"
    end=$(now)
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$TMP/time.$name")
    local -n best=best_$name worst=worst_$name peak=rss_$name
    best=$(awk -v a="${best:-inf}" -v b="$secs" 'BEGIN { print (a == "inf" || b < a) ? b : a }')
    worst=$(awk -v a="${worst:-0}" -v b="$secs" 'BEGIN { print (b > a) ? b : a }')
    peak=$(( rss > ${peak:-0} ? rss : ${peak:-0} ))
}

# The parallel ceiling of this machine: the corpus cut into JOBS parts (at
# line ends), each classified by its own `--jobs 1` process, all at once.
# No design that shares one process can beat independent ones; on a
# shared virtual machine the ceiling is often well under JOBS×.
split -n "l/$JOBS" -d --additional-suffix=.jsonl "$CORPUS" "$TMP/part."
ceiling() {
    local start end secs part
    start=$(now)
    for part in "$TMP"/part.*.jsonl; do
        "$CLASSIFY" --format jsonl --jobs 1 "$part" >"$part.out" &
    done
    wait
    end=$(now)
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
    best_ceiling=$(awk -v a="${best_ceiling:-inf}" -v b="$secs" 'BEGIN { print (a == "inf" || b < a) ? b : a }')
    rm -f "$TMP"/part.*.out
}

for ((try = 0; try < TRIES; try++)); do
    run one 1
    run all "$JOBS"
    ceiling
    # With every evidence item's snippet (--explain): the output for reading.
    run explain 1 --explain
    rm -f "$TMP/out.explain"
    if ! cmp -s "$TMP/out.one" "$TMP/out.all"; then
        echo "throughput.sh: --jobs 1 and --jobs $JOBS outputs differ" >&2
        exit 1
    fi
done

OUT_LINES=$(wc -l <"$TMP/out.one")
if [[ $OUT_LINES -ne $ADS ]]; then
    echo "throughput.sh: $OUT_LINES verdicts for $ADS ads" >&2
    exit 1
fi

# One ad on standard input, cold start included.
if command -v hyperfine >/dev/null; then
    hyperfine --style none --warmup 5 --runs "$RUNS" \
        --export-json "$TMP/latency.json" \
        "'$CLASSIFY' < '$AD' > /dev/null" >/dev/null 2>&1
    latency_ms=$(jq '.results[0].mean * 1000' "$TMP/latency.json")
    latency_how="hyperfine, mean of $RUNS"
else
    start=$(now)
    for ((i = 0; i < RUNS; i++)); do
        "$CLASSIFY" <"$AD" >/dev/null
    done
    end=$(now)
    latency_ms=$(awk -v a="$start" -v b="$end" -v n="$RUNS" 'BEGIN { print (b - a) / 1e6 / n }')
    latency_how="loop, mean of $RUNS"
fi

awk -v bytes="$BYTES" -v ads="$ADS" -v ref="$ref_mbps" -v refp="$ref_parse_mbps" \
    -v s1="$best_one" -v w1="$worst_one" -v sn="$best_all" -v wn="$worst_all" \
    -v se="$best_explain" -v we="$worst_explain" -v sc="$best_ceiling" \
    -v r1="$rss_one" -v rn="$rss_all" -v re="$rss_explain" -v jobs="$JOBS" -v tries="$TRIES" \
    -v lat="$latency_ms" -v how="$latency_how" -v pats="$ref_patterns" 'BEGIN {
    mb = bytes / 1e6
    printf "corpus: %.1f MB, %d ads; reference pass: %d patterns, %.1f MB/s (with JSON parse %.1f MB/s), best of 3\n", mb, ads, pats, ref, refp
    printf "classify runs: best of %d, interleaved (slowest in brackets)\n\n", tries
    printf "| run | MB/s | ads/s | ratio to reference | peak RSS |\n|---|---|---|---|---|\n"
    printf "| reference pass (aho-corasick DFA) | %.1f | %.0f | 1.00 | |\n", ref, ads / (mb / ref)
    printf "| `classify --format jsonl --jobs 1` | %.1f (%.1f) | %.0f | %.2f (%.2f) | %.1f MB |\n", mb / s1, mb / w1, ads / s1, (mb / s1) / ref, (mb / w1) / ref, r1 / 1024
    printf "| `classify --format jsonl --jobs %d` | %.1f (%.1f) | %.0f | %.2f (%.2f) | %.1f MB |\n", jobs, mb / sn, mb / wn, ads / sn, (mb / sn) / ref, (mb / wn) / ref, rn / 1024
    printf "| `classify --format jsonl --explain --jobs 1` (snippets) | %.1f (%.1f) | %.0f | %.2f (%.2f) | %.1f MB |\n", mb / se, mb / we, ads / se, (mb / se) / ref, (mb / we) / ref, re / 1024
    printf "\n--jobs %d / --jobs 1: %.2fx, best against best (outputs identical)\n", jobs, s1 / sn
    printf "parallel ceiling (%d independent --jobs 1 processes on %d parts): %.2fx; --jobs %d reaches %.0f%% of it\n", jobs, jobs, s1 / sc, jobs, 100 * sc / sn
    printf "one ad on standard input: %.2f ms wall (%s)\n", lat, how
}'
