using Tvix.Eval.Builtins;
using Tvix.Eval.Compiler;
using Tvix.Eval.Runtime;
using Tvix.Eval.Syntax;

namespace Tvix.Eval;

public sealed partial class EvalContext
{
    /// <summary>Builds the <c>builtins</c> set and the global names from a registry.</summary>
    internal void InitializeBuiltins(BuiltinRegistry registry)
    {
        var builder = CreateAttrsBuilder(registry.Names.Count + 1);
        var builtinsSym = Symbols.Intern("builtins");
        foreach (var entry in registry.Entries)
        {
            var value = entry.Kind switch
            {
                BuiltinKind.Function => Value.FromBuiltin(new Builtin(entry.Name, entry.Arity, entry.Implementation!)),
                BuiltinKind.Constant => entry.Constant,
                BuiltinKind.LazyConstant => Value.FromThunk(new Thunk(new FactoryNode(entry.Factory!), EmptyEnv)),
                _ => Value.FromThunk(new Thunk(new NixSourceNode(entry.Name, entry.NixSource!), EmptyEnv)),
            };
            builder.Add(entry.Name, value);
            GlobalValues["__" + entry.Name] = value;
            if (entry.Global) GlobalValues[entry.Name] = value;
        }
        builder.Add(builtinsSym, Value.Null);
        var attrs = builder.Build();
        // `builtins.builtins` is the set itself.
        attrs.Values[attrs.IndexOf(builtinsSym)] = Value.FromAttrs(attrs);
        Builtins = attrs;
        GlobalValues["builtins"] = Value.FromAttrs(attrs);
    }

    internal static readonly Env EmptyEnv = new(0, default);

    /// <summary>Parses and compiles a source; syntax and static errors are collected in <paramref name="diagnostics"/>.</summary>
    internal (Node? Root, Env Env) Compile(SourceText source, string baseDir, NixAttrs? scope, List<Diagnostic> diagnostics)
    {
        var parsed = NixParser.Parse(source);
        diagnostics.AddRange(parsed.Diagnostics);
        if (parsed.HasErrors) return (null, EmptyEnv);
        Scope? top = null;
        var env = EmptyEnv;
        if (scope is not null)
        {
            top = new Scope(null);
            var slots = new Value[scope.Count];
            for (var i = 0; i < scope.Keys.Length; i++)
            {
                top.Declare(Symbols.Text(scope.Keys[i]));
                slots[i] = scope.Values[i];
            }
            env = Env.Of(slots);
        }
        var before = diagnostics.Count;
        var root = new NixCompiler(this, source, baseDir, diagnostics, top).Compile(parsed.Root);
        for (var i = before; i < diagnostics.Count; i++)
        {
            if (diagnostics[i].Severity == DiagnosticSeverity.Error) return (null, env);
        }
        return (root, env);
    }

    /// <summary>Compiles a source, reporting warnings to <see cref="Log"/> and turning errors into an exception.</summary>
    internal Value LoadLazily(SourceText source, string baseDir, NixAttrs? scope)
    {
        var diagnostics = new List<Diagnostic>();
        var (root, env) = Compile(source, baseDir, scope, diagnostics);
        NixEvalException? error = null;
        foreach (var d in diagnostics)
        {
            if (d.Severity == DiagnosticSeverity.Warning) ReportWarning(d);
            else error ??= new NixEvalException(d.Message).WithPosition(d.Source, d.Span);
        }
        if (error is not null) throw error;
        return root!.Delay(this, env);
    }

    internal void ReportWarning(Diagnostic d)
    {
        var (line, col) = d.Position;
        Log.WriteLine($"warning: {d.Message}\n       at {d.Source.Name}:{line}:{col}:");
    }

    /// <summary><c>import path</c> (or <c>scopedImport scope path</c>): cached per resolved file.</summary>
    internal Value ImportFile(string path, NixAttrs? scope)
    {
        if (CorePackages.TryGetSource(path, out var coreSource))
        {
            if (scope is null && ImportCache.TryGetValue(path, out var c)) return Force(c);
            var v = LoadLazily(SourceText.From(coreSource, path, path), "/", scope);
            if (scope is null) ImportCache[path] = v;
            return Force(v);
        }
        if (!Wrap(() => IO.PathExists(path))) throw Error($"path '{path}' does not exist");
        var file = Wrap(() => IO.ResolveImport(path));
        if (scope is null && ImportCache.TryGetValue(file, out var cached)) return Force(cached);
        var bytes = Wrap(() => IO.ReadFile(file));
        var source = new SourceText(file, bytes, file);
        var value = LoadLazily(source, NixPath.DirOf(file), scope);
        if (scope is null) ImportCache[file] = value;
        return Force(value);
    }

    /// <summary>Runs an I/O action, turning .NET I/O failures into Nix errors.</summary>
    internal T Wrap<T>(Func<T> action)
    {
        try { return action(); }
        catch (IOException e) { throw Error(e.Message); }
        catch (UnauthorizedAccessException e) { throw Error(e.Message); }
    }
}

/// <summary>The code of a lazily computed builtin constant.</summary>
internal sealed class FactoryNode(Func<EvalContext, Value> factory) : Node(SourceText.From("", "«builtin»"), default)
{
    public override Value Eval(EvalContext cx, Env env) => cx.Force(factory(cx));
}

/// <summary>The code of a builtin written in Nix: compiled and evaluated on first use.</summary>
internal sealed class NixSourceNode(string name, string code) : Node(SourceText.From("", "«builtin»"), default)
{
    public override Value Eval(EvalContext cx, Env env)
    {
        var source = SourceText.From(code, $"«nix-internal»/{name}.nix");
        return cx.Force(cx.LoadLazily(source, "/", null));
    }
}

public sealed partial class EvalContext
{
    /// <summary>
    /// Compiles an expression (resolving relative paths against <paramref name="baseDirectory"/>)
    /// and returns it unevaluated, as a thunk. Syntax and static errors throw <see cref="NixEvalException"/>.
    /// </summary>
    public Value LoadExpressionLazily(string code, string baseDirectory, string sourceName = "«string»") =>
        LoadLazily(SourceText.From(code, sourceName), baseDirectory, null);

    /// <summary>The formals of a lambda written with a pattern (<c>{ a, b ? 1, ... }: …</c>), or null for other values.</summary>
    public FunctionFormals? GetFormals(Value function)
    {
        function = Force(function);
        if (function.Kind != ValueKind.Lambda || ((Closure)function.Obj!).Code is not { Formals: { } formals } code) return null;
        var list = new List<(string, bool)>(formals.Length);
        foreach (var f in formals) list.Add((f.Name, f.Default is not null));
        return new FunctionFormals(list, code.HasEllipsis);
    }
}

/// <summary>The formals of a pattern lambda.</summary>
/// <param name="Formals">Each formal's name and whether it has a default.</param>
/// <param name="HasEllipsis">Whether the pattern has <c>...</c>.</param>
public sealed record FunctionFormals(IReadOnlyList<(string Name, bool HasDefault)> Formals, bool HasEllipsis);
