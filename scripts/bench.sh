#!/usr/bin/env bash
# newsearch benchmark (issue 5): indexing against a plain-tantivy reference,
# no-op re-index, query latency in one process, one whole `newsearch query`
# process, and `--batch` throughput, on generated corpora of 10k and 100k
# articles (1M with --full). Prints one table per size; raw per-run numbers go
# to $BENCH_DIR/results-SIZE.tsv. See BENCHMARKS.md for what each figure means.
# With --baseline, a second build (an earlier commit's) runs in the same rounds
# and the tables add current/baseline ratios.
#
# Timings never make this script fail: it exits non-zero only when a command
# it measures fails (a build, an index run) or on a usage error (exit 2).
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/bench.sh [--full] [--peers] [--runs N] [--query-runs N] [--sizes "N ..."] [--no-build]
                       [--baseline DIR]
  --full           also 1,000,000 articles (3.4 GB; about 30 min more and 11 GB of disk)
  --peers          also index with tantivy-cli 0.24 (installed into BENCH_DIR/peers by
                   cargo install on first use) from the same documents as JSON lines
  --runs N         indexing and batch runs per size; tables show medians (default 3)
  --query-runs N   timed rounds of the in-process query set (default 15)
  --sizes "N ..."  corpus sizes instead of "10000 100000"
  --no-build       use the binaries already in target/release (or BENCH_BIN)
  --baseline DIR   also run the newsearch (and examples/bench-query) in DIR, e.g. a
                   target/release of an earlier commit, in the same rounds; tables add
                   current/baseline ratios
environment:
  BENCH_DIR        corpora, indexes and results (default: bench-data in the repository)
  BENCH_SEED       gen-corpus seed (default 1)
  BENCH_BIN        the current build's binaries (default: target/release in the
                   repository, where the build puts them; another folder wants --no-build)
EOF
}

die_usage() {
    echo "bench.sh: $1" >&2
    usage >&2
    exit 2
}

runs=3
query_runs=15
sizes="10000 100000"
full=0
peers=0
build=1
baseline=""
while (($#)); do
    case $1 in
        --full) full=1 ;;
        --runs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die_usage "--runs needs a positive integer"
            runs=$2; shift ;;
        --query-runs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die_usage "--query-runs needs a positive integer"
            query_runs=$2; shift ;;
        --sizes) [[ ${2:-} =~ ^[1-9][0-9]*( +[1-9][0-9]*)*$ ]] || die_usage "--sizes needs numbers"
            sizes=$2; shift ;;
        --no-build) build=0 ;;
        --peers) peers=1 ;;
        --baseline) [[ -n ${2:-} ]] || die_usage "--baseline needs a folder"
            baseline=$2; shift ;;
        -h | --help) usage; exit 0 ;;
        *) die_usage "unknown argument '$1'" ;;
    esac
    shift
done
if ((full)); then sizes="$sizes 1000000"; fi
seed=${BENCH_SEED:-1}
[[ $seed =~ ^[0-9]+$ ]] || die_usage "BENCH_SEED must be a non-negative integer"

# BENCH_DIR, BENCH_BIN and --baseline are relative to where the user stands;
# everything else to the repository.
mkdir -p "${BENCH_DIR:-$(dirname "$0")/../bench-data}"
bench_dir=$(cd "${BENCH_DIR:-$(dirname "$0")/../bench-data}" && pwd)
bin=""
if [[ -n ${BENCH_BIN:-} ]]; then
    [[ -d $BENCH_BIN ]] || die_usage "BENCH_BIN: no folder $BENCH_BIN"
    bin=$(cd "$BENCH_BIN" && pwd)
fi
base_bin="" base_docs=""
if [[ -n $baseline ]]; then
    [[ -d $baseline ]] || die_usage "--baseline: no folder $baseline"
    base_bin=$(cd "$baseline" && pwd)
    for program in newsearch examples/bench-query; do
        [[ -x $base_bin/$program ]] || die_usage "--baseline: $base_bin/$program is missing"
    done
fi
cd "$(dirname "$0")/.."
bin=${bin:-$PWD/target/release}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

log() { echo "bench.sh: $*" >&2; }

