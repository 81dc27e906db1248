namespace TrainingDiagnostics.Model;

/// <summary>
/// Reads the text of a JSON number (already validated by <see cref="System.Text.Json.Utf8JsonReader"/>) as a double or a
/// float32, exactly as <c>GetDouble</c> and <c>GetSingle</c> do, but several times faster for the short numbers a run
/// log holds. Doubles: Clinger's fast path (a mantissa of at most 2^53 and a power of ten of at most 10^22 are exact
/// doubles, and one IEEE division or multiplication rounds correctly), else Eisel-Lemire; float32: Eisel-Lemire for
/// binary32. Both are exact for any mantissa of at most 19 significant digits (a 128-bit product with a truncated power
/// of five decides the rounding). More digits, subnormal and overflowing values are left to the caller's exact parser.
/// </summary>
internal static class JsonNumber
{
    private const ulong MaxExactMantissa = 1UL << 53;

    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>The double nearest to the decimal <paramref name="text"/>, when the fast path applies.</summary>
    public static bool TryParseDouble(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        return TryScan(text, out ulong mantissa, out int exponent, out bool negative) && TryCompose(mantissa, exponent, negative, out value);
    }

    /// <summary>
    /// The float32 nearest to the decimal <paramref name="text"/>, widened, when the fast path applies (not for subnormal
    /// or overflowing values).
    /// </summary>
    public static bool TryParseSingle(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        return TryScan(text, out ulong mantissa, out int exponent, out bool negative) && TryComposeSingle(mantissa, exponent, negative, out value);
    }

