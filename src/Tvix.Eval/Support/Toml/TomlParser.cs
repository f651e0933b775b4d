using System.Globalization;
using System.Text;

namespace Tvix.Eval.Support.Toml;

/// <summary>
/// A TOML 1.0.0 parser (https://toml.io/en/v1.0.0) for <c>builtins.fromTOML</c>. It checks the
/// whole grammar, including the rules about which tables may be defined or extended where, and
/// reports the first problem with its line and column.
/// </summary>
internal sealed class TomlParser
{
    // UTF-8 that throws on invalid bytes, made without naming UTF8Encoding: a reference to that
    // type in this assembly made precompiled code elsewhere in it load System.Text.Encoding.Extensions
    // (the type's reference assembly) at every start.
    private static readonly Encoding StrictUtf8 =
        Encoding.GetEncoding(Encoding.UTF8.CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);

    private readonly string _s;
    private int _pos;

    private TomlParser(string text) => _s = text;

    /// <summary>Parses a document given as bytes, which must be UTF-8 (a leading BOM is allowed).</summary>
    public static TomlValue Parse(ReadOnlySpan<byte> utf8)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException e)
        {
            var index = e.Index >= 0 ? e.Index : 0;
            var (line, column) = PositionOfByte(utf8, index);
            throw new TomlException("the document is not valid UTF-8", line, column);
        }
        return Parse(text);
    }

    /// <summary>Parses a document given as text.</summary>
    public static TomlValue Parse(string text)
    {
        var parser = new TomlParser(text);
        if (text.Length > 0 && text[0] == '\uFEFF') parser._pos = 1;
        return parser.ParseDocument();
    }

    private static (int Line, int Column) PositionOfByte(ReadOnlySpan<byte> bytes, int index)
    {
        int line = 1, column = 1;
        for (var i = 0; i < index && i < bytes.Length; i++)
        {
            if (bytes[i] == '\n') { line++; column = 1; }
            else if ((bytes[i] & 0xC0) != 0x80) column++;
        }
        return (line, column);
    }

    // ---- document structure -------------------------------------------------------------

    private TomlValue ParseDocument()
    {
        var root = TomlValue.NewTable(TomlTableState.Header);
        var current = root;
        while (true)
        {
            SkipWhitespace();
            if (AtEnd) break;
            var c = _s[_pos];
            if (c == '#' || c == '\n' || c == '\r')
            {
                EndOfLine();
            }
            else if (c == '[')
            {
                current = ParseHeader(root);
                EndOfLine();
            }
            else
            {
                var keyStart = _pos;
                var keys = ParseKey();
                SkipWhitespace();
                Expect('=', "expected '=' after a key");
                SkipWhitespace();
                var value = ParseValue();
                Insert(current, keys, value, keyStart);
                EndOfLine();
            }
        }
        return root;
    }

    /// <summary>After a key/value pair or a header only whitespace, a comment and a newline may follow.</summary>
    private void EndOfLine()
    {
        SkipWhitespace();
        if (AtEnd) return;
        if (_s[_pos] == '#') SkipComment();
        if (AtEnd) return;
        if (!TryNewline()) throw Error("expected the end of the line");
    }

    private TomlValue ParseHeader(TomlValue root)
    {
        var start = _pos;
        _pos++; // '['
        var isArray = !AtEnd && _s[_pos] == '[';
        if (isArray) _pos++;
        SkipWhitespace();
        var keys = ParseKey();
        SkipWhitespace();
        Expect(']', isArray ? "expected ']]' to close the array-of-tables header" : "expected ']' to close the table header");
        if (isArray) Expect(']', "expected ']]' to close the array-of-tables header");

        var table = root;
        for (var i = 0; i < keys.Count - 1; i++)
        {
            table = DescendForHeader(table, keys[i], start);
        }
        var last = keys[^1];
        table.Entries!.TryGetValue(last, out var existing);
        if (isArray)
        {
            var element = TomlValue.NewTable(TomlTableState.Header);
            if (existing == null)
            {
                var array = TomlValue.NewArray(arrayOfTables: true);
                array.Items!.Add(element);
                table.Entries[last] = array;
            }
            else if (existing.Kind == TomlValueKind.Array && existing.IsArrayOfTables)
            {
                existing.Items!.Add(element);
            }
            else
            {
                throw ErrorAt(start, $"cannot define '{KeyText(keys)}' as an array of tables: it is already defined as {Describe(existing)}");
            }
            return element;
        }
        if (existing == null)
        {
            var created = TomlValue.NewTable(TomlTableState.Header);
            table.Entries[last] = created;
            return created;
        }
        if (existing.Kind == TomlValueKind.Table && existing.TableState == TomlTableState.Implicit)
        {
            existing.TableState = TomlTableState.Header;
            return existing;
        }
        throw ErrorAt(start, $"table '{KeyText(keys)}' is already defined");
    }

    private TomlValue DescendForHeader(TomlValue table, string key, int start)
    {
        if (!table.Entries!.TryGetValue(key, out var next))
        {
            next = TomlValue.NewTable(TomlTableState.Implicit);
            table.Entries[key] = next;
            return next;
        }
        if (next.Kind == TomlValueKind.Table && next.TableState != TomlTableState.Frozen) return next;
        if (next.Kind == TomlValueKind.Array && next.IsArrayOfTables) return next.Items![^1];
        throw ErrorAt(start, $"cannot define a table inside '{key}': it is {Describe(next)}");
    }

    /// <summary>Adds <paramref name="value"/> under a (possibly dotted) key of <paramref name="table"/>.</summary>
    private void Insert(TomlValue table, List<string> keys, TomlValue value, int keyStart)
    {
        for (var i = 0; i < keys.Count - 1; i++)
        {
            if (!table.Entries!.TryGetValue(keys[i], out var next))
            {
                next = TomlValue.NewTable(TomlTableState.Dotted);
                table.Entries[keys[i]] = next;
            }
            else if (next.Kind != TomlValueKind.Table || next.TableState != TomlTableState.Dotted)
            {
                throw ErrorAt(keyStart, $"cannot add keys to '{KeyText(keys, i + 1)}' with a dotted key: it is {Describe(next)}");
            }
            table = next;
        }
        if (!table.Entries!.TryAdd(keys[^1], value))
        {
            throw ErrorAt(keyStart, $"duplicate key '{KeyText(keys)}'");
        }
    }

    private static string Describe(TomlValue v) => v.Kind switch
    {
        TomlValueKind.Table => v.TableState switch
        {
            TomlTableState.Frozen => "an inline table",
            TomlTableState.Dotted => "a table defined by dotted keys",
            _ => "a table defined by a header",
        },
        TomlValueKind.Array => v.IsArrayOfTables ? "an array of tables" : "an array",
        _ => "a " + v.Kind.ToString().ToLowerInvariant(),
    };

    private static string KeyText(List<string> keys, int count = -1)
    {
        if (count < 0) count = keys.Count;
        return string.Join('.', keys.GetRange(0, count));
    }

    // ---- keys ---------------------------------------------------------------------------

    private List<string> ParseKey()
    {
        var keys = new List<string>(2);
        while (true)
        {
            SkipWhitespace();
            keys.Add(ParseSimpleKey());
            SkipWhitespace();
            if (!AtEnd && _s[_pos] == '.') { _pos++; continue; }
            return keys;
        }
    }

    private string ParseSimpleKey()
    {
        if (AtEnd) throw Error("expected a key");
        var c = _s[_pos];
        if (c == '"')
        {
            if (StartsWith("\"\"\"")) throw Error("a key cannot be a multi-line string");
            return ParseBasicString();
        }
        if (c == '\'')
        {
            if (StartsWith("'''")) throw Error("a key cannot be a multi-line string");
            return ParseLiteralString();
        }
        var start = _pos;
        while (!AtEnd && IsBareKeyChar(_s[_pos])) _pos++;
        if (_pos == start) throw Error(c == '=' ? "expected a key before '='" : $"unexpected character {Show(c)}, expected a key");
        return _s.Substring(start, _pos - start);
    }

    private static bool IsBareKeyChar(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-';

    // ---- values -------------------------------------------------------------------------

    private TomlValue ParseValue()
    {
        if (AtEnd) throw Error("expected a value");
        var c = _s[_pos];
        switch (c)
        {
            case '"':
                return TomlValue.String(StartsWith("\"\"\"") ? ParseMultilineBasicString() : ParseBasicString());
            case '\'':
                return TomlValue.String(StartsWith("'''") ? ParseMultilineLiteralString() : ParseLiteralString());
            case '[':
                return ParseArray();
            case '{':
                return ParseInlineTable();
            case 't':
                ExpectWord("true");
                return TomlValue.Boolean(true);
            case 'f':
                ExpectWord("false");
                return TomlValue.Boolean(false);
        }
        if (LooksLikeDate()) return TomlValue.DateTime(ParseDateOrDateTime());
        if (LooksLikeTime()) return TomlValue.DateTime(ParseLocalTime());
        if (c is (>= '0' and <= '9') or '+' or '-' or 'i' or 'n') return ParseNumber();
        throw Error($"unexpected character {Show(c)}, expected a value");
    }

    private void ExpectWord(string word)
    {
        var start = _pos;
        while (!AtEnd && IsBareKeyChar(_s[_pos])) _pos++;
        if (string.CompareOrdinal(_s, start, word, 0, Math.Max(word.Length, _pos - start)) != 0 || _pos - start != word.Length)
        {
            throw ErrorAt(start, $"invalid value '{_s.Substring(start, _pos - start)}'");
        }
    }

    private TomlValue ParseArray()
    {
        _pos++; // '['
        var array = TomlValue.NewArray(arrayOfTables: false);
        while (true)
        {
            SkipWhitespaceCommentsAndNewlines();
            if (AtEnd) throw Error("unterminated array");
            if (_s[_pos] == ']') { _pos++; return array; }
            var value = ParseValue();
            Freeze(value);
            array.Items!.Add(value);
            SkipWhitespaceCommentsAndNewlines();
            if (AtEnd) throw Error("unterminated array");
            if (_s[_pos] == ',') { _pos++; continue; }
            if (_s[_pos] == ']') { _pos++; return array; }
            throw Error($"expected ',' or ']' in an array, found {Show(_s[_pos])}");
        }
    }

    private TomlValue ParseInlineTable()
    {
        _pos++; // '{'
        var table = TomlValue.NewTable(TomlTableState.Header);
        SkipWhitespace();
        if (!AtEnd && _s[_pos] == '}') { _pos++; Freeze(table); return table; }
        while (true)
        {
            SkipWhitespace();
            var keyStart = _pos;
            var keys = ParseKey();
            SkipWhitespace();
            Expect('=', "expected '=' after a key");
            SkipWhitespace();
            var value = ParseValue();
            Insert(table, keys, value, keyStart);
            SkipWhitespace();
            if (AtEnd) throw Error("unterminated inline table");
            var c = _s[_pos];
            if (c == ',') { _pos++; continue; }
            if (c == '}') { _pos++; Freeze(table); return table; }
            throw Error(c is '\n' or '\r' ? "an inline table must be on one line" : $"expected ',' or '}}' in an inline table, found {Show(c)}");
        }
    }

    /// <summary>Inline tables and values inside arrays are complete: nothing may add to them later.</summary>
    private static void Freeze(TomlValue value)
    {
        if (value.Kind == TomlValueKind.Table)
        {
            value.TableState = TomlTableState.Frozen;
            foreach (var child in value.Entries!.Values) Freeze(child);
        }
        else if (value.Kind == TomlValueKind.Array)
        {
            foreach (var child in value.Items!) Freeze(child);
        }
    }

    // ---- strings ------------------------------------------------------------------------

    private string ParseBasicString()
    {
        var start = _pos;
        _pos++; // '"'
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd || _s[_pos] == '\n' || _s[_pos] == '\r') throw ErrorAt(start, "unterminated string");
            var c = _s[_pos];
            if (c == '"') { _pos++; return sb.ToString(); }
            if (c == '\\') { ParseEscape(sb); continue; }
            CheckStringChar(c);
            sb.Append(c);
            _pos++;
        }
    }

    private string ParseMultilineBasicString()
    {
        var start = _pos;
        _pos += 3;
        TryNewline(); // a newline right after the opening quotes is trimmed
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd) throw ErrorAt(start, "unterminated multi-line string");
            var c = _s[_pos];
            if (c == '"')
            {
                if (CloseMultiline('"', sb)) return sb.ToString();
                continue;
            }
            if (c == '\\')
            {
                if (IsLineEndingBackslash())
                {
                    _pos++;
                    while (!AtEnd && (_s[_pos] is ' ' or '\t' || _s[_pos] == '\n' || (_s[_pos] == '\r' && Peek(1) == '\n'))) _pos++;
                    continue;
                }
                ParseEscape(sb);
                continue;
            }
            if (c == '\n') { sb.Append('\n'); _pos++; continue; }
            if (c == '\r')
            {
                if (Peek(1) != '\n') throw Error("a carriage return must be followed by a line feed");
                sb.Append("\r\n");
                _pos += 2;
                continue;
            }
            CheckStringChar(c);
            sb.Append(c);
            _pos++;
        }
    }

    /// <summary>A backslash followed by optional whitespace and then a newline joins lines.</summary>
    private bool IsLineEndingBackslash()
    {
        var i = _pos + 1;
        while (i < _s.Length && _s[i] is ' ' or '\t') i++;
        return i < _s.Length && (_s[i] == '\n' || (_s[i] == '\r' && i + 1 < _s.Length && _s[i + 1] == '\n'));
    }

    /// <summary>
    /// At a run of quote characters inside a multi-line string: up to two quotes may sit right
    /// before the closing three. Returns true when the string ended.
    /// </summary>
    private bool CloseMultiline(char quote, StringBuilder sb)
    {
        var run = 0;
        while (_pos + run < _s.Length && _s[_pos + run] == quote) run++;
        if (run < 3)
        {
            sb.Append(quote, run);
            _pos += run;
            return false;
        }
        if (run > 5) throw ErrorAt(_pos + 5, "too many quotes at the end of a multi-line string");
        sb.Append(quote, run - 3);
        _pos += run;
        return true;
    }

    private string ParseLiteralString()
    {
        var start = _pos;
        _pos++; // '\''
        var begin = _pos;
        while (true)
        {
            if (AtEnd || _s[_pos] == '\n' || _s[_pos] == '\r') throw ErrorAt(start, "unterminated string");
            var c = _s[_pos];
            if (c == '\'')
            {
                var text = _s.Substring(begin, _pos - begin);
                _pos++;
                return text;
            }
            CheckStringChar(c);
            _pos++;
        }
    }

    private string ParseMultilineLiteralString()
    {
        var start = _pos;
        _pos += 3;
        TryNewline();
        var sb = new StringBuilder();
        while (true)
        {
            if (AtEnd) throw ErrorAt(start, "unterminated multi-line string");
            var c = _s[_pos];
            if (c == '\'')
            {
                if (CloseMultiline('\'', sb)) return sb.ToString();
                continue;
            }
            if (c == '\n') { sb.Append('\n'); _pos++; continue; }
            if (c == '\r')
            {
                if (Peek(1) != '\n') throw Error("a carriage return must be followed by a line feed");
                sb.Append("\r\n");
                _pos += 2;
                continue;
            }
            CheckStringChar(c);
            sb.Append(c);
            _pos++;
        }
    }

    /// <summary>Control characters other than tab must be escaped in every kind of string.</summary>
    private void CheckStringChar(char c)
    {
        if ((c < 0x20 && c != '\t') || c == 0x7F) throw Error($"control character {Show(c)} must be escaped in a string");
    }

    private void ParseEscape(StringBuilder sb)
    {
        var start = _pos;
        _pos++; // '\\'
        if (AtEnd) throw ErrorAt(start, "unterminated escape sequence");
        var c = _s[_pos++];
        switch (c)
        {
            case 'b': sb.Append('\b'); return;
            case 't': sb.Append('\t'); return;
            case 'n': sb.Append('\n'); return;
            case 'f': sb.Append('\f'); return;
            case 'r': sb.Append('\r'); return;
            case '"': sb.Append('"'); return;
            case '\\': sb.Append('\\'); return;
            case 'u': sb.Append(ParseUnicodeEscape(start, 4)); return;
            case 'U': sb.Append(ParseUnicodeEscape(start, 8)); return;
            default: throw ErrorAt(start, $"invalid escape sequence '\\{c}'");
        }
    }

    private string ParseUnicodeEscape(int start, int digits)
    {
        if (_pos + digits > _s.Length) throw ErrorAt(start, "incomplete unicode escape");
        uint code = 0;
        for (var i = 0; i < digits; i++)
        {
            var d = HexValue(_s[_pos + i]);
            if (d < 0) throw ErrorAt(start, $"invalid unicode escape '{_s.Substring(start, Math.Min(digits + 2, _s.Length - start))}'");
            code = (code << 4) | (uint)d;
        }
        _pos += digits;
        if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        {
            throw ErrorAt(start, $"unicode escape '{_s.Substring(start, digits + 2)}' is not a Unicode scalar value");
        }
        return char.ConvertFromUtf32((int)code);
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    // ---- numbers ------------------------------------------------------------------------

    private TomlValue ParseNumber()
    {
        var start = _pos;
        while (!AtEnd && (IsBareKeyChar(_s[_pos]) || _s[_pos] is '+' or '.')) _pos++;
        var token = _s.Substring(start, _pos - start);
        switch (token)
        {
            case "inf" or "+inf": return TomlValue.Float(double.PositiveInfinity);
            case "-inf": return TomlValue.Float(double.NegativeInfinity);
            case "nan" or "+nan": return TomlValue.Float(double.NaN);
            case "-nan": return TomlValue.Float(-double.NaN);
        }
        if (token.Length > 2 && token[0] == '0' && token[1] is 'x' or 'o' or 'b')
        {
            return TomlValue.Integer(ParseRadixInteger(token, start));
        }

        var i = 0;
        if (token.Length > 0 && token[0] is '+' or '-') i++;
        var intStart = i;
        i = ScanDigits(token, i, start, decimalOnly: true);
        if (i == intStart) throw ErrorAt(start, $"invalid number '{token}'");
        if (token[intStart] == '0' && i - intStart > 1) throw ErrorAt(start, $"leading zeros are not allowed in '{token}'");
        var isFloat = false;
        if (i < token.Length && token[i] == '.')
        {
            isFloat = true;
            var fracStart = ++i;
            i = ScanDigits(token, i, start, decimalOnly: true);
            if (i == fracStart) throw ErrorAt(start, $"a decimal point must be followed by digits in '{token}'");
        }
        if (i < token.Length && token[i] is 'e' or 'E')
        {
            isFloat = true;
            i++;
            if (i < token.Length && token[i] is '+' or '-') i++;
            var expStart = i;
            i = ScanDigits(token, i, start, decimalOnly: true);
            if (i == expStart) throw ErrorAt(start, $"an exponent must have digits in '{token}'");
        }
        if (i != token.Length) throw ErrorAt(start, $"invalid number '{token}'");

        var clean = token.Replace("_", "", StringComparison.Ordinal);
        if (isFloat)
        {
            var d = double.Parse(clean, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (double.IsInfinity(d)) throw ErrorAt(start, $"float '{token}' is out of range");
            return TomlValue.Float(d);
        }
        if (!long.TryParse(clean, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw ErrorAt(start, $"integer '{token}' is out of range (a 64-bit signed integer must be < 2^63 and >= -2^63)");
        }
        return TomlValue.Integer(value);
    }

    /// <summary>Scans digits with single underscores between them; returns the index after them.</summary>
    private int ScanDigits(string token, int i, int start, bool decimalOnly, int radix = 10)
    {
        var first = i;
        while (i < token.Length)
        {
            var c = token[i];
            if (c == '_')
            {
                if (i == first || i + 1 >= token.Length || DigitValue(token[i + 1], radix) < 0 || token[i - 1] == '_')
                {
                    throw ErrorAt(start, $"an underscore must be between two digits in '{token}'");
                }
                i++;
                continue;
            }
            if (DigitValue(c, decimalOnly ? 10 : radix) < 0) break;
            i++;
        }
        return i;
    }

    private static int DigitValue(char c, int radix)
    {
        var v = HexValue(c);
        return v >= 0 && v < radix ? v : -1;
    }

    private long ParseRadixInteger(string token, int start)
    {
        var radix = token[1] switch { 'x' => 16, 'o' => 8, _ => 2 };
        var end = ScanDigits(token, 2, start, decimalOnly: false, radix);
        if (end != token.Length || end == 2) throw ErrorAt(start, $"invalid number '{token}'");
        ulong value = 0;
        foreach (var c in token.AsSpan(2))
        {
            if (c == '_') continue;
            var d = (ulong)DigitValue(c, radix);
            if (value > (long.MaxValue - d) / (ulong)radix) throw ErrorAt(start, $"integer '{token}' is out of range (a 64-bit signed integer must be < 2^63)");
            value = value * (ulong)radix + d;
        }
        return (long)value;
    }

    // ---- dates and times ----------------------------------------------------------------

    private bool LooksLikeDate() =>
        _pos + 4 < _s.Length && IsDigit(_s[_pos]) && IsDigit(_s[_pos + 1]) && IsDigit(_s[_pos + 2]) && IsDigit(_s[_pos + 3]) && _s[_pos + 4] == '-';

    private bool LooksLikeTime() =>
        _pos + 2 < _s.Length && IsDigit(_s[_pos]) && IsDigit(_s[_pos + 1]) && _s[_pos + 2] == ':';

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private TomlDateTime ParseDateOrDateTime()
    {
        var start = _pos;
        var year = FixedDigits(4, start);
        Expect('-', "expected '-' in a date");
        var month = FixedDigits(2, start);
        Expect('-', "expected '-' in a date");
        var day = FixedDigits(2, start);
        if (month is < 1 or > 12) throw ErrorAt(start, $"month {month} is out of range");
        if (day < 1 || day > DaysInMonth(year, month)) throw ErrorAt(start, $"day {day} is out of range for {year:D4}-{month:D2}");

        var hasTime = !AtEnd && (_s[_pos] is 'T' or 't' || (_s[_pos] == ' ' && _pos + 3 < _s.Length && IsDigit(_s[_pos + 1]) && IsDigit(_s[_pos + 2]) && _s[_pos + 3] == ':'));
        if (!hasTime) return new TomlDateTime(TomlValueKind.LocalDate, year, month, day, 0, 0, 0, 0, 0);
        _pos++;
        var (hour, minute, second, nano) = ParseTimeFields(start);
        if (!AtEnd && _s[_pos] is 'Z' or 'z')
        {
            _pos++;
            return new TomlDateTime(TomlValueKind.OffsetDateTime, year, month, day, hour, minute, second, nano, 0);
        }
        if (!AtEnd && _s[_pos] is '+' or '-')
        {
            var sign = _s[_pos] == '-' ? -1 : 1;
            _pos++;
            var oh = FixedDigits(2, start);
            Expect(':', "expected ':' in a time offset");
            var om = FixedDigits(2, start);
            if (oh > 23 || om > 59) throw ErrorAt(start, "time offset is out of range");
            return new TomlDateTime(TomlValueKind.OffsetDateTime, year, month, day, hour, minute, second, nano, sign * (oh * 60 + om));
        }
        return new TomlDateTime(TomlValueKind.LocalDateTime, year, month, day, hour, minute, second, nano, 0);
    }

    private TomlDateTime ParseLocalTime()
    {
        var start = _pos;
        var (hour, minute, second, nano) = ParseTimeFields(start);
        return new TomlDateTime(TomlValueKind.LocalTime, 0, 0, 0, hour, minute, second, nano, 0);
    }

    private (int Hour, int Minute, int Second, int Nano) ParseTimeFields(int start)
    {
        var hour = FixedDigits(2, start);
        Expect(':', "expected ':' in a time");
        var minute = FixedDigits(2, start);
        Expect(':', "expected ':' and seconds in a time (TOML 1.0 requires seconds)");
        var second = FixedDigits(2, start);
        if (hour > 23) throw ErrorAt(start, $"hour {hour} is out of range");
        if (minute > 59) throw ErrorAt(start, $"minute {minute} is out of range");
        if (second > 60) throw ErrorAt(start, $"second {second} is out of range");
        var nano = 0;
        if (!AtEnd && _s[_pos] == '.')
        {
            _pos++;
            var digits = 0;
            while (!AtEnd && IsDigit(_s[_pos]))
            {
                // Precision beyond nanoseconds is dropped, as Nix's TOML library does.
                if (digits < 9) nano = nano * 10 + (_s[_pos] - '0');
                digits++;
                _pos++;
            }
            if (digits == 0) throw ErrorAt(start, "a decimal point in a time must be followed by digits");
            for (var d = digits; d < 9; d++) nano *= 10;
        }
        return (hour, minute, second, nano);
    }

    private int FixedDigits(int count, int start)
    {
        var value = 0;
        for (var i = 0; i < count; i++)
        {
            if (AtEnd || !IsDigit(_s[_pos])) throw ErrorAt(start, $"invalid date or time '{TokenAt(start)}'");
            value = value * 10 + (_s[_pos] - '0');
            _pos++;
        }
        return value;
    }

    private string TokenAt(int start)
    {
        var end = start;
        while (end < _s.Length && !char.IsWhiteSpace(_s[end]) && _s[end] is not (',' or ']' or '}' or '#')) end++;
        return _s.Substring(start, end - start);
    }

    private static int DaysInMonth(int year, int month) => month switch
    {
        2 => (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    // ---- whitespace, comments, positions ----------------------------------------------

    private bool AtEnd => _pos >= _s.Length;

    private char Peek(int offset) => _pos + offset < _s.Length ? _s[_pos + offset] : '\0';

    private bool StartsWith(string text) => string.CompareOrdinal(_s, _pos, text, 0, text.Length) == 0;

    private void SkipWhitespace()
    {
        while (!AtEnd && _s[_pos] is ' ' or '\t') _pos++;
    }

    private void SkipComment()
    {
        _pos++; // '#'
        while (!AtEnd)
        {
            var c = _s[_pos];
            if (c == '\n' || (c == '\r' && Peek(1) == '\n')) return;
            if ((c < 0x20 && c != '\t') || c == 0x7F) throw Error($"control character {Show(c)} is not allowed in a comment");
            _pos++;
        }
    }

    private bool TryNewline()
    {
        if (AtEnd) return false;
        if (_s[_pos] == '\n') { _pos++; return true; }
        if (_s[_pos] == '\r')
        {
            if (Peek(1) != '\n') throw Error("a carriage return must be followed by a line feed");
            _pos += 2;
            return true;
        }
        return false;
    }

    private void SkipWhitespaceCommentsAndNewlines()
    {
        while (true)
        {
            SkipWhitespace();
            if (AtEnd) return;
            if (_s[_pos] == '#') { SkipComment(); continue; }
            if (!TryNewline()) return;
        }
    }

    private void Expect(char c, string message)
    {
        if (AtEnd || _s[_pos] != c) throw Error(message);
        _pos++;
    }

    private static string Show(char c) => c < 0x20 || c == 0x7F ? $"U+{(int)c:X4}" : $"'{c}'";

    private TomlException Error(string reason) => ErrorAt(_pos, reason);

    private TomlException ErrorAt(int index, string reason)
    {
        int line = 1, column = 1;
        for (var i = 0; i < index && i < _s.Length; i++)
        {
            if (_s[i] == '\n') { line++; column = 1; }
            else column++;
        }
        return new TomlException(reason, line, column);
    }
}
