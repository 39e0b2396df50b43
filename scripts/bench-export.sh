#!/usr/bin/env bash
# newsearch export benchmark (issue 17): for each corpus size, generate the
# corpus (examples/gen-corpus, seed 1), index it, and export it for each
# target (ndjson, quickwit, opensearch), measuring wall time, CPU time and peak
# RSS (GNU time) and the bytes written. Prints one Markdown table per size, as
# BENCHMARKS.md shows them, with the figures the README's sizing plan reads:
# index bytes per article and indexing docs/s per core.
#
# Disk: a size needs about 3.4 KB per article for the corpus, 3.8 KB for the
# index and 6.4 KB for the largest export; the script checks free space first
# (12 KB per article), deletes the corpus once indexed and each export after
# measuring it, and the index at the end (none of them with --keep). Exit: 0, or non-zero when a measured command fails; 2 on a
# usage error or too little disk.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: scripts/bench-export.sh [--sizes "N ..."] [--no-build] [--keep] [--reuse-index]
  --sizes "N ..."  corpus sizes (default "100000"; the issue also asks 1000000)
  --no-build       use the binaries already in $BENCH_BIN
  --keep           keep corpora and indexes
  --reuse-index    export an index a --keep run left in BENCH_DIR instead of indexing
                   again (the indexing line then says so)
environment:
  BENCH_DIR   where corpora, indexes and exports go (default /tmp/newsearch-bench-export)
  BENCH_BIN   release binaries (default: $CARGO_TARGET_DIR/release or target/release)
EOF
}

sizes="100000"
build=1
keep=0
reuse=0
while (($#)); do
    case $1 in
        --sizes) [[ ${2:-} =~ ^[1-9][0-9]*( +[1-9][0-9]*)*$ ]] || { usage >&2; exit 2; }
            sizes=$2; shift ;;
        --no-build) build=0 ;;
        --keep) keep=1 ;;
        --reuse-index) reuse=1 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
    shift
done

repo=$(cd "$(dirname "$0")/.." && pwd)
bench_dir=${BENCH_DIR:-/tmp/newsearch-bench-export}
bin=${BENCH_BIN:-${CARGO_TARGET_DIR:-$repo/target}/release}
if ((build)); then
    (cd "$repo" && cargo build --release --bin newsearch --example gen-corpus)
fi
for tool in "$bin/newsearch" "$bin/examples/gen-corpus"; do
    [[ -x $tool ]] || { echo "bench-export.sh: $tool is missing (build it, or set BENCH_BIN)" >&2; exit 2; }
done
/usr/bin/time -v true >/dev/null 2>&1 || { echo "bench-export.sh: needs GNU /usr/bin/time" >&2; exit 2; }
mkdir -p "$bench_dir"

# Runs "$@" under GNU time; sets WALL (s), CPU (user+sys, s), RSS (MiB).
measure() {
    /usr/bin/time -v -o "$bench_dir/time.txt" "$@" >"$bench_dir/out.txt"
    read -r WALL CPU RSS < <(awk -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
        /User time/ { u = $2 } /System time/ { s = $2 }
        /Maximum resident set size/ { r = $2 }
        END { printf "%.2f %.2f %.0f\n", w, u + s, r / 1024 }' "$bench_dir/time.txt")
}

for size in $sizes; do
    need_kb=$((size * 12))
    free_kb=$(df -Pk "$bench_dir" | awk 'NR == 2 { print $4 }')
    if ((free_kb < need_kb)); then
        echo "bench-export.sh: $size articles need about $((need_kb / 1024)) MiB in $bench_dir; $((free_kb / 1024)) MiB are free" >&2
        exit 2
    fi
    corpus=$bench_dir/corpus-$size
    index=$bench_dir/index-$size
    reused=0
    if ((reuse)) && [[ -f $index/meta.json && -d $corpus ]]; then
        reused=1
    else
        [[ -d $corpus ]] || "$bin/examples/gen-corpus" --docs "$size" --seed 1 --out "$corpus"
        rm -rf "$index"
        measure "$bin/newsearch" index "$corpus" --index "$index" --quiet
        index_wall=$WALL index_cpu=$CPU index_rss=$RSS
    fi
    corpus_bytes=$(du -sb "$corpus" | cut -f1)
    index_bytes=$(du -sb "$index" | cut -f1)
    # The exports read the index only: the corpus's disk goes back first.
    if ((!keep)); then rm -rf "$corpus"; fi
    docs=$("$bin/newsearch" query '*' --index "$index" -n 0 --format json | sed -n 's/.*"total_hits": *\([0-9]*\).*/\1/p')

    echo
    echo "### export of $docs articles (corpus $((corpus_bytes / 1000000)) MB, index $((index_bytes / 1000000)) MB)"
    echo
    echo "| target | output | wall | MB/s of output | docs/s | CPU (user+sys) | peak RSS |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for target in ndjson quickwit opensearch; do
        out=$bench_dir/export-$size-$target
        rm -rf "$out"
        measure "$bin/newsearch" export --index "$index" --to "$out" --target "$target" --quiet
        bytes=$(du -sb "$out" | cut -f1)
        awk -v t="$target" -v b="$bytes" -v w="$WALL" -v c="$CPU" -v r="$RSS" -v d="$docs" 'BEGIN {
            printf "| %s | %.1f MB | %.2f s | %.1f | %.0f | %.2f s | %d MiB |\n", t, b / 1e6, w, b / 1e6 / w, d / w, c, r }'
        rm -rf "$out"
    done
    echo
    if ((reused)); then
        echo "indexing: reused the index of an earlier run; index $((index_bytes / docs)) bytes per article"
    else
    awk -v d="$docs" -v ib="$index_bytes" -v w="$index_wall" -v c="$index_cpu" -v r="$index_rss" 'BEGIN {
        printf "indexing: %.2f s wall, %.2f s CPU, peak RSS %d MiB; %.0f docs/s per core (CPU); index %.0f bytes per article\n",
            w, c, r, d / c, ib / d }'
    fi
    if ((!keep)); then rm -rf "$corpus" "$index"; fi
done
rm -f "$bench_dir/time.txt" "$bench_dir/out.txt"
