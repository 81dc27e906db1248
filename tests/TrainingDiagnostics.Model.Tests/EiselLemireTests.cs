using System.Globalization;
using System.Text;

namespace TrainingDiagnostics.Model.Tests;

/// <summary>
/// The fast number parser beyond Clinger's fast path (Eisel-Lemire, for doubles and for float32) against the BCL's
/// correctly rounded <see cref="double.Parse(string, IFormatProvider?)"/> and <see cref="float.Parse(string, IFormatProvider?)"/>:
/// mantissas of 17 to 19 digits (a version-1 log's doubles), powers of ten across the whole range, and decimals exactly
/// halfway between two doubles or two floats, where a parser that rounds twice, or up instead of to even, is caught.
/// </summary>
[TestClass]
public sealed class EiselLemireTests
{
    [TestMethod]
    public void Long_mantissas_and_far_exponents_read_as_the_correctly_rounded_doubles_and_floats()
    {
        var random = new Random(17);
        var texts = new List<string>();
        for (int i = 0; i < 40_000; i++)
        {
            double d = BitConverter.Int64BitsToDouble(random.NextInt64() & long.MaxValue);
            if (double.IsFinite(d))
            {
                texts.Add(d.ToString("R", CultureInfo.InvariantCulture));
                texts.Add((-d).ToString("E16", CultureInfo.InvariantCulture));
            }

            ulong mantissa = (ulong)random.NextInt64(1, long.MaxValue) * (ulong)random.Next(1, 3); // up to 19 digits
            string digits = mantissa.ToString(CultureInfo.InvariantCulture);
            texts.Add(string.Create(CultureInfo.InvariantCulture, $"{digits}e{random.Next(-360, 330)}"));
            texts.Add(string.Create(CultureInfo.InvariantCulture, $"{digits[..random.Next(1, digits.Length + 1)]}e{random.Next(-60, 45)}"));
            texts.Add("0." + digits);

            // Exactly halfway between two doubles: an odd multiple of half an ULP, written in full (round to even decides).
            long k = random.NextInt64(1L << 52, 1L << 53);
            texts.Add(((2 * k) + 1).ToString(CultureInfo.InvariantCulture) + "e0");
            texts.Add(((((2 * k) + 1) * 5) - (random.Next(2) * 10)).ToString(CultureInfo.InvariantCulture) + "e-1");

            // Exactly halfway between two floats, as an integer and as the double that holds it.
            long m = random.NextInt64(1L << 23, 1L << 24);
            texts.Add(((2 * m) + 1).ToString(CultureInfo.InvariantCulture));
            float f = (float)Math.Exp((random.NextDouble() * 60) - 30);
            texts.Add((((double)f + MathF.BitIncrement(f)) / 2).ToString("R", CultureInfo.InvariantCulture));
            texts.Add(f.ToString("R", CultureInfo.InvariantCulture));
        }

        int fastDoubles = 0, fastSingles = 0;
        foreach (string text in texts)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(text);
            if (JsonNumber.TryParseDouble(utf8, out double d))
            {
                fastDoubles++;
                Assert.AreEqual(BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)), BitConverter.DoubleToInt64Bits(d), text);
            }

            if (JsonNumber.TryParseSingle(utf8, out double s))
            {
                fastSingles++;
                Assert.AreEqual(BitConverter.DoubleToInt64Bits(float.Parse(text, CultureInfo.InvariantCulture)), BitConverter.DoubleToInt64Bits(s), text);
            }
        }

        // Only subnormal, overflowing and longer-than-19-digit numbers are left to the exact parser.
        Assert.IsTrue(fastDoubles > texts.Count * 8 / 10, $"{fastDoubles} of {texts.Count} doubles read fast");
        Assert.IsTrue(fastSingles > texts.Count / 2, $"{fastSingles} of {texts.Count} floats read fast");
    }
}
