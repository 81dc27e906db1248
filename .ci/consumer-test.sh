#!/usr/bin/env bash
# The consumer test: proves the packages work for a .NET user, from packed .nupkg files alone.
#   1. packs every package of the repository (the src/ libraries that import build/Package.props, and the tdiag tool)
#      into a local folder, at a version unique to this run (0.1.0-ci.<UTC timestamp>), so that nothing is served
#      stale from the NuGet cache;
#   2. creates a fresh console project outside the repository (mktemp -d) with the .NET SDK alone, adds a nuget.config
#      with that folder beside the machine's usual source, and adds our packages plus libtorch-cpu-linux-x64 with
#      `dotnet add package`, as a user would;
#   3. builds and runs .ci/consumer/Program.cs: a gradient with Autodiff.Grad, five monitored steps with a planted NaN
#      whose incident must name the module, an HTML report, a Kernels derivative; publishes it and runs the published
#      copy (the loader fix after publish);
#   4. installs the tdiag tool from the folder (dotnet tool install --tool-path), runs `tdiag demo`, checks the report.
# Exits 0 when every step passed; otherwise prints "CONSUMER TEST FAILED: <step>" and exits 1.
# Cleans up after itself: the work folder and this run's versions of our packages in the NuGet cache.
# Usage: bash .ci/consumer-test.sh   (about 4-6 minutes on 2 busy cores; TDIAG_CONSUMER_KEEP=1 keeps the work folder)
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
version="0.1.0-ci.$(date -u +%Y%m%d%H%M%S)"
libtorch_version=$(sed -nE 's|.*<LibTorchVersion[^>]*>([^<]+)</LibTorchVersion>.*|\1|p' build/LibTorch.props | head -1)
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
work=$(mktemp -d "${TMPDIR:-/tmp}/tdiag-consumer.XXXXXX")
feed="$work/feed"
started=$SECONDS
packages=()