# ---------------------------------------------------------------- measuring

# GNU time gives CPU time and peak RSS; without it only wall time is measured.
timer=()
if /usr/bin/time -v true >/dev/null 2>&1; then
    timer=(/usr/bin/time -v -o "$tmp/time.txt")
else
    log "GNU /usr/bin/time not found: CPU and peak RSS will read n/a"
fi

# now_us VAR: sets VAR to the time in microseconds. EPOCHREALTIME (bash 5)
# needs no fork (nor does setting a variable, unlike $(...)), which matters
# when timing a 10 ms process; its decimal mark follows the locale.
now_us() {
    if [[ -n ${EPOCHREALTIME:-} ]]; then
        printf -v "$1" '%s' "${EPOCHREALTIME//[.,]/}"
    else
        printf -v "$1" '%s' "$(($(date +%s%N) / 1000))"
    fi
}

# Peak anonymous and file-backed RSS (kB) of process $1 until it exits, into $2.
# Anonymous memory is the heap (tantivy's arenas, documents in flight); file
# pages are mostly index segments read through mmap (merges, the commit's
# reader), which the kernel can drop under pressure. Sampled every 50 ms, so a
# short spike can be missed; /usr/bin/time's peak RSS is exact.
sample_memory() {
    local pid=$1 out=$2 anon=0 file=0 key value _
    while kill -0 "$pid" 2>/dev/null; do
        if [[ -r /proc/$pid/status ]]; then
            while read -r key value _; do
                case $key in
                    RssAnon:) if ((value > anon)); then anon=$value; fi ;;
                    RssFile:) if ((value > file)); then file=$value; fi ;;
                esac
            done <"/proc/$pid/status" 2>/dev/null || true
        fi
        sleep 0.05
    done
    echo "$anon $file" >"$out"
}

