using System.CommandLine;
using Tvix.Cli.Commands;

namespace Tvix.Cli;

/// <summary>Entry point of the <c>tvix</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command line and returns the process exit code.</summary>
    public static int Main(string[] args)
    {
        // `tvix eval` parses its own, Nix-style arguments; going straight to it skips building
        // the whole command tree, which is a measurable part of a small evaluation's start-up.
        // It writes straight to the standard file descriptors, without System.Console's set-up.
        if (args.Length > 0 && args[0] == "eval" && !AsksForHelp(args))
        {
            using var stdout = FileDescriptorWriter.StandardOutput();
            using var stderr = FileDescriptorWriter.StandardError();
            return EvalRunner.Run(args[1..], stdout, stderr);
        }
        // `tvix instantiate` parses its own arguments too, and writes to the descriptors the same
        // way (System.CommandLine's tree costs ~8 ms here, System.Console's set-up ~5 ms more).
        if (args.Length > 0 && args[0] == "instantiate" && !AsksForHelp(args))
        {
            using var stdout = FileDescriptorWriter.StandardOutput();
            using var stderr = FileDescriptorWriter.StandardError();
            try
            {
                return InstantiateRunner.Run(args[1..], stdout, stderr);
            }
            catch (Exception e)
            {
                // What System.CommandLine's default exception handler does for the command action.
                stderr.WriteLine("Unhandled exception: " + e);
                return 1;
            }
        }
        // And `tvix store [--store URL ...] dump|cat PATH` in their plain form (the same store, output and errors).
        if (args.Length > 2 && args[0] == "store" && PlainStoreArguments.TryParse(args) is { } plain)
            return RunPlainStore(plain);
        // Likewise `tvix nar dump PATH`, which is otherwise done in a few milliseconds.
        if (args is ["nar", "dump", var path] && !path.StartsWith('-'))
            return NarCommand.RunDump(path);
        return BuildRoot().Parse(args).Invoke();
    }

    // Apart from Main: its lambdas' closure would otherwise be made (and its type loaded) at
    // every start, since the pattern variable it captures is scoped to the whole of Main.
    private static int RunPlainStore(PlainStoreArguments plain) =>
        StoreActions.Run(plain.Configure, verbose: false, plain.Command == "dump"
            ? (store, ct) => StoreActions.DumpAsync(store, plain.Path, ct)
            : (store, ct) => StoreActions.CatAsync(store, plain.Path, ct));

    /// <summary>Whether an argument asks System.CommandLine for help (a loop: a lambda for
    /// <c>Array.TrueForAll</c> costs its closure class and delegate types at every start).</summary>
    private static bool AsksForHelp(string[] args)
    {
        foreach (var a in args)
            if (a is "-h" or "--help" or "-?") return true;
        return false;
    }

    /// <summary>The root command with every subcommand; each subcommand lives in its own file.</summary>
    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("tvix: a library-first Nix for .NET (evaluator, store, builder)");
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ParseCommand.Create());
        root.Subcommands.Add(InstantiateCommand.Create());
        root.Subcommands.Add(ReplCommand.Create());
        root.Subcommands.Add(NarCommand.Create());
        root.Subcommands.Add(HashCommand.Create());
        root.Subcommands.Add(DerivationCommand.Create());
        root.Subcommands.Add(StorePathCommand.Create());
        root.Subcommands.Add(CastoreCommand.Create());
        root.Subcommands.Add(StoreCommand.Create());
        root.Subcommands.Add(BuildCommand.Create());
        return root;
    }
}
