# Normalizes `agent report --json` (nlohmann's pretty dump, one key per line, or one line) to
# bank_id,count,success_rate,p95, the peers' format. Bank ids are [a-z0-9_]+, so after whitespace is
# dropped the banks array holds no brackets or braces inside strings.
{ s = s $0 }
END {
  gsub(/[ \t\r\n]/, "", s)
  if (!sub(/.*"banks":\[/, "", s)) { print "payops_json.awk: no banks array" > "/dev/stderr"; exit 1 }
  sub(/\].*/, "", s)
  n = split(s, objs, /\},\{/)
  for (i = 1; i <= n; i++) {
    o = objs[i]
    print field(o, "bank_id") "," field(o, "count") "," field(o, "success_rate") "," field(o, "p95_latency_ms")
  }
}
function field(o, key,   v) {
  if (!match(o, "\"" key "\":(\"[^\"]*\"|[^,}]*)")) return "?"
  v = substr(o, RSTART + length(key) + 3, RLENGTH - length(key) - 3)
  gsub(/"/, "", v)
  return v
}
