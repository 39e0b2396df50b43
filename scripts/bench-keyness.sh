#!/usr/bin/env bash
# newsearch keyness benchmark (issue 16): how long `--facet terms` (and
# `--facet entity --keyness`) take on an existing index, against counting the
# same hits (`-n 0`, no facet) in the same rounds. Prints one Markdown table:
# medians of the in-process `took_ms` and of the whole process's wall time.
#
# Usage: scripts/bench-keyness.sh INDEX [--runs N] [QUERY ...]
#   INDEX   an index folder, e.g. the 1M index `scripts/bench-export.sh
#           --sizes 1000000 --keep` leaves in its BENCH_DIR
#   --runs  rounds per query (default 5)
#   QUERY   queries (default: Palmyra Sirte, about 9k and 16k hits at 1M)
# Environment: BENCH_BIN (default target/release). Exit 2 on a usage error.
set -euo pipefail

usage() { sed -n '6,12p' "$0" | sed 's/^# \{0,1\}//'; }
(($#)) || { usage >&2; exit 2; }
index=$1
shift
runs=5
queries=()
while (($#)); do
    case $1 in
        --runs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { usage >&2; exit 2; }
            runs=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        *) queries+=("$1") ;;
    esac
    shift
done
((${#queries[@]})) || queries=(Palmyra Sirte)
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${BENCH_BIN:-$repo/target/release}/newsearch
[[ -x $bin ]] || { echo "bench-keyness.sh: $bin is missing (cargo build --release)" >&2; exit 2; }
[[ -f $index/meta.json ]] || { echo "bench-keyness.sh: $index holds no index" >&2; exit 2; }
command -v jq >/dev/null || { echo "bench-keyness.sh: needs jq" >&2; exit 2; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Prints "took_ms wall_ms" of one run of newsearch query "$@".
one() {
    local start end took
    start=$(date +%s%N)
    took=$("$bin" query "$@" --index "$index" -n 0 --format json | jq .took_ms)
    end=$(date +%s%N)
    echo "$took $(((end - start) / 1000000))"
}

echo "| query | hits | what | median took_ms | median process ms | / count only |"
echo "|---|---:|---|---:|---:|---:|"
for query in "${queries[@]}"; do
    hits=$("$bin" query "$query" --index "$index" -n 0 --format json | jq .total_hits)
    declare -A took=() wall=()
    for ((round = 0; round < runs; round++)); do
        # Each round runs every variant once, so that load changes hit all alike.
        for what in count terms entity; do
            case $what in
                count) read -r t w < <(one "$query") ;;
                terms) read -r t w < <(one "$query" --facet terms) ;;
                entity) read -r t w < <(one "$query" --facet entity --keyness) ;;
            esac
            took[$what]+="$t "
            wall[$what]+="$w "
        done
    done
    base=$(tr ' ' '\n' <<<"${took[count]}" | grep . | median)
    for what in count terms entity; do
        t=$(tr ' ' '\n' <<<"${took[$what]}" | grep . | median)
        w=$(tr ' ' '\n' <<<"${wall[$what]}" | grep . | median)
        label=$what
        [[ $what == terms ]] && label="--facet terms"
        [[ $what == entity ]] && label="--facet entity --keyness"
        [[ $what == count ]] && label="-n 0 (reference)"
        awk -v q="$query" -v h="$hits" -v l="$label" -v t="$t" -v w="$w" -v b="$base" 'BEGIN {
            printf "| %s | %d | %s | %.1f | %d | %.1fx |\n", q, h, l, t, w, (b > 0 ? t / b : 0) }'
    done
    unset took wall
done
