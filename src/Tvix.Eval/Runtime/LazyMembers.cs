using System.Runtime.CompilerServices;

namespace Tvix.Eval.Runtime;

/// <summary>
/// The members of a large set literal (a package set, a library) that are plain thunks, listed
/// once per literal by the bytecode compiler: the expression of each and where its value goes
/// (the set's values array, or the slots of a recursive scope).
/// </summary>
/// <remarks>
/// A member's code is emitted when its first thunk first runs (<see cref="MemberCode"/>), not
/// with the file: an evaluation runs a few hundred of a package set's 12,700 members, and a unit
/// emitted ahead, even as a stub, costs about 90 bytes.
/// </remarks>
internal sealed class MemberTable(Bytecode.Chunk chunk, Node[] members, int[] slots)
{
    private readonly Bytecode.Chunk _chunk = chunk;
    // The expressions not emitted yet, and the code of each once asked for (made on first use).
    private readonly Node?[] _members = members;
    private Code?[]? _units;

    /// <summary>Where member <c>i</c>'s value is stored (an index into the array being filled, or an environment slot).</summary>
    public readonly int[] Slots = slots;

    /// <summary>The code of member <paramref name="index"/>'s thunk.</summary>
    public Code UnitOf(int index)
    {
        var units = _units ??= new Code?[_members.Length];
        if (units[index] is { } unit) return unit;
        var member = _members[index]!;
        return units[index] = member.Kind == NodeKind.Code ? NodeKinds.As<Bytecode.CodeNode>(member) : new MemberCode(this, index, member);
    }

    /// <summary>Emits member <paramref name="index"/>'s code (once) and returns its unit.</summary>
    internal Bytecode.CodeNode Emit(EvalContext cx, int index)
    {
        if (_units![index] is Bytecode.CodeNode done) return done;
        var unit = cx.LowerLater(_chunk, _members[index]!);
        _units[index] = unit;
        _members[index] = null;
        return unit;
    }
}

/// <summary>The code of a member whose unit is not emitted yet (see <see cref="MemberTable"/>): emits it on the first run, then runs it.</summary>
internal sealed class MemberCode(MemberTable table, int index, Node member) : Code(member.Source, member.Span)
{
    private Bytecode.CodeNode? _unit;

    public override Value Eval(EvalContext cx, Env env) => (_unit ??= table.Emit(cx, index)).Eval(cx, env);
}

/// <summary>
/// The thunks of one evaluation of a large set literal, made only when something needs them.
/// </summary>
/// <remarks>
/// <para>
/// nixpkgs builds its package set once per bootstrap stage and overlay (hello: 75,000 member
/// thunks in all), and an evaluation forces a few hundred of them. Instead of a thunk object per
/// member, the set's values hold a reference to this object with the member's index in the
/// value's other 8 bytes (<see cref="Value.FromMember"/>). The first time a member is forced or
/// otherwise needs its thunk (<see cref="Value.RawThunk"/>), the thunk is made and remembered
/// here, so every copy of the value (sets made by <c>//</c> copy the values array) shares it,
/// as copies of a thunk would.
/// </para>
/// <para>
/// A <see cref="Thunk"/> itself, whose code is a marker and whose environment is the members':
/// a member's value then forces as any thunk value does, the member found by its index on the
/// way out of line (<see cref="Thunk.Force(EvalContext, long)"/>). Code that needs the thunk
/// object of a member asks <see cref="Value.RawThunk"/>, which makes it.
/// </para>
/// </remarks>
internal sealed class LazyMembers : Thunk
{
    private readonly MemberTable _table;
    // The thunks made so far, by member index: open addressing with linear probing over index
    // + 1 (0 is an empty bucket). A map, not an array of all members: a package set has 12,700
    // members, of which an evaluation makes a few hundred.
    private int[] _keys = new int[8];
    private Thunk[] _thunks = new Thunk[8];
    private int _count;

    public LazyMembers(MemberTable table, Env env) : base(MembersMarker, env) => _table = table;

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
        var thunk = new Thunk(_table.UnitOf(index), Env.FromArray(Unsafe.As<Value[]>(_tail)));
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
