using Tvix.Eval.Runtime;

namespace Tvix.Eval;

// Values a host builds natively that plain builtins cannot express: a builtin written in C# that
// must still look like Nix code to programs (Glue's `derivation`), and `//` without a round
// trip through names.
public sealed partial class EvalContext
{
    /// <summary>
    /// A native function value of <paramref name="arity"/> curried arguments that is not in
    /// <c>builtins</c>: for a host's helper, e.g. one a builtin written in Nix is applied to.
    /// </summary>
    public Value CreateFunction(string name, int arity, BuiltinImplementation implementation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arity, 1);
        ArgumentNullException.ThrowIfNull(implementation);
        return Value.FromBuiltin(new Builtin(name, arity, implementation));
    }

    /// <summary>Nix's <c>left // right</c>: right's attributes win; positions are kept.</summary>
    public NixAttrs Update(NixAttrs left, NixAttrs right) => left.Update(right);
}
