using System.Runtime.CompilerServices;
using Tvix.Eval.Builtins;
using Tvix.Eval.Compiler;
using Tvix.Eval.Runtime;
using Tvix.Eval.Syntax;

namespace Tvix.Eval;

public sealed partial class EvalContext
{
    /// <summary>
    /// The global names by symbol id: the builtins registered as global (<c>map</c>, <c>true</c>,
    /// …) and <c>builtins</c>; the other slots are <see cref="ValueKind.Invalid"/>. Every other
    /// builtin is also the global <c>__NAME</c>; those are found in <see cref="Builtins"/> when the
    /// compiler asks (see <see cref="TryGetGlobal"/>), so start-up creates no "__" names.
    /// </summary>
    private Value[] _globals = new Value[0];

    private int _builtinsSym = -1;

    /// <summary>Builds the <c>builtins</c> set and the global names from a registry.</summary>
    internal void InitializeBuiltins(BuiltinRegistry registry)
    {
        var entries = registry.Entries;
        var builder = CreateAttrsBuilder(entries.Length + 1);
        var builtinsSym = Symbols.Intern("builtins");
        var globals = new Value[Symbols.Count + entries.Length + 1];
        // One (empty) source for the lazy builtins' code, which has no position of its own.
        var builtinSource = new SourceText("«builtin»", ReadOnlyMemory<byte>.Empty);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            var value = entry.Kind switch
            {
                BuiltinKind.Function => Value.FromBuiltin(new Builtin(entry.Name, entry.Arity, entry.Implementation!, entry.ConsumesArguments)),
                BuiltinKind.Constant => entry.Constant,
                BuiltinKind.LazyConstant => Value.FromThunk(new Thunk(new FactoryNode(builtinSource, entry.Factory!), EmptyEnv)),
                _ => Value.FromThunk(new Thunk(new NixSourceNode(builtinSource, entry.Name, entry.NixSource!), EmptyEnv)),
            };
            var sym = Symbols.Intern(entry.Name);
            builder.Add(sym, value);
            if (entry.Global) globals[sym] = value;
        }
        builder.Add(builtinsSym, Value.Null);
        var attrs = builder.Build();
        // `builtins.builtins` is the set itself.
        attrs.Values[SymbolOrder.IndexOf(attrs.Keys, builtinsSym)] = Value.FromAttrs(attrs);
        Builtins = attrs;
        globals[builtinsSym] = Value.FromAttrs(attrs);
        _globals = globals;
        _builtinsSym = builtinsSym;
    }

    /// <summary>
    /// The value of the global name <paramref name="sym"/>: a global builtin, <c>builtins</c>, or
    /// <c>__NAME</c> for a builtin NAME that is not global itself (as in Nix, which binds a
    /// builtin globally under the one name it registers: <c>__add</c>, but <c>map</c>, never <c>__map</c>).
    /// </summary>
    internal bool TryGetGlobal(int sym, out Value value)
    {
        if ((uint)sym < (uint)_globals.Length && _globals[sym].Kind != ValueKind.Invalid)
        {
            value = _globals[sym];
            return true;
        }
        var name = Symbols.Bytes(sym);
        if (name.Length > 2 && name[0] == (byte)'_' && name[1] == (byte)'_')
        {
            var builtin = Symbols.Find(name.AsSpan(2));
            var isGlobal = (uint)builtin < (uint)_globals.Length && _globals[builtin].Kind != ValueKind.Invalid;
            if (builtin >= 0 && !isGlobal && builtin != _builtinsSym && Builtins.TryGet(builtin, out value)) return true;
        }
        value = default;
        return false;
    }

    internal static readonly Env EmptyEnv = new(0, default);

    /// <summary>The bytecode back end, with buffers reused by every file this evaluator compiles.</summary>
    private Bytecode.Lowering? _lowering;

    private Compiler.BindingArrays? _compilerBindingArrays;

    /// <summary>The compiler's scratch arrays for plain bindings, shared by this evaluator's compiles.</summary>
    internal Compiler.BindingArrays CompilerBindingArrays => _compilerBindingArrays ??= new();

    /// <summary>Lent to every parse of this evaluator (see <see cref="ParserScratch"/>).</summary>
    private ParserScratch? _parserScratch;

    /// <summary>Parses and compiles a source; syntax and static errors are collected in <paramref name="diagnostics"/>.</summary>
    /// <returns>The code, or null when there were errors; <paramref name="env"/> is the environment to run it in.</returns>
    internal Code? Compile(SourceText source, string baseDir, NixAttrs? scope, List<Diagnostic> diagnostics, out Env env)
    {
        var parsed = NixParser.Parse(source, _parserScratch ??= new ParserScratch(Symbols));
        env = EmptyEnv;
        if (parsed.Diagnostics.Count > 0)
        {
            diagnostics.AddRange(parsed.Diagnostics);
            if (parsed.HasErrors) return null;
        }
        Scope? top = null;
        if (scope is not null)
        {
            top = new Scope(null, capacity: scope.Count);
            var slots = new Value[scope.Count];
            for (var i = 0; i < scope.Keys.Length; i++)
            {
                top.Declare(scope.Keys[i]);
                slots[i] = scope.Values[i];
            }
            env = Env.Of(slots);
        }
        var before = diagnostics.Count;
        // The parse used this evaluator's scratch, so identifiers were interned into Symbols.
        var root = new NixCompiler(this, source, baseDir, diagnostics, top, treeSymbols: true).Compile(parsed.Root);
        for (var i = before; i < diagnostics.Count; i++)
        {
            if (diagnostics[i].Severity == DiagnosticSeverity.Error) return null;
        }
        return (_lowering ??= new Bytecode.Lowering()).Lower(root);
    }

    /// <summary>The code of a unit whose code was left to be emitted on its first run (see <see cref="Bytecode.Lowering.Lower"/>).</summary>
    internal Bytecode.CodeNode LowerLater(Bytecode.Chunk chunk, Node expression)
    {
        // A member of a large set may not be compiled yet either (see DeferredNode).
        if (expression is DeferredNode deferred) expression = deferred.Compile(this);
        return (_lowering ??= new Bytecode.Lowering()).LowerLater(chunk, expression);
    }

    /// <summary>Compiles a source, reporting warnings to <see cref="Log"/> and turning errors into an exception.</summary>
    internal Value LoadLazily(SourceText source, string baseDir, NixAttrs? scope)
    {
        var diagnostics = new List<Diagnostic>();
        var root = Compile(source, baseDir, scope, diagnostics, out var env);
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

    /// <summary>
    /// Imported files by path, for <c>import</c> without a scope: each resolved file once, and
    /// also each path as it was asked for, so that importing it again costs no file-system calls
    /// (like Nix, an evaluation takes the files it has read as unchanging).
    /// </summary>
    private readonly Dictionary<string, ImportedFile> _imports = new(StringComparer.Ordinal);

    /// <summary>The (lazy) value of an imported file; a class, so that the cache is a dictionary of references, which needs no JIT at start-up.</summary>
    private sealed class ImportedFile(Value value)
    {
        public readonly Value Value = value;
    }

    /// <summary><c>import path</c> (or <c>scopedImport scope path</c>): cached per resolved file.</summary>
    internal Value ImportFile(string path, NixAttrs? scope)
    {
        if (scope is null && _imports.TryGetValue(path, out var known)) return Force(known.Value);
        if (CorePackages.TryGetSource(path, out var coreSource))
        {
            var v = LoadLazily(SourceText.From(coreSource, path, path), "/", scope);
            if (scope is null) _imports[path] = new ImportedFile(v);
            return Force(v);
        }
        string file;
        byte[] bytes;
        try
        {
            if (!IO.PathExists(path)) throw Error($"path '{path}' does not exist");
            file = IO.ResolveImport(path);
            if (scope is null && _imports.TryGetValue(file, out var cached))
            {
                _imports[path] = cached;
                return Force(cached.Value);
            }
            bytes = IO.ReadFile(file);
        }
        catch (IOException e) { throw Error(e.Message); }
        catch (UnauthorizedAccessException e) { throw Error(e.Message); }
        var value = LoadLazily(new SourceText(file, bytes, file), NixPath.DirOf(file), scope);
        if (scope is null)
        {
            var entry = new ImportedFile(value);
            _imports[file] = entry;
            _imports[path] = entry;
        }
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
internal sealed class FactoryNode(SourceText builtinSource, Func<EvalContext, Value> factory) : Code(builtinSource, default)
{
    public override Value Eval(EvalContext cx, Env env) => cx.Force(factory(cx));
}

/// <summary>The code of a builtin written in Nix: compiled and evaluated on first use.</summary>
internal sealed class NixSourceNode(SourceText builtinSource, string name, string code) : Code(builtinSource, default)
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
        if (function.Kind != ValueKind.Lambda || Unsafe.As<Closure>(function.Obj!).Code is not { Formals: { } formals } code) return null;
        var list = new List<(string, bool)>(formals.Length);
        foreach (var f in formals) list.Add((f.Name, f.Default is not null));
        return new FunctionFormals(list, code.HasEllipsis);
    }
}

/// <summary>The formals of a pattern lambda.</summary>
/// <param name="Formals">Each formal's name and whether it has a default.</param>
/// <param name="HasEllipsis">Whether the pattern has <c>...</c>.</param>
public sealed record FunctionFormals(IReadOnlyList<(string Name, bool HasDefault)> Formals, bool HasEllipsis);
