#!/usr/bin/env bash
# newsearch benchmark of web pages (issue 13): indexing a folder of saved HTML pages
# and a WARC archive of the same pages, in pages/s and MB/s (of HTML, uncompressed),
# with the CPU time over wall time (2.0 = both cores of a 2-core machine busy) and pages
# per CPU second (what a busy machine does not change much).
#
# The pages are ../shared/extraction/pages (91 real article pages, gzipped), copied
# COPIES times under distinct names; the WARC holds every copy as an HTTP response
# record, one gzip member per record, as Common Crawl writes them. Prints a table of
# medians; see BENCHMARKS.md.
#
# usage: scripts/bench-scrape.sh [--runs N] [--copies N]
# environment: BENCH_BIN (default target/release), BENCH_DIR (default bench-data),
#              SHARED (default ../shared)
set -euo pipefail

runs=3
copies=5
while (($#)); do
    case $1 in
        --runs) runs=$2; shift ;;
        --copies) copies=$2; shift ;;
        -h | --help) sed -n 2,13p "$0"; exit 0 ;;
        *) echo "bench-scrape.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
cd "$(dirname "$0")/.."
bin=${BENCH_BIN:-$PWD/target/release}/newsearch
shared=${SHARED:-../shared}
pages=$shared/extraction/pages
[[ -x $bin ]] || { echo "bench-scrape.sh: no $bin (cargo build --release)" >&2; exit 1; }
[[ -d $pages ]] || { echo "bench-scrape.sh: no $pages" >&2; exit 1; }
mkdir -p "${BENCH_DIR:-bench-data}"
dir=$(cd "${BENCH_DIR:-bench-data}" && pwd)/scrape
rm -rf "$dir"
mkdir -p "$dir/html/site" "$dir/warc/site"

# The HTML folder, and the WARC made from the same files (`printf` + `gzip` per record).
warc=$dir/warc/site/pages.warc.gz
n=0
for copy in $(seq 1 "$copies"); do
    for page in "$pages"/*.html.gz; do
        name=$(basename "$page" .html.gz)-$copy
        zcat "$page" >"$dir/html/site/$name.html"
        n=$((n + 1))
        length=$(wc -c <"$dir/html/site/$name.html")
        header="HTTP/1.1 200 OK"$'\r\n'"Content-Type: text/html"$'\r\n\r\n'
        {
            printf 'WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:%s>\r\n' "$name"
            printf 'WARC-Date: 2016-09-06T12:00:00Z\r\nWARC-Target-URI: https://example.com/%s\r\n' "$name"
            printf 'Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n' \
                $((length + ${#header}))
            printf '%s' "$header"
            cat "$dir/html/site/$name.html"
            printf '\r\n\r\n'
        } | gzip -c >>"$warc"
    done
done
html_bytes=$(cat "$dir"/html/site/*.html | wc -c)

# run LABEL FOLDER [PREFIX...]: median wall seconds and CPU seconds of `index --rebuild`
# over $runs runs, the command run under PREFIX (`taskset -c 0`: one core).
table=()
run() {
    local label=$1 folder=$2 walls=() cpus=() i
    shift 2
    for ((i = 0; i < runs; i++)); do
        /usr/bin/time -f '%e %U %S' -o "$dir/time.txt" \
            "$@" "$bin" index "$folder" --index "$dir/index-${label%%,*}" --rebuild --quiet 2>"$dir/stderr.txt" || { cat "$dir/stderr.txt" >&2; exit 1; }
        read -r wall user sys <"$dir/time.txt"
        walls+=("$wall")
        cpus+=("$(echo "$user + $sys" | bc -l)")
    done
    local wall cpu docs
    wall=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
    cpu=$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
    docs=$("$bin" stats --index "$dir/index-${label%%,*}" --format json | sed 's/.*"documents":\([0-9]*\).*/\1/')
    table+=("$(printf '| %s | %d | %d | %.1f | %.2f | %.0f | %.1f | %.2f | %.0f |' "$label" "$n" "$docs" \
        "$(echo "$html_bytes / 1048576" | bc -l)" "$wall" "$(echo "$n / $wall" | bc -l)" \
        "$(echo "$html_bytes / 1048576 / $wall" | bc -l)" "$(echo "$cpu / $wall" | bc -l)" \
        "$(echo "$n / $cpu" | bc -l)")")
}
run html "$dir/html"
run warc "$dir/warc"
# The same on one core: the ratio to the rows above is what the second core adds.
if command -v taskset >/dev/null; then
    run "html, 1 core" "$dir/html" taskset -c 0
    run "warc, 1 core" "$dir/warc" taskset -c 0
fi

echo "| input | pages | articles | HTML MB | wall s (median of $runs) | pages/s | MB/s | CPU/wall | pages per CPU s |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${table[@]}"
echo "($(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg) at the end; WARC archive $(du -m "$warc" | cut -f1) MB gzipped)"
