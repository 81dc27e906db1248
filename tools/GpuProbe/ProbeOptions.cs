using System.Globalization;

namespace TrainingDiagnostics.GpuProbe;

/// <summary>The command line of the probe.</summary>
internal sealed record ProbeOptions
{
    public const string Usage = """
        GpuProbe: runs the Taylor engine's kernels (TrainingDiagnostics.Kernels) on a GPU against the CPU executor and prints
        one JSON document (the largest relative differences, the memory bandwidth the kernels reach).

        Usage: GpuProbe [--points N] [--device auto|cuda|opencl|cpu] [--repeat R] [--functions A,B,...] [--list] [--ptx]
          --points N       points per function (default 10000000); multivariate functions get N / arity rows
          --device D       auto (default): CUDA if present, else ILGPU's CPU accelerator; cuda and opencl insist on that
                           device (exit code 2 when absent); cpu: ILGPU's CPU accelerator (the kernel path, on the host)
          --repeat R       timed repetitions of each bandwidth measurement, the best kept (default 3)
          --functions F    only these functions (comma-separated names, see --list); default: every one
          --list           print the functions' names as a JSON array and exit
          --ptx            compile every kernel to PTX for sm_90 (no GPU needed), print a JSON document and exit
        Exit codes: 0 every difference within the tolerance, 1 a difference beyond it, 2 a usage error or no such device.
        """;

    public int Points { get; init; } = 10_000_000;

    public string Device { get; init; } = "auto";

    public int Repeat { get; init; } = 3;

    public bool Help { get; init; }

    public bool List { get; init; }

    public bool Ptx { get; init; }

    /// <summary>The functions to run (names of <see cref="ProbeFunctions.All"/>), or null for every one.</summary>
    public IReadOnlyList<string>? Functions { get; init; }

    /// <summary>Parses the arguments; an <see cref="ArgumentException"/> says what was wrong.</summary>
    public static ProbeOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ProbeOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
            {
                return options with { Help = true };
            }

            if (name is "--list" or "--ptx")
            {
                options = name == "--list" ? options with { List = true } : options with { Ptx = true };
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"'{name}' needs a value, or is not an option of GpuProbe.");
            }

            string value = args[++i];
            options = name switch
            {
                "--points" => options with { Points = Positive(name, value, 2_000_000_000) },
                "--repeat" => options with { Repeat = Positive(name, value, 1000) },
                "--device" => value is "auto" or "cuda" or "opencl" or "cpu"
                    ? options with { Device = value }
                    : throw new ArgumentException($"--device must be auto, cuda, opencl or cpu, but '{value}' came."),
                "--functions" => options with { Functions = Names(value) },
                _ => throw new ArgumentException($"Unknown option '{name}'. The options are --points, --device, --repeat, --functions, --list, --ptx and --help."),
            };
        }

        return options;
    }

    private static string[] Names(string value)
    {
        string[] names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = names.Where(n => ProbeFunctions.All.All(f => f.Name != n)).ToList();
        return unknown.Count == 0 && names.Length > 0
            ? names
            : throw new ArgumentException(
                $"--functions takes names of the probe's functions, comma-separated, but {(names.Length == 0 ? "none came" : $"'{string.Join("', '", unknown)}' is not one")}. " +
                $"The functions: {string.Join(", ", ProbeFunctions.All.Select(f => f.Name))}.");
    }

    private static int Positive(string name, string value, int maximum) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 1 && n <= maximum
            ? n
            : throw new ArgumentException($"{name} must be a whole number from 1 to {maximum.ToString("N0", CultureInfo.InvariantCulture)}, but '{value}' came.");
}
