#!/usr/bin/env bash
# The drill report rendered by a real browser: a simulated outage, the agent replayed over it, the
# report written, then headless Chromium loads it (no failed loads), its DOM holds the three SVG
# charts, the shaded incident and the action markers, hostile text stays text, and a screenshot is
# taken. Drives `agent drill-report` with its real flags (--start, --since/--until for a close-up).
# Needs the Debian package `chromium`; without it the test prints SKIP and exits 0.
set -euo pipefail
build=$1
agent="$build/agent"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "SKIP: chromium is not installed (apt-get install -y chromium); the drill report was not rendered"
  exit 0
fi

data="$dir/data"
"$build/config-tool" --data-dir "$data" init >/dev/null
"$build/simulator" --fast --seed 1 --count 20000 --start 2026-11-22T12:00:00.000Z \
  --incident bank_b:outage:20s+30s --data-dir "$data" >/dev/null 2>&1
# The agent replayed over the log in event time, so its actions fall inside the run. If it cannot
# (its CLI changed), the archived entries below still give markers.
if ! timeout 120 "$build/agent" --data-dir "$data" run --input "$data/transactions.csv" >/dev/null 2>&1; then
  echo "note: agent replay failed; only the archived actions are marked"
fi
# Archived history (agent_history.jsonl) with hostile text: it must stay text.
cat >> "$data/agent_history.jsonl" <<'EOF'
{"timestamp":"2026-11-22T12:00:35.000Z","action":"set_weights","details":{"changes":[{"path":"banks.bank_b.weight","before":25,"after":5}]},"actor":"config-tool","reason":"operator: <script>alert('pwned')</script> & <img src=x onerror=alert(1)>"}
EOF
cat > "$dir/scorecard.json" <<'EOF'
{"passed": true, "incident": {"start": "2026-11-22T12:00:20.000Z", "end": "2026-11-22T12:00:50.000Z"},
 "agent": {"payments": 20000, "success_rate": 0.95, "incident_payments": 150, "incident_success_rate": 0.91},
 "baseline": null, "oracle": null, "time_to_detect_ms": 10273, "time_to_mitigate_ms": null,
 "bars": [{"bar": "detect within 2 cycles", "passed": true, "detail": "10.3 s <= 22.0 s"},
          {"bar": "no double charge", "passed": true, "detail": "0 <b>ids</b>"}]}
EOF

report="$dir/report.html"
"$agent" drill-report --data-dir "$data" --out "$report" --incident bank_b:outage:20s+30s \
  --start 2026-11-22T12:00:00.000Z --scorecard "$dir/scorecard.json" --title "drill: bank_b outage"
[ -s "$report" ] || fail "no report written"

# Self-contained: no scripts, nothing fetched (the only URL is the SVG namespace, never loaded).
markup='<script|<link|<img|<iframe|<[a-z][^>]* (src|href)=|url\(|@import'
if grep -qiE "$markup" "$report"; then
  grep -oiE ".{0,30}($markup).{0,30}" "$report" | head -3 >&2
  fail "the report must not load anything or run scripts"
fi
grep -q "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" "$report" || fail "hostile reason not escaped"
grep -q "0 &lt;b&gt;ids&lt;/b&gt;" "$report" || fail "scorecard text not escaped"

chrome_flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
              --disable-component-update --disable-sync --user-data-dir="$dir/profile" --window-size=1400,2000)
timeout 120 "$browser" "${chrome_flags[@]}" --enable-logging=stderr --dump-dom "file://$report" \
  > "$dir/dom.html" 2> "$dir/dom.err" || { tail -20 "$dir/dom.err" >&2; fail "chromium --dump-dom failed"; }
if grep -qE 'Failed to load resource|net::ERR_|Uncaught' "$dir/dom.err"; then
  grep -E 'Failed to load resource|net::ERR_|Uncaught' "$dir/dom.err" | head -5 >&2
  fail "the page did not load cleanly"
fi
count() { grep -o -- "$1" "$dir/dom.html" | wc -l; }
[ "$(count '<svg')" -eq 3 ] || fail "want 3 SVG charts in the DOM, got $(count '<svg')"
[ "$(count 'class="incident"')" -ge 3 ] || fail "incident shading missing (want one per chart)"
[ "$(count '<g class="action"')" -ge 6 ] || fail "action markers missing: $(count '<g class="action"')"
grep -q '<title>incident: bank_b outage from 12:00:20 to 12:00:50</title>' "$dir/dom.html" || fail "incident window title"
grep -q 'config-tool set weights: operator: &lt;script&gt;' "$dir/dom.html" || fail "the archived action's reason on hover"
if grep -q '<img' "$dir/dom.html"; then fail "hostile markup became an element"; fi
grep -q 'detect within 2 cycles' "$dir/dom.html" || fail "scorecard bars missing"
grep -q 'Traffic share per bank' "$dir/dom.html" || fail "share chart heading missing"
echo "ok: chromium loaded the report: $(count '<svg') charts, $(count '<g class="action"') action markers"

shot="$dir/report.png"
timeout 120 "$browser" "${chrome_flags[@]}" --screenshot="$shot" "file://$report" > /dev/null 2>&1 || fail "chromium --screenshot failed"
python3 - "$shot" <<'EOF' || fail "screenshot is not a 1400x2000 PNG with content"
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1400, 2000), (w, h)
assert len(data) > 50_000, len(data)  # a blank page compresses to a few KB
EOF

# A close-up of the incident's first minutes of a long run: finer buckets, same page.
close="$dir/close.html"
"$agent" drill-report --data-dir "$data" --out "$close" --incident bank_b:outage:20s+30s \
  --start 2026-11-22T12:00:00.000Z --since 2026-11-22T12:00:00.000Z --until 2026-11-22T12:05:00.000Z
grep -q 'buckets of 5 s' "$close" || fail "close-up should use 5 s buckets"
timeout 120 "$browser" "${chrome_flags[@]}" --screenshot="$dir/close.png" "file://$close" > /dev/null 2>&1 || fail "chromium --screenshot of the close-up failed"
[ -s "$dir/close.png" ] || fail "no close-up screenshot"
echo "ok: close-up report rendered"
if [ -n "${PAYOPS_KEEP_REPORT:-}" ]; then cp "$report" "$shot" "$close" "$dir/close.png" "$PAYOPS_KEEP_REPORT"/; fi
echo "PASS"
