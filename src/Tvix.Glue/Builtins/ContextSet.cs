using Tvix.Eval;

namespace Tvix.Glue.Builtins;

/// <summary>The string context gathered while a builtin reads its arguments (a set of encoded elements).</summary>
internal sealed class ContextSet
{
    private readonly HashSet<string> _elements = new(StringComparer.Ordinal);

    public int Count => _elements.Count;

    public void Add(NixString s)
    {
        if (s.Context is { } context)
        {
            var elements = context.Elements;
            for (var i = 0; i < elements.Count; i++) _elements.Add(elements[i]);
        }
    }

    public void Add(string element) => _elements.Add(element);

    public HashSet<string>.Enumerator GetEnumerator() => _elements.GetEnumerator();

    /// <summary>
    /// Rejects context (Nix's <c>forceStringNoCtx</c>): the string must not refer to a store path.
    /// </summary>
    public static string NoContext(NixString s)
    {
        if (s.Context is { } context)
        {
            var element = context.Elements[0];
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
