#!/usr/bin/env bash
# Brings the tracked public API files (PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt) of the libraries up to date
# with the code, mechanically (Microsoft.CodeAnalysis.PublicApiAnalyzers):
#   RS0016 (a public symbol without an entry) -> the analyzer's own code fix, applied by `dotnet format analyzers`,
#                                                adds its entry to PublicAPI.Unshipped.txt
#   RS0017 (an entry whose symbol is gone)    -> (no code fix exists) read from the build's messages: an unshipped
#                                                entry is dropped, a shipped one gets a "*REMOVED*" line in Unshipped
# then builds each project: it passes (warnings are errors) only when the files match the code exactly.
#
# Usage:
#   bash build/update-public-api.sh                 every library under src/
#   bash build/update-public-api.sh src/X/X.csproj  only these projects (or their folders)
#   bash build/update-public-api.sh --ship [...]    then mark everything unshipped as shipped (at a release)
#
# A library under src/ that does not yet import build/Package.props (a project merged from another branch) is opted in
# here: the import line is added to its csproj and the PublicAPI files are created. Works offline (dotnet format is
# part of the .NET SDK; the analyzer comes from the NuGet cache). About 30-60 s per project on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

ship=false
projects=()
for arg in "$@"; do
  case "$arg" in
    --ship) ship=true ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *.csproj) projects+=("$arg") ;;
    *) found=("${arg%/}"/*.csproj); [ -e "${found[0]}" ] || { echo "no csproj in $arg" >&2; exit 2; }; projects+=("${found[@]}") ;;
  esac
done
if [ ${#projects[@]} -eq 0 ]; then
  for p in src/*/*.csproj; do
    grep -q '<PackAsTool>true</PackAsTool>' "$p" || projects+=("$p")
  done
fi

# Dependencies first: a library's build also builds the libraries it references, which must already be up to date.
mapfile -t projects < <(python3 - "${projects[@]}" <<'PY'
import os, re, sys
todo = [os.path.normpath(p) for p in sys.argv[1:]]
refs = {p: {os.path.normpath(os.path.join(os.path.dirname(p), r.replace("\\", "/")))
            for r in re.findall(r'<ProjectReference\s+Include="([^"]+)"', open(p, encoding="utf-8").read())} for p in todo}
done = []
while todo:
    ready = [p for p in todo if not (refs[p] & set(todo))] or todo[:1]
    done += ready
    todo = [p for p in todo if p not in ready]
print("\n".join(done))
PY
)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
header='#nullable enable'
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Reads RS0017 messages from a build log; fixes PublicAPI.Unshipped.txt; exit 1 when there was none.
fix_stale() {
  python3 - "$1" "$2" <<'PY'
import re, sys, pathlib
d, log = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
stale = set()
pattern = re.compile(r"PublicAPI\.(Shipped|Unshipped)\.txt\(\d+,\d+\): (?:error|warning) RS0017: Symbol '(.*)' is part of the declared API")
for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
    m = pattern.search(line)
    if m:
        stale.add((m.group(1), m.group(2)))
if not stale:
    sys.exit(1)
path = d / "PublicAPI.Unshipped.txt"
lines = path.read_text(encoding="utf-8").splitlines()
dropped = {s for kind, s in stale if kind == "Unshipped"}
removed = sorted("*REMOVED*" + s for kind, s in stale if kind == "Shipped")
lines = [l for l in lines if l not in dropped] + [r for r in removed if r not in lines]
path.write_text("\n".join(lines) + "\n", encoding="utf-8")
print(f"   RS0017: {len(dropped)} stale unshipped entries dropped, {len(removed)} shipped entries marked *REMOVED*")
PY
}

# Moves every unshipped entry into PublicAPI.Shipped.txt (sorted) and applies the *REMOVED* lines.
ship_all() {
  python3 - "$1" "$header" <<'PY'
import sys, pathlib
d, header = pathlib.Path(sys.argv[1]), sys.argv[2]
shipped_path, unshipped_path = d / "PublicAPI.Shipped.txt", d / "PublicAPI.Unshipped.txt"
def entries(p):
    return [l for l in p.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
shipped, unshipped = entries(shipped_path), entries(unshipped_path)
removed = {l[len("*REMOVED*"):] for l in unshipped if l.startswith("*REMOVED*")}
added = [l for l in unshipped if not l.startswith("*REMOVED*")]
result = sorted(set(l for l in shipped if l not in removed) | set(added), key=lambda s: (s.lower(), s))
shipped_path.write_text("\n".join([header] + result) + "\n", encoding="utf-8")
unshipped_path.write_text(header + "\n", encoding="utf-8")
print(f"   shipped: {len(added)} added, {len(removed)} removed, {len(result)} entries in {shipped_path}")
PY
}

for proj in "${projects[@]}"; do
  dir=$(dirname "$proj")
  name=$(basename "$proj" .csproj)
  echo "== $name"

  if ! grep -q 'build/Package.props' "$proj"; then
    rel=$(realpath --relative-to="$dir" build/Package.props)
    sed -i "0,/<Project[^>]*>/s||&\n  <Import Project=\"$rel\" />|" "$proj"
    echo "   opted in: added <Import Project=\"$rel\" /> to $proj (it needs a <Description> and a README.md to pack)"
  fi
  for f in Shipped Unshipped; do
    [ -f "$dir/PublicAPI.$f.txt" ] || { printf '%s\n' "$header" > "$dir/PublicAPI.$f.txt"; echo "   created $dir/PublicAPI.$f.txt"; }
  done

  dotnet restore "$proj" -v quiet >/dev/null
  # RS0016: the analyzer's code fix (dotnet format exits 0 once it has applied what it could).
  dotnet format analyzers "$proj" --no-restore --diagnostics RS0016 --severity warn -v quiet \
    || { echo "   dotnet format failed for $proj" >&2; exit 1; }

  # RS0017, then the proof by a build with warnings as errors.
  ok=false
  for attempt in 1 2; do
    if dotnet build "$proj" --no-restore -v quiet -nologo -p:TreatWarningsAsErrors=true >"$log" 2>&1; then
      ok=true; break
    fi
    [ "$attempt" = 1 ] && fix_stale "$dir" "$log" || break
  done
  if ! $ok; then
    grep -E ': error ' "$log" | sed -E 's/ \[[^]]*\]$//' | sort -u | head -20 >&2
    echo "   $name does not build; see the errors above" >&2
    exit 1
  fi

  if $ship; then ship_all "$dir"; fi
  echo "   $(grep -vc '^#' "$dir/PublicAPI.Shipped.txt" || true) shipped, $(grep -vc '^#' "$dir/PublicAPI.Unshipped.txt" || true) unshipped entries; builds"
done
