using Tvix.Eval.Syntax;

namespace Tvix.Eval.Compiler;

/// <summary>
/// The bindings of a set or <c>let</c> after nested paths are merged
/// (<c>a.b = 1; a.c = 2;</c> becomes <c>a = { b = 1; c = 2; }</c>).
/// </summary>
internal sealed class BindingTree(bool isRecursive, TextSpan span)
{
    public bool IsRecursive = isRecursive;
    public readonly TextSpan Span = span;
    public readonly List<BindingEntry> Static = [];
    public readonly Dictionary<string, BindingEntry> ByName = new(StringComparer.Ordinal);
    public readonly List<(AttrName Name, BindingEntry Entry)> Dynamic = [];
    public readonly List<Expr> InheritSources = [];
}

internal enum InheritKind { None, Plain, From }

internal sealed class BindingEntry(byte[] name, TextSpan span)
{
    public readonly byte[] Name = name;
    public readonly TextSpan Span = span;
    public Expr? Value;
    public BindingTree? Nested;
    public InheritKind Inherit;
    public int InheritSource;
    public string NameText => System.Text.Encoding.UTF8.GetString(Name);
}
