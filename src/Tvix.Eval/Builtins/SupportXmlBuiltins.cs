using System.Runtime.CompilerServices;
using System.Text;
using Tvix.Eval.Runtime;
using Tvix.Eval.Support.Xml;

namespace Tvix.Eval.Builtins;

/// <summary><c>builtins.toXML</c>: Nix's XML over the values of this evaluator.</summary>
internal static class SupportXmlBuiltins
{
    public static void Register(BuiltinRegistry registry) => registry.Add("toXML", 1, ToXml);

    /// <summary>Forces the value deeply and prints it; the result keeps the context of every string printed.</summary>
    private static Value ToXml(EvalContext cx, ReadOnlySpan<Value> args)
    {
        var (xml, context) = Print(cx, args[0], strict: true);
        return Value.FromString(new NixString(xml, context));
    }

    /// <summary>
    /// The XML of a value (also for hosts such as <c>nix-instantiate --eval --xml</c>, which print
    /// where attributes and functions were defined: <paramref name="location"/>).
    /// </summary>
    public static (byte[] Xml, NixContext? Context) Print(EvalContext cx, Value value, bool strict, bool location = false)
    {
        var source = new ValueSource(cx, strict);
        var xml = NixXmlPrinter.Print(value, source, location);
        return (xml, source.State.Context.Build());
    }

    private sealed class PrintState
    {
        public ContextAccumulator Context;

        // The UTF-8 path of the file the last position was in: a set's attributes, and so runs of
        // positions, mostly come from one file (NixOS's options document has tens of thousands).
        public Syntax.SourceText? PathSource;
        public byte[]? PathBytes;
    }

    private readonly struct ValueSource(EvalContext cx, bool strict) : INixXmlSource<Value>
    {
        public readonly PrintState State = new();

        public XmlValueKind Classify(Value value)
        {
            if (!cx.HasStack()) throw cx.StackOverflow();
            value = Forced(value);
            return value.Kind switch
            {
                ValueKind.String => XmlValueKind.String,
                ValueKind.Path => XmlValueKind.Path,
                ValueKind.Null => XmlValueKind.Null,
                ValueKind.Int => XmlValueKind.Integer,
                ValueKind.Float => XmlValueKind.Float,
                ValueKind.Bool => XmlValueKind.Boolean,
                ValueKind.Attrs => XmlValueKind.Attrs,
                ValueKind.List => XmlValueKind.List,
                ValueKind.Lambda => XmlValueKind.Lambda,
                ValueKind.PrimOp or ValueKind.PrimOpApp => XmlValueKind.PrimOp,
                _ => XmlValueKind.Unevaluated,
            };
        }

        /// <summary>Strictly: the forced value. Lazily: a thunk's result if it was evaluated already (else the thunk, printed as unevaluated).</summary>
        private Value Forced(Value value)
        {
            if (strict) return cx.Force(value);
            return value.Settled;
        }

        public ReadOnlyMemory<byte> GetString(Value value)
        {
            value = Forced(value);
            if (value.Kind == ValueKind.Path) return Encoding.UTF8.GetBytes(value.RawPath);
            var s = value.RawString;
            State.Context.Add(s.Context);
            return s.Memory;
        }

        public long GetInteger(Value value) => Forced(value).RawInt;

        public double GetFloat(Value value) => Forced(value).RawFloat;

        public bool GetBoolean(Value value) => Forced(value).RawBool;

        public int GetListCount(Value value) => Forced(value).RawList.Count;

        public Value GetListItem(Value value, int index) => Forced(value).RawList.Items[index];

        public int GetAttrCount(Value value) => Forced(value).RawAttrs.Count;

        public (ReadOnlyMemory<byte> Name, Value Value) GetAttr(Value value, int index)
        {
            var attrs = Forced(value).RawAttrs;
            var i = attrs.ByteOrder()[index];
            return (attrs.Symbols.Bytes(attrs.Keys[i]), attrs.Values[i]);
        }

        public bool TryGetAttr(Value value, ReadOnlySpan<byte> name, out Value result) =>
            Forced(value).RawAttrs.TryGetValue(name, out result);

        public XmlPosition? GetAttrPosition(Value value, int index)
        {
            var attrs = Forced(value).RawAttrs;
            if (attrs.Positions is not { } positions) return null;
            var pos = attrs.Symbols.Positions.Resolve(positions[attrs.ByteOrder()[index]]);
            return pos is { } at ? At(at.Source, at.Offset) : null;
        }

        public XmlPosition? GetLambdaPosition(Value value)
        {
            var code = Unsafe.As<Closure>(Forced(value).Obj!).Code;
            return At(code.Source, code.Span.Start);
        }

        /// <summary>A position with its file, or without a path when the source is not a file (as current Nix).</summary>
        private XmlPosition At(Syntax.SourceText source, int offset)
        {
            var (line, column) = source.GetLineColumn(offset);
            if (source.Path is null) return new XmlPosition(null, line, column);
            if (!ReferenceEquals(State.PathSource, source))
            {
                State.PathSource = source;
                State.PathBytes = Encoding.UTF8.GetBytes(source.Path);
            }
            return new XmlPosition(State.PathBytes, line, column);
        }

        public XmlLambdaShape GetLambda(Value value)
        {
            var code = Unsafe.As<Closure>(Forced(value).Obj!).Code;
            if (code.Formals == null)
            {
                return new XmlLambdaShape(code.ParamName == null ? [] : Encoding.UTF8.GetBytes(code.ParamName), false, false, []);
            }
            var formals = new byte[code.Formals.Length][];
            for (var i = 0; i < formals.Length; i++) formals[i] = Encoding.UTF8.GetBytes(code.Formals[i].Name);
            var atName = code.AtSlot >= 0 ? LambdaAtName.Find(code.Source.Bytes.Span, code.Span) : null;
            return new XmlLambdaShape(atName, true, code.HasEllipsis, formals);
        }
    }
}

