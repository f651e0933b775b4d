using System.Globalization;
using System.Runtime.CompilerServices;

namespace Tvix.Eval;

public sealed partial class NixString
{
    /// <summary>
    /// The string <c>"…${a}…${toString i}…"</c> from its forced pieces: strings, or integers left
    /// by <c>toString</c> in an interpolation (<see cref="Bytecode.OpCode.ToStringPiece"/>), whose
    /// digits are written straight into the result instead of into a string of their own first.
    /// Same result as <see cref="Concat(ReadOnlySpan{NixString})"/> over the pieces as strings.
    /// </summary>
    internal static NixString Interpolate(ReadOnlySpan<Value> pieces)
    {
        long total = 0;
        var nonEmpty = -1;
        var longest = 0;
        for (var i = 0; i < pieces.Length; i++)
        {
            var obj = pieces[i].Obj!;
            int length;
            if (obj.GetType() == typeof(NixString))
            {
                var data = Unsafe.As<NixString>(obj)._data;
                if (data.GetType() == typeof(byte[])) length = Unsafe.As<byte[]>(data).Length;
                else if (data.GetType() == typeof(InlineLength)) length = Unsafe.As<InlineLength>(data).Value;
                // A rope or a string with a context: the general path.
                else return ConcatPieces(pieces);
            }
            else
            {
                length = DecimalLength(pieces[i].RawInt);
            }
            if (length > 0) { nonEmpty = nonEmpty == -1 ? i : -2; total += length; longest = Math.Max(longest, length); }
        }
        // "${s}": the bytes of s, and strings are immutable.
        if (nonEmpty >= 0 && pieces[nonEmpty].Obj!.GetType() == typeof(NixString)) return Unsafe.As<NixString>(pieces[nonEmpty].Obj!);
        if (total == 0) return Empty;
        var length32 = CheckedLength(total);
        // A long string with a little appended ("${acc}${toString i},"): the rope of Concat.
        if (length32 >= RopeThreshold && longest * 4 >= length32 * 3) return ConcatPieces(pieces);
        if (length32 <= InlineCapacity)
        {
            Span<byte> small = stackalloc byte[InlineCapacity];
            WritePieces(pieces, small);
            return new NixString(small[..length32], null, inline: true);
        }
        var bytes = Support.PooledByteWriter.NewArray(length32);
        WritePieces(pieces, bytes);
        return new NixString(bytes, null);
    }

    /// <summary>The pieces as strings, through <see cref="Concat(ReadOnlySpan{NixString})"/> (with a context, or for a rope).</summary>
    private static NixString ConcatPieces(ReadOnlySpan<Value> pieces)
    {
        var strings = new Runtime.InterpolationPieces();
        Span<NixString> parts = pieces.Length <= Runtime.InterpolationPieces.Capacity ? ((Span<NixString>)strings)[..pieces.Length] : new NixString[pieces.Length];
        for (var i = 0; i < pieces.Length; i++)
        {
            var obj = pieces[i].Obj!;
            parts[i] = obj.GetType() == typeof(NixString) ? Unsafe.As<NixString>(obj) : FromInt(pieces[i].RawInt);
        }
        return Concat(parts);
    }

    /// <summary>Writes the pieces (flat or inline strings, integers) one after the other.</summary>
    private static void WritePieces(ReadOnlySpan<Value> pieces, Span<byte> destination)
    {
        var at = 0;
        foreach (var piece in pieces)
        {
            var obj = piece.Obj!;
            if (obj.GetType() == typeof(NixString))
            {
                var s = Unsafe.As<NixString>(obj);
                var data = s._data;
                ReadOnlySpan<byte> bytes = data.GetType() == typeof(byte[])
                    ? Unsafe.As<byte[]>(data)
                    : ((ReadOnlySpan<byte>)s._inline)[..Unsafe.As<InlineLength>(data).Value];
                bytes.CopyTo(destination[at..]);
                at += bytes.Length;
            }
            else
            {
                piece.RawInt.TryFormat(destination[at..], out var n, default, CultureInfo.InvariantCulture);
                at += n;
            }
        }
    }

    /// <summary>The number of bytes of the decimal form of <paramref name="value"/>.</summary>
    private static int DecimalLength(long value)
    {
        if (value < 0) return value == long.MinValue ? 20 : 1 + DecimalLength(-value);
        var n = 1;
        for (var v = (ulong)value; v >= 10; v /= 10) n++;
        return n;
    }
}
