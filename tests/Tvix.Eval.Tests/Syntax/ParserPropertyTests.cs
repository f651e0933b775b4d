using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Tests.Syntax;

/// <summary>
/// Properties: the parser never crashes on any input, and printing a tree and parsing the
/// output gives the same tree back.
/// </summary>
public sealed class ParserPropertyTests
{
    private static readonly string[] Vocabulary =
    [
        "let", "in", "rec", "with", "assert", "if", "then", "else", "inherit", "or", "...",
        "{", "}", "(", ")", "[", "]", ";", ":", "@", ",", "?", "=", ".", "!", "-", "+", "*", "/",
        "==", "!=", "<", "<=", ">", ">=", "&&", "||", "->", "//", "++", "|>", "<|",
        "\"", "''", "${", "$", "'", "\\", "#", "/*", "*/", "\n", " ", "\t", "\r",
        "a", "b", "x", "or", "__curPos", "1", "007", "1.5", ".5", "2.e3", "1e3",
        "./a", "a/b", "/x/", "~/h", "<nixpkgs>", "http://x.org/?a=b", "x:x",
        "\"str${", "''ind${", "\\n", "''$", "'''", "é", "\0", "%",
    ];

    private static bool Survives(byte[] bytes)
    {
        var result = NixParser.Parse(new SourceText("prop", bytes));
        if (result.Root == null) return false;
        foreach (var d in result.Diagnostics)
        {
            if (d.Message.StartsWith("internal error", StringComparison.Ordinal)) return false;
            if (d.Span.Start < 0 || d.Span.End > bytes.Length) return false;
            _ = d.Position;
            _ = DiagnosticFormatter.Format(d);
        }
        // Anything that parses must also print.
        if (!result.HasErrors) _ = NixPrinter.PrintUtf8(result.Root);
        return true;
    }

    [Fact]
    public void ParserNeverCrashesOnRandomBytes()
    {
        var gen = Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000).WithEndSize(400), Prop.ForAll(gen.ToArbitrary(), Survives));
    }

    [Fact]
    public void ParserNeverCrashesOnTokenSoup()
    {
        var gen = Gen.ListOf(Gen.Elements(Vocabulary)).Select(tokens =>
        {
            var sb = new StringBuilder();
            foreach (var t in tokens) sb.Append(t).Append(t.Length > 2 ? " " : "");
            return Encoding.UTF8.GetBytes(sb.ToString());
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000).WithEndSize(300), Prop.ForAll(gen.ToArbitrary(), Survives));
    }

    [Fact]
    public void ParserNeverCrashesOnDeepNesting()
    {
        var openers = new[] { "(", "[", "{ a = ", "let a = ", "x: ", "!", "-", "\"${", "''${", "./${", "a.b or ", "if a then ", "[ (", "rec { b = " };
        var gen =
            from opener in Gen.Elements(openers)
            from depth in Gen.Choose(1, 20000)
            select Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(opener, depth)) + "1");
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), Prop.ForAll(gen.ToArbitrary(), Survives));
    }

    [Fact]
    public void PrintingAndReparsingGivesTheSameTree()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500).WithEndSize(30), Prop.ForAll(SourceGen.Program.ToArbitrary(), RoundTrips));
    }

    private static bool RoundTrips(string source)
    {
        var first = NixParser.Parse(SourceText.From(source));
        if (first.HasErrors)
            throw new InvalidOperationException("generated source does not parse: " + source + "\n" + string.Join("\n", first.Diagnostics));
        var printed = NixPrinter.PrintUtf8(first.Root);
        var second = NixParser.Parse(new SourceText("printed", printed));
        if (second.HasErrors)
            throw new InvalidOperationException("printed source does not parse: " + Encoding.UTF8.GetString(printed) + "\n" + string.Join("\n", second.Diagnostics));
        var expected = Shape.Of(first.Root, ignoreParens: true);
        var actual = Shape.Of(second.Root, ignoreParens: true);
        if (expected != actual)
            throw new InvalidOperationException($"shape changed\nsource:  {source}\nprinted: {Encoding.UTF8.GetString(printed)}\nbefore:  {expected}\nafter:   {actual}");
        // Printing is stable: the re-parsed tree prints the same.
        return NixPrinter.PrintUtf8(second.Root).AsSpan().SequenceEqual(printed);
    }

    [Theory]
    [InlineData("let a = 1; in a")]
    [InlineData("{ a, b ? 1, ... }@args: a")]
    [InlineData("''\n  a\n   ${b}\n  'c''$''\\n\n''")]
    [InlineData("\"a\\n${b}\\$c\\\"\"")]
    [InlineData("[ ./a/${x}.nix ~/b /c <d> http://e.org/f (-1) (x: x) ]")]
    [InlineData("-(1).x")]
    [InlineData("f x or")]
    [InlineData("a.b or c.d or e")]
    [InlineData("!a + (!b) * -c ? d")]
    [InlineData("{ \"a b\" = 1; ${x} = 2; inherit (y) z \"w\"; c.\"d\".${e} = 3; }")]
    [InlineData("let { body = 1; }")]
    [InlineData("1.0e20 + 0.5 + 100.0 + 2.e3")]
    [InlineData("''  ''\\ x''")]
    public void RoundTripExamples(string source) => Assert.True(RoundTrips(source));
}