/// <summary>
/// Recovers the <c>@</c> name of a pattern lambda (<c>args@{ … }: …</c> or <c>{ … }@args: …</c>)
/// from its source text, since the compiled lambda keeps only the slot of that name.
/// </summary>
internal static class LambdaAtName
{
    public static byte[]? Find(ReadOnlySpan<byte> source, Syntax.TextSpan span)
    {
        if (span.Start < 0 || span.End > source.Length) return null;
        var text = source.Slice(span.Start, span.Length);
        var i = 0;
        if (IsIdentStart(text, 0))
        {
            // name @ { … }
            while (i < text.Length && IsIdentChar(text[i])) i++;
            var name = text[..i];
            i = SkipTrivia(text, i);
            return i < text.Length && text[i] == '@' ? name.ToArray() : null;
        }
        if (text.IsEmpty || text[0] != '{') return null;
        i = SkipBraces(text, 0);
        if (i < 0) return null;
        i = SkipTrivia(text, i);
        if (i >= text.Length || text[i] != '@') return null;
        i = SkipTrivia(text, i + 1);
        var start = i;
        while (i < text.Length && IsIdentChar(text[i])) i++;
        return i > start ? text[start..i].ToArray() : null;
    }

    private static bool IsIdentStart(ReadOnlySpan<byte> s, int i) =>
        i < s.Length && (s[i] is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (byte)'_');

    private static bool IsIdentChar(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9') or (byte)'_' or (byte)'\'' or (byte)'-';

    /// <summary>Skips whitespace and comments.</summary>
    private static int SkipTrivia(ReadOnlySpan<byte> s, int i)
    {
        while (i < s.Length)
        {
            if (s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') { i++; continue; }
            if (s[i] == '#') { while (i < s.Length && s[i] != '\n') i++; continue; }
            if (s[i] == '/' && i + 1 < s.Length && s[i + 1] == '*')
            {
                var end = s[(i + 2)..].IndexOf("*/"u8);
                i = end < 0 ? s.Length : i + 2 + end + 2;
                continue;
            }
            break;
        }
        return i;
    }

    /// <summary>From a '{', the index after its matching '}', skipping strings and comments; -1 if none.</summary>
    private static int SkipBraces(ReadOnlySpan<byte> s, int i)
    {
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '#' || (c == '/' && i + 1 < s.Length && s[i + 1] == '*')) { i = SkipTrivia(s, i); continue; }
            if (c == '"')
            {
                i++;
                while (i < s.Length && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
                i++;
                continue;
            }
            if (c == '\'' && i + 1 < s.Length && s[i + 1] == '\'')
            {
                i += 2;
                while (i + 1 < s.Length && !(s[i] == '\'' && s[i + 1] == '\'' && (i + 2 >= s.Length || s[i + 2] is not ((byte)'\'' or (byte)'$' or (byte)'\\'))))
                {
                    i += s[i] == '\'' && s[i + 1] == '\'' ? 3 : 1;
                }
                i += 2;
                continue;
            }
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i + 1;
            i++;
        }
        return -1;
    }
}