    /// <summary>The decimal mantissa (at most 19 significant digits) and exponent of a JSON number's text.</summary>
    private static bool TryScan(ReadOnlySpan<byte> text, out ulong mantissa, out int exponent, out bool negative)
    {
        int i = 0;
        negative = false;
        if (text.Length > 0 && text[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        mantissa = 0;
        exponent = 0;
        int significant = 0;
        for (; i < text.Length && (uint)(text[i] - '0') <= 9; i++)
        {
            if (!Accumulate(ref mantissa, ref significant, text[i]))
            {
                return false;
            }
        }

        if (i < text.Length && text[i] == (byte)'.')
        {
            for (i++; i < text.Length && (uint)(text[i] - '0') <= 9; i++)
            {
                if (!Accumulate(ref mantissa, ref significant, text[i]))
                {
                    return false;
                }

                exponent--;
            }
        }

        if (i < text.Length && (text[i] | 0x20) == (byte)'e')
        {
            i++;
            bool negativeExponent = false;
            if (i < text.Length && (text[i] == (byte)'-' || text[i] == (byte)'+'))
            {
                negativeExponent = text[i] == (byte)'-';
                i++;
            }

            int e = 0;
            for (; i < text.Length && (uint)(text[i] - '0') <= 9; i++)
            {
                if (e > 10_000)
                {
                    return false;
                }

                e = (e * 10) + (text[i] - '0');
            }

            exponent += negativeExponent ? -e : e;
        }

        return i == text.Length;
    }

    /// <summary>
    /// The double (or, with <paramref name="float32"/>, the float32, widened) nearest to ±<paramref name="mantissa"/> ×
    /// 10^<paramref name="exponent"/>, when the fast path applies.
    /// </summary>
    public static bool TryCompose(ulong mantissa, int exponent, bool negative, bool float32, out double value) =>
        float32 ? TryComposeSingle(mantissa, exponent, negative, out value) : TryCompose(mantissa, exponent, negative, out value);

    private static bool TryCompose(ulong mantissa, int exponent, bool negative, out double value)
    {
        if (mantissa == 0)
        {
            value = negative ? -0.0 : 0.0;
            return true;
        }

        if (mantissa > MaxExactMantissa || exponent < -22 || exponent > 22)
        {
            return TryComposeEiselLemire(mantissa, exponent, negative, out value);
        }

        double m = mantissa;
        value = exponent < 0 ? m / PowersOfTen[-exponent] : m * PowersOfTen[exponent];
        value = negative ? -value : value;
        return true;
    }

    /// <summary>
    /// The Eisel-Lemire algorithm (Lemire, "Number parsing at a gigabyte per second", 2021), for a nonzero mantissa of at
    /// most 19 digits: the 128-bit product of the mantissa and a truncated power of five decides the correctly rounded
    /// double without a fallback for such mantissas (Mushtak and Lemire, "Fast number parsing without fallback", 2023).
    /// Results that are subnormal or overflow are left to the exact parser.
    /// </summary>
    private static bool TryComposeEiselLemire(ulong w, int q, bool negative, out double value)
    {
        value = 0;
        if (q < SmallestPowerOfFive || q > LargestPowerOfFive)
        {
            return false;
        }

        int lz = System.Numerics.BitOperations.LeadingZeroCount(w);
        w <<= lz;
        ulong high = Product(w, q, 0x1FF, out ulong low); // 64 bits less 52 + 3 of precision

        int upperBit = (int)(high >> 63);
        int shift = upperBit + 9;
        ulong mantissa = high >> shift;
        int power2 = ((((152170 + 65536) * q) >> 16) + 63) + upperBit - lz + 1023;
        if (power2 <= 0)
        {
            return false; // subnormal
        }

        // A product exactly between two doubles (only possible for small powers): round to even, not up.
        if (low <= 1 && q >= -4 && q <= 23 && (mantissa & 3) == 1 && (mantissa << shift) == high)
        {
            mantissa &= ~1UL;
        }

        mantissa += mantissa & 1;
        mantissa >>= 1;
        if (mantissa >= (2UL << 52))
        {
            mantissa = 1UL << 52;
            power2++;
        }

        mantissa &= ~(1UL << 52);
        if (power2 >= 0x7FF)
        {
            return false; // overflow
        }

        ulong bits = mantissa | ((ulong)power2 << 52) | (negative ? 1UL << 63 : 0);
        value = BitConverter.UInt64BitsToDouble(bits);
        return true;
    }

    private const int SmallestPowerOfFive = -342;
    private const int LargestPowerOfFive = 308;

    /// <summary>
    /// For each q in [-342, 308], two words: the 128 most significant bits of 5^q (truncated; for q &lt; 0, of 2^b / 5^-q
    /// rounded up), computed exactly once.
    /// </summary>
    private static readonly ulong[] PowersOfFive = BuildPowersOfFive();

    private static ulong[] BuildPowersOfFive()
    {
        var table = new ulong[2 * (LargestPowerOfFive - SmallestPowerOfFive + 1)];
        System.Numerics.BigInteger two128 = System.Numerics.BigInteger.One << 128;
        for (int q = SmallestPowerOfFive; q <= LargestPowerOfFive; q++)
        {
            System.Numerics.BigInteger c;
            if (q < 0)
            {
                System.Numerics.BigInteger power5 = System.Numerics.BigInteger.Pow(5, -q);
                int z = (int)(power5 - 1).GetBitLength(); // the least z with 2^z >= 5^-q
                int b = q >= -27 ? z + 127 : (2 * z) + 128;
                c = ((System.Numerics.BigInteger.One << b) / power5) + 1;
                while (c >= two128)
                {
                    c >>= 1;
                }
            }
            else
            {
                c = System.Numerics.BigInteger.Pow(5, q);
                long bits = (long)c.GetBitLength();
                c = bits < 128 ? c << (int)(128 - bits) : c >> (int)(bits - 128);
            }

            int i = 2 * (q - SmallestPowerOfFive);
            table[i] = (ulong)(c >> 64);
            table[i + 1] = (ulong)(c & ulong.MaxValue);
        }

        return table;
    }

    /// <summary>
    /// The float32 nearest to ±<paramref name="w"/> × 10^<paramref name="q"/>, widened: Eisel-Lemire for binary32 (one
    /// or two 64-bit multiplications, no division), exact for every mantissa of at most 19 digits. Subnormal and
    /// overflowing results are left to the exact parser.
    /// </summary>
    private static bool TryComposeSingle(ulong w, int q, bool negative, out double value)
    {
        value = 0;
        if (w == 0)
        {
            value = negative ? -0.0 : 0.0;
            return true;
        }

        if (q < SmallestPowerOfFive || q > LargestPowerOfFive)
        {
            return false;
        }

        int lz = System.Numerics.BitOperations.LeadingZeroCount(w);
        w <<= lz;
        ulong high = Product(w, q, 0x3F_FFFF_FFFF, out ulong low); // 64 bits less 23 + 3 of precision
        int upperBit = (int)(high >> 63);
        int shift = upperBit + 38;
        ulong mantissa = high >> shift;
        int power2 = ((((152170 + 65536) * q) >> 16) + 63) + upperBit - lz + 127;
        if (power2 <= 0)
        {
            return false; // subnormal
        }

        if (low <= 1 && q >= -17 && q <= 10 && (mantissa & 3) == 1 && (mantissa << shift) == high)
        {
            mantissa &= ~1UL; // exactly between two floats: round to even, not up
        }

        mantissa += mantissa & 1;
        mantissa >>= 1;
        if (mantissa >= (2UL << 23))
        {
            mantissa = 1UL << 23;
            power2++;
        }

        mantissa &= ~(1UL << 23);
        if (power2 >= 0xFF)
        {
            return false; // overflow
        }

        value = BitConverter.UInt32BitsToSingle((uint)mantissa | ((uint)power2 << 23) | (negative ? 0x8000_0000u : 0));
        return true;
    }

    /// <summary>
    /// The high 64 bits of the normalized mantissa <paramref name="w"/> times the truncated 128-bit 5^<paramref name="q"/>
    /// (the second word only when the first product's bits below the precision are all ones), and the low word.
    /// </summary>
    private static ulong Product(ulong w, int q, ulong precisionMask, out ulong low)
    {
        int index = 2 * (q - SmallestPowerOfFive);
        ulong[] powers = PowersOfFive;
        ulong high = Math.BigMul(w, powers[index], out low);
        if ((high & precisionMask) == precisionMask)
        {
            ulong secondHigh = Math.BigMul(w, powers[index + 1], out _);
            low += secondHigh;
            if (secondHigh > low)
            {
                high++;
            }
        }

        return high;
    }

    private static bool Accumulate(ref ulong mantissa, ref int significant, byte digit)
    {
        if (mantissa != 0 || digit != (byte)'0')
        {
            if (++significant > 19)
            {
                return false;
            }
        }

        mantissa = (mantissa * 10) + (ulong)(digit - '0');
        return true;
    }
}
