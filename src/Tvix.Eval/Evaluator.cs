using System.Runtime.ExceptionServices;
using Tvix.Eval.Builtins;
using Tvix.Eval.Syntax;

namespace Tvix.Eval;

/// <summary>
/// Evaluates Nix code. Each evaluator owns its symbols, builtins, import cache and an
/// evaluation thread with a large stack, and shares no state with other evaluators. Values
/// it returns belong to it: force or print them through <see cref="Run{T}"/> (which runs on
/// the evaluation thread) or, for shallow work, through <see cref="Context"/>.
/// </summary>
public sealed class Evaluator
{
    private readonly EvalContext _cx;
    private readonly EvaluatorOptions _options;

    /// <summary>The thread running an action of <see cref="Run{T}"/>, while one runs.</summary>
    private volatile Thread? _evaluationThread;

    /// <summary>Creates an evaluator; <paramref name="options"/> are read now.</summary>
    public Evaluator(EvaluatorOptions? options = null)
    {
        _options = options ?? new EvaluatorOptions();
        _cx = new EvalContext(_options);
        _cx.InitializeBuiltins(BuiltinCatalog.Create(_options));
    }

    /// <summary>The evaluation state (forcing, calling, printing values of this evaluator).</summary>
    public EvalContext Context => _cx;

    /// <summary>Evaluates an expression to weak head normal form.</summary>
    /// <param name="code">Nix source.</param>
    /// <param name="baseDirectory">Directory that relative path literals are resolved against (default: the current directory).</param>
    /// <param name="sourceName">Name shown in error messages.</param>
    /// <param name="cancellationToken">Stops a long evaluation.</param>
    public EvaluationResult EvaluateString(string code, string? baseDirectory = null, string sourceName = "«string»", CancellationToken cancellationToken = default) =>
        Run(cx => EvaluateSource(SourceText.From(code, sourceName), baseDirectory ?? Directory.GetCurrentDirectory()), cancellationToken);

    /// <summary>
    /// Compiles an expression without evaluating it and returns it as a thunk (used for
    /// <c>--arg</c> values, which Nix evaluates only when used). Syntax and static errors
    /// throw <see cref="NixEvalException"/>.
    /// </summary>
    public Value EvaluateStringLazily(string code, string? baseDirectory = null, string sourceName = "«string»") =>
        Run(cx => cx.LoadExpressionLazily(code, baseDirectory ?? Directory.GetCurrentDirectory(), sourceName));

    /// <summary>Evaluates a file (a directory means its <c>default.nix</c>) to weak head normal form.</summary>
    public EvaluationResult EvaluateFile(string path, CancellationToken cancellationToken = default) =>
        Run(cx =>
        {
            var full = NixPath.Canonicalize(Path.GetFullPath(path));
            string file;
            byte[] bytes;
            try
            {
                file = cx.IO.ResolveImport(full);
                bytes = cx.IO.ReadFile(file);
            }
            catch (NixEvalException e) { return EvaluationResult.Failed(e, []); }
            catch (IOException e) { return EvaluationResult.Failed(new NixEvalException(e.Message), []); }
            return EvaluateSource(new SourceText(file, bytes, file), NixPath.DirOf(file));
        }, cancellationToken);

    /// <summary>
    /// Checks a source without evaluating it, as <c>nix-instantiate --parse</c> does: syntax
    /// errors, duplicate attributes and undefined variables (names bound neither lexically, nor
    /// as builtins, nor possibly by an enclosing <c>with</c>).
    /// </summary>
    /// <param name="source">The source to check.</param>
    /// <param name="baseDirectory">Directory relative path literals resolve against (default: the source's directory or the current directory).</param>
    public IReadOnlyList<Diagnostic> Check(SourceText source, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var dir = baseDirectory ?? (source.Path is { } p ? NixPath.DirOf(NixPath.Canonicalize(Path.GetFullPath(p))) : Directory.GetCurrentDirectory());
        return Run(cx =>
        {
            var diagnostics = new List<Diagnostic>();
            cx.Compile(source, dir, null, diagnostics, out _);
            return (IReadOnlyList<Diagnostic>)diagnostics;
        });
    }

