namespace Tvix.Eval.Compiler;

/// <summary>A compile-time scope; each scope is one runtime <c>Env</c> level.</summary>
internal sealed class Scope(Scope? parent, bool isWith = false)
{
    public readonly Scope? Parent = parent;
    public readonly bool IsWith = isWith;
    public readonly Dictionary<string, int> Names = new(StringComparer.Ordinal);
    public int Size = isWith ? 1 : 0;

    public int Declare(string name)
    {
        var slot = Size++;
        Names[name] = slot;
        return slot;
    }

    public int AllocateHidden() => Size++;
}
