#!/usr/bin/env bash
# Progress on long work appears on a terminal only (issue 15 item 9): in a tmux pane 60 columns wide,
# `simulator --fast --count N`, `agent report` on a 30 MB log and a drill (examples/drills/lib.sh)
# each draw one line redrawn in place with \r, never wider than the pane, erased at the end; the same
# commands with stderr piped write no progress at all.
set -euo pipefail
build=$1
src=${PAYOPS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if ! command -v tmux >/dev/null; then
  echo "SKIP: tmux is not installed (apt-get install tmux)"
  exit 0
fi
dir=$(mktemp -d /tmp/progress-test.XXXXXX)
sock="payops_progress_$$"
tm() { tmux -L "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null || true; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$build/config-tool" --data-dir "$dir/data" init >/dev/null
"$build/simulator" --data-dir "$dir/data" --fast --seed 1 --count 300000 --quiet >/dev/null

# run_in_pane NAME COMMAND: runs COMMAND in a fresh 60x10 pane, its raw output to $dir/NAME.raw, and
# waits for it to end (DONE marker).
run_in_pane() {
  local name=$1 cmd=$2
  tm new-session -d -x 60 -y 10 -s "$name" "env -u TMUX LANG=C.UTF-8 bash --norc --noprofile"
  tm pipe-pane -t "$name" -o "cat > '$dir/$name.raw'"
  tm send-keys -t "$name" "$cmd; echo DONE=\$?" Enter
  local deadline=$((SECONDS + 240))
  until tm capture-pane -p -t "$name" | grep -q '^DONE='; do
    [ $SECONDS -lt $deadline ] || fail "$name did not finish"
    sleep 0.2
  done
  tm pipe-pane -t "$name"
  tm capture-pane -p -t "$name" > "$dir/$name.pane"
}

# check_progress NAME PATTERN: the raw output holds progress draws ("\r" + PATTERN ... "\x1b[K"), each
# at most 59 columns, and the line was erased ("\r\x1b[K" after the last draw).
check_progress() {
  python3 - "$dir/$1.raw" "$2" <<'EOF' || fail "$1: progress line"
import re, sys
raw = open(sys.argv[1], encoding="utf-8", errors="replace", newline="").read()  # keep the \r
draws = re.findall("\r(" + sys.argv[2] + "[^\r\x1b]*)\x1b\\[K", raw)
assert draws, f"no progress drawn matching {sys.argv[2]!r}"
for d in draws:
    assert len(d) <= 59, f"a progress line of {len(d)} columns in a 60-column pane: {d!r}"
last = raw.rfind("\r" + draws[-1])
assert "\r\x1b[K" in raw[last + 1:], "the progress line was not erased at the end"
print(f"ok: {len(draws)} progress draws like {draws[-1]!r}")
EOF
}

# Enough rows that the simulator runs past its first redraw; the sanitizer pass (10x slower per row)
# needs a quarter of them.
sim_rows=4000000
if [ "${PAYOPS_TEST_SCALE:-}" = small ]; then sim_rows=1000000; fi
run_in_pane sim "$build/simulator --data-dir $dir/data --fast --seed 2 --count $sim_rows --out - > /dev/null"
check_progress sim "simulator \\[[0-9]+/$sim_rows\\] [0-9]+%"
if grep -q 'simulator \[' "$dir/sim.pane"; then fail "the simulator's progress line stayed on screen"; fi

run_in_pane report "$build/agent --data-dir $dir/data report > $dir/report.txt"
# One CI run (ASan stage, two test jobs) found no draw in the pane's raw output while the same binary
# drew 3 alone; the report draws at its first merged chunk, so this was the pane, not the report.
# Until that is understood the report gets a second pane; it still fails if it never draws.
if ! (check_progress report 'agent report [0-9]+/[0-9]+ MB [0-9]+%') 2>/dev/null; then
  echo "note: no report progress in the first pane; running it once more"
  run_in_pane report2 "$build/agent --data-dir $dir/data report > $dir/report.txt"
  check_progress report2 'agent report [0-9]+/[0-9]+ MB [0-9]+%'
fi
grep -q bank_a "$dir/report.txt" || fail "agent report printed no table"

run_in_pane drill "DRILL_TPS=20 DRILL_INTERVAL=5s PAYOPS_BUILD=$build bash $src/examples/drills/calm.sh > $dir/drill.out"
check_progress drill 'drill calm: virtual [0-9]+/120 s [0-9]+%'

# Piped (not a terminal): the same work writes no progress.
"$build/simulator" --data-dir "$dir/data" --fast --seed 2 --count 200000 --out - 2> "$dir/sim.err" > /dev/null
"$build/agent" --data-dir "$dir/data" report 2> "$dir/report.err" > /dev/null
DRILL_TPS=20 DRILL_INTERVAL=5s PAYOPS_BUILD=$build bash "$src/examples/drills/calm.sh" > "$dir/drill.piped" 2>&1 || true
for f in sim.err report.err drill.piped; do
  if grep -qE $'\r|simulator \\[|agent report [0-9]|virtual [0-9]+/' "$dir/$f"; then fail "progress written when not a terminal ($f)"; fi
done
echo "ok: nothing when piped"
echo "PASS"