    /// <summary>Asynchronous <see cref="EvaluateString"/>: evaluation runs on the evaluator's thread.</summary>
    public Task<EvaluationResult> EvaluateStringAsync(string code, string? baseDirectory = null, CancellationToken cancellationToken = default) =>
        RunAsync(_ => EvaluateString(code, baseDirectory, "«string»", cancellationToken), cancellationToken);

    /// <summary>Asynchronous <see cref="EvaluateFile"/>.</summary>
    public Task<EvaluationResult> EvaluateFileAsync(string path, CancellationToken cancellationToken = default) =>
        RunAsync(_ => EvaluateFile(path, cancellationToken), cancellationToken);

    /// <summary>
    /// Runs <paramref name="action"/> on a thread with a large stack (see
    /// <see cref="EvaluatorOptions.StackSize"/>), so deep recursion becomes a Nix error and
    /// never a crash. Exceptions are rethrown on the caller's thread. Called from inside an
    /// action (on the evaluation thread), it runs the nested action right there, so a host can
    /// evaluate, force and print in one <see cref="Run{T}"/> with one thread start.
    /// </summary>
    public T Run<T>(Func<EvalContext, T> action, CancellationToken cancellationToken = default)
    {
        if (_evaluationThread is { } current && current == Thread.CurrentThread) return action(_cx);
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            _evaluationThread = Thread.CurrentThread;
            var previous = _cx.Cancellation;
            var previousLimit = _cx.StackLimit;
            _cx.Cancellation = cancellationToken;
            _cx.StackLimit = ComputeStackLimit(_options.StackSize);
            try { result = action(_cx); }
            catch (Exception e) { error = ExceptionDispatchInfo.Capture(e); }
            finally
            {
                _cx.Cancellation = previous;
                _cx.StackLimit = previousLimit;
                _cx.CallDepth = 0;
                _evaluationThread = null;
            }
        }, _options.StackSize)
        { Name = "tvix-eval", IsBackground = true };
        thread.Start();
        thread.Join();
        error?.Throw();
        return result;
    }

    /// <summary>The lowest stack address evaluation may reach on the current (fresh) thread.</summary>
    private static unsafe nuint ComputeStackLimit(int stackSize)
    {
        byte marker;
        var reserve = Math.Min(64L * 1024 * 1024, stackSize / 4);
        return (nuint)(&marker) - (nuint)(stackSize - reserve);
    }

    /// <summary>Asynchronous <see cref="Run{T}"/>.</summary>
    public Task<T> RunAsync<T>(Func<EvalContext, T> action, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Run(action, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private EvaluationResult EvaluateSource(SourceText source, string baseDir)
    {
        var diagnostics = new List<Diagnostic>();
        var root = _cx.Compile(source, baseDir, null, diagnostics, out var env);
        if (root is null) return EvaluationResult.Failed(null, diagnostics);
        foreach (var d in diagnostics)
            if (d.Severity == DiagnosticSeverity.Warning) _cx.ReportWarning(d);
        try
        {
            return new EvaluationResult(root.Eval(_cx, env), null, diagnostics);
        }
        catch (NixEvalException e)
        {
            return EvaluationResult.Failed(e, diagnostics);
        }
    }
}

/// <summary>The outcome of an evaluation: a value, or diagnostics / an error.</summary>
public sealed class EvaluationResult
{
    internal EvaluationResult(Value value, NixEvalException? error, IReadOnlyList<Diagnostic> diagnostics)
    {
        Value = value;
        Error = error;
        Diagnostics = diagnostics;
    }

    internal static EvaluationResult Failed(NixEvalException? error, IReadOnlyList<Diagnostic> diagnostics) => new(default, error, diagnostics);

    /// <summary>Whether evaluation produced a value (no syntax/static errors, no evaluation error).</summary>
    public bool Success => Error is null && Value.Kind != ValueKind.Invalid;

    /// <summary>The value in weak head normal form (invalid when <see cref="Success"/> is false).</summary>
    public Value Value { get; }

    /// <summary>The evaluation error, if evaluation started and failed.</summary>
    public NixEvalException? Error { get; }

    /// <summary>Syntax errors, static errors (undefined variables) and warnings of the main source.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }
}
