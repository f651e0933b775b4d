namespace Tvix.Eval;

public sealed partial class EvalContext
{
    /// <summary>
    /// Prints a value as <c>nix-instantiate --eval --xml</c> does. With <paramref name="strict"/>
    /// the value is forced deeply first; otherwise what is not evaluated yet prints as
    /// <c>&lt;unevaluated /&gt;</c>. With <paramref name="location"/> (the default, as in Nix; its
    /// <c>--no-location</c> turns it off) attributes and functions carry the <c>path</c>,
    /// <c>line</c> and <c>column</c> of their definition when known; <c>builtins.toXML</c> is the
    /// same as strict printing without locations.
    /// </summary>
    public string PrintXml(Value v, bool strict = false, bool location = true)
    {
        var (xml, _) = global::Tvix.Eval.Builtins.SupportXmlBuiltins.Print(this, Force(v), strict, location);
        return System.Text.Encoding.UTF8.GetString(xml);
    }
}
