using Tvix.Eval.Syntax;

namespace Tvix.Eval.Tests.Syntax;

/// <summary>Syntax errors and the static checks of Nix's parser: wording and positions as in C++ Nix.</summary>
public sealed class DiagnosticTests
{
    private static Diagnostic Single(string source)
    {
        var result = NixParser.Parse(SourceText.From(source, "«stdin»"));
        Assert.True(result.HasErrors, source);
        return Assert.Single(result.Diagnostics);
    }

    [Theory]
    // From upstream's parse-fail-*.err.exp.
    [InlineData("&& true", "syntax error, unexpected '&&'", 1, 1)]
    [InlineData("a.assert", "syntax error, unexpected 'assert', expecting identifier or 'or' or '${' or '\"'", 1, 3)]
    [InlineData("{ a ... }", "syntax error, unexpected '...', expecting '.' or '='", 1, 5)]
    [InlineData("if 1 else", "syntax error, unexpected 'else', expecting 'then'", 1, 6)]
    [InlineData("{ 1.5 = x; }", "syntax error, unexpected floating-point literal, expecting 'inherit'", 1, 3)]
    [InlineData("{ 1 = x; }", "syntax error, unexpected integer, expecting 'inherit'", 1, 3)]
    [InlineData("a.~/foo", "syntax error, unexpected '~/…' path, expecting identifier or 'or' or '${' or '\"'", 1, 3)]
    [InlineData("a.''", "syntax error, unexpected start of an indented string, expecting identifier or 'or' or '${' or '\"'", 1, 3)]
    [InlineData("1 != != 2", "syntax error, unexpected '!='", 1, 6)]
    [InlineData("{ } ? ./foo", "syntax error, unexpected path, expecting identifier or 'or' or '${' or '\"'", 1, 7)]
    [InlineData("a.<nixpkgs>", "syntax error, unexpected '<…>' path, expecting identifier or 'or' or '${' or '\"'", 1, 3)]
    [InlineData("if then", "syntax error, unexpected 'then'", 1, 4)]
    [InlineData("{ inherit http://x; }", "syntax error, unexpected URI", 1, 11)]
    [InlineData("123 é 4", "syntax error, unexpected invalid token, expecting end of file", 1, 5)]
    [InlineData("(\n# no content\n", "syntax error, unexpected end of file", 3, 1)]
    [InlineData("a 1\"$", "syntax error, unexpected end of file, expecting '\"'", 1, 6)]
    [InlineData("{x, y : [\"baz\"]}: x", "syntax error, unexpected ':', expecting '}' or ','", 1, 7)]
    // Others.
    [InlineData("(1", "syntax error, unexpected end of file, expecting ')'", 1, 3)]
    [InlineData("{ a = 1 }", "syntax error, unexpected '}', expecting ';'", 1, 9)]
    [InlineData("let a = 1; 2", "syntax error, unexpected integer", 1, 12)]
    [InlineData("{ a }: a b }", "syntax error, unexpected '}', expecting end of file", 1, 12)]
    [InlineData("''abc", "syntax error, unexpected end of file, expecting end of an indented string", 1, 6)]
    [InlineData("a |> f", "experimental Nix feature 'pipe-operators' is disabled; add '--extra-experimental-features pipe-operators' to enable it", 1, 3)]
    public void SyntaxErrors(string source, string message, int line, int column)
    {
        var d = Single(source);
        Assert.Equal(message, d.Message);
        Assert.Equal((line, column), d.Position);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
    }