cleanup() {
  for id in "${packages[@]}"; do
    rm -rf "$cache/${id,,}/$version"
    rmdir "$cache/${id,,}" 2>/dev/null || true
  done
  if [ "${TDIAG_CONSUMER_KEEP:-}" = 1 ]; then echo "consumer test: work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

step() { echo "== consumer test [$((SECONDS - started)) s]: $*"; }
fail() {
  echo "CONSUMER TEST FAILED: $*" >&2
  [ -f "$work/last.log" ] && tail -40 "$work/last.log" >&2
  exit 1
}
# Runs a command with its output in last.log (shown on failure).
quiet() { "$@" >"$work/last.log" 2>&1; }

# -- 1. pack ----------------------------------------------------------------------------------------------------------
projects=()
for p in src/*/*.csproj tools/*/*.csproj; do
  grep -q 'build/Package.props' "$p" && projects+=("$p")
done
[ ${#projects[@]} -gt 0 ] || fail "no project imports build/Package.props"
step "packing ${#projects[@]} packages at version $version into $feed"
# One build of all packages through a solution filter (the projects build in parallel, each once).
python3 - "$work/packages.slnf" "$repo/Diagnostics.sln" "${projects[@]}" <<'PY'
import json, sys
out, sln, projects = sys.argv[1], sys.argv[2], sys.argv[3:]
json.dump({"solution": {"path": sln, "projects": projects}}, open(out, "w"), indent=2)
PY
quiet dotnet pack "$work/packages.slnf" -c Release -p:PackageOutputPath="$feed" -p:Version="$version" -warnaserror \
  || fail "dotnet pack (see the log below)"
if grep -E 'warning (NU|NETSDK)[0-9]+' "$work/last.log"; then fail "dotnet pack printed packaging warnings"; fi
for p in "${projects[@]}"; do
  id=$(sed -nE 's|.*<PackageId>([^<]+)</PackageId>.*|\1|p' "$p" | head -1)
  [ -n "$id" ] || id=$(sed -nE 's|.*<AssemblyName>([^<]+)</AssemblyName>.*|\1|p' "$p" | head -1)
  [ -n "$id" ] || id=$(basename "$p" .csproj)
  [ -f "$feed/$id.$version.nupkg" ] || fail "$feed/$id.$version.nupkg was not produced by $p"
  [ -f "$feed/$id.$version.snupkg" ] || fail "$feed/$id.$version.snupkg (symbols) was not produced by $p"
  packages+=("$id")
done
ls -l "$feed" | awk 'NR > 1 {printf "   %10d  %s\n", $5, $9}'

# -- 2. a fresh consumer project ----------------------------------------------------------------------------------------
app="$work/app"
step "creating a console project in $app (outside the repository)"
quiet dotnet new console -n Consumer -o "$app" --no-restore || fail "dotnet new console"
cat >"$app/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <!-- The freshly packed TrainingDiagnostics packages, beside the machine's usual source(s). -->
    <add key="trainingdiagnostics-local" value="$feed" />
  </packageSources>
</configuration>
EOF
cp .ci/consumer/Program.cs "$app/Program.cs"
for id in TrainingDiagnostics.Core TrainingDiagnostics.Report TrainingDiagnostics.Kernels; do
  quiet dotnet add "$app/Consumer.csproj" package "$id" --version "$version" || fail "dotnet add package $id $version"
done
quiet dotnet add "$app/Consumer.csproj" package libtorch-cpu-linux-x64 --version "$libtorch_version" \
  || fail "dotnet add package libtorch-cpu-linux-x64 $libtorch_version"

# -- 3. build, run, publish, run the published copy ---------------------------------------------------------------------
step "building the consumer"
quiet dotnet build "$app/Consumer.csproj" -c Release || fail "dotnet build of the consumer project"
grep -qs 'buildTransitive/TrainingDiagnostics.Core.targets' "$app/obj/Consumer.csproj.nuget.g.targets" \
  || fail "the Core package's buildTransitive targets were not imported (obj/Consumer.csproj.nuget.g.targets)"
# The loader fix: GLIBCXX_3.4.32 is a weak need in the copies (running proves it where libstdc++ is older, as on Debian 12).
weak_check() {
  command -v readelf >/dev/null || return 0
  local versions
  versions=$(readelf -V "$1" 2>&1) || fail "readelf -V $1"
  [[ "$versions" =~ Name:\ GLIBCXX_3\.4\.32\ +Flags:\ WEAK ]] || fail "GLIBCXX_3.4.32 is not weak in $1"
}
weak_check "$app/bin/Release/net10.0/runtimes/linux-x64/native/libLibTorchSharp.so"
step "running the consumer (gradient, monitored training with a planted NaN, report, kernels)"
dotnet "$app/bin/Release/net10.0/Consumer.dll" "$work/consumer-out" >"$work/last.log" 2>&1
status=$?
sed 's/^/   /' "$work/last.log"
[ "$status" -eq 0 ] || fail "the consumer program (exit $status)"
[ -s "$work/consumer-out/report.html" ] || fail "the consumer program wrote no report.html"
step "publishing the consumer and running the published copy"
quiet dotnet publish "$app/Consumer.csproj" -c Release -o "$work/publish" || fail "dotnet publish of the consumer project"
weak_check "$work/publish/runtimes/linux-x64/native/libLibTorchSharp.so"
quiet dotnet "$work/publish/Consumer.dll" "$work/publish-out" --quick || fail "the published consumer (libtorch from the publish folder)"

# -- 4. the tdiag tool --------------------------------------------------------------------------------------------------
step "installing the tdiag tool from the local folder"
(cd "$work" && quiet dotnet tool install --tool-path "$work/tools" --add-source "$feed" tdiag --version "$version") \
  || fail "dotnet tool install tdiag $version"
step "running tdiag demo"
CI=true "$work/tools/tdiag" demo --out "$work/demo" >"$work/last.log" 2>&1
status=$?
tail -5 "$work/last.log" | sed 's/^/   /'
[ "$status" -eq 0 ] || fail "tdiag demo (exit $status)"
[ -s "$work/demo/report.html" ] || fail "tdiag demo wrote no report.html"
[ -s "$work/demo/run.jsonl" ] || fail "tdiag demo wrote no run.jsonl"

step "passed in $((SECONDS - started)) s"
