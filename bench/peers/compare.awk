# compare.awk REF CAND: both in bank_id,count,success_rate,p95 form. Agreement: the same banks, equal
# counts, success rates within 1e-9, equal p95. Prints "agree" or each difference; exit 1 on any.
FNR == 1 { file++ }
NF == 0 { next }
{
  split($0, f, ",")
  if (file == 1) { rc[f[1]] = f[2]; rr[f[1]] = f[3]; rp[f[1]] = f[4]; nref++ }
  else { cc[f[1]] = f[2]; cr[f[1]] = f[3]; cp[f[1]] = f[4]; ncand++ }
}
END {
  bad = 0
  if (nref == 0) { print "reference is empty"; bad++ }
  for (b in rc) {
    if (!(b in cc)) { print "bank " b ": missing"; bad++; continue }
    if (rc[b] != cc[b]) { print "bank " b ": count " cc[b] " != " rc[b]; bad++ }
    d = rr[b] - cr[b]; if (d < 0) d = -d
    if (d > 1e-9 || cr[b] == "") { print "bank " b ": success_rate " cr[b] " != " rr[b]; bad++ }
    if (rp[b] != cp[b]) { print "bank " b ": p95 " cp[b] " != " rp[b]; bad++ }
  }
  for (b in cc) if (!(b in rc)) { print "bank " b ": not in the reference"; bad++ }
  if (bad == 0) print "agree"
  exit bad > 0
}