    [Theory]
    [InlineData("{ x = 123;\n  y = 456;\n  x = 789;\n}", "attribute 'x' already defined at «stdin»:1:3", 3, 3)]
    [InlineData("{\n  bs = {\n    x = 789;\n    inherit (as) x;\n  };\n}", "attribute 'x' already defined at «stdin»:3:5", 4, 18)]
    [InlineData("{\n  services.ssh.port = 22;\n  services.ssh.port = 23;\n}", "attribute 'services.ssh.port' already defined at «stdin»:2:3", 3, 3)]
    [InlineData("rec {\n  as = {\n    inherit x;\n    inherit x;\n  };\n}", "attribute 'x' already defined at «stdin»:3:13", 4, 13)]
    [InlineData("{\n  x.z = 3;\n  x = { y = 3; z = 3; };\n}", "attribute 'x.z' already defined at «stdin»:2:3", 3, 16)]
    [InlineData("{\n  x.y.y = 3;\n  x = { y.y= 3; z = 3; };\n}", "attribute 'x.y.y' already defined at «stdin»:2:3", 3, 9)]
    [InlineData("{ a = 1; a.b = 2; }", "attribute 'a' already defined at «stdin»:1:3", 1, 10)]
    [InlineData("{ inherit a; a.b = 2; }", "attribute 'a' already defined at «stdin»:1:11", 1, 14)]
    [InlineData("{ a.b = 2; inherit a; }", "attribute 'a' already defined at «stdin»:1:3", 1, 20)]
    [InlineData("{ a = { b = 1; }; a.b = 2; }", "attribute 'a.b' already defined at «stdin»:1:9", 1, 19)]
    [InlineData("{ a = {}; a = 1; }", "attribute 'a' already defined at «stdin»:1:3", 1, 11)]
    [InlineData("{ \"a\" = 1; a = 2; }", "attribute 'a' already defined at «stdin»:1:3", 1, 12)]
    [InlineData("{ ${\"a\"} = 1; a = 2; }", "attribute 'a' already defined at «stdin»:1:3", 1, 15)]
    [InlineData("let a = 1; a = 2; in a", "attribute 'a' already defined at «stdin»:1:5", 1, 12)]
    [InlineData("let { a = 1; a = 2; }", "attribute 'a' already defined at «stdin»:1:7", 1, 14)]
    public void DuplicateAttributes(string source, string message, int line, int column)
    {
        var d = Single(source);
        Assert.Equal(message, d.Message);
        Assert.Equal((line, column), d.Position);
    }

    [Theory]
    [InlineData("{ services.ssh = { enable = true; }; services.ssh.port = 23; }")]
    [InlineData("{ services.ssh.port = 23; services.ssh = { enable = true; }; }")]
    [InlineData("{ x = { y = 3; z = 3; }; x.q = 3; }")]
    [InlineData("{ x.q = 3; x = { y = 3; z = 3; }; }")]
    [InlineData("{ a.b = 1; a.c = 2; }")]
    [InlineData("{ a = { b = 1; }; a = { c = 2; }; }")]
    [InlineData("{ a = rec { b = 1; }; a.c = 2; }")]
    [InlineData("{ a = ({ b = 1; }); a.c = 2; }")]
    [InlineData("{ a.${x} = 1; a.${x} = 2; }")]
    [InlineData("{ ${x} = 1; ${x} = 2; }")]
    [InlineData("let a.${x} = 1; in a")]
    [InlineData("let ${\"a\"} = 1; in a")]
    [InlineData("let \"a\" = 1; in a")]
    [InlineData("{ inherit ${\"a\"} \"b\"; }")]
    [InlineData("let { ${x} = 1; body = 2; }")]
    public void AcceptedLikeNix(string source)
    {
        var result = NixParser.Parse(SourceText.From(source));
        Assert.True(result.Diagnostics.Count == 0, source + "\n" + string.Join("\n", result.Diagnostics));
    }

    /// <summary>A set of <paramref name="count"/> names n0 … n(count-1), one per line, then <paramref name="tail"/>.</summary>
    private static string BigSet(int count, string tail, string open = "{", string close = "}")
    {
        var sb = new System.Text.StringBuilder(open).Append('\n');
        for (var i = 0; i < count; i++) sb.Append($"  n{i} = {i};\n");
        return sb.Append(tail).Append('\n').Append(close).ToString();
    }

