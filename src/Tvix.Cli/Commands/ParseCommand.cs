using System.CommandLine;
using System.Text;
using Tvix.Eval;
using Tvix.Eval.Syntax;

namespace Tvix.Cli.Commands;

/// <summary>
/// <c>tvix parse FILE|-</c>: parses a Nix file (or stdin) and reports syntax errors and the
/// static errors Nix's parser reports, like <c>nix-instantiate --parse</c>. On success the
/// expression is printed back in normalised form and the exit code is 0; on errors each is
/// printed Nix-style to stderr and the exit code is 1.
/// </summary>
internal static class ParseCommand
{
    public static Command Create()
    {
        var command = new Command("parse", "Parse a Nix file and report syntax errors");
        var file = new Argument<string>("file") { Description = "The Nix file to parse, or - for standard input" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Do not print the parsed expression" };
        command.Arguments.Add(file);
        command.Options.Add(quiet);
        command.SetAction(parse => Run(parse.GetValue(file)!, parse.GetValue(quiet)));
        return command;
    }

    private static int Run(string file, bool quiet)
    {
        SourceText source;
        try
        {
            source = file == "-" ? ReadStdin() : ReadFile(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            Console.Error.WriteLine($"error: cannot read '{file}': {e.Message}");
            return 1;
        }

        var result = NixParser.Parse(source);
        if (result.HasErrors) return Report(result.Diagnostics);

        // Nix's parser also rejects what only scope resolution finds (undefined variables):
        // the evaluator's static check does that without evaluating anything.
        var staticDiagnostics = new Evaluator().Check(source);
        foreach (var diagnostic in staticDiagnostics)
            if (diagnostic.Severity == DiagnosticSeverity.Error) return Report(staticDiagnostics);
        // Warnings (the parser's and the lints'; the static check repeats the parse) go to stderr,
        // as nix-instantiate --parse prints them, and do not fail the command.
        if (staticDiagnostics.Count > 0) Report(staticDiagnostics);

        if (!quiet)
        {
            var stdout = Console.OpenStandardOutput();
            var text = Encoding.UTF8.GetBytes(NixPrinter.Print(result.Root) + "\n");
            stdout.Write(text);
            stdout.Flush();
        }
        return 0;
    }

    /// <summary>Prints the diagnostics to stderr; 1, the exit code of a source with errors.</summary>
    private static int Report(IReadOnlyList<Diagnostic> diagnostics)
    {
        var sb = new StringBuilder();
        foreach (var diagnostic in diagnostics) DiagnosticFormatter.Append(sb, diagnostic);
        Console.Error.Write(sb.ToString());
        return 1;
    }

    private static SourceText ReadStdin()
    {
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        return new SourceText("«stdin»", buffer.ToArray());
    }

    private static SourceText ReadFile(string file)
    {
        var full = Path.GetFullPath(file);
        return new SourceText(full, File.ReadAllBytes(full), full);
    }
}
