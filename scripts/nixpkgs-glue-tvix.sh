#!/usr/bin/env bash
# A stand-in for the `tvix` command with the store glue wired in, for differential runs on
# nixpkgs until `tvix instantiate` / a store-aware `tvix eval` exist in src/Tvix.Cli.
#
#   scripts/nixpkgs-glue-tvix.sh instantiate [-I P]... [-A ATTR]... FILE
#   scripts/nixpkgs-glue-tvix.sh eval [--strict] [--json] [-I P]... (-E EXPR | FILE) [-A ATTR]...
#
# It builds (once, into artifacts/nixpkgs-glue-tvix/, rebuilt when this script or the sources
# change) a small console program over the worktree's Tvix.Glue: `TvixBuilder` with an
# in-memory store, so `derivation` computes real .drv paths. nixpkgs' top-level function is
# called with `{ }` like nix-instantiate does without --arg. Usable as
# `scripts/nixpkgs-compare.sh --tvix scripts/nixpkgs-glue-tvix.sh ...`.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
dir=$root/artifacts/nixpkgs-glue-tvix
exe=$root/artifacts/bin/nixpkgs-glue-tvix/release/nixpkgs-glue-tvix

if [[ ${1:-} == instantiate && ${2:-} == --help ]]; then
  # Says nothing about "not implemented": nixpkgs-compare.sh greps for that.
  echo "nixpkgs-glue-tvix: instantiate over Tvix.Glue with an in-memory store"; exit 0
fi

stamp=$( { sha256sum "${BASH_SOURCE[0]}"; git -C "$root" rev-parse HEAD:src 2>/dev/null || true; git -C "$root" status --porcelain -- src 2>/dev/null || true; } | sha256sum | cut -c1-16)
mkdir -p "$dir"
# One build at a time: parallel callers wait here, then find the stamp current.
exec 9>"$dir/lock"
flock 9
if [[ ! -x $exe || ! -f $dir/stamp || $(cat "$dir/stamp") != "$stamp" ]]; then
  mkdir -p "$dir/src"
  cat >"$dir/src/nixpkgs-glue-tvix.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <AssemblyName>nixpkgs-glue-tvix</AssemblyName>
    <EnableDefaultCompileItems>false</EnableDefaultCompileItems>
    <ServerGarbageCollection>false</ServerGarbageCollection>
    <ConcurrentGarbageCollection>false</ConcurrentGarbageCollection>
  </PropertyGroup>
  <ItemGroup>
    <!-- Under artifacts/, which the SDK excludes from default items. -->
    <Compile Include="Program.cs" />
    <ProjectReference Include="$root/src/Tvix.Glue/Tvix.Glue.csproj" />
  </ItemGroup>
</Project>
EOF
  cat >"$dir/src/Program.cs" <<'EOF'
using System.Text;
using Tvix.Eval;
using Tvix.Glue;

// Argument handling kept to the subset nixpkgs-compare.sh uses.
var mode = args.Length > 0 ? args[0] : "";
bool strict = false, json = false, exprMode = false;
var search = new List<string>();
var attrs = new List<string>();
string? input = null;
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--strict": strict = true; break;
        case "--json": json = true; break;
        case "-E": case "--expr": exprMode = true; break;
        case "-I": search.Add(args[++i]); break;
        case "-A": attrs.Add(args[++i]); break;
        case "--eval": case "--readonly-mode": break;
        case "--store": i++; break; // always an in-memory store here
        default: input = args[i]; break;
    }
}
if ((mode != "instantiate" && mode != "eval") || input is null)
{
    Console.Error.WriteLine("error: usage: nixpkgs-glue-tvix (instantiate|eval) [--strict] [--json] [-I P] [-A ATTR] (FILE | -E EXPR)");
    return 1;
}
var builder = new TvixBuilder().ConfigureEvaluator(o =>
{
    o.Log = Console.Error;
    foreach (var p in search) o.SearchPath.Add(p);
    var nixPath = Environment.GetEnvironmentVariable("NIX_PATH");
    if (!string.IsNullOrEmpty(nixPath)) foreach (var p in nixPath.Split(':', StringSplitOptions.RemoveEmptyEntries)) o.SearchPath.Add(p);
});
var evaluator = builder.Build();
try
{
    var result = exprMode
        ? evaluator.EvaluateString(input, Directory.GetCurrentDirectory())
        : evaluator.EvaluateFile(Path.GetFullPath(Directory.Exists(input) ? Path.Combine(input, "default.nix") : input));
    if (!result.Success)
    {
        Console.Error.WriteLine("error: " + (result.Error?.Message ?? string.Join("; ", result.Diagnostics)));
        return 1;
    }
    var output = evaluator.Run(cx =>
    {
        var sb = new StringBuilder();
        var roots = attrs.Count == 0 ? [AutoCall(cx, result.Value)] : attrs.Select(a => Select(cx, result.Value, a)).ToList();
        foreach (var v in roots)
        {
            if (mode == "instantiate")
                foreach (var p in Instantiation.DerivationPaths(cx, v, x => AutoCall(cx, x))) sb.Append(p).Append('\n');
            else if (json) sb.Append(cx.ForceString(cx.Call(cx.Builtins.TryGetValue("toJSON", out var toJson) ? toJson : throw new NixEvalException("no toJSON"), v)).ToString()).Append('\n');
            else sb.Append(cx.Print(v, strict)).Append('\n');
        }
        return sb.ToString();
    });
    Console.Out.Write(output);
    return 0;
}
catch (NixEvalException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 1;
}
catch (Exception e)
{
    Console.Error.WriteLine($"error: internal error: {e.GetType().Name}: {e.Message}");
    return 1;
}

static Value AutoCall(EvalContext cx, Value v)
{
    v = cx.Force(v);
    if (v.Kind == ValueKind.Lambda && cx.GetFormals(v) is { } formals)
    {
        foreach (var (name, hasDefault) in formals.Formals)
            if (!hasDefault) throw new NixEvalException($"cannot auto-call a function that needs '{name}'");
        return cx.Force(cx.Call(v, Value.FromAttrs(cx.CreateAttrsBuilder().Build())));
    }
    return v;
}

static Value Select(EvalContext cx, Value v, string path)
{
    foreach (var part in path.Split('.'))
    {
        v = AutoCall(cx, v);
        if (v.Kind != ValueKind.Attrs || !v.AsAttrs.TryGetValue(part, out var next))
            throw new NixEvalException($"attribute '{part}' in selection path '{path}' not found");
        v = cx.Force(next);
    }
    return AutoCall(cx, v);
}
EOF
  echo "nixpkgs-glue-tvix: building the harness (once)..." >&2
  dotnet build "$dir/src/nixpkgs-glue-tvix.csproj" -c Release -nologo -v q -p:TreatWarningsAsErrors=false >"$dir/build.log" 2>&1 \
    || { echo "error: building the harness failed, see $dir/build.log" >&2; tail -20 "$dir/build.log" >&2; exit 1; }
  echo "$stamp" >"$dir/stamp"
fi
flock -u 9
exec 9>&-
exec "$exe" "$@"
