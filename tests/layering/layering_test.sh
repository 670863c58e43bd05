#!/usr/bin/env bash
# The layers are enforced by the build, not by convention: every layer's sources compile against a view
# (build/layer_views/<layer>) holding only its own folder and the folders below it. This test includes
# one real header of every layer from every layer's view through the compiler's preprocessor and checks
# that exactly the allowed includes resolve: a deliberate upward (or sideways) include must fail with
# "No such file", and a downward one must succeed, so the test fails if the views are too open or too shut.
# usage: layering_test.sh BUILD_DIR CXX SOURCE_DIR
set -euo pipefail
build=$1 cxx=$2 src=$3
views=$build/layer_views
# The design (docs/architecture.md): what each layer may include besides itself.
declare -A may_see=(
  [platform]=""
  [contract]="platform"
  [routing]="platform contract"
  [agent]="platform contract"
  [report]="platform contract routing agent"
  [app]="platform contract routing agent report"
  [fleet]="platform contract"
)
layers=(platform contract routing agent report app fleet)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fail=0 checked=0
for from in "${layers[@]}"; do
  [[ -d $views/$from ]] || { echo "FAIL: no include view $views/$from (is $build configured?)"; exit 1; }
  for to in "${layers[@]}"; do
    header=$(cd "$src/lib/$to" && ls *.h | head -1)
    printf '#include "%s/%s"\n' "$to" "$header" >"$work/probe.cpp"
    allowed=no
    [[ $to == "$from" || " ${may_see[$from]} " == *" $to "* ]] && allowed=yes
    if "$cxx" -std=c++20 -E -I "$views/$from" "$work/probe.cpp" -o /dev/null 2>"$work/err"; then
      got=yes
    else
      got=no
      if [[ $allowed == no ]] && ! grep -qE "No such file|file not found" "$work/err"; then
        echo "FAIL: $from -> $to/$header failed for another reason:"; cat "$work/err"; fail=1
      fi
    fi
    checked=$((checked + 1))
    if [[ $got != "$allowed" ]]; then
      echo "FAIL: a $from source including \"$to/$header\": compiles=$got, the design says allowed=$allowed"
      fail=1
    fi
  done
done
echo "layering: $checked layer pairs checked, upward and sideways includes fail to compile"
exit $fail
