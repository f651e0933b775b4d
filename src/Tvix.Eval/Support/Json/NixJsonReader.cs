using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace Tvix.Eval.Support.Json;

/// <summary>
/// The JSON parser behind <c>builtins.fromJSON</c>, with current C++ Nix's rules: strict RFC 8259
/// syntax (no comments, no trailing commas), integers that fit int64 become ints and others
/// floats, except a positive integer in the uint64 range, which is an error; floats that
/// overflow are an error; <c>\u</c> escapes (with surrogate pairs) become UTF-8; a NUL byte in a
/// key or string is an error because Nix strings cannot hold it; duplicate keys: the last wins.
/// </summary>
internal ref struct NixJsonReader<TValue, TKey, TFactory>
    where TFactory : INixJsonFactory<TValue, TKey>
{
    private readonly ReadOnlySpan<byte> _s;
    private int _pos;
    private TFactory _factory;
    // Unescaped strings; strings without escapes are handed out as slices of the input instead.
    private PooledByteWriter _scratch;
    // The items and members of all open arrays and objects, innermost on top: each container
    // is handed to the factory as a span of these, so parsing allocates no per-container lists.
    // Plain arrays, not ArrayPool<T>: the pool over the evaluator's Value struct is a framework
    // generic that ReadyToRun cannot precompile (9 methods JIT-compiled at the first fromJSON),
    // and two 16-entry arrays per document cost less than that.
    private TValue[] _values;
    private int _valueCount;
    private TKey[] _keys;
    private int _keyCount;

    private NixJsonReader(ReadOnlySpan<byte> json, TFactory factory)
    {
        _s = json;
        _factory = factory;
        _scratch = new PooledByteWriter(64);
        _values = new TValue[16];
        _keys = new TKey[16];
    }

    /// <summary>Parses one complete JSON document.</summary>
    /// <exception cref="NixJsonException">The document is invalid.</exception>
    public static TValue Parse(ReadOnlySpan<byte> json, TFactory factory)
    {
        var reader = new NixJsonReader<TValue, TKey, TFactory>(json, factory);
        try
        {
            reader.SkipWhitespace();
            var value = reader.ParseValue();
            reader.SkipWhitespace();
            if (reader._pos < json.Length) throw reader.Error("expected the end of the input");
            return value;
        }
        finally
        {
            reader.ReturnScratch();
        }
    }

    private void ReturnScratch() => _scratch.Dispose();

    private void PushValue(TValue value)
    {
        if (_valueCount == _values.Length) Grow(ref _values, _valueCount);
        _values[_valueCount++] = value;
    }

    private void PushKey(TKey key)
    {
        if (_keyCount == _keys.Length) Grow(ref _keys, _keyCount);
        _keys[_keyCount++] = key;
    }

    private static void Grow<T>(ref T[] stack, int count)
    {
        var next = new T[stack.Length * 2];
        System.Array.Copy(stack, next, count);
        stack = next;
    }

    /// <summary>Drops the entries above <paramref name="start"/> (cleared, so the stack keeps no references to finished containers).</summary>
    private static void Pop<T>(T[] stack, ref int count, int start)
    {
        if (RuntimeHelpers.IsReferenceOrContainsReferences<T>()) System.Array.Clear(stack, start, count - start);
        count = start;
    }

    private TValue ParseValue()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack()) throw Error("the document is nested too deeply");
        if (_pos >= _s.Length) throw Error("unexpected end of input, expected a value");
        switch (_s[_pos])
        {
            case (byte)'{': return ParseObject();
            case (byte)'[': return ParseArray();
            case (byte)'"': return _factory.String(ParseString());
            case (byte)'t': ExpectLiteral("true"u8); return _factory.Boolean(true);
            case (byte)'f': ExpectLiteral("false"u8); return _factory.Boolean(false);
            case (byte)'n': ExpectLiteral("null"u8); return _factory.Null();
            case (byte)'-' or (>= (byte)'0' and <= (byte)'9'): return ParseNumber();
            default: throw Error($"unexpected {Describe(_s[_pos])}, expected a value");
        }
    }

    private TValue ParseObject()
    {
        _pos++; // '{'
        var keyStart = _keyCount;
        var valueStart = _valueCount;
        SkipWhitespace();
        if (Peek() == '}') { _pos++; return _factory.Object([], []); }
        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"') throw Error("expected a string as object key");
            PushKey(_factory.Key(ParseString()));
            SkipWhitespace();
            if (Peek() != ':') throw Error("expected ':' after an object key");
            _pos++;
            SkipWhitespace();
            PushValue(ParseValue());
            SkipWhitespace();
            var c = Peek();
            if (c == ',') { _pos++; continue; }
            if (c == '}')
            {
                _pos++;
                var result = _factory.Object(_keys.AsSpan(keyStart, _keyCount - keyStart), _values.AsSpan(valueStart, _valueCount - valueStart));
                Pop(_keys, ref _keyCount, keyStart);
                Pop(_values, ref _valueCount, valueStart);
                return result;
            }
            throw Error("expected ',' or '}' in an object");
        }
    }

    private TValue ParseArray()
    {
        _pos++; // '['
        var start = _valueCount;
        SkipWhitespace();
        if (Peek() == ']') { _pos++; return _factory.Array([]); }
        while (true)
        {
            SkipWhitespace();
            PushValue(ParseValue());
            SkipWhitespace();
            var c = Peek();
            if (c == ',') { _pos++; continue; }
            if (c == ']')
            {
                _pos++;
                var result = _factory.Array(_values.AsSpan(start, _valueCount - start));
                Pop(_values, ref _valueCount, start);
                return result;
            }
            throw Error("expected ',' or ']' in an array");
        }
    }

    /// <summary>Parses a string at '"'; the result is a slice of the input or lives in the scratch buffer until the next string.</summary>
    private ReadOnlySpan<byte> ParseString()
    {
        var start = _pos;
        _pos++; // '"'
        var hasNul = false;
        var escaped = false;
        // Most strings are short plain ASCII: one scalar pass finds their end, where the
        // vectorised searches below would each be set up for a handful of bytes.
        var k = _pos;
        while (k < _s.Length && _s[k] is >= 0x20 and < 0x80 and not (byte)'"' and not (byte)'\\') k++;
        if (k < _s.Length && _s[k] == '"')
        {
            var ascii = _s[_pos..k];
            _pos = k + 1;
            return ascii;
        }
        while (true)
        {
            // Copy the plain run up to the next quote, backslash or control byte in one go.
            var rest = _s[_pos..];
            var run = rest.IndexOfAny((byte)'"', (byte)'\\') is var i and >= 0 ? i : rest.Length;
            var plain = rest[..run];
            var ctl = plain.IndexOfAnyInRange((byte)0, (byte)0x1F);
            if (ctl >= 0)
            {
                _pos += ctl;
                throw Error($"control character {Describe(_s[_pos])} must be escaped in a string");
            }
            if (!System.Text.Unicode.Utf8.IsValid(plain))
            {
                var bad = FirstInvalidUtf8(plain);
                _pos += bad;
                throw Error("invalid UTF-8 in a string");
            }
            _pos += run;
            if (_pos >= _s.Length) { _pos = start; throw Error("unterminated string"); }
            if (!escaped && _s[_pos] == '"')
            {
                // No escape at all: the string is this run of the input.
                _pos++;
                return plain;
            }
            if (!escaped)
            {
                _scratch.Clear();
                escaped = true;
            }
            _scratch.Write(plain);
            if (_s[_pos] == '"')
            {
                _pos++;
                var result = _scratch.WrittenSpan;
                if (hasNul) throw new NixJsonException($"input string '{Encoding.UTF8.GetString(result).Replace('\0', '\u2400')}' cannot be represented as Nix string because it contains null bytes");
                return result;
            }
            hasNul |= ParseEscape();
        }
    }

    /// <summary>Appends one escape sequence to the scratch buffer; returns true when it was NUL.</summary>
    private bool ParseEscape()
    {
        var start = _pos;
        _pos++; // '\\'
        if (_pos >= _s.Length) { _pos = start; throw Error("unterminated escape sequence"); }
        var c = _s[_pos++];
        byte simple = c switch
        {
            (byte)'"' => (byte)'"',
            (byte)'\\' => (byte)'\\',
            (byte)'/' => (byte)'/',
            (byte)'b' => 0x08,
            (byte)'f' => 0x0C,
            (byte)'n' => (byte)'\n',
            (byte)'r' => (byte)'\r',
            (byte)'t' => (byte)'\t',
            (byte)'u' => 0,
            _ => 0xFF,
        };
        if (simple == 0xFF) { _pos = start; throw Error($"invalid escape sequence '\\{(char)c}'"); }
        if (c != 'u')
        {
            _scratch.Write(simple);
            return false;
        }
        var code = ReadHex4(start);
        if (code is >= 0xD800 and <= 0xDBFF)
        {
            if (_pos + 1 < _s.Length && _s[_pos] == '\\' && _s[_pos + 1] == 'u')
            {
                _pos += 2;
                var low = ReadHex4(start);
                if (low is < 0xDC00 or > 0xDFFF) { _pos = start; throw Error("a high surrogate \\uD800-\\uDBFF must be followed by a low surrogate \\uDC00-\\uDFFF"); }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
            }
            else
            {
                _pos = start;
                throw Error("a high surrogate \\uD800-\\uDBFF must be followed by a low surrogate \\uDC00-\\uDFFF");
            }
        }
        else if (code is >= 0xDC00 and <= 0xDFFF)
        {
            _pos = start;
            throw Error("a low surrogate \\uDC00-\\uDFFF must follow a high surrogate");
        }
        Span<byte> utf8 = stackalloc byte[4];
        var n = new Rune(code).EncodeToUtf8(utf8);
        _scratch.Write(utf8[..n]);
        return code == 0;
    }

    private int ReadHex4(int escapeStart)
    {
        if (_pos + 4 > _s.Length) { _pos = escapeStart; throw Error("incomplete \\u escape"); }
        var value = 0;
        for (var i = 0; i < 4; i++)
        {
            var b = _s[_pos + i];
            int d = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (d < 0) { _pos = escapeStart; throw Error("a \\u escape needs four hexadecimal digits"); }
            value = (value << 4) | d;
        }
        _pos += 4;
        return value;
    }

    private TValue ParseNumber()
    {
        var start = _pos;
        if (_s[_pos] == '-') _pos++;
        if (_pos >= _s.Length || !IsDigit(_s[_pos])) throw Error("expected a digit in a number");
        if (_s[_pos] == '0') _pos++;
        else while (_pos < _s.Length && IsDigit(_s[_pos])) _pos++;
        var isFloat = false;
        if (_pos < _s.Length && _s[_pos] == '.')
        {
            isFloat = true;
            _pos++;
            if (_pos >= _s.Length || !IsDigit(_s[_pos])) throw Error("expected a digit after the decimal point");
            while (_pos < _s.Length && IsDigit(_s[_pos])) _pos++;
        }
        if (_pos < _s.Length && _s[_pos] is (byte)'e' or (byte)'E')
        {
            isFloat = true;
            _pos++;
            if (_pos < _s.Length && _s[_pos] is (byte)'+' or (byte)'-') _pos++;
            if (_pos >= _s.Length || !IsDigit(_s[_pos])) throw Error("expected a digit in the exponent");
            while (_pos < _s.Length && IsDigit(_s[_pos])) _pos++;
        }
        var text = _s[start.._pos];
        if (!isFloat)
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return _factory.Integer(l);
            if (text[0] != '-' && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var u))
            {
                throw new NixJsonException($"unsigned json number {u} outside of Nix integer range");
            }
            // Beyond 64 bits the number is read as a float, as nlohmann/json does.
        }
        var d = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(d))
        {
            _pos = start;
            throw Error($"number overflow parsing '{Encoding.ASCII.GetString(text)}'");
        }
        return _factory.Float(d);
    }

    private void ExpectLiteral(ReadOnlySpan<byte> literal)
    {
        if (!_s[_pos..].StartsWith(literal)) throw Error("invalid literal");
        _pos += literal.Length;
    }

    private void SkipWhitespace()
    {
        while (_pos < _s.Length && _s[_pos] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') _pos++;
    }

    private readonly int Peek() => _pos < _s.Length ? _s[_pos] : -1;

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> s)
    {
        var i = 0;
        while (i < s.Length)
        {
            if (Rune.DecodeFromUtf8(s[i..], out _, out var consumed) != OperationStatus.Done) return i;
            i += consumed;
        }
        return s.Length;
    }

    private static string Describe(byte b) => b is >= 0x20 and < 0x7F ? $"'{(char)b}'" : $"byte 0x{b:X2}";

    private readonly NixJsonException Error(string what)
    {
        int line = 1, column = 1;
        for (var i = 0; i < _pos && i < _s.Length; i++)
        {
            if (_s[i] == '\n') { line++; column = 1; }
            else if ((_s[i] & 0xC0) != 0x80) column++;
        }
        var reason = _pos >= _s.Length && !what.StartsWith("unexpected end", StringComparison.Ordinal) ? what + " (at the end of the input)" : what;
        return new NixJsonException($"JSON syntax error at line {line}, column {column}: {reason}");
    }
}