/// <summary>Random well-formed Nix source: unique names per set, parentheses where the grammar needs them.</summary>
internal static class SourceGen
{
    // Binding levels as in the parser: 0 function/if, 1..11 operators, 12 '-', 13 application, 14 select, 15 simple.
    private readonly record struct Code(string Text, int Level, bool Safe = true);

    private static string At(Code c, int level) => c.Level >= level ? c.Text : "(" + c.Text + ")";

    private static readonly string[] Names = ["a", "b", "x", "foo", "bar'", "a-b", "_z", "true", "null"];

    private static readonly Gen<Code> Atom = Gen.OneOf(
        Gen.Elements(Names).Select(n => new Code(n, 15)),
        Gen.Choose(0, 100000).Select(i => new Code(i.ToString(System.Globalization.CultureInfo.InvariantCulture), 15, false)),
        Gen.Elements("1.5", ".5", "2.e3", "0.25", "1.5e-3").Select(f => new Code(f, 15, false)),
        Gen.Elements("\"\"", "\"abc\"", "\"a\\nb\\t\\\"q\\\\\"", "\"$${x}\"", "\"a$\"", "\"é\"").Select(s => new Code(s, 15)),
        Gen.Elements("''''", "''\n  a\n    b\n''", "''a''$b'''c''\\nd''", "''\ta\n  b''", "''\n\n  x\n  ''").Select(s => new Code(s, 15)),
        Gen.Elements("./a", "../b/c.nix", "/x/y", "~/z", "a/b").Select(p => new Code(p, 15, false)),
        Gen.Elements("<nixpkgs>", "<nixpkgs/lib>", "http://x.org/a?b=c").Select(p => new Code(p, 15, false)));

    public static readonly Gen<string> Program = Gen.Sized(size => Expr(Math.Min(size, 30))).Select(c => c.Text);

    private static Gen<Code> Expr(int size)
    {
        if (size <= 1) return Atom;
        var sub = Gen.Sized(_ => Expr(size / 2));
        var small = Gen.Sized(_ => Expr(size / 4));
        return Gen.Frequency(
            (3, Atom),
            (4, Binary(sub)),
            (1, from o in sub select new Code("!" + At(o, 8), 7)),
            (1, from o in sub select new Code("-" + At(o.Safe ? o : o with { Level = 0 }, 13), 12)),
            (2, from f in sub from a in sub select new Code(At(f, 13) + " " + At(a, 14), 13)),
            (2, Select(sub)),
            (1, from t in sub from p in AttrPath(small) select new Code(At(t, 12) + " ? " + p, 11)),
            (1, from t in Gen.Elements(Names) select new Code(t + " or", 14)),
            (1, from items in Gen.ListOf(small) select new Code("[ " + string.Concat(items.Select(i => At(i, 14) + " ")) + "]", 15)),
            (2, Set(small)),
            (1, Let(small)),
            (2, Lambda(small)),
            (1, from c in sub from t in sub from e in sub select new Code($"if {c.Text} then {t.Text} else {e.Text}", 0)),
            (1, from n in sub from b in sub select new Code($"with {n.Text}; {b.Text}", 0)),
            (1, from n in sub from b in sub select new Code($"assert {n.Text}; {b.Text}", 0)),
            (1, from e in sub select new Code("(" + e.Text + ")", 15)),
            (1, StringWith(small)),
            (1, from e in small select new Code("./p/${" + e.Text + "}.nix", 15, false)));
    }

