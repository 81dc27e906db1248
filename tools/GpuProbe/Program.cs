using System.Text.Json;

namespace TrainingDiagnostics.GpuProbe;

/// <summary>The entry point: parse, run, print one JSON document on standard output (progress on standard error).</summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        ProbeOptions options;
        try
        {
            options = ProbeOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(ProbeOptions.Usage);
            return Fail(e.Message);
        }

        if (options.Help)
        {
            Console.Out.Write(ProbeOptions.Usage);
            return 0;
        }

        if (options.List)
        {
            using var stdout = Console.OpenStandardOutput();
            using var json = new Utf8JsonWriter(stdout);
            json.WriteStartArray();
            foreach (var function in ProbeFunctions.All)
            {
                json.WriteStringValue(function.Name);
            }

            json.WriteEndArray();
            return 0;
        }

        var functions = ProbeFunctions.All.Where(f => options.Functions?.Contains(f.Name) ?? true).ToList();
        if (options.Ptx)
        {
            int code;
            using (var stdout = Console.OpenStandardOutput())
            {
                code = PtxCheck.Run(functions, Console.Error, stdout);
            }

            Console.Out.WriteLine();
            return code;
        }

        CudaLibrary.AddFallback();
        ProbeReport report;
        try
        {
            report = new Probe(options, Console.Error).Run();
        }
        catch (InvalidOperationException e)
        {
            // An explicit --device that is not present (the engine's message says what ILGPU found).
            return Fail(e.Message);
        }

        using (var stdout = Console.OpenStandardOutput())
        {
            report.Write(stdout);
            stdout.WriteByte((byte)'\n');
        }

        return report.Passed ? 0 : 1;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        using (var stdout = Console.OpenStandardOutput())
        using (var json = new Utf8JsonWriter(stdout, ProbeReport.JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("tool", "GpuProbe");
            json.WriteNumber("formatVersion", ProbeReport.FormatVersion);
            json.WriteString("error", message);
            json.WriteEndObject();
        }

        Console.Out.WriteLine();
        return 2;
    }
}