    // Sets of more than a few names are checked through an index (BindingModel): the same
    // errors, whatever the size, kind of name or place of the duplicate.
    [Theory]
    [InlineData(9, "  n0 = 1;", "attribute 'n0' already defined at «stdin»:2:3")]
    [InlineData(500, "  n0 = 1;", "attribute 'n0' already defined at «stdin»:2:3")]
    [InlineData(500, "  n499 = 1;", "attribute 'n499' already defined at «stdin»:501:3")]
    [InlineData(500, "  \"n250\" = 1;", "attribute 'n250' already defined at «stdin»:252:3")]
    [InlineData(500, "  ${\"n17\"} = 1;", "attribute 'n17' already defined at «stdin»:19:3")]
    [InlineData(500, "  inherit n300;", "attribute 'n300' already defined at «stdin»:302:3")]
    [InlineData(500, "  n42.x = 1;", "attribute 'n42' already defined at «stdin»:44:3")]
    [InlineData(300, "  \"é ü\" = 1;\n  \"é ü\" = 2;", "attribute 'é ü' already defined at «stdin»:302:3")]
    [InlineData(300, "  or = 1;\n  or = 2;", "attribute 'or' already defined at «stdin»:302:3")]
    [InlineData(300, "  a.b = 1;\n  a = { c = 1; b = 2; };", "attribute 'a.b' already defined at «stdin»:302:3")]
    public void DuplicatesInLargeSets(int count, string tail, string message)
    {
        var d = Single(BigSet(count, tail));
        Assert.Equal(message, d.Message);
        // The duplicate is the tail's last line.
        Assert.Equal(count + 1 + tail.Split('\n').Length, d.Position.Line);
    }

    [Fact]
    public void LargeSetsWithoutDuplicatesAndReusedModels()
    {
        // Names that differ from every other name, a big set before and inside small ones (the
        // parser reuses its models), merges of nested paths, and a `let` of the same size.
        var inner = BigSet(200, "  x.y = 1;\n  x.z = 2;\n  x = { w = 3; };\n  \"q r\" = 4;\n  inherit or;");
        var source = $"{{ a = {inner}; b = {{ c = 1; d = 2; }}; e = {BigSet(100, "", "let", "in 1")}; }}";
        var result = NixParser.Parse(SourceText.From(source));
        Assert.True(result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
    }

    [Fact]
    public void EveryDuplicateOfALargeSetIsReported()
    {
        var tail = string.Join("\n", Enumerable.Range(0, 40).Select(i => $"  n{i * 7} = 0;"));
        var result = NixParser.Parse(SourceText.From(BigSet(400, tail), "«stdin»"));
        Assert.Equal(
            Enumerable.Range(0, 40).Select(i => $"attribute 'n{i * 7}' already defined at «stdin»:{i * 7 + 2}:3"),
            result.Diagnostics.Select(d => d.Message));
    }

    [Theory]
    [InlineData("{x, y, x}: x", "duplicate formal function argument 'x'", 1, 8)]
    [InlineData("args@{args, x, y, z}: x", "duplicate formal function argument 'args'", 1, 1)]
    [InlineData("{args, x}@args: x", "duplicate formal function argument 'args'", 1, 1)]
    [InlineData("let\n  a = 1;\n  ${\"a\" + \"\"} = 1;\nin a", "dynamic attributes not allowed in let", 1, 1)]
    [InlineData("let \"${\"a\"}\" = 1; in a", "dynamic attributes not allowed in let", 1, 1)]
    [InlineData("{\n  inherit (a) ${\"b\" + \"\"};\n}", "dynamic attributes not allowed in inherit", 2, 15)]
    [InlineData("{ inherit \"${a}\"; }", "dynamic attributes not allowed in inherit", 1, 11)]
    public void OtherStaticErrors(string source, string message, int line, int column)
    {
        var d = Single(source);
        Assert.Equal(message, d.Message);
        Assert.Equal((line, column), d.Position);
    }

    [Fact]
    public void SeveralErrorsAreCollectedAfterRecovery()
    {
        const string text = "{\n  a = 1 +;\n  b = ];\n  c = 3;\n  c = 4;\n  d = (1;\n}";
        var result = NixParser.Parse(SourceText.From(text, "f.nix"));
        var messages = result.Diagnostics.Select(d => $"{d.Position.Line}:{d.Position.Column} {d.Message}").ToArray();
        Assert.Equal(
            [
                "2:10 syntax error, unexpected ';'",
                "3:7 syntax error, unexpected ']'",
                "5:3 attribute 'c' already defined at f.nix:4:3",
                "6:9 syntax error, unexpected ';', expecting ')'",
            ],
            messages);
        var set = Assert.IsType<AttrSetExpr>(result.Root);
        Assert.Equal(5, set.Bindings.Count);
    }

    [Fact]
    public void RecoveryLeavesErrorNodes()
    {
        var result = NixParser.Parse(SourceText.From("[ 1 (2 +) 3 ]"));
        Assert.True(result.HasErrors);
        Assert.Equal("[1 (paren (+ 2 ERR)) 3]", Shape.Of(result.Root));
    }

    [Fact]
    public void RecoveryResumesAfterLetIn()
    {
        var result = NixParser.Parse(SourceText.From("let a = 1 in a; b = ; in a"));
        Assert.True(result.HasErrors);
        Assert.NotNull(result.Root);
    }

    [Theory]
    [InlineData(100000, '(', ')')]
    [InlineData(100000, '[', ']')]
    [InlineData(100000, '{', '}')]
    public void DeepNestingIsAnErrorNotACrash(int depth, char open, char close)
    {
        var isSet = open == '{';
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < depth; i++) sb.Append(open).Append(isSet ? " a = " : "");
        sb.Append('1');
        for (var i = 0; i < depth; i++) sb.Append(isSet ? "; " : "").Append(close);
        var result = NixParser.Parse(SourceText.From(sb.ToString()));
        Assert.Contains(result.Diagnostics, d => d.Message == "expression nested too deeply");
    }