    private static readonly (string Op, int Level, int Assoc)[] Operators =
    [
        ("->", 1, 1), ("||", 2, 0), ("&&", 3, 0), ("==", 4, 2), ("!=", 4, 2), ("<", 5, 2), ("<=", 5, 2), (">", 5, 2), (">=", 5, 2),
        ("//", 6, 1), ("+", 8, 0), ("-", 8, 0), ("*", 9, 0), ("/", 9, 0), ("++", 10, 1),
    ];

    private static Gen<Code> Binary(Gen<Code> sub) =>
        from op in Gen.Elements(Operators)
        from l in sub
        from r in sub
        let left = At(l, op.Assoc == 0 ? op.Level : op.Level + 1)
        let right = At(r, op.Assoc == 1 ? op.Level : op.Level + 1)
        select new Code(left + " " + op.Op + " " + right, op.Level);

    private static Gen<Code> Select(Gen<Code> sub) =>
        from t in sub
        from p in AttrPath(sub)
        from hasDefault in Gen.Elements(false, true)
        from d in sub
        let target = t.Safe && t.Level >= 15 ? t.Text : "(" + t.Text + ")"
        select new Code(target + "." + p + (hasDefault ? " or " + At(d, 14) : ""), 14);

    private static Gen<string> AttrName(Gen<Code> sub) => Gen.OneOf(
        Gen.Elements("a", "b", "or", "x-y", "c'"),
        Gen.Elements("\"a b\"", "\"\"", "\"in\""),
        from e in sub select "${" + e.Text + "}");

    private static Gen<string> AttrPath(Gen<Code> sub) =>
        from names in Gen.NonEmptyListOf(AttrName(sub))
        select string.Join(".", names.Take(3));

    private static Gen<Code> Set(Gen<Code> sub) =>
        from rec in Gen.Elements("", "rec ")
        from values in Gen.ListOf(sub)
        from nested in Gen.Elements(false, true)
        select new Code(rec + "{ " + Bindings(values, nested) + "}", 15);

    private static string Bindings(IEnumerable<Code> values, bool nested)
    {
        var sb = new StringBuilder();
        var i = 0;
        foreach (var v in values)
        {
            switch (i % 4)
            {
                case 0: sb.Append("n").Append(i).Append(" = ").Append(v.Text).Append("; "); break;
                case 1: sb.Append("n").Append(i).Append(nested ? ".p.q" : "").Append(" = ").Append(v.Text).Append("; "); break;
                case 2: sb.Append("inherit (").Append(v.Text).Append(") n").Append(i).Append("; "); break;
                default: sb.Append("\"n").Append(i).Append(" s\" = ").Append(v.Text).Append("; inherit m").Append(i).Append("; "); break;
            }
            i++;
        }
        return sb.ToString();
    }

    private static Gen<Code> Let(Gen<Code> sub) =>
        from values in Gen.ListOf(sub)
        from body in sub
        select new Code("let " + Bindings(values, false) + "in " + body.Text, 0);

    private static Gen<Code> Lambda(Gen<Code> sub) =>
        from kind in Gen.Choose(0, 3)
        from defaults in Gen.ListOf(Gen.OneOf(sub.Select(s => (Code?)s), Gen.Constant((Code?)null)))
        from ellipsis in Gen.Elements(false, true)
        from body in sub
        select new Code(kind switch
        {
            0 => "x: " + body.Text,
            1 => Formals(defaults, ellipsis) + ": " + body.Text,
            2 => "args@" + Formals(defaults, ellipsis) + ": " + body.Text,
            _ => Formals(defaults, ellipsis) + " @ args: " + body.Text,
        }, 0);

    private static string Formals(IEnumerable<Code?> defaults, bool ellipsis)
    {
        var parts = new List<string>();
        var i = 0;
        foreach (var d in defaults)
        {
            parts.Add(d is { } c ? $"f{i} ? {c.Text} " : $"f{i}");
            i++;
        }
        if (ellipsis) parts.Add("...");
        return "{ " + string.Join(", ", parts) + " }";
    }

    private static Gen<Code> StringWith(Gen<Code> sub) =>
        from e in sub
        from indented in Gen.Elements(false, true)
        select new Code(indented ? "''\n  a ${" + e.Text + "}\n    b\n''" : "\"a ${" + e.Text + "} b\"", 15);
}
