using System.Globalization;
using System.Text;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Model.Tests;

/// <summary>
/// The report's fast step-line scanner and number parser against independent oracles: the BCL's correctly rounded
/// <see cref="double.Parse(string, IFormatProvider?)"/> and <see cref="float.Parse(string, IFormatProvider?)"/>, and the
/// general reader (<c>Utf8JsonReader</c>), which must give the bit-identical record for every line the scanner accepts,
/// on real lines and on every one-byte corruption of them.
/// </summary>
[TestClass]
public sealed class CanonicalStepLineTests
{
    [TestMethod]
    public void Fast_numbers_are_the_correctly_rounded_doubles_and_floats()
    {
        var random = new Random(5);
        var texts = new List<string>
        {
            "0", "-0", "1", "0.1", "1E-09", "1e22", "1e23", "9007199254740992", "9007199254740993", "123456789012345678", "1234567890123456789012",
            "0.000001", "1.7976931348623157E+308", "5E-324", "2.2250738585072014E-308", "3.4028235E+38", "3.4028236E+38", "1.17549435E-38", "1E-45",
            "0.35074404", "2.3623034954071045", "-0.0", "1.5e-7", "100", "0.30000000000000004",
        };
        for (int i = 0; i < 20_000; i++)
        {
            float f = BitConverter.Int32BitsToSingle(random.Next()) * (random.Next(2) == 0 ? 1 : -1);
            double d = BitConverter.Int64BitsToDouble(random.NextInt64());
            texts.Add(f.ToString("R", CultureInfo.InvariantCulture));
            texts.Add(d.ToString("R", CultureInfo.InvariantCulture));
            texts.Add(((float)Math.Exp((random.NextDouble() * 20) - 10)).ToString(CultureInfo.InvariantCulture));
            texts.Add(string.Create(CultureInfo.InvariantCulture, $"{random.Next(0, 1_000_000)}e{random.Next(-30, 30)}"));

            // The exact midpoint between two adjacent floats, as a double: a float parser must round it to even itself.
            float a = (float)Math.Exp((random.NextDouble() * 40) - 20);
            texts.Add((((double)a + MathF.BitIncrement(a)) / 2).ToString("R", CultureInfo.InvariantCulture));
        }

        int fastDoubles = 0, fastSingles = 0;
        foreach (string text in texts.Where(t => double.IsFinite(double.Parse(t, CultureInfo.InvariantCulture))))
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

        Assert.IsTrue(fastDoubles > texts.Count / 4 && fastSingles > texts.Count / 4, $"the fast path serves the common numbers ({fastDoubles}, {fastSingles} of {texts.Count})");
    }

    [TestMethod]
    public void Every_step_line_the_scanner_accepts_reads_as_the_general_reader_reads_it_even_corrupted()
    {
        // Real lines: the golden log (float32 and double columns, NaN, nulls, a changing parameter list) and two demo logs.
        var lines = new List<(byte[] Line, string[] Names)>();
        foreach (string file in new[] { Path.Combine("Golden", "every-kind.jsonl"), Path.Combine("Fixtures", "demo-sqrt-fault.jsonl"), Path.Combine("Fixtures", "demo-mlnet-data-fault.jsonl") })
        {
            string[] names = [];
            foreach (string text in File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, file)))
            {
                byte[] line = Encoding.UTF8.GetBytes(text);
                if (text.StartsWith("{\"kind\":\"parameters\"", StringComparison.Ordinal))
                {
                    names = StepLine.ReadNames(line)!;
                }
                else if (text.StartsWith("{\"kind\":\"step\"", StringComparison.Ordinal))
                {
                    lines.Add((line, names));
                }
            }
        }

        using RunLogCursor cursor = RunLogReader.Open(new MemoryStream(Encoding.UTF8.GetBytes("{\"kind\":\"header\",\"schemaVersion\":2,\"runName\":\"r\"}\n")));
        var random = new Random(9);
        int accepted = 0, corruptedAccepted = 0, checkedLines = 0;
        byte[] alphabet = "0123456789-+.eE,:[]{}\" nultrfaNI\\"u8.ToArray();
        foreach ((byte[] line, string[] names) in lines)
        {
            StepRecord fast = CanonicalStepLine.TryRead(line, names) ?? throw new AssertFailedException($"a line as the writer writes it is read fast: {Encoding.UTF8.GetString(line)}");
            AssertSame(StepLine.Read(line, names, cursor, 1)!, fast, line);
            accepted++;
            for (int k = 0; k < 200; k++)
            {
                byte[] corrupt = LineCorruption.Corrupt(line, random, alphabet);
                checkedLines++;
                if (CanonicalStepLine.TryRead(corrupt, names) is { } read)
                {
                    corruptedAccepted++;
                    StepRecord general;
                    try
                    {
                        general = StepLine.Read(corrupt, names, cursor, 1) ?? throw new AssertFailedException("a version-1 line was accepted");
                    }
                    catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException or InvalidOperationException or FormatException)
                    {
                        throw new AssertFailedException($"the scanner accepted a line the general reader refuses ({e.Message}): {Encoding.UTF8.GetString(corrupt)}");
                    }

                    AssertSame(general, read, corrupt);
                }
            }
        }

        Assert.IsTrue(accepted > 40, $"{accepted} real step lines");
        Assert.IsTrue(corruptedAccepted > 100, $"some corruptions still are valid step lines ({corruptedAccepted} of {checkedLines}), and they agree");
    }

    private static void AssertSame(StepRecord expected, StepRecord actual, byte[] line)
    {
        string text = Encoding.UTF8.GetString(line);
        Assert.AreEqual(expected.Step, actual.Step, text);
        Assert.AreEqual(expected.Epoch, actual.Epoch, text);
        Assert.AreEqual(expected.Skipped, actual.Skipped, text);
        AssertBits(expected.Loss, actual.Loss, text);
        AssertBits(expected.LearningRate, actual.LearningRate, text);
        AssertBits(expected.ElapsedMilliseconds, actual.ElapsedMilliseconds, text);
        AssertBits(expected.GradientNorm, actual.GradientNorm, text);
        Assert.AreEqual(expected.Layers.Count, actual.Layers.Count, text);
        Assert.AreEqual(expected.Layers is ParameterColumns, actual.Layers is ParameterColumns, text);
        if (expected.Layers is ParameterColumns e && actual.Layers is ParameterColumns a)
        {
            Assert.AreEqual(e.WeightNorms.IsEmpty, a.WeightNorms.IsEmpty, text);
            Assert.AreEqual(e.UpdateRatios.IsEmpty, a.UpdateRatios.IsEmpty, text);
        }

        for (int k = 0; k < expected.Layers.Count; k++)
        {
            Assert.AreEqual(expected.Layers[k].Name, actual.Layers[k].Name, text);
            AssertBits(expected.Layers[k].GradientNorm, actual.Layers[k].GradientNorm, text);
            AssertBits(expected.Layers[k].WeightNorm, actual.Layers[k].WeightNorm, text);
            AssertBits(expected.Layers[k].UpdateRatio, actual.Layers[k].UpdateRatio, text);
        }
    }

    private static void AssertBits(double? expected, double? actual, string line)
    {
        Assert.AreEqual(expected.HasValue, actual.HasValue, line);
        if (expected is double x && actual is double y)
        {
            Assert.AreEqual(BitConverter.DoubleToInt64Bits(x), BitConverter.DoubleToInt64Bits(y), line);
        }
    }
}
