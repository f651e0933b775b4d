using BenchmarkDotNet.Attributes;

namespace Tvix.Benchmarks;

/// <summary>
/// Small Nix programs through the public <see cref="Tvix.Eval.Evaluator"/> API, one per hot path
/// of the bench cases (shared/bench). Each is compiled once in setup; an invocation applies it to
/// its size argument and deep-forces the result, so parse/compile time is excluded (see
/// <see cref="ParserBenchmarks"/> and <see cref="StartupBenchmarks"/> for those).
/// </summary>
[MemoryDiagnoser]
public class EvalBenchmarks
{
    private const string Range = "builtins.genList (x: x) n";

    private EvalHarness _fib = null!, _attrSelect = null!, _attrUpdateSmall = null!, _attrMergeLarge = null!,
        _listMapFilterFold = null!, _sortLambda = null!, _sortBuiltin = null!, _interpolate = null!,
        _foldConcat = null!, _withScopes = null!, _recScopes = null!, _patternCall = null!, _json = null!,
        _importCached = null!, _scopedImport = null!, _thunkChain = null!;

    /// <summary>Compiles every program once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _fib = new("n: let fib = n: if n < 2 then n else fib (n - 1) + fib (n - 2); in fib n", 20);
        _attrSelect = new($$"""
            n: let s = { a = 1; b = 2; c = 3; d = 4; e = 5; f = 6; g = 7; h = 8; };
            in builtins.foldl' (acc: i: acc + s.a + s.h + (s.z or 1)) 0 ({{Range}})
            """, 10_000);
        _attrUpdateSmall = new($$"""
            n: builtins.length (builtins.attrNames (builtins.foldl' (acc: i: acc // { "k${toString (i - i / 64 * 64)}" = i; }) { } ({{Range}})))
            """, 2_000);
        _attrMergeLarge = new("""
            n: let mk = p: builtins.listToAttrs (builtins.genList (i: { name = "${p}${toString i}"; value = i; }) n);
                   a = mk "a"; b = mk "b";
            in builtins.length (builtins.attrNames (a // b // a))
            """, 10_000);
        _listMapFilterFold = new($$"""
            n: builtins.foldl' (a: b: a + b) 0 (builtins.filter (x: x - x / 2 * 2 == 0) (map (x: x * 3) ({{Range}})))
            """, 10_000);
        _sortLambda = new("""
            n: builtins.length (builtins.sort (a: b: a < b) (builtins.genList (x: x * 7919 - x * 7919 / 10007 * 10007) n))
            """, 10_000);
        _sortBuiltin = new("""
            n: builtins.length (builtins.sort builtins.lessThan (builtins.genList (x: x * 7919 - x * 7919 / 10007 * 10007) n))
            """, 10_000);
        _interpolate = new("""
            n: builtins.stringLength (builtins.concatStringsSep "," (builtins.genList (i: "item-${toString i}-${toString (i * 2)}") n))
            """, 5_000);
        _foldConcat = new($$"""
            n: builtins.stringLength (builtins.foldl' (acc: i: acc + "x${toString i}") "" ({{Range}}))
            """, 2_000);
        _withScopes = new($$"""
            n: let a = { x = 1; y = 2; }; b = { z = 3; }; in builtins.foldl' (acc: i: acc + (with a; with b; x + y + z)) 0 ({{Range}})
            """, 10_000);
        _recScopes = new($$"""
            n: builtins.foldl' (acc: i: acc + (rec { a = i; b = a + 1; c = b + a; }).c) 0 ({{Range}})
            """, 10_000);
        _patternCall = new($$"""
            n: let f = { a, b ? 2, ... }: a + b; in builtins.foldl' (acc: i: acc + f { a = i; c = 3; }) 0 ({{Range}})
            """, 10_000);
        _json = new("""
            n: builtins.stringLength (builtins.toJSON (builtins.fromJSON (builtins.toJSON
                 (builtins.genList (i: { a = i; b = "s\"${toString i}\n"; c = [ i true null 1.5 ]; }) n))))
            """, 2_000);
        var io = new Tvix.Eval.InMemoryEvalIO()
            .AddFile("/src/small.nix", "{ value = 1; f = x: x + 1; list = [ 1 2 3 ]; text = \"hello ${toString 42}\"; }");
        _importCached = new($$"""
            n: builtins.foldl' (acc: i: acc + (import /src/small.nix).value) 0 ({{Range}})
            """, 1_000, io);
        _scopedImport = new($$"""
            n: builtins.foldl' (acc: i: acc + (scopedImport { } /src/small.nix).value) 0 ({{Range}})
            """, 100, io);
        _thunkChain = new("""
            n: let xs = builtins.genList (i: if i == 0 then 0 else builtins.elemAt xs (i - 1) + 1) n; in builtins.elemAt xs (n - 1)
            """, 5_000);
    }

    /// <summary>Naive fib 20: ~22k lambda calls, integer arithmetic (bench case fib).</summary>
    [Benchmark] public long Fib20() => _fib.Run();

    /// <summary>30k static selects and 10k <c>or</c> defaults on an 8-attribute set.</summary>
    [Benchmark] public long AttrSelect() => _attrSelect.Run();

    /// <summary>2000 <c>//</c> of a one-attribute set into a growing (≤ 64) set.</summary>
    [Benchmark] public long AttrUpdateSmall() => _attrUpdateSmall.Run();

    /// <summary><c>listToAttrs</c> of 2×10k names, then <c>a // b // a</c> (bench case attrset-merge).</summary>
    [Benchmark] public long AttrMergeLarge() => _attrMergeLarge.Run();

    /// <summary><c>map</c>, <c>filter</c>, <c>foldl'</c> over 10k elements (bench cases list-ops, foldl-sum).</summary>
    [Benchmark] public long ListMapFilterFold() => _listMapFilterFold.Run();

    /// <summary><c>sort</c> with a Nix lambda comparator, 10k elements.</summary>
    [Benchmark] public long SortLambda() => _sortLambda.Run();

    /// <summary><c>sort builtins.lessThan</c>, 10k elements.</summary>
    [Benchmark] public long SortBuiltin() => _sortBuiltin.Run();

    /// <summary>5000 interpolations joined with <c>concatStringsSep</c> (bench case string-build).</summary>
    [Benchmark] public long StringInterpolation() => _interpolate.Run();

    /// <summary>A string grown by <c>+</c> in a fold, 2000 steps: quadratic without a rope.</summary>
    [Benchmark] public long StringFoldConcat() => _foldConcat.Run();

    /// <summary>Two nested <c>with</c> and three dynamic lookups per step (bench case with-rec-scopes).</summary>
    [Benchmark] public long WithScopes() => _withScopes.Run();

    /// <summary>A three-attribute <c>rec</c> set per step.</summary>
    [Benchmark] public long RecScopes() => _recScopes.Run();

    /// <summary>Pattern-lambda calls with a default and an ellipsis (callPackage-style).</summary>
    [Benchmark] public long PatternCall() => _patternCall.Run();

    /// <summary>toJSON → fromJSON → toJSON of 2000 small records (bench case json-roundtrip).</summary>
    [Benchmark] public long JsonRoundTrip() => _json.Run();

    /// <summary>1000 imports of one file: import-cache hits.</summary>
    [Benchmark] public long ImportCached() => _importCached.Run();

    /// <summary>100 <c>scopedImport</c>s (not cached): read, parse and compile of a small file each time.</summary>
    [Benchmark] public long ScopedImportUncached() => _scopedImport.Run();

    /// <summary>A 5000-deep chain of thunks forced from the far end (bench case lazy-thunks).</summary>
    [Benchmark] public long ThunkChain() => _thunkChain.Run();
}
