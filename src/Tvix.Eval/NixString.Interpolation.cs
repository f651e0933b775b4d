using System.Globalization;
using System.Runtime.CompilerServices;

namespace Tvix.Eval;

public sealed partial class NixString
{
    /// <summary>
    /// The string <c>"…${a}…${toString i}…"</c> from its forced pieces: strings, or integers left
    /// by <c>toString</c> in an interpolation (<see cref="Bytecode.OpCode.ToStringPiece"/>), whose
    /// digits are written straight into the result instead of into a string of their own first.
    /// Same result as <see cref="Concat"/> over the pieces as strings.
    /// </summary>
    internal static NixString Interpolate(ReadOnlySpan<Value> pieces)
    {
        long total = 0;
        var nonEmpty = -1;
        var withContext = false;
        var longest = 0;
        var integers = false;
        for (var i = 0; i < pieces.Length; i++)
        {
            var obj = pieces[i].Obj!;
            int length;
            if (obj.GetType() == typeof(NixString))
            {
                var s = Unsafe.As<NixString>(obj);
                length = s.Length;
                withContext |= s._data.GetType() == typeof(WithContextData);
            }
            else
            {
                length = DecimalLength(pieces[i].RawInt);
                integers = true;
            }
            if (length > 0) { nonEmpty = nonEmpty == -1 ? i : -2; total += length; longest = Math.Max(longest, length); }
        }
        if (!integers || withContext) return ConcatPieces(pieces);
        if (nonEmpty >= 0 && pieces[nonEmpty].Obj!.GetType() == typeof(NixString)) return Unsafe.As<NixString>(pieces[nonEmpty].Obj!);
        var length32 = CheckedLength(total);
        // A long string with a little appended ("${acc}${toString i},"): the rope of Concat.
        if (length32 >= RopeThreshold && longest * 4 >= length32 * 3) return ConcatPieces(pieces);
        if (length32 <= InlineCapacity)
        {
            Span<byte> small = stackalloc byte[InlineCapacity];
            return new NixString(small[..WritePieces(pieces, small)], null, inline: true);
        }
        var bytes = Support.PooledByteWriter.NewArray(length32);
        WritePieces(pieces, bytes);
        return new NixString(bytes, null);
    }

    /// <summary>The pieces as strings, through <see cref="Concat"/> (with a context, or for a rope).</summary>
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

    /// <summary>Writes the pieces one after the other; returns the number of bytes written.</summary>
    private static int WritePieces(ReadOnlySpan<Value> pieces, Span<byte> destination)
    {
        var at = 0;
        foreach (var piece in pieces)
        {
            var obj = piece.Obj!;
            if (obj.GetType() == typeof(NixString))
            {
                var s = Unsafe.As<NixString>(obj);
                s.WriteTo(destination[at..]);
                at += s.Length;
            }
            else
            {
                piece.RawInt.TryFormat(destination[at..], out var n, default, CultureInfo.InvariantCulture);
                at += n;
            }
        }
        return at;
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
