using System.Runtime.CompilerServices;

namespace Tvix.Eval.Runtime;

/// <summary>
/// The members of a large set literal (a package set, a library) that are plain thunks, listed
/// once per literal by the bytecode compiler: the code of each and where its value goes (the
/// set's values array, or the slots of a recursive scope).
/// </summary>
internal sealed class MemberTable(Code[] units, int[] slots)
{
    /// <summary>The code of member <c>i</c>'s thunk.</summary>
    public readonly Code[] Units = units;

    /// <summary>Where member <c>i</c>'s value is stored (an index into the array being filled, or an environment slot).</summary>
    public readonly int[] Slots = slots;
}

/// <summary>
/// The thunks of one evaluation of a large set literal, made only when something needs them.
/// </summary>
/// <remarks>
/// nixpkgs builds its package set once per bootstrap stage and overlay (hello: 6 times, 75,000
/// member thunks), and an evaluation forces a few hundred of them. Instead of a 40-byte thunk
/// per member, the set's values hold a reference to this object with the member's index in the
/// value's other 8 bytes (<see cref="Value.FromMember"/>). The first time a member is forced or
/// otherwise needs its thunk (<see cref="Value.RawThunk"/>), the thunk is made and remembered
/// here, so every copy of the value (sets made by <c>//</c> copy the values array) shares it,
/// as copies of a thunk would.
/// </remarks>
/// <remarks>
/// A <see cref="Thunk"/> itself, whose code is a marker and whose environment is the members':
/// a member's value then forces as any thunk value does, the member found by its index on the
/// way out of line (<see cref="Thunk.Force(EvalContext, long)"/>). Code that needs the thunk
/// object of a member asks <see cref="Value.RawThunk"/>, which makes it.
/// </remarks>
internal sealed class LazyMembers : Thunk
{
    private readonly Code[] _units;
    // The thunks made so far, by member index: open addressing with linear probing over index
    // + 1 (0 is an empty bucket). A map, not an array of all members: a package set has 12,700
    // members, of which an evaluation makes a few hundred.
    private int[] _keys = new int[8];
    private Thunk[] _thunks = new Thunk[8];
    private int _count;

    public LazyMembers(MemberTable table, Env env) : base(MembersMarker, env) => _units = table.Units;

    /// <summary>The value of the member whose index is in <paramref name="bits"/> (see <see cref="Value.FromMember"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal Value ForceMember(EvalContext cx, long bits) => ThunkOf((int)(bits >> 8)).Force(cx);

    // The two below run out of the bytecode loop, whose frame every level of a deep recursion
    // pays for.

    /// <summary>Stores the members of <paramref name="table"/>, evaluated in <paramref name="env"/>, into the array of a set's values.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void StoreItems(MemberTable table, Env env, Value[] items)
    {
        var members = new LazyMembers(table, env);
        var slots = table.Slots;
        for (var i = 0; i < slots.Length; i++) items[slots[i]] = Value.FromMember(members, i);
    }

    /// <summary>Stores the members of <paramref name="table"/> into the slots of <paramref name="env"/>, a recursive set's scope, in which they are evaluated.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void StoreLocals(MemberTable table, Env env)
    {
        var members = new LazyMembers(table, env);
        var slots = table.Slots;
        for (var i = 0; i < slots.Length; i++) env[slots[i]] = Value.FromMember(members, i);
    }

    /// <summary>The thunk of member <paramref name="index"/>, made on first request.</summary>
    public Thunk ThunkOf(int index)
    {
        var mask = _keys.Length - 1;
        var i = Bucket(index, mask);
        while (true)
        {
            var key = _keys[i];
            if (key == index + 1) return _thunks[i];
            if (key == 0) break;
            i = (i + 1) & mask;
        }
        var thunk = new Thunk(_units[index], Env.FromValue(_value));
        _keys[i] = index + 1;
        _thunks[i] = thunk;
        if (++_count * 2 > _keys.Length) Grow();
        return thunk;
    }

    /// <summary>The thunk of member <paramref name="index"/> if it has been made (a member whose thunk was never made is not evaluated).</summary>
    public Thunk? MadeThunk(int index)
    {
        var mask = _keys.Length - 1;
        var i = Bucket(index, mask);
        while (true)
        {
            var key = _keys[i];
            if (key == index + 1) return _thunks[i];
            if (key == 0) return null;
            i = (i + 1) & mask;
        }
    }

    /// <summary>How many members have their thunk (tests).</summary>
    internal int MadeCount => _count;

    // Fibonacci hashing: member indices are consecutive, and the set's forced members cluster.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Bucket(int index, int mask) => (int)(((uint)index * 2654435769u) >> 7) & mask;

    private void Grow()
    {
        var keys = _keys;
        var thunks = _thunks;
        var size = keys.Length * 2;
        var mask = size - 1;
        _keys = new int[size];
        _thunks = new Thunk[size];
        for (var j = 0; j < keys.Length; j++)
        {
            if (keys[j] == 0) continue;
            var i = Bucket(keys[j] - 1, mask);
            while (_keys[i] != 0) i = (i + 1) & mask;
            _keys[i] = keys[j];
            _thunks[i] = thunks[j];
        }
    }
}
