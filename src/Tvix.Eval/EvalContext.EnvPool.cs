using System.Runtime.CompilerServices;
using Tvix.Eval.Runtime;

namespace Tvix.Eval;

/// <summary>
/// Environments of calls to lambdas that keep no reference to them (<see cref="LambdaNode.ReusesEnv"/>),
/// reused once the call returns. Calls nest, so each size has a small stack of free arrays; a
/// context belongs to one evaluation thread, so no locking.
/// </summary>
public sealed partial class EvalContext
{
    // Arrays of length 2..9: a parent slot and up to 8 parameters and hoisted bindings.
    private const int PooledLengths = 10;
    private const int PoolDepth = 32;
    private readonly Value[]?[][] _envPool = new Value[]?[PooledLengths][];
    private readonly int[] _envPoolCount = new int[PooledLengths];

    /// <summary>An environment of <paramref name="size"/> cleared slots below <paramref name="parent"/>, reused when one is free.</summary>
    internal Env RentEnv(int size, Env parent)
    {
        var length = size + 1;
        if (length < PooledLengths && _envPoolCount[length] > 0)
        {
            var index = --_envPoolCount[length];
            var pool = _envPool[length];
            var array = pool[index]!;
            pool[index] = null;
            return Env.Reuse(array, parent);
        }
        return Env.ForCall(size, parent);
    }

    /// <summary>
    /// Takes back a call's environment when nothing was made over it during the call (no thunk,
    /// closure or child scope: <see cref="Env.IsCaptured"/>). For lambdas whose body may keep its
    /// environment only on some paths (a folded <c>n - 1</c> argument falls back to a thunk when
    /// <c>n</c> is not known yet), so the compiler could not promise it (<see cref="LambdaNode.ReusesEnv"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ReturnEnvIfFree(Env env)
    {
        if (!env.IsCaptured) ReturnEnv(env);
    }

    /// <summary>Takes back an environment from <see cref="RentEnv"/> once nothing can refer to it.</summary>
    internal void ReturnEnv(Env env)
    {
        var array = env.Array;
        var length = array.Length;
        if (length >= PooledLengths) return;
        // Cleared so that a pooled array keeps no value alive and its slots read as unset again;
        // by a loop of plain stores (of null: no write barrier), cheaper for these few slots than
        // a call to Array.Clear.
        for (var i = 0; i < array.Length; i++) array[i] = default;
        var pool = _envPool[length] ??= new Value[]?[PoolDepth];
        ref var count = ref _envPoolCount[length];
        if (count < PoolDepth) pool[count++] = array;
    }
}
