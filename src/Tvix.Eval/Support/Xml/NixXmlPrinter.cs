using System.Runtime.CompilerServices;

namespace Tvix.Eval.Support.Xml;

/// <summary>What a value is, for the XML printer.</summary>
internal enum XmlValueKind
{
    String,
    Path,
    Null,
    Integer,
    Float,
    Boolean,
    Attrs,
    List,
    /// <summary>A lambda (its shape comes from <see cref="INixXmlSource{TValue}.GetLambda"/>).</summary>
    Lambda,
    /// <summary>A primop or partially applied primop: Nix writes <c>&lt;unevaluated /&gt;</c>.</summary>
    PrimOp,
    /// <summary>A value that is not evaluated (only when printing lazily).</summary>
    Unevaluated,
}

/// <summary>A source location as <c>nix-instantiate --xml</c> shows it (line and column 1-based, column in bytes).</summary>
/// <summary>Where an attribute or function is: <see cref="Path"/> is null when its source is not a file (<c>-E</c>, stdin), which Nix prints without a path.</summary>
internal readonly record struct XmlPosition(byte[]? Path, int Line, int Column);

/// <summary>The parts of a lambda that Nix shows: <c>x: …</c> or <c>name@{ a, b, ... }: …</c>.</summary>
internal readonly record struct XmlLambdaShape(byte[]? ArgName, bool HasFormals, bool Ellipsis, IReadOnlyList<byte[]> Formals);

/// <summary>
/// Lets <see cref="NixXmlPrinter"/> walk a host's values without knowing their types. The host
/// forces values as needed inside these calls and records string contexts in
/// <see cref="GetString"/>.
/// </summary>
internal interface INixXmlSource<TValue>
{
    /// <summary>Forces (when printing strictly) and classifies a value.</summary>
    XmlValueKind Classify(TValue value);

    /// <summary>The bytes of a string or path.</summary>
    ReadOnlyMemory<byte> GetString(TValue value);

    long GetInteger(TValue value);

    double GetFloat(TValue value);

    bool GetBoolean(TValue value);

    int GetListCount(TValue value);

    TValue GetListItem(TValue value, int index);

    /// <summary>Number of attributes of a set.</summary>
    int GetAttrCount(TValue value);

    /// <summary>The <paramref name="index"/>-th attribute in the byte order of the names (Nix's order).</summary>
    (ReadOnlyMemory<byte> Name, TValue Value) GetAttr(TValue value, int index);

    /// <summary>Looks an attribute up by name.</summary>
    bool TryGetAttr(TValue value, ReadOnlySpan<byte> name, out TValue result);

    XmlLambdaShape GetLambda(TValue value);

    /// <summary>Where the <paramref name="index"/>-th attribute (as in <see cref="GetAttr"/>) was defined, when known.</summary>
    XmlPosition? GetAttrPosition(TValue value, int index);

    /// <summary>Where a lambda was defined, when known.</summary>
    XmlPosition? GetLambdaPosition(TValue value);
}

/// <summary>
/// Prints a value as Nix's <c>builtins.toXML</c> does (<c>printValueAsXML</c>; with
/// <c>location</c>, as <c>nix-instantiate --eval --xml</c> does, attributes and functions also get
/// <c>path</c>, <c>line</c> and <c>column</c> of their definition when it is known): sets become <c>&lt;attrs&gt;</c> with <c>&lt;attr name="…"&gt;</c> children in name
/// order; a set whose <c>type</c> is <c>"derivation"</c> becomes
/// <c>&lt;derivation drvPath="…" outPath="…"&gt;</c>, and its attributes are printed only the first
/// time its <c>drvPath</c> is met (later, or without a drvPath, <c>&lt;repeated /&gt;</c>).
/// </summary>
internal static class NixXmlPrinter
{
    public static byte[] Print<TValue, TSource>(TValue value, TSource source, bool location = false)
        where TSource : INixXmlSource<TValue>
    {
        using var writer = new NixXmlWriter();
        var state = new PrintState(new HashSet<string>(StringComparer.Ordinal), location);
        writer.Open("expr");
        PrintValue(value, source, writer, state);
        writer.Close();
        return writer.Finish();
    }

    /// <summary>Derivations already printed (by drvPath), and whether locations are printed.</summary>
    private sealed record PrintState(HashSet<string> DrvsSeen, bool Location);

