namespace Tvix.Eval;

/// <summary>
/// The body of a builtin function. <paramref name="args"/> holds exactly the builtin's arity
/// of arguments, <b>unforced</b> (they may be thunks): force what you need with
/// <see cref="EvalContext.Force(Value)"/> or the typed helpers such as
/// <see cref="EvalContext.ForceString(Value)"/>, so that the builtin is as lazy as Nix's.
/// Report failures by throwing <see cref="NixEvalException"/> (see <see cref="EvalContext.Error(string)"/>).
/// The returned value may itself be a thunk (for example from <see cref="EvalContext.CallLazy(Value, Value)"/>).
/// </summary>
/// <param name="context">The evaluation the call belongs to.</param>
/// <param name="args">The arguments, possibly unforced.</param>
public delegate Value BuiltinImplementation(EvalContext context, ReadOnlySpan<Value> args);

/// <summary>
/// The set of builtins an evaluator exposes, as <c>builtins.NAME</c> and, for a few, as
/// global names (<c>map</c>, <c>toString</c>, …). Every other builtin is also reachable as the
/// global <c>__NAME</c>, as in C++ Nix (which has <c>__add</c> but no <c>__map</c>). The core library registers its builtins first; hosts
/// add or replace entries through <see cref="EvaluatorOptions.Builtins"/> (a later
/// registration of the same name wins). Builtins may be native (<see cref="Add"/>), constants
/// (<see cref="AddConstant(string, Value, bool)"/>) or written in Nix (<see cref="AddNixSource"/>).
/// </summary>
public sealed class BuiltinRegistry
{
    private readonly Dictionary<string, BuiltinEntry> _entries = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    internal BuiltinRegistry() { }

    /// <summary>Registers a native builtin function.</summary>
    /// <param name="name">The name under <c>builtins</c> (without <c>__</c>).</param>
    /// <param name="arity">Number of curried arguments (at least 1); the body runs when all are supplied.</param>
    /// <param name="implementation">The body; see <see cref="BuiltinImplementation"/>.</param>
    /// <param name="global">Whether the name is also bound globally without <c>builtins.</c> (like <c>map</c>).</param>
    public void Add(string name, int arity, BuiltinImplementation implementation, bool global = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arity, 1);
        ArgumentNullException.ThrowIfNull(implementation);
        Set(new BuiltinEntry(name, BuiltinKind.Function, arity, implementation, default, null, null, global));
    }

    /// <summary>
    /// Registers one of the evaluator's own builtins that only reads its arguments' values: it
    /// never keeps an argument itself (the thunk it was given) in its result or anywhere else,
    /// so a call with all its arguments lets the caller's environment be reused (see
    /// <see cref="Runtime.Builtin.ConsumesArguments"/>). Not for hosts: a wrong promise would let
    /// a thunk read a reused environment.
    /// </summary>
    internal void AddConsuming(string name, int arity, BuiltinImplementation implementation, bool global = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arity, 1);
        Set(new BuiltinEntry(name, BuiltinKind.Function, arity, implementation, default, null, null, global) { ConsumesArguments = true });
    }

    /// <summary>Registers a constant (like <c>builtins.langVersion</c>).</summary>
    public void AddConstant(string name, Value value, bool global = false) =>
        Set(new BuiltinEntry(name, BuiltinKind.Constant, 0, null, value, null, null, global));

    /// <summary>Registers a constant computed on first use (like <c>builtins.currentTime</c>); the factory runs at most once per evaluator.</summary>
    public void AddConstant(string name, Func<EvalContext, Value> factory, bool global = false) =>
        Set(new BuiltinEntry(name, BuiltinKind.LazyConstant, 0, null, default, factory, null, global));

    /// <summary>
    /// Registers a builtin written in Nix: <paramref name="nixSource"/> is an expression,
    /// evaluated lazily (at first use) with the usual global scope, so it may refer to
    /// <c>builtins</c> and to other builtins. This is how <c>derivation</c> is defined.
    /// </summary>
    public void AddNixSource(string name, string nixSource, bool global = false) =>
        Set(new BuiltinEntry(name, BuiltinKind.NixSource, 0, null, default, null, nixSource, global));

    /// <summary>Removes a builtin; returns whether it existed.</summary>
    public bool Remove(string name)
    {
        if (!_entries.Remove(name)) return false;
        _order.Remove(name);
        return true;
    }

    /// <summary>Whether a builtin called <paramref name="name"/> is registered.</summary>
    public bool Contains(string name) => _entries.ContainsKey(name);

    /// <summary>The registered names, in registration order.</summary>
    public IReadOnlyList<string> Names => _order;

    /// <summary>The entries in registration order.</summary>
    internal BuiltinEntry[] Entries
    {
        get
        {
            var result = new BuiltinEntry[_order.Count];
            for (var i = 0; i < result.Length; i++) result[i] = _entries[_order[i]];
            return result;
        }
    }

    internal bool TryGet(string name, out BuiltinEntry entry) => _entries.TryGetValue(name, out entry!);

    private void Set(BuiltinEntry entry)
    {
        ArgumentException.ThrowIfNullOrEmpty(entry.Name);
        if (!_entries.ContainsKey(entry.Name)) _order.Add(entry.Name);
        _entries[entry.Name] = entry;
    }
}

internal enum BuiltinKind
{
    Function,
    Constant,
    LazyConstant,
    NixSource,
}

internal sealed record BuiltinEntry(
    string Name,
    BuiltinKind Kind,
    int Arity,
    BuiltinImplementation? Implementation,
    Value Constant,
    Func<EvalContext, Value>? Factory,
    string? NixSource,
    bool Global)
{
    /// <summary>See <see cref="Runtime.Builtin.ConsumesArguments"/>; only the evaluator's own builtins set it.</summary>
    public bool ConsumesArguments { get; init; }
}
