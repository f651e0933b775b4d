using System.Text;

namespace Tvix.Eval.Support.Regex;

/// <summary>
/// Translates a POSIX extended regular expression, as C++ Nix compiles it
/// (<c>std::regex::extended</c> from libstdc++), into an equivalent .NET pattern.
/// </summary>
/// <remarks>
/// <para>Both the pattern and the subject are byte strings in Nix. We decode them as Latin-1 so
/// that every byte becomes exactly one <see cref="char"/>: offsets stay byte offsets, <c>.</c>
/// matches one byte as it does in C++ (a UTF-8 character is several bytes there too), and no
/// input can fail to decode. Character classes are spelled out as ASCII ranges because Nix runs
/// in the C locale, where bytes ≥ 0x80 belong to no class. Every character that is not a letter
/// or digit is emitted as <c>\xHH</c>, so .NET never sees a metacharacter we did not mean.</para>
/// <para>Differences from .NET syntax handled here: <c>$</c> is only the end of the subject
/// (.NET's <c>$</c> also matches before a final newline), <c>.</c> matches anything but NUL
/// (including newline), a backslash before an ordinary character is that character (<c>\n</c> is
/// <c>n</c>), inside brackets a backslash is literal and <c>]</c> first is literal, all groups
/// capture, and quantifiers can be stacked (<c>a*?</c> is <c>(a*)?</c>, not a lazy star).</para>
/// </remarks>
internal static class PosixRegexTranslator
{
    /// <summary>Returns the .NET pattern, the number of capture groups and whether it has a '|'.</summary>
    /// <exception cref="PosixRegexException">The pattern is not a valid POSIX ERE.</exception>
    public static (string Pattern, int GroupCount, bool HasAlternation) Translate(string ere)
    {
        var state = new State(ere);
        var sb = new StringBuilder(ere.Length * 2);
        var states = ParseAlternation(ref state, sb, depth: 0);
        if (states + 2 >= StateLimit) throw PosixRegexException.TooLarge(ere);
        if (state.Pos < ere.Length) throw Invalid(ere); // an unmatched ')'
        return (sb.ToString(), state.Groups, state.HasAlternation);
    }

    private struct State(string ere)
    {
        public readonly string Ere = ere;
        public int Pos;
        public int Groups;
        public bool HasAlternation;

        public readonly bool AtEnd => Pos >= Ere.Length;

        public readonly char Current => Ere[Pos];
    }

    private static PosixRegexException Invalid(string ere) => new(ere);

    /// <summary>
    /// libstdc++ refuses patterns whose automaton needs more than 100 000 states ("memory limit
    /// exceeded"); bounded repeats copy their operand, so <c>(ab){20000}</c> is too large. We
    /// estimate the states the same way (one per character, three per group, one per
    /// alternative or loop, a copy per repetition) to fail on the same patterns.
    /// </summary>
    private const long StateLimit = 100_000;

    private static long ParseAlternation(ref State st, StringBuilder sb, int depth)
    {
        long states = 0;
        while (true)
        {
            states += ParseBranch(ref st, sb, depth);
            if (!st.AtEnd && st.Current == '|')
            {
                st.HasAlternation = true;
                sb.Append('|');
                st.Pos++;
                states++;
                continue;
            }
            return states;
        }
    }

    private static long ParseBranch(ref State st, StringBuilder sb, int depth)
    {
        long states = 0;
        while (!st.AtEnd)
        {
            var c = st.Current;
            if (c == '|') return states;
            if (c == ')')
            {
                if (depth == 0) throw Invalid(st.Ere);
                return states;
            }
            var atomStart = sb.Length;
            var quantifiable = ParseAtom(ref st, sb, depth, out var atomStates);
            var quantified = false;
            while (!st.AtEnd && IsQuantifierStart(ref st))
            {
                if (!quantifiable) throw Invalid(st.Ere);
                if (quantified)
                {
                    // Stacked quantifiers apply to the quantified atom: a*? is (a*)?.
                    sb.Insert(atomStart, "(?:");
                    sb.Append(')');
                }
                atomStates = AppendQuantifier(ref st, sb, atomStates);
                quantified = true;
            }
            states = Math.Min(states + atomStates, StateLimit + 1);
        }
        return states;
    }

    private static bool IsQuantifierStart(ref State st) => st.Current is '*' or '+' or '?' or '{';

