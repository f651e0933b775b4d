using Tvix.Eval;

namespace Tvix.Glue.Builtins;

/// <summary>
/// The string context gathered while a builtin reads its arguments (a set of encoded elements,
/// enumerated in the order they were first added). A derivation's context has a handful of
/// elements, so they are kept in an array searched linearly, with a hash set only past
/// <see cref="LinearLimit"/>: one array per derivation instead of a set, its buckets and entries.
/// </summary>
internal sealed class ContextSet
{
    private const int LinearLimit = 16;

    // Made by the first element: many derivations' attributes have no context.
    private string[]? _elements;
    private HashSet<string>? _index;

    public int Count { get; private set; }

    public void Add(NixString s)
    {
        if (s.Context is { } context)
        {
            for (var i = 0; i < context.Count; i++) Add(context[i]);
        }
    }

    public void Add(string element)
    {
        if (_index is not null)
        {
            if (!_index.Add(element)) return;
        }
        else
        {
            for (var i = 0; i < Count; i++)
            {
                if (ReferenceEquals(_elements![i], element) || string.Equals(_elements[i], element, StringComparison.Ordinal)) return;
            }
            if (Count == LinearLimit)
            {
                _index = new HashSet<string>(StringComparer.Ordinal);
                for (var i = 0; i < Count; i++) _index.Add(_elements![i]);
                _index.Add(element);
            }
        }
        if (_elements is null) _elements = new string[4];
        else if (Count == _elements.Length) Array.Resize(ref _elements, Count * 2);
        _elements[Count++] = element;
    }

    /// <summary>Removes every element, keeping the array for the next derivation.</summary>
    public void Clear()
    {
        if (_elements is not null) Array.Clear(_elements, 0, Count);
        _index = null;
        Count = 0;
    }

    /// <summary>Element <paramref name="index"/>, in the order they were first added.</summary>
    public string this[int index] => _elements![index];

    /// <summary>
    /// Rejects context (Nix's <c>forceStringNoCtx</c>): the string must not refer to a store path.
    /// </summary>
    public static string NoContext(NixString s)
    {
        if (s.Context is { } context)
        {
            var element = context[0];
            throw new NixEvalException($"the string '{s}' is not allowed to refer to a store path (such as '{StripPrefix(element)}')");
        }
        return s.ToString();
    }

    /// <summary>The store path an encoded context element names (<c>=P</c>, <c>!OUT!P</c> or <c>P</c>).</summary>
    public static string StripPrefix(string element)
    {
        if (element.Length > 0 && element[0] == '=') return element[1..];
        if (element.Length > 0 && element[0] == '!') return element[(element.IndexOf('!', 1) + 1)..];
        return element;
    }
}