    private static void PrintValue<TValue, TSource>(TValue value, TSource source, NixXmlWriter w, PrintState state)
        where TSource : INixXmlSource<TValue>
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new InvalidOperationException("the value is nested too deeply to be printed as XML");
        }
        switch (source.Classify(value))
        {
            case XmlValueKind.String:
                w.Empty("string", new XmlAttr("value", source.GetString(value)));
                return;
            case XmlValueKind.Path:
                w.Empty("path", new XmlAttr("value", source.GetString(value)));
                return;
            case XmlValueKind.Null:
                w.Empty("null");
                return;
            case XmlValueKind.Integer:
                w.Empty("int", new XmlAttr("value", source.GetInteger(value)));
                return;
            case XmlValueKind.Float:
                w.Empty("float", new XmlAttr("value", NixXmlWriter.FormatFloat(source.GetFloat(value))));
                return;
            case XmlValueKind.Boolean:
                w.Empty("bool", new XmlAttr("value", source.GetBoolean(value) ? "true" : "false"));
                return;
            case XmlValueKind.List:
                w.Open("list");
                var count = source.GetListCount(value);
                for (var i = 0; i < count; i++) PrintValue(source.GetListItem(value, i), source, w, state);
                w.Close();
                return;
            case XmlValueKind.Attrs:
                PrintAttrs(value, source, w, state);
                return;
            case XmlValueKind.Lambda:
                PrintLambda(source.GetLambda(value), state.Location ? source.GetLambdaPosition(value) : null, w);
                return;
            default:
                w.Empty("unevaluated");
                return;
        }
    }

    private static void PrintAttrs<TValue, TSource>(TValue value, TSource source, NixXmlWriter w, PrintState state)
        where TSource : INixXmlSource<TValue>
    {
        if (!IsDerivation(value, source))
        {
            w.Open("attrs");
            PrintAttrList(value, source, w, state);
            w.Close();
            return;
        }
        ReadOnlyMemory<byte>? drvPath = StringAttr(value, source, "drvPath"u8);
        ReadOnlyMemory<byte>? outPath = StringAttr(value, source, "outPath"u8);
        Span<XmlAttr> attrs = new XmlAttr[(drvPath.HasValue ? 1 : 0) + (outPath.HasValue ? 1 : 0)];
        var n = 0;
        if (drvPath.HasValue) attrs[n++] = new XmlAttr("drvPath", drvPath.Value);
        if (outPath.HasValue) attrs[n++] = new XmlAttr("outPath", outPath.Value);
        w.Open("derivation", attrs);
        var key = drvPath.HasValue ? System.Text.Encoding.Latin1.GetString(drvPath.Value.Span) : "";
        if (key.Length > 0 && state.DrvsSeen.Add(key)) PrintAttrList(value, source, w, state);
        else w.Empty("repeated");
        w.Close();
    }

    private static void PrintAttrList<TValue, TSource>(TValue value, TSource source, NixXmlWriter w, PrintState state)
        where TSource : INixXmlSource<TValue>
    {
        var count = source.GetAttrCount(value);
        for (var i = 0; i < count; i++)
        {
            var (name, child) = source.GetAttr(value, i);
            if (state.Location && source.GetAttrPosition(value, i) is { } pos)
                OpenAt(w, "attr", pos, new XmlAttr("name", name));
            else
                w.Open("attr", new XmlAttr("name", name));
            PrintValue(child, source, w, state);
            w.Close();
        }
    }

    private static bool IsDerivation<TValue, TSource>(TValue value, TSource source)
        where TSource : INixXmlSource<TValue>
    {
        if (!source.TryGetAttr(value, "type"u8, out var type)) return false;
        return source.Classify(type) == XmlValueKind.String && source.GetString(type).Span.SequenceEqual("derivation"u8);
    }

    private static ReadOnlyMemory<byte>? StringAttr<TValue, TSource>(TValue value, TSource source, ReadOnlySpan<byte> name)
        where TSource : INixXmlSource<TValue>
    {
        if (!source.TryGetAttr(value, name, out var attr)) return null;
        return source.Classify(attr) == XmlValueKind.String ? source.GetString(attr) : null;
    }

    /// <summary>Opens an element with a position (and <paramref name="name"/>, when given), as Nix's posToXML writes it.</summary>
    private static void OpenAt(NixXmlWriter w, string element, XmlPosition pos, XmlAttr? name)
    {
        var buffer = new XmlAttrBuffer();
        Span<XmlAttr> attrs = buffer;
        var n = 0;
        if (name is { } nameAttr) attrs[n++] = nameAttr;
        if (pos.Path is not null) attrs[n++] = new XmlAttr("path", pos.Path);
        attrs[n++] = new XmlAttr("line", pos.Line);
        attrs[n++] = new XmlAttr("column", pos.Column);
        w.Open(element, attrs[..n]);
    }

    private static void PrintLambda(XmlLambdaShape shape, XmlPosition? position, NixXmlWriter w)
    {
        if (position is { } pos) OpenAt(w, "function", pos, null);
        else w.Open("function");
        if (shape.HasFormals)
        {
            var attrs = new List<XmlAttr>(2);
            if (shape.ArgName != null) attrs.Add(new XmlAttr("name", shape.ArgName));
            if (shape.Ellipsis) attrs.Add(new XmlAttr("ellipsis", "1"));
            w.Open("attrspat", System.Runtime.InteropServices.CollectionsMarshal.AsSpan(attrs));
            var formals = shape.Formals.ToArray();
            Array.Sort(formals, static (a, b) => a.AsSpan().SequenceCompareTo(b));
            foreach (var f in formals) w.Empty("attr", new XmlAttr("name", f));
            w.Close();
        }
        else
        {
            w.Empty("varpat", new XmlAttr("name", shape.ArgName ?? []));
        }
        w.Close();
    }
}