    /// <summary>Appends a quantifier; returns the estimated states of the quantified atom.</summary>
    private static long AppendQuantifier(ref State st, StringBuilder sb, long atomStates)
    {
        var c = st.Current;
        st.Pos++;
        if (c != '{')
        {
            sb.Append(c);
            return c == '+' ? atomStates * 2 + 1 : atomStates + 1;
        }
        var min = ReadNumber(ref st);
        if (min < 0) throw Invalid(st.Ere);
        var max = min;
        if (!st.AtEnd && st.Current == ',')
        {
            st.Pos++;
            max = ReadNumber(ref st); // -1: unbounded
        }
        if (st.AtEnd || st.Current != '}') throw Invalid(st.Ere);
        st.Pos++;
        if (max >= 0 && max < min) throw Invalid(st.Ere);
        sb.Append('{').Append(min);
        if (max != min) sb.Append(',').Append(max >= 0 ? max.ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
        sb.Append('}');
        var copies = (max >= 0 ? max : min + 1) + 1L;
        return Math.Min(atomStates * copies + (max >= 0 ? max - min : 1), StateLimit + 1);
    }

    private static int ReadNumber(ref State st)
    {
        var start = st.Pos;
        long value = 0;
        while (!st.AtEnd && st.Current is >= '0' and <= '9')
        {
            value = value * 10 + (st.Current - '0');
            if (value > 1_000_000) throw PosixRegexException.TooLarge(st.Ere);
            st.Pos++;
        }
        return st.Pos == start ? -1 : (int)value;
    }

    /// <summary>Appends one atom; returns whether a quantifier may follow it.</summary>
    private static bool ParseAtom(ref State st, StringBuilder sb, int depth, out long states)
    {
        states = 1;
        var c = st.Current;
        switch (c)
        {
            case '*' or '+' or '?' or '{':
                throw Invalid(st.Ere); // a quantifier with nothing to repeat
            case '(':
                st.Pos++;
                st.Groups++;
                sb.Append('(');
                states = ParseAlternation(ref st, sb, depth + 1) + 3;
                if (st.AtEnd || st.Current != ')') throw Invalid(st.Ere);
                st.Pos++;
                sb.Append(')');
                return true;
            case '^':
                st.Pos++;
                sb.Append(@"\A");
                return false;
            case '$':
                st.Pos++;
                sb.Append(@"\z");
                return false;
            case '.':
                st.Pos++;
                sb.Append(@"[^\x00]");
                return true;
            case '[':
                ParseBracket(ref st, sb);
                return true;
            case '\\':
                st.Pos++;
                // Only the special characters may be escaped (libstdc++ rejects "\n", "\1", "\}", …).
                if (st.AtEnd || st.Current is not ('{' or '[' or '(' or ')' or '|' or '^' or '$' or '.' or '*' or '+' or '?' or '\\'))
                {
                    throw Invalid(st.Ere);
                }
                AppendLiteral(sb, st.Current);
                st.Pos++;
                return true;
            default:
                AppendLiteral(sb, c);
                st.Pos++;
                return true;
        }
    }

    private static void AppendLiteral(StringBuilder sb, char c)
    {
        if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')) sb.Append(c);
        else AppendHex(sb, c);
    }

    private static void AppendHex(StringBuilder sb, char c)
    {
        const string digits = "0123456789ABCDEF";
        sb.Append(@"\x").Append(digits[(c >> 4) & 0xF]).Append(digits[c & 0xF]);
    }

    private static void ParseBracket(ref State st, StringBuilder sb)
    {
        var set = ParseBracketSet(st.Ere, ref st.Pos, out var negated);
        AppendSet(sb, set, negated);
    }

    /// <summary>
    /// Parses a bracket expression at <paramref name="pos"/> (on its '[') up to and including its
    /// ']'; returns the bytes it lists (before negation) as 256 flags, which lets ranges and
    /// classes combine freely.
    /// </summary>
    internal static bool[] ParseBracketSet(string ere, ref int pos, out bool negated)
    {
        var st = new State(ere) { Pos = pos };
        var set = ParseBracketSet(ref st, out negated);
        pos = st.Pos;
        return set;
    }

    private static bool[] ParseBracketSet(ref State st, out bool negated)
    {
        var ere = st.Ere;
        st.Pos++; // '['
        negated = !st.AtEnd && st.Current == '^';
        if (negated) st.Pos++;
        var set = new bool[256];
        var first = true;
        while (true)
        {
            if (st.AtEnd) throw Invalid(ere);
            var c = st.Current;
            if (c == ']' && !first)
            {
                st.Pos++;
                break;
            }
            first = false;
            int low;
            if (c == '[' && st.Pos + 1 < ere.Length && ere[st.Pos + 1] is ':' or '=' or '.')
            {
                var kind = ere[st.Pos + 1];
                var close = ere.IndexOf(kind + "]", st.Pos + 2, StringComparison.Ordinal);
                if (close < 0) throw Invalid(ere);
                var name = ere.Substring(st.Pos + 2, close - st.Pos - 2);
                st.Pos = close + 2;
                if (kind == ':')
                {
                    if (!AddClass(set, name)) throw Invalid(ere);
                    // A class cannot start a range.
                    if (st.Pos + 1 < ere.Length && ere[st.Pos] == '-' && ere[st.Pos + 1] != ']') throw Invalid(ere);
                    continue;
                }
                // [=c=] and [.c.]: in the C locale only single characters are collating elements.
                if (name.Length != 1) throw Invalid(ere);
                low = name[0];
            }
            else
            {
                low = c;
                st.Pos++;
            }
            // A range a-z, unless the '-' is the last character before ']'.
            if (st.Pos + 1 < ere.Length && ere[st.Pos] == '-' && ere[st.Pos + 1] != ']')
            {
                st.Pos++;
                // libstdc++ does not accept a collating element as the end of a range.
                if (ere[st.Pos] == '[' && st.Pos + 1 < ere.Length && ere[st.Pos + 1] is '=' or '.' or ':') throw Invalid(ere);
                var high = (int)ere[st.Pos];
                st.Pos++;
                if (high < low) throw Invalid(ere);
                for (var i = low; i <= high && i < 256; i++) set[i] = true;
                continue;
            }
            if (low < 256) set[low] = true;
        }
        return set;
    }

    private static void AppendSet(StringBuilder sb, bool[] set, bool negated)
    {
        var any = false;
        for (var i = 0; i < 256 && !any; i++) any = set[i];
        if (!any)
        {
            // Cannot happen for a well-formed bracket (']' first is literal), but stay exact.
            sb.Append(negated ? @"[\x00-\xFF]" : @"[^\x00-\xFF]");
            return;
        }
        sb.Append('[');
        if (negated) sb.Append('^');
        for (var i = 0; i < 256; i++)
        {
            if (!set[i]) continue;
            var j = i;
            while (j + 1 < 256 && set[j + 1]) j++;
            AppendHex(sb, (char)i);
            if (j > i)
            {
                sb.Append('-');
                AppendHex(sb, (char)j);
            }
            i = j;
        }
        sb.Append(']');
    }

    /// <summary>The POSIX classes of the C locale (ASCII only).</summary>
    private static bool AddClass(bool[] set, string name)
    {
        switch (name)
        {
            case "alpha": Range(set, 'a', 'z'); Range(set, 'A', 'Z'); return true;
            case "digit": Range(set, '0', '9'); return true;
            case "alnum": Range(set, 'a', 'z'); Range(set, 'A', 'Z'); Range(set, '0', '9'); return true;
            case "upper": Range(set, 'A', 'Z'); return true;
            case "lower": Range(set, 'a', 'z'); return true;
            case "space": Range(set, '\t', '\r'); set[' '] = true; return true;
            case "blank": set[' '] = true; set['\t'] = true; return true;
            case "punct": Range(set, '!', '/'); Range(set, ':', '@'); Range(set, '[', '`'); Range(set, '{', '~'); return true;
            case "print": Range(set, ' ', '~'); return true;
            case "graph": Range(set, '!', '~'); return true;
            case "cntrl": Range(set, '\0', '\x1F'); set[0x7F] = true; return true;
            case "xdigit": Range(set, '0', '9'); Range(set, 'a', 'f'); Range(set, 'A', 'F'); return true;
            // libstdc++ also knows "w" (word characters: alnum and '_').
            case "w": Range(set, 'a', 'z'); Range(set, 'A', 'Z'); Range(set, '0', '9'); set['_'] = true; return true;
            default: return false;
        }
    }

    private static void Range(bool[] set, char low, char high)
    {
        for (int i = low; i <= high; i++) set[i] = true;
    }
}
