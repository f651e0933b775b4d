#!/usr/bin/env bash
# Builds every sample under samples/ against the packages in artifacts/package/release (run
# `dotnet pack Tvix.sln -c Release` first), with a private package folder so that a repack of
# the same version is always picked up.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=$PWD/artifacts/sample-packages
rm -rf "$pkgs"
found=0
for proj in samples/*/*.csproj; do
  [ -f "$proj" ] || continue
  found=1
  dotnet build "$proj" -c Release -p:RestorePackagesPath="$pkgs"
done
[ "$found" = 1 ] || echo "no samples to build"
