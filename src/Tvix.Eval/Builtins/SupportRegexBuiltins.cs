using Tvix.Eval.Support.Regex;

namespace Tvix.Eval.Builtins;

/// <summary><c>builtins.match</c> and <c>builtins.split</c> (POSIX extended regular expressions).</summary>
internal static class SupportRegexBuiltins
{
    public static void Register(BuiltinRegistry registry, PosixRegexCache cache)
    {
        registry.Add("match", 2, (cx, args) => Match(cx, args, cache));
        registry.Add("split", 2, (cx, args) => Split(cx, args, cache));
    }

    private static PosixRegex Compile(EvalContext cx, PosixRegexCache cache, NixString pattern)
    {
        try
        {
            return cache.Get(pattern.Bytes);
        }
        catch (PosixRegexException e)
        {
            throw cx.Error(e.Message);
        }
    }

    /// <summary>
    /// The subject must match entirely; the result is the list of groups (null for groups that
    /// took no part), or null. Like Nix, the captured strings carry no context.
    /// </summary>
    private static Value Match(EvalContext cx, ReadOnlySpan<Value> args, PosixRegexCache cache)
    {
        var pattern = SupportArgs.StringNoContext(cx, args[0], 0, "match");
        var subject = SupportArgs.String(cx, args[1], 1, "match");
        var regex = Compile(cx, cache, pattern);
        if (regex.GroupCount == 0) return Matches(cx, regex, subject.Bytes, []) ? Value.FromList(NixList.Empty) : Value.Null;
        RegexCapture[]? rented = null;
        var groups = regex.GroupCount <= 16 ? stackalloc RegexCapture[regex.GroupCount]
            : (rented = System.Buffers.ArrayPool<RegexCapture>.Shared.Rent(regex.GroupCount)).AsSpan(0, regex.GroupCount);
        try
        {
            return Matches(cx, regex, subject.Bytes, groups) ? Value.FromList(GroupList(subject.Bytes, groups)) : Value.Null;
        }
        finally
        {
            if (rented != null) System.Buffers.ArrayPool<RegexCapture>.Shared.Return(rented);
        }
    }

    private static bool Matches(EvalContext cx, PosixRegex regex, ReadOnlySpan<byte> subject, Span<RegexCapture> groups)
    {
        try
        {
            return regex.MatchWhole(subject, groups);
        }
        catch (PosixRegexException e)
        {
            throw cx.Error(e.Message);
        }
    }

    /// <summary>
    /// All non-overlapping matches: the text between them alternates with lists of groups,
    /// starting and ending with text (<c>split "(a)" "xay"</c> is <c>[ "x" [ "a" ] "y" ]</c>).
    /// </summary>
    private static Value Split(EvalContext cx, ReadOnlySpan<Value> args, PosixRegexCache cache)
    {
        var pattern = SupportArgs.StringNoContext(cx, args[0], 0, "split");
        var subject = SupportArgs.String(cx, args[1], 1, "split");
        var regex = Compile(cx, cache, pattern);
        using var matches = new RegexSplitMatches(regex.GroupCount);
        try
        {
            regex.Split(subject.Bytes, matches);
        }
        catch (PosixRegexException e)
        {
            throw cx.Error(e.Message);
        }
        // Without a match Nix returns the subject itself, context included.
        if (matches.Count == 0) return Value.FromList(new NixList([Value.FromString(subject)]));
        var bytes = subject.Bytes;
        var items = new Value[matches.Count * 2 + 1];
        var n = 0;
        for (var m = 0; m < matches.Count; m++)
        {
            items[n++] = SupportArgs.Str(bytes.Slice(matches.PrefixStart(m), matches.PrefixLength(m)));
            items[n++] = Value.FromList(GroupList(bytes, matches, m));
        }
        items[n] = SupportArgs.Str(bytes[matches.LastEnd..]);
        return Value.FromList(new NixList(items));
    }

    private static NixList GroupList(ReadOnlySpan<byte> subject, RegexSplitMatches matches, int m)
    {
        if (matches.GroupCount == 0) return NixList.Empty;
        var items = new Value[matches.GroupCount];
        for (var g = 0; g < items.Length; g++)
        {
            var c = matches.Group(m, g);
            items[g] = c.Matched ? SupportArgs.Str(subject.Slice(c.Start, c.Length)) : Value.Null;
        }
        return new NixList(items);
    }

    private static NixList GroupList(ReadOnlySpan<byte> subject, ReadOnlySpan<RegexCapture> groups)
    {
        var items = new Value[groups.Length];
        for (var i = 0; i < groups.Length; i++)
        {
            var g = groups[i];
            items[i] = g.Matched ? SupportArgs.Str(subject.Slice(g.Start, g.Length)) : Value.Null;
        }
        return new NixList(items);
    }
}
