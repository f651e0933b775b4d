using System.Runtime.CompilerServices;
using Tvix.Eval;

namespace Tvix.Glue.Builtins;

/// <summary>
/// Stack room for the names of a few attributes that a builtin adds to a set (the usual handful
/// of a derivation's outputs and extra attributes), so that the call leaves no arrays behind.
/// </summary>
/// <remarks>
/// One type for every builtin that needs one: each inline array type's span accessor is a generic
/// instantiation over a type outside this assembly, which ReadyToRun cannot precompile, so every
/// extra buffer type would be one more method JIT-compiled in every process.
/// </remarks>
[InlineArray(Size)]
internal struct NameBuffer
{
    public const int Size = 12;

    private ReadOnlyMemory<byte> _first;
}

/// <summary>Stack room for the values that go with a <see cref="NameBuffer"/>.</summary>
[InlineArray(NameBuffer.Size)]
internal struct ValueBuffer
{
    private Value _first;
}