# measure OUT CMD...: runs CMD with stdout to OUT and sets M_WALL (s), M_CPU_S
# (user+sys, s), M_CPU (%), M_RSS, M_ANON, M_FILE (MiB); n/a where unknown. A
# failing CMD ends the script.
measure() {
    local out=$1 start end pid target sampler rc=0
    shift
    rm -f "$tmp/time.txt" "$tmp/memory.txt"
    now_us start
    "${timer[@]}" "$@" >"$out" 2>"$tmp/stderr.txt" &
    pid=$!
    target=$pid
    if ((${#timer[@]})); then
        # The measured program is time's only child; give it a moment to exist.
        local tries=0 children=""
        while [[ -z $children ]] && ((tries++ < 100)) && kill -0 "$pid" 2>/dev/null; do
            read -r children _ <"/proc/$pid/task/$pid/children" 2>/dev/null || true
            if [[ -z $children ]]; then sleep 0.001; fi
        done
        if [[ -n $children ]]; then target=$children; fi
    fi
    if [[ -d /proc/$target ]]; then
        sample_memory "$target" "$tmp/memory.txt" &
        sampler=$!
    fi
    wait "$pid" || rc=$?
    now_us end
    if [[ -n ${sampler:-} ]]; then wait "$sampler"; fi
    if ((rc != 0)); then
        log "failed (exit $rc): $*"
        cat "$tmp/stderr.txt" >&2
        exit 1
    fi
    M_WALL=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')
    M_CPU_S=n/a M_CPU=n/a M_RSS=n/a M_ANON=n/a M_FILE=n/a
    if [[ -s $tmp/time.txt ]]; then
        read -r M_CPU_S M_CPU M_RSS < <(awk -F': ' -v wall="$M_WALL" '
            /User time \(seconds\)/ { cpu += $2 }
            /System time \(seconds\)/ { cpu += $2 }
            /Maximum resident set size/ { rss = $2 }
            END { printf "%.2f %.0f %.1f\n", cpu, (wall > 0 ? 100 * cpu / wall : 0), rss / 1024 }' "$tmp/time.txt")
    fi
    if [[ -s $tmp/memory.txt ]]; then
        read -r M_ANON M_FILE < <(awk '{ printf "%.1f %.1f\n", $1 / 1024, $2 / 1024 }' "$tmp/memory.txt")
    fi
}

# json_number KEY FILE: the first number under "KEY" in a one-line JSON document.
json_number() {
    grep -o "\"$1\": *[0-9.eE+-]*" "$2" | head -n 1 | sed 's/.*: *//'
}

# Raw results: one line per run and metric.
record() { # SIZE RUN PROGRAM METRIC VALUE UNIT
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$results"
    values[$3.$4]+="$5 "
}

# Median of the numbers in $1 (n/a entries ignored; n/a if none, which is
# no failure: grep finding nothing must not end the script).
median() {
    tr ' ' '\n' <<<"$1" | { grep -E '^[0-9.eE+-]+$' || true; } | sort -g |
        awk '{ v[NR] = $1 } END {
            if (NR == 0) { print "n/a"; exit }
            print ((NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

med() { median "${values[$1]:-}"; }

# fmt FORMAT VALUE: printf unless the value is n/a.
fmt() { if [[ $2 == n/a ]]; then echo n/a; else printf "$1" "$2"; fi; }

# ratio A B: A / B as "0.93x", n/a when either is unknown.
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"; else printf "%.2fx\n", a / b }'
}

# vs CELL RATIO: with --baseline, two more table cells, the baseline's figure
# and current / baseline (each after a tab); without it, nothing, so that the
# tables stay as they were.
vs() { if [[ -n $base_bin ]]; then printf '\t%s\t%s' "$1" "$2"; fi; }

# vs_med FORMAT UNIT PROGRAM METRIC: vs for the median of the baseline's
# METRIC and the ratio of PROGRAM's to it (baseline-bench-query for bench-query).
vs_med() {
    local base=baseline
    if [[ $3 == bench-query ]]; then base="baseline-bench-query"; fi
    vs "$(fmt "$1" "$(med "$base.$4")")$2" "$(ratio "$(med "$3.$4")" "$(med "$base.$4")")"
}

# Reads tab-separated rows (the first is the header) and prints an aligned
# markdown table: the first column left-aligned, the others right-aligned.
table() {
    awk -F'\t' '
        { for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) }
          if (NF > cols) cols = NF }
        END {
            for (r = 1; r <= NR; r++) {
                line = "|"
                for (i = 1; i <= cols; i++)
                    line = line sprintf(" %" (i == 1 ? "-" : "") w[i] "s |", cell[r, i])
                print line
                if (r > 1) continue
                line = "|"
                for (i = 1; i <= cols; i++) {
                    rule = ""
                    while (length(rule) < w[i] - (i > 1)) rule = rule "-"
                    line = line " " rule (i > 1 ? ":" : "") " |"
                }
                print line
            }
        }'
}

# rate COUNT SECONDS DIVISOR: COUNT / SECONDS / DIVISOR, n/a if unknown.
rate() {
    awk -v n="$1" -v s="$2" -v d="$3" 'BEGIN {
        if (n == "n/a" || s == "n/a" || s + 0 == 0) print "n/a"; else printf "%.1f\n", n / s / d }'
}

# size_ratio KIB BYTES: an index size over the input size.
size_ratio() {
    awk -v kb="$1" -v b="$2" 'BEGIN {
        if (kb == "n/a" || b + 0 == 0) print "n/a"; else printf "%.2fx\n", kb * 1024 / b }'
}

# ---------------------------------------------------------------- building

if ((build)); then
    log "building (cargo build --release --locked --examples --bins)"
    cargo build --release --locked --examples --bins >&2
fi
for program in newsearch examples/gen-corpus examples/bench-reference examples/bench-query; do
    [[ -x $bin/$program ]] || die_usage "$bin/$program is missing: build first (drop --no-build, or set BENCH_BIN)"
done

# The peer a researcher would pick instead: tantivy-cli, the engine's own
# command line, which indexes ready-made JSON lines. Not --locked: its 0.24
# lock file pins traitobject 0.1.0, which today's rustc rejects.
tantivy_cli=$bench_dir/peers/bin/tantivy
if ((peers)) && [[ ! -x $tantivy_cli ]]; then
    log "installing tantivy-cli 0.24 into $bench_dir/peers (once; a few minutes)"
    cargo install tantivy-cli --version '~0.24' --root "$bench_dir/peers" >&2
fi

cores=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
memory=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
version=$("$bin/newsearch" --version 2>/dev/null || echo newsearch)
report=$bench_dir/report.md
{
    echo "# newsearch benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "$version; $cores cores (${cpu:-unknown CPU}), ${memory:-unknown memory}; seed $seed;" \
        "$runs indexing runs, $query_runs query rounds per size"
    if [[ -n $base_bin ]]; then
        echo
        echo "current: $bin ($version); baseline: $base_bin" \
            "($("$base_bin/newsearch" --version 2>/dev/null || echo newsearch))"
    fi
} | tee "$report"

# On a shared machine other work skews every figure: the load average is
# printed with each table so that a reader can judge.
load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a; }

# The corpus generator's checksum: a corpus made by another version is redone.
generator=$(cksum <examples/gen-corpus.rs | awk '{ print $1 }')

# index_newsearch / index_baseline / index_reference: one fresh indexing run
# of $corpus for $size and $run, recorded; newsearch's (the current build's
# and the baseline's) is followed by a no-op re-index. They set $docs,
# $base_docs and $ref_docs.
index_newsearch() { index_with newsearch "$bin" "$index" docs; }
index_baseline() { index_with baseline "$base_bin" "$base_index" base_docs; }

# index_with PROGRAM BIN INDEX DOCS_VAR: index_newsearch with BIN/newsearch.
index_with() {
    local program=$1 newsearch=$2/newsearch index=$3 n unchanged which=""
    if [[ $program != newsearch ]]; then which="$program "; fi
    rm -rf "$index"
    measure "$tmp/index.json" "$newsearch" index "$corpus" --index "$index" --format json
    n=$(json_number documents "$tmp/index.json")
    printf -v "$4" '%s' "$n"
    record "$size" "$run" "$program" wall "$M_WALL" s
    record "$size" "$run" "$program" docs "$n" docs
    record "$size" "$run" "$program" cpu_s "$M_CPU_S" s
    record "$size" "$run" "$program" cpu "$M_CPU" %
    record "$size" "$run" "$program" rss "$M_RSS" MiB
    record "$size" "$run" "$program" anon "$M_ANON" MiB
    record "$size" "$run" "$program" file "$M_FILE" MiB
    record "$size" "$run" "$program" index_kb "$(du -sk "$index" | awk '{ print $1 }')" KiB

    measure "$tmp/noop.json" "$newsearch" index "$corpus" --index "$index" --format json
    unchanged=$(json_number unchanged "$tmp/noop.json")
    if [[ $unchanged != "$n" ]]; then
        log "warning: the ${which}no-op re-index found $unchanged of $n documents unchanged"
    fi
    record "$size" "$run" "$program" noop_wall "$M_WALL" s
    record "$size" "$run" "$program" noop_rss "$M_RSS" MiB
}

index_reference() {
    rm -rf "$reference"
    measure "$tmp/reference.json" "$bin/examples/bench-reference" "$corpus" "$reference"
    ref_docs=$(json_number docs "$tmp/reference.json")
    record "$size" "$run" reference wall "$M_WALL" s
    record "$size" "$run" reference docs "$ref_docs" docs
    record "$size" "$run" reference cpu_s "$M_CPU_S" s
    record "$size" "$run" reference cpu "$M_CPU" %
    record "$size" "$run" reference rss "$M_RSS" MiB
    record "$size" "$run" reference anon "$M_ANON" MiB
    record "$size" "$run" reference file "$M_FILE" MiB
    record "$size" "$run" reference index_kb "$(du -sk "$reference" | awk '{ print $1 }')" KiB
}

index_peer() {
    rm -rf "$peer_index"
    cp -R "$peer_index.empty" "$peer_index"
    cat "$peer_json" >/dev/null # warm, like the corpus
    measure "$tmp/peer.txt" "$tantivy_cli" index -i "$peer_index" -f "$peer_json" -t 2 -m 1000000000
    record "$size" "$run" tantivy-cli wall "$M_WALL" s
    record "$size" "$run" tantivy-cli cpu "$M_CPU" %
    record "$size" "$run" tantivy-cli rss "$M_RSS" MiB
}

# Queries, for one build: SIDE is current (newsearch in $bin, $index) or
# baseline (newsearch in $base_bin, $base_index); both run them in turn.

# both FUNCTION: FUNCTION current, and with --baseline also FUNCTION baseline:
# the baseline first in odd rounds ($run), second in even ones.
both() {
    if [[ -n $base_bin ]] && ((run % 2)); then "$1" baseline; fi
    "$1" current
    if [[ -n $base_bin ]] && ! ((run % 2)); then "$1" baseline; fi
}

# side SIDE: sets side_name (newsearch or baseline), side_bin and side_index.
side() {
    if [[ $1 == baseline ]]; then
        side_name=baseline side_bin=$base_bin side_index=$base_index
    else
        side_name=newsearch side_bin=$bin side_index=$index
    fi
}

# query_in_process SIDE: the build's own examples/bench-query over its index,
# per kind median and p95 recorded for $run; the current one's rows go to
# $tmp/query.tsv and set $worst_text (the baseline's, $base_worst_text).
query_in_process() {
    local program=bench-query out=$tmp/query.tsv worst=worst_text kind measure_name median_ms p95_ms text
    side "$1"
    if [[ $1 == baseline ]]; then program=baseline-bench-query out=$tmp/query-baseline.tsv worst=base_worst_text; fi
    "$side_bin/examples/bench-query" --index "$side_index" --runs "$query_runs" --tsv >"$out"
    while IFS=$'\t' read -r kind measure_name median_ms p95_ms text; do
        record "$size" "$run" "$program" "$kind.$measure_name.median" "$median_ms" ms
        record "$size" "$run" "$program" "$kind.$measure_name.p95" "$p95_ms" ms
        if [[ $kind == worst ]]; then printf -v "$worst" '%s' "$text"; fi
    done <"$out"
}

# query_process SIDE: what a CLI user feels (process start, index open,
# search, output): 20 warm runs of one `newsearch query` process, recorded
# for $run (hyperfine's median) or runs 20 * ($run - 1) + 1 ... (each run).
query_process() {
    local process seconds start end i
    side "$1"
    process=(query Sirte --facet source --index "$side_index")
    for _ in 1 2 3; do "$side_bin/newsearch" "${process[@]}" >/dev/null; done
    if command -v hyperfine >/dev/null 2>&1; then
        hyperfine -N --warmup 3 --runs 20 --export-json "$tmp/hyperfine.json" \
            "$side_bin/newsearch ${process[*]}" >/dev/null 2>&1
        seconds=$(json_number median "$tmp/hyperfine.json")
        record "$size" "$run" "$side_name" query_process "$(awk -v t="$seconds" 'BEGIN { printf "%.2f", t * 1000 }')" ms
    else
        for ((i = 1; i <= 20; i++)); do
            now_us start
            "$side_bin/newsearch" "${process[@]}" >/dev/null
            now_us end
            record "$size" "$((20 * (run - 1) + i))" "$side_name" query_process "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", (b - a) / 1000 }')" ms
        done
    fi
}

