using System.Text;
using Tvix.Eval;

namespace Tvix.Glue.Builtins;

/// <summary>
/// One-argument native functions <c>s: s.NAME</c> and <c>l: elemAt l I</c>, made once per name
/// or index and shared: <c>derivation</c>'s lazy <c>outPath</c>, <c>drvPath</c> and output
/// attributes are then single-argument lazy calls on them, a smaller thunk per attribute than
/// <c>getAttr NAME strict</c> or <c>elemAt all I</c> with two arguments.
/// </summary>
internal sealed class DerivationSelectors
{
    /// <summary>How many names and indices are kept (a program's output names are few).</summary>
    private const int MaxKept = 64;

    private readonly Lock _lock = new();
    private readonly List<Selector> _attributes = [];
    private readonly List<Selector> _elements = [];

    private sealed class Selector(byte[] name, int index, Value function)
    {
        public readonly byte[] Name = name;
        public readonly int Index = index;
        public readonly Value Function = function;
    }

    /// <summary>The function <c>s: s.NAME</c> (the value as it is in the set, possibly unforced).</summary>
    public Value Attribute(EvalContext cx, ReadOnlySpan<byte> name)
    {
        lock (_lock)
        {
            foreach (var s in _attributes)
            {
                if (name.SequenceEqual(s.Name)) return s.Function;
            }
        }
        var bytes = name.ToArray();
        var function = MakeAttribute(cx, bytes);
        lock (_lock)
        {
            if (_attributes.Count < MaxKept) _attributes.Add(new Selector(bytes, -1, function));
        }
        return function;
    }

    /// <summary>The function <c>l: elemAt l INDEX</c>.</summary>
    public Value Element(EvalContext cx, int index)
    {
        lock (_lock)
        {
            foreach (var s in _elements)
            {
                if (s.Index == index) return s.Function;
            }
        }
        var function = MakeElement(cx, index);
        lock (_lock)
        {
            if (_elements.Count < MaxKept) _elements.Add(new Selector([], index, function));
        }
        return function;
    }

    // The closures are made in methods of their own: a lambda capturing a parameter or local of
    // Attribute or Element would allocate its closure object on every call, found or not.
    private static Value MakeAttribute(EvalContext cx, byte[] name) =>
        cx.CreateFunction("getAttr", 1, (cx, args) =>
            cx.ForceAttrs(args[0]).TryGetValue(name, out var value) ? value : throw cx.Error($"attribute '{Encoding.UTF8.GetString(name)}' missing"));

    private static Value MakeElement(EvalContext cx, int index) =>
        cx.CreateFunction("elemAt", 1, (cx, args) =>
        {
            var items = cx.ForceList(args[0]).AsSpan();
            return (uint)index < (uint)items.Length ? items[index] : throw cx.Error($"list index {index} is out of bounds");
        });
}
