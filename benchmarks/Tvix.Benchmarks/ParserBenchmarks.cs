using System.Text;
using BenchmarkDotNet.Attributes;
using Tvix.Eval;
using Tvix.Eval.Syntax;

namespace Tvix.Benchmarks;

/// <summary>
/// The lexer and parser on a large generated file (~1 MB of nixpkgs-shaped code: let bindings,
/// pattern lambdas, attribute paths, interpolated and indented strings, lists, with, inherit),
/// and parse plus compile (<see cref="Evaluator.Check"/>) of the same file.
/// </summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private SourceText _source = null!;
    private Evaluator _evaluator = null!;

    /// <summary>Size of the generated file in bytes (shown in the summary).</summary>
    public int Bytes => _source.Bytes.Length;

    /// <summary>Generates the file.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _source = SourceText.From(LargeNixFile.Generate(2_500), "large.nix");
        _evaluator = new Evaluator();
        var parsed = NixParser.Parse(_source);
        if (parsed.HasErrors) throw new InvalidOperationException("generated file does not parse: " + parsed.Diagnostics[0].Message);
    }

    /// <summary>Lex and parse to a syntax tree.</summary>
    [Benchmark] public bool Parse() => NixParser.Parse(_source).HasErrors;

    /// <summary>Parse, resolve scopes and compile (no evaluation).</summary>
    [Benchmark] public int ParseAndCompile() => _evaluator.Check(_source, "/").Count;
}

/// <summary>A deterministic generator of large, valid Nix source.</summary>
internal static class LargeNixFile
{
    public static string Generate(int packages)
    {
        var sb = new StringBuilder();
        sb.Append("{ lib ? { }, stdenv ? { }, fetchurl ? (x: x) }:\nlet\n  inherit (builtins) map filter foldl' attrNames;\n");
        sb.Append("  helpers = rec {\n    id = x: x;\n    compose = f: g: x: f (g x);\n    flip = f: a: b: f b a;\n  };\nin rec {\n");
        for (var i = 0; i < packages; i++)
        {
            sb.Append("  pkg").Append(i).Append(" = { name ? \"pkg-").Append(i).Append("\", version ? \"1.").Append(i % 17).Append('.').Append(i % 5).Append("\", deps ? [ ], ... }@args:\n");
            sb.Append("    let src = fetchurl { url = \"https://example.org/${name}-${version}.tar.gz\"; sha256 = \"").Append('0', 52).Append("\"; };\n");
            sb.Append("        flags = [ \"--enable-").Append(i).Append("\" \"--with-x=${toString (").Append(i).Append(" * 2 + 1)}\" ] ++ (if ").Append(i).Append(" > 100 then [ \"--big\" ] else [ ]);\n");
            sb.Append("    in {\n      inherit name version src flags;\n      meta.description = ''\n        Package number ").Append(i).Append(" of the generated set.\n          Indented ${name} line.\n      '';\n");
            sb.Append("      meta.priority = ").Append(i % 10).Append(";\n      passthru = with helpers; { f = compose id id; n = ").Append(i).Append(".5; p = ./pkgs/p").Append(i).Append(".nix; };\n");
            sb.Append("      build = x: if x == null then args.deps or [ ] else map (d: d.name) (filter (d: d ? name) x);\n    };\n");
        }
        sb.Append("}\n");
        return sb.ToString();
    }
}