    [Fact]
    public void DeepButReasonableNestingParses()
    {
        var text = new string('(', 500) + "1" + new string(')', 500);
        var result = NixParser.Parse(SourceText.From(text));
        Assert.Empty(result.Diagnostics);
    }

    [Theory]
    [InlineData("x: ")]
    [InlineData("a: b: c: ")]
    [InlineData("!!!!!!!!")]
    [InlineData("- - - - -")]
    [InlineData("a.b or c.d or e.f or")]
    public void DeepChainsOfPrefixesAndLambdas(string unit)
    {
        var text = string.Concat(Enumerable.Repeat(unit, 30000)) + "1";
        var result = NixParser.Parse(SourceText.From(text));
        Assert.True(result.HasErrors);
    }

    [Fact]
    public void LongFlatChainsParse()
    {
        var text = "1" + string.Concat(Enumerable.Repeat(" + 1", 10000));
        Assert.Empty(NixParser.Parse(SourceText.From(text)).Diagnostics);
        var list = "[" + string.Concat(Enumerable.Repeat(" 1", 100000)) + " ]";
        Assert.Empty(NixParser.Parse(SourceText.From(list)).Diagnostics);
    }

    [Fact]
    public void DiagnosticsAreBounded()
    {
        var text = "{" + string.Concat(Enumerable.Repeat(" a = 1;", 100000)) + " } " + string.Concat(Enumerable.Repeat("|> ", 10000));
        var result = NixParser.Parse(SourceText.From(text));
        Assert.True(result.HasErrors);
        Assert.InRange(result.Diagnostics.Count, 1, 200);
    }

    [Fact]
    public void FirstDiagnosticIsTheOneNixWouldReport()
    {
        // Nix checks for dynamic attributes when it reduces the whole let, so the syntax error in
        // the binding comes first even though the let keyword is earlier in the file.
        var result = NixParser.Parse(SourceText.From("let\n  a = 1;\n  ${ b = 2;\nin a"));
        Assert.Equal("syntax error, unexpected '=', expecting '}'", result.Diagnostics[0].Message);
        Assert.Equal((3, 8), result.Diagnostics[0].Position);

        // A lexer error is met when the parser reaches it, after an earlier syntax error.
        var second = NixParser.Parse(SourceText.From("[ ) ./a/ ]"));
        Assert.Equal("syntax error, unexpected ')'", second.Diagnostics[0].Message);
        Assert.Equal("path has a trailing slash", second.Diagnostics[1].Message);
    }
}