# query_batch SIDE: `query --batch` of $tmp/batch.txt, top 10 and with 3
# facets, recorded for $run.
query_batch() {
    local variant extra qps
    side "$1"
    for variant in top10 facets; do
        extra=()
        if [[ $variant == facets ]]; then extra=(--facet source --facet entity --facet month); fi
        measure "$tmp/batch.json" "$side_bin/newsearch" query --batch "$tmp/batch.txt" \
            --index "$side_index" --format json "${extra[@]}"
        qps=$(awk -v n="$lines" -v s="$M_WALL" 'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }')
        record "$size" "$run" "$side_name" "batch_$variant" "$qps" queries/s
    done
}

# ---------------------------------------------------------------- each size

for size in $sizes; do
    corpus=$bench_dir/corpus-$size-seed$seed
    index=$bench_dir/index-$size
    base_index=$bench_dir/index-$size-baseline
    reference=$bench_dir/reference-$size
    results=$bench_dir/results-$size.tsv
    declare -A values=()
    printf 'size\trun\tprogram\tmetric\tvalue\tunit\n' >"$results"

    # gen-corpus writes into a .partial folder renamed at the end, so an
    # interrupted run never leaves a short corpus that looks finished. The
    # checksum file is hidden, and the walk skips hidden files.
    if [[ ! -d $corpus || $(cat "$corpus/.generator" 2>/dev/null) != "$generator" ]]; then
        log "generating $size articles into $corpus"
        rm -rf "$corpus" "$corpus.partial"
        "$bin/examples/gen-corpus" --docs "$size" --seed "$seed" --out "$corpus.partial"
        echo "$generator" >"$corpus.partial/.generator"
        mv "$corpus.partial" "$corpus"
    else
        log "reusing $corpus"
    fi
    # Every figure is for a warm page cache: read the corpus once first. The
    # byte count is the input size that MB/s and the size ratio refer to.
    bytes=$(find "$corpus" -type f ! -name '.*' -exec cat {} + | wc -c | tr -d ' ')
    files=$(find "$corpus" -type f ! -name '.*' | wc -l | tr -d ' ')

    peer_index=$bench_dir/tantivy-cli-$size
    peer_json=$bench_dir/tantivy-cli-$size.jsonl
    programs=(newsearch reference)
    if [[ -n $base_bin ]]; then programs=(baseline newsearch reference); fi
    if ((peers)); then
        # The same parsed documents, as JSON lines, into an empty index with
        # the reference's schema; tantivy-cli's time starts from the JSON file
        # (turning the files into it is not counted, in its favour). Converted
        # once (3.4 GB at 1M); each run starts from a copy of the empty index.
        log "$size articles: writing the documents as JSON lines for tantivy-cli"
        rm -rf "$peer_index.empty"
        "$bin/examples/bench-reference" "$corpus" "$peer_index.empty" --jsonl "$peer_json" >/dev/null
        programs+=(peer)
    fi

    load_before=$(load)
    for ((run = 1; run <= runs; run++)); do
        log "$size articles: indexing run $run of $runs (${#programs[@]} programs)"
        # Every program runs once per round, and the order rotates from round
        # to round, so that a change in the machine's speed (another tenant of
        # the host starting) falls on each program alike.
        for ((slot = 0; slot < ${#programs[@]}; slot++)); do
            program=${programs[(run - 1 + slot) % ${#programs[@]}]}
            "index_$program"
        done
        if [[ $ref_docs != "$docs" ]]; then
            log "warning: the reference indexed $ref_docs documents, newsearch $docs"
        fi
        if [[ -n $base_bin && $base_docs != "$docs" ]]; then
            log "warning: the baseline indexed $base_docs documents, newsearch $docs"
        fi
    done
    rm -rf "$reference" "$peer_index" "$peer_index.empty" "$peer_json"

    # Alone, the current build's queries run once (one round of in-process
    # rounds, one of 20 processes); with a baseline, $runs rounds, each
    # running both builds in turn, and the tables show medians over them.
    query_rounds=1
    if [[ -n $base_bin ]]; then query_rounds=$runs; fi
    "$bin/examples/bench-query" --print-queries >"$tmp/queries.txt"
    queries=$(grep -c . "$tmp/queries.txt")
    log "$size articles: in-process queries ($queries queries, $query_runs rounds)${base_bin:+, both builds in turn, $query_rounds x}"
    for ((run = 1; run <= query_rounds; run++)); do both query_in_process; done

    log "$size articles: whole-process query${base_bin:+, both builds in turn, $query_rounds x}"
    for ((run = 1; run <= query_rounds; run++)); do both query_process; done

    # --batch: the query set repeated to 320 lines, index opened once. The
    # baseline reads the same lines (the current bench-query's set).
    : >"$tmp/batch.txt"
    for _ in 1 2 3 4 5 6 7 8; do cat "$tmp/queries.txt" >>"$tmp/batch.txt"; done
    lines=$(grep -c . "$tmp/batch.txt")
    log "$size articles: --batch of $lines queries"
    for ((run = 1; run <= runs; run++)); do both query_batch; done
    rm -rf "$base_index"

    # ------------------------------------------------------------ the table
    ns_wall=$(med newsearch.wall)
    ref_wall=$(med reference.wall)
    docs=$(med newsearch.docs)
    ns_dps=$(rate "$docs" "$ns_wall" 1)
    ref_dps=$(rate "$(med reference.docs)" "$ref_wall" 1)
    ns_mbs=$(rate "$bytes" "$ns_wall" 1000000)
    ref_mbs=$(rate "$bytes" "$ref_wall" 1000000)
    input_mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
    # With --baseline, every table gains the baseline's column and newsearch /
    # baseline (throughput: higher is better; times, memory, size: lower).
    base_wall=$(med baseline.wall)
    base_dps=$(rate "$(med baseline.docs)" "$base_wall" 1)
    base_mbs=$(rate "$bytes" "$base_wall" 1000000)
    versus=$(vs baseline "newsearch / baseline")
    {
        echo
        echo "## $size articles ($files files, $input_mb MB, seed $seed): medians of $runs runs"
        echo
        echo "load average (1, 5, 15 min) before: $load_before; after: $(load)"
        echo
        {
            printf 'indexing\tnewsearch\treference (plain tantivy)\tnewsearch / reference%s\n' "$versus"
            printf 'wall time\t%s s\t%s s\t%s\n' "$(fmt %.2f "$ns_wall")" "$(fmt %.2f "$ref_wall")" \
                "$(vs "$(fmt %.2f "$base_wall") s" "$(ratio "$ns_wall" "$base_wall")")"
            printf 'docs/s\t%s\t%s\t%s%s\n' "$(fmt %.0f "$ns_dps")" "$(fmt %.0f "$ref_dps")" "$(ratio "$ns_dps" "$ref_dps")" \
                "$(vs "$(fmt %.0f "$base_dps")" "$(ratio "$ns_dps" "$base_dps")")"
            printf 'MB/s of input\t%s\t%s\t%s%s\n' "$(fmt %.1f "$ns_mbs")" "$(fmt %.1f "$ref_mbs")" "$(ratio "$ns_mbs" "$ref_mbs")" \
                "$(vs "$(fmt %.1f "$base_mbs")" "$(ratio "$ns_mbs" "$base_mbs")")"
            printf 'CPU time (user+sys)\t%s s\t%s s\t%s%s\n' "$(fmt %.2f "$(med newsearch.cpu_s)")" "$(fmt %.2f "$(med reference.cpu_s)")" "$(ratio "$(med newsearch.cpu_s)" "$(med reference.cpu_s)")" \
                "$(vs_med %.2f ' s' newsearch cpu_s)"
            printf 'CPU utilisation (user+sys / wall)\t%s %%\t%s %%\t%s\n' "$(fmt %.0f "$(med newsearch.cpu)")" "$(fmt %.0f "$(med reference.cpu)")" \
                "$(vs "$(fmt %.0f "$(med baseline.cpu)") %" "")"
            printf 'peak RSS\t%s MiB\t%s MiB\t%s%s\n' "$(fmt %.0f "$(med newsearch.rss)")" "$(fmt %.0f "$(med reference.rss)")" "$(ratio "$(med newsearch.rss)" "$(med reference.rss)")" \
                "$(vs_med %.0f ' MiB' newsearch rss)"
            printf 'peak anonymous RSS (heap), sampled\t%s MiB\t%s MiB\t%s\n' "$(fmt %.0f "$(med newsearch.anon)")" "$(fmt %.0f "$(med reference.anon)")" \
                "$(vs_med %.0f ' MiB' newsearch anon)"
            printf 'peak file-backed RSS (mmap), sampled\t%s MiB\t%s MiB\t%s\n' "$(fmt %.0f "$(med newsearch.file)")" "$(fmt %.0f "$(med reference.file)")" \
                "$(vs_med %.0f ' MiB' newsearch file)"
            printf 'index size / input size\t%s\t%s\t%s\n' "$(size_ratio "$(med newsearch.index_kb)" "$bytes")" "$(size_ratio "$(med reference.index_kb)" "$bytes")" \
                "$(vs "$(size_ratio "$(med baseline.index_kb)" "$bytes")" "$(ratio "$(med newsearch.index_kb)" "$(med baseline.index_kb)")")"
            printf 'no-op re-index (nothing changed)\t%s s\t\t%s\n' "$(fmt %.2f "$(med newsearch.noop_wall)")" \
                "$(vs_med %.2f ' s' newsearch noop_wall)"
        } | table
        echo
        if ((peers)); then
            peer_wall=$(med tantivy-cli.wall)
            peer_dps=$(rate "$docs" "$peer_wall" 1)
            {
                printf 'peer: tantivy-cli 0.24, 2 threads, 1 GB, from JSON lines\ttantivy-cli\tnewsearch / tantivy-cli\n'
                printf 'wall time\t%s s\t\n' "$(fmt %.2f "$peer_wall")"
                printf 'docs/s\t%s\t%s\n' "$(fmt %.0f "$peer_dps")" "$(ratio "$ns_dps" "$peer_dps")"
                printf 'MB/s of input (the article files)\t%s\t%s\n' "$(fmt %.1f "$(rate "$bytes" "$peer_wall" 1000000)")" "$(ratio "$ns_dps" "$peer_dps")"
                printf 'CPU utilisation\t%s %%\t\n' "$(fmt %.0f "$(med tantivy-cli.cpu)")"
                printf 'peak RSS\t%s MiB\t%s\n' "$(fmt %.0f "$(med tantivy-cli.rss)")" "$(ratio "$(med newsearch.rss)" "$(med tantivy-cli.rss)")"
            } | table
            echo
        fi
        {
            # With a baseline, the cells are medians over its $query_rounds
            # rounds of the figure each round's bench-query reports.
            printf 'queries in one process (%s queries x %s), ms\ttop10+snippets median\tp95\twith 3 facets median\tp95%s%s\n' "$queries" "$query_runs" \
                "$(vs "baseline top10 median" "newsearch / baseline")" "$(vs "baseline 3 facets median" "newsearch / baseline")"
            while IFS=$'\t' read -r kind measure_name _; do
                [[ $measure_name == top10 && $kind != worst ]] || continue
                printf '%s\t%s\t%s\t%s\t%s%s%s\n' "$kind" \
                    "$(fmt %.2f "$(med "bench-query.$kind.top10.median")")" \
                    "$(fmt %.2f "$(med "bench-query.$kind.top10.p95")")" \
                    "$(fmt %.2f "$(med "bench-query.$kind.facets.median")")" \
                    "$(fmt %.2f "$(med "bench-query.$kind.facets.p95")")" \
                    "$(vs_med %.2f "" bench-query "$kind.top10.median")" \
                    "$(vs_med %.2f "" bench-query "$kind.facets.median")"
            done <"$tmp/query.tsv"
        } | table
        echo
        printf 'worst query (with 3 facets): `%s`, median %s ms, p95 %s ms\n' "${worst_text:-?}" \
            "$(fmt %.2f "$(med bench-query.worst.facets.median)")" "$(fmt %.2f "$(med bench-query.worst.facets.p95)")"
        if [[ -n $base_bin ]]; then
            printf 'baseline'"'"'s worst query (with 3 facets): `%s`, median %s ms, p95 %s ms\n' "${base_worst_text:-?}" \
                "$(fmt %.2f "$(med baseline-bench-query.worst.facets.median)")" "$(fmt %.2f "$(med baseline-bench-query.worst.facets.p95)")"
        fi
        echo
        {
            printf 'command line\tmedian%s\n' "$versus"
            printf 'one `newsearch query Sirte --facet source` process, warm cache (20 runs)\t%s ms%s\n' "$(fmt %.1f "$(med newsearch.query_process)")" \
                "$(vs_med %.1f ' ms' newsearch query_process)"
            printf '`query --batch` of %s queries, top 10 + snippets\t%s queries/s%s\n' "$lines" "$(fmt %.0f "$(med newsearch.batch_top10)")" \
                "$(vs_med %.0f ' queries/s' newsearch batch_top10)"
            printf '`query --batch` of %s queries, + 3 facets\t%s queries/s%s\n' "$lines" "$(fmt %.0f "$(med newsearch.batch_facets)")" \
                "$(vs_med %.0f ' queries/s' newsearch batch_facets)"
        } | table
    } | tee -a "$report"
    unset values
done

log "raw numbers: $bench_dir/results-*.tsv; this report: $report"
