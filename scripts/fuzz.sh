#!/usr/bin/env bash
# Runs each cargo-fuzz target of fuzz/ for a set time, keeping what it learns.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 600 seconds, every target
#
# The corpus of interesting inputs grows in fuzz/corpus/TARGET (untracked, kept between
# runs); crashes land in fuzz/artifacts/TARGET/. Turn each crash into a regression test
# in tests/bad_input.rs, then reproduce with
#   cargo fuzz run TARGET fuzz/artifacts/TARGET/crash-... --fuzz-dir fuzz
#
# Toolchain: cargo-fuzz (`cargo install cargo-fuzz`) passes unstable `-Z` flags to rustc
# (sanitizer coverage, AddressSanitizer), which stable rustc refuses. The machine's one
# toolchain is stable, so this script sets RUSTC_BOOTSTRAP=1, which unlocks those flags
# on stable (checked with rustc 1.95 and cargo-fuzz 0.13.2, AddressSanitizer included).
# FUZZ_TOOLCHAIN=nightly uses a nightly toolchain instead, where one is installed.
# FUZZ_SANITIZER=none builds without AddressSanitizer: faster, and safe Rust needs it
# little; panics are caught either way. The first build takes ~10 minutes on 2 cores.
#
# cargo-fuzz builds with debug assertions and overflow checks, which is how the fuzzers
# found date arithmetic that overflowed. tantivy 0.27 has debug assertions that fail on
# valid queries (`--explain` with a phrase in an OR, `-"phrase"`: see the regression tests
# in tests/bad_input.rs, which run tantivy without them as Cargo.toml does); release builds
# are right there. A crash in fuzz/artifacts whose
# panic is one of them is known. FUZZ_FLAGS=-O builds without debug assertions to look
# past them. Classify a crash input with
#   fuzz/target/x86_64-unknown-linux-gnu/release/TARGET fuzz/artifacts/TARGET/crash-...
set -euo pipefail

seconds="${1:-600}"
shift || true
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: cargo-fuzz is missing: cargo install cargo-fuzz" >&2
    exit 1
fi

toolchain=()
if [ -n "${FUZZ_TOOLCHAIN:-}" ]; then
    toolchain=("+$FUZZ_TOOLCHAIN")
else
    export RUSTC_BOOTSTRAP=1
fi

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    mapfile -t targets < <(cargo "${toolchain[@]}" fuzz list --fuzz-dir fuzz)
fi

# A first run starts from real inputs rather than from nothing: the sample corpus for the
# parser (behind each format's selector byte, see fuzz_targets/parse_article.rs), and a
# few queries behind 12 zero option bytes (see fuzz_targets/query.rs).
seed() {
    local target="$1" dir="fuzz/corpus/$1"
    [ -z "$(ls -A "$dir" 2>/dev/null)" ] || return 0
    mkdir -p "$dir"
    local n=0
    case "$target" in
    parse_article)
        while IFS= read -r -d '' file; do
            for selector in '\x00' '\x01' '\x02' '\x03' '\x04' '\x18'; do
                n=$((n + 1))
                { printf "$selector"; cat "$file"; } > "$dir/seed-$n"
            done
        done < <(find sample-corpus -type f -print0)
        ;;
    query)
        local queries=('Sirte' '"Islamic State" Sirte' 'ISIL AND NOT Daesh' 'title:Aleppo^2'
            'entity:ISIS' 'date:[2015-01-01T00:00:00Z TO 2017-01-01T00:00:00Z]' '*'
            $'Sirte\nsource:FNA' $'*\nentity:ISIS\nfolder:/corpus/FNA' 'Da\x27esh OR IS')
        for query in "${queries[@]}"; do
            n=$((n + 1))
            { printf '\x0a\x00\x00\x00\x1f\x00\x01\x00\x00\x00\x00\x00'; printf '%b' "$query"; } \
                > "$dir/seed-$n"
        done
        ;;
    esac
}

sanitizer="${FUZZ_SANITIZER:-address}"
status=0
for target in "${targets[@]}"; do
    seed "$target"
    mkdir -p "fuzz/artifacts/$target"
    echo "fuzz.sh: $target for ${seconds}s (sanitizer: $sanitizer)" >&2
    before=$(find "fuzz/artifacts/$target" -type f | wc -l)
    # Fork mode goes on after a crash (each one is saved in fuzz/artifacts), so a known
    # crash does not cut the run short; -max_total_time ends it.
    # shellcheck disable=SC2086 # FUZZ_FLAGS is a list of flags
    cargo "${toolchain[@]}" fuzz run "$target" --fuzz-dir fuzz --sanitizer "$sanitizer" ${FUZZ_FLAGS:-} \
        "fuzz/corpus/$target" -- -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
        -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -print_final_stats=1 ||
        status=1
    after=$(find "fuzz/artifacts/$target" -type f | wc -l)
    if [ "$after" -gt "$before" ]; then
        echo "fuzz.sh: $target: $((after - before)) new crash inputs in fuzz/artifacts/$target/" >&2
        status=1
    fi
done
exit "$status"
