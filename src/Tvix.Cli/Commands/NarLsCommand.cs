using System.CommandLine;
using System.Globalization;
using System.Text;
using Tvix.NixCompat.Nar;

namespace Tvix.Cli.Commands;

/// <summary><c>tvix nar ls NARFILE [PATH]</c>: list a NAR's contents like <c>nix nar ls</c>.</summary>
internal static class NarLsCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("nar") { Description = "The NAR file" };
        var path = new Argument<string>("path") { Description = "A path inside the NAR", DefaultValueFactory = _ => "/" };
        var recursive = new Option<bool>("--recursive", "-R") { Description = "List subdirectories recursively" };
        var longFormat = new Option<bool>("--long", "-l") { Description = "Show type, permissions and size" };
        var directory = new Option<bool>("--directory", "-d") { Description = "Show directories rather than their contents" };
        var json = new Option<bool>("--json") { Description = "Print JSON, like nix nar ls --json" };
        var command = new Command("ls", "List the contents of a NAR file") { file, path, recursive, longFormat, directory, json };
        command.SetAction(parse => FormatCommandGuard.Run(() =>
        {
            var listing = new NarListingBuilder();
            using (var input = File.OpenRead(parse.GetValue(file)!))
                NarReader.ReadAsync(input, listing).GetAwaiter().GetResult();
            var at = parse.GetValue(path)!;
            var node = listing.Root!.Find(at) ?? throw new IOException($"path '{at}' does not exist in the NAR");
            if (parse.GetValue(json))
            {
                var buffer = new System.Buffers.ArrayBufferWriter<byte>();
                node.WriteJson(buffer, parse.GetValue(recursive));
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(buffer.WrittenSpan);
                stdout.Write("\n"u8);
                return 0;
            }
            var output = new StringBuilder();
            // As Nix: a directory is shown as ".", anything else by its base name.
            var relative = node.Type == NarNodeType.Directory ? "." : at.TrimEnd('/')[(at.TrimEnd('/').LastIndexOf('/') + 1)..];
            Show(output, node, relative, parse.GetValue(recursive), parse.GetValue(longFormat), parse.GetValue(directory), top: true);
            Console.Out.Write(output.ToString());
            return 0;
        }));
        return command;
    }

    // As nix nar ls: a directory shows its entries (all levels with -R), anything else itself.
    private static void Show(StringBuilder output, NarListingNode node, string relative, bool recursive, bool longFormat, bool showDirectory, bool top)
    {
        if (node.Type == NarNodeType.Directory && !(top && showDirectory))
        {
            foreach (var (name, child) in node.Entries)
            {
                var childPath = relative + "/" + name;
                Line(output, child, childPath, longFormat);
                if (recursive && child.Type == NarNodeType.Directory) Show(output, child, childPath, true, longFormat, false, top: false);
            }
            return;
        }
        Line(output, node, relative, longFormat);
    }

    private static void Line(StringBuilder output, NarListingNode node, string relative, bool longFormat)
    {
        if (!longFormat)
        {
            output.Append(relative).Append('\n');
            return;
        }
        switch (node.Type)
        {
            case NarNodeType.Regular:
                output.Append(node.Executable ? "-r-xr-xr-x" : "-r--r--r--").Append(' ')
                    .Append(node.Size.ToString(CultureInfo.InvariantCulture).PadLeft(20)).Append(' ').Append(relative).Append('\n');
                break;
            case NarNodeType.Directory:
                output.Append("dr-xr-xr-x").Append(' ').Append("0".PadLeft(20)).Append(' ').Append(relative).Append('\n');
                break;
            default:
                output.Append("lrwxrwxrwx").Append(' ').Append("0".PadLeft(20)).Append(' ').Append(relative).Append(" -> ").Append(node.Target).Append('\n');
                break;
        }
    }
}
