#!/usr/bin/env bash
# Brings the tracked public API files (PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt) of the libraries up to date
# with the code, mechanically, with the analyzer's own code fix (Microsoft.CodeAnalysis.PublicApiAnalyzers):
#   RS0016 (a public symbol without an entry)  -> its entry is added to PublicAPI.Unshipped.txt
#   RS0017 (an entry whose symbol is gone)     -> the entry is removed (a shipped one becomes *REMOVED* in Unshipped)
# Then it builds each project: the build fails (warnings are errors) while any entry is still missing or stale.
#
# Usage:
#   bash build/update-public-api.sh                 every library under src/
#   bash build/update-public-api.sh src/X/X.csproj  only these projects (or their folders)
#   bash build/update-public-api.sh --ship [...]    then mark everything unshipped as shipped (at a release)
#
# A library under src/ that does not yet import build/Package.props (a project merged from another branch) is opted in
# here: the import line is added to its csproj and empty PublicAPI files are created. Works offline (dotnet format
# ships with the .NET SDK; the analyzer comes from the NuGet cache after restore).
set -euo pipefail
cd "$(dirname "$0")/.."

ship=false
projects=()
for arg in "$@"; do
  case "$arg" in
    --ship) ship=true ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *.csproj) projects+=("$arg") ;;
    *) found=("$arg"/*.csproj); [ -e "${found[0]}" ] || { echo "no csproj in $arg" >&2; exit 2; }; projects+=("${found[@]}") ;;
  esac
done
if [ ${#projects[@]} -eq 0 ]; then
  for p in src/*/*.csproj; do
    grep -q '<PackAsTool>true</PackAsTool>' "$p" || projects+=("$p")
  done
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
header='#nullable enable'

for proj in "${projects[@]}"; do
  dir=$(dirname "$proj")
  name=$(basename "$proj" .csproj)
  echo "== $name"

  if ! grep -q 'build/Package.props' "$proj"; then
    rel=$(realpath --relative-to="$dir" build/Package.props)
    sed -i "0,/<Project[^>]*>/s||&\n  <Import Project=\"$rel\" />|" "$proj"
    echo "   opted in: added <Import Project=\"$rel\" /> to $proj (give it a <Description> and a README.md before packing)"
  fi
  for f in Shipped Unshipped; do
    [ -f "$dir/PublicAPI.$f.txt" ] || { printf '%s\n' "$header" > "$dir/PublicAPI.$f.txt"; echo "   created $dir/PublicAPI.$f.txt"; }
  done

  dotnet restore "$proj" -v quiet >/dev/null
  # The analyzer's code fix, applied by dotnet format (its exit code is 0 when it fixed everything it could).
  dotnet format analyzers "$proj" --no-restore --diagnostics RS0016 RS0017 --severity warn -v quiet \
    || { echo "   dotnet format failed for $proj" >&2; exit 1; }

  if $ship; then
    python3 - "$dir" "$header" <<'EOF'
import sys, pathlib
d, header = pathlib.Path(sys.argv[1]), sys.argv[2]
shipped_path, unshipped_path = d / "PublicAPI.Shipped.txt", d / "PublicAPI.Unshipped.txt"
def entries(p):
    return [l.rstrip("\n") for l in p.read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
shipped, unshipped = entries(shipped_path), entries(unshipped_path)
removed = {l[len("*REMOVED*"):] for l in unshipped if l.startswith("*REMOVED*")}
added = [l for l in unshipped if not l.startswith("*REMOVED*")]
result = sorted(set(l for l in shipped if l not in removed) | set(added), key=lambda s: (s.lower(), s))
shipped_path.write_text("\n".join([header] + result) + "\n", encoding="utf-8")
unshipped_path.write_text(header + "\n", encoding="utf-8")
print(f"   shipped: {len(added)} added, {len(removed)} removed, {len(result)} entries in {shipped_path}")
EOF
  fi

  # Proof: the build passes only when the files match the code exactly.
  if ! dotnet build "$proj" --no-restore -v quiet -nologo -clp:NoSummary -p:TreatWarningsAsErrors=true >/tmp/update-public-api.$$.log 2>&1; then
    grep -E 'error' /tmp/update-public-api.$$.log | sort -u | head -20 >&2
    rm -f /tmp/update-public-api.$$.log
    echo "   $name still does not build; see the errors above" >&2
    exit 1
  fi
  rm -f /tmp/update-public-api.$$.log
  echo "   $(grep -vc '^#' "$dir/PublicAPI.Shipped.txt" || true) shipped, $(grep -vc '^#' "$dir/PublicAPI.Unshipped.txt" || true) unshipped entries; builds"
done
