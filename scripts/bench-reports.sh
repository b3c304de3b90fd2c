#!/usr/bin/env bash
# Benchmarks the report renderers on a one-year hourly report (8,760 rows):
# the Rust `year_report` example (PDF + XLSX + CSV) pinned to one core, then
# Python XlsxWriter writing the same rows + summary, printed side by side.
# Bars: all three formats <= 1000 ms on one core and <= 128 MiB peak RSS.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release -p reports --example year_report
taskset -c 0 "$target/release/examples/year_report" --dump "$work/year.json" | tee "$work/rust.txt"

venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import xlsxwriter' 2>/dev/null; then
  "$venv/bin/pip" install --quiet XlsxWriter
fi
taskset -c 0 "$venv/bin/python" scripts/xlsx_baseline.py "$work/year.json" | tee "$work/python.txt"

rust_field() { awk -v key="$1" '$1 == key { print $(NF-1) }' "$work/rust.txt"; }
py_field() { awk -v key="$1" '$1 == key { print $2 }' "$work/python.txt"; }
rust_total="$(awk '/^all three formats/ { print $4 }' "$work/rust.txt")"
rust_peak="$(awk '/^peak RSS/ { print $(NF-1) }' "$work/rust.txt")"

echo
printf '%-28s %18s %20s\n' "one core, 8,760 hourly rows" "Rust (reports)" "Python XlsxWriter"
printf '%-28s %18s %20s\n' "xlsx (ms)" "$(rust_field xlsx)" "$(py_field xlsx_ms)"
printf '%-28s %18s %20s\n' "pdf (ms)" "$(rust_field pdf)" "-"
printf '%-28s %18s %20s\n' "csv (ms)" "$(rust_field csv)" "-"
printf '%-28s %18s %20s\n' "all three formats (ms)" "$rust_total" "-"
printf '%-28s %18s %20s\n' "peak RSS (MiB)" "$rust_peak" "$(py_field peak_rss_mib)"

fail=0
awk -v t="$rust_total" 'BEGIN { exit !(t <= 1000) }' || { echo "FAIL: $rust_total ms > 1000 ms"; fail=1; }
awk -v m="$rust_peak" 'BEGIN { exit !(m <= 128) }' || { echo "FAIL: $rust_peak MiB > 128 MiB"; fail=1; }
[ "$fail" -eq 0 ] && echo "bars met: <= 1000 ms and <= 128 MiB"
exit "$fail"
