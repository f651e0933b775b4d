using Tvix.Eval.Syntax;

namespace Tvix.Eval;

/// <summary>
/// An evaluation error. <see cref="IsCatchable"/> errors (<c>throw</c>, failed <c>assert</c>)
/// can be caught by <c>builtins.tryEval</c>; all others (<c>abort</c>, type errors, infinite
/// recursion, missing attributes) cannot.
/// </summary>
public class NixEvalException : Exception
{
    private readonly List<NixTraceFrame> _trace = [];

    /// <summary>Creates an error that <c>tryEval</c> cannot catch.</summary>
    public NixEvalException(string message) : base(message) { }

    /// <summary>Creates an error; <paramref name="catchable"/> marks <c>throw</c>/<c>assert</c>-like errors.</summary>
    public NixEvalException(string message, bool catchable) : base(message) => IsCatchable = catchable;

    /// <summary>Whether <c>builtins.tryEval</c> catches this error.</summary>
    public bool IsCatchable { get; }

    /// <summary>The source the error points into, when known.</summary>
    public SourceText? ErrorSource { get; private set; }

    /// <summary>The span the error points at (valid when <see cref="ErrorSource"/> is set).</summary>
    public TextSpan Span { get; private set; }

    /// <summary>Context frames, innermost first ("while calling 'f'", "from call site", …).</summary>
    public IReadOnlyList<NixTraceFrame> Trace => _trace;

    /// <summary>Whether the error is a <c>abort</c> call (never caught).</summary>
    public bool IsAbort { get; init; }

    /// <summary>Sets the position if none is known yet; returns this error.</summary>
    public NixEvalException WithPosition(SourceText? source, TextSpan span)
    {
        if (ErrorSource is null && source is not null)
        {
            ErrorSource = source;
            Span = span;
        }
        return this;
    }

    /// <summary>For exception filters: records a position without catching (so deep stacks are not unwound and rethrown level by level).</summary>
    internal bool AtPosition(SourceText? source, TextSpan span)
    {
        WithPosition(source, span);
        return false;
    }

    /// <summary>For exception filters: adds a context frame without catching.</summary>
    internal bool Traced(string message, SourceText? source, TextSpan span)
    {
        AddTrace(message, source, span);
        return false;
    }

    /// <summary>Whether more trace frames are kept (the innermost 64 are).</summary>
    internal bool WantsTrace => _trace.Count < 64;

    /// <summary>Adds a context frame (outermost frames are added last).</summary>
    public void AddTrace(string message, SourceText? source, TextSpan span)
    {
        if (_trace.Count < 64) _trace.Add(new NixTraceFrame(message, source, span));
    }
}

/// <summary>One context frame of an evaluation error.</summary>
/// <param name="Message">What was being done: <c>while calling 'f'</c>.</param>
/// <param name="Source">The source the frame points into, or null.</param>
/// <param name="Span">The span in <paramref name="Source"/>.</param>
public sealed record NixTraceFrame(string Message, SourceText? Source, TextSpan Span);
