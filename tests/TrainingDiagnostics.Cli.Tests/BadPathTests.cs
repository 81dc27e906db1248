using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using TrainingDiagnostics.Model;

namespace TrainingDiagnostics.Cli.Tests;

/// <summary>
/// Every command and every option that takes a path, given a path that is missing, empty, a folder where a file is
/// expected, unreadable, read-only, or the wrong one: the command ends with exit 2 (the command line), 3 (an input) or 4
/// (an output), one line on stderr, no stack trace, and for <c>demo</c>, before any training.
/// </summary>
/// <remarks>
/// File modes do not stop root (CI containers often run as root): when <c>chmod</c> is found not to bite, an unreadable
/// file is <c>/proc/self/mem</c> (reads fail with EIO), a read-only folder is <c>/proc</c> (nothing can be created in it)
/// and a read-only file is <c>/proc/version</c> (writes fail), which hold for root too.
/// </remarks>
[TestClass]
[UnsupportedOSPlatform("windows")] // file modes and /proc
public sealed class BadPathTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    // report: its inputs...
    [DataRow("report {missing}", ExitCodes.InputError)]
    [DataRow("report {empty}", ExitCodes.InputError)]
    [DataRow("report {folder}", ExitCodes.InputError)]
    [DataRow("report {unreadable}", ExitCodes.InputError)]
    [DataRow("report {file}/run.jsonl", ExitCodes.InputError)]
    [DataRow("report {log} {missing}", ExitCodes.InputError)]
    [DataRow("report {blank}", ExitCodes.UsageError)]
    [DataRow("report {nul}", ExitCodes.UsageError)]
    // ... and -o / --output
    [DataRow("report {log} -o {folder}", ExitCodes.OutputError)]
    [DataRow("report {log} -o {file}/report.html", ExitCodes.OutputError)]
    [DataRow("report {log} -o {read-only}/report.html", ExitCodes.OutputError)]
    [DataRow("report {log} --output {read-only-file}", ExitCodes.OutputError)]
    [DataRow("report {log} -o {blank}", ExitCodes.UsageError)]
    [DataRow("report {log} -o {nul}", ExitCodes.UsageError)]
    [DataRow("report {log} -o {log}", ExitCodes.UsageError)]
    // compare: its inputs, first and later...
    [DataRow("compare {missing} {log}", ExitCodes.InputError)]
    [DataRow("compare {log} {empty}", ExitCodes.InputError)]
    [DataRow("compare {log} {folder}", ExitCodes.InputError)]
    [DataRow("compare {unreadable} {log}", ExitCodes.InputError)]
    [DataRow("compare {log} {file}/run.jsonl", ExitCodes.InputError)]
    [DataRow("compare {log} {blank}", ExitCodes.UsageError)]
    // ... and -o / --output
    [DataRow("compare {log} {log2} -o {folder}", ExitCodes.OutputError)]
    [DataRow("compare {log} {log2} -o {file}/compare.html", ExitCodes.OutputError)]
    [DataRow("compare {log} {log2} -o {read-only}/compare.html", ExitCodes.OutputError)]
    [DataRow("compare {log} {log2} --output {read-only-file}", ExitCodes.OutputError)]
    [DataRow("compare {log} {log2} -o {blank}", ExitCodes.UsageError)]
    [DataRow("compare {log} {log2} -o {log2}", ExitCodes.UsageError)]
    // demo: --out / -o, the folder and the two files it writes there
    [DataRow("demo --epochs 1 --out {file}", ExitCodes.OutputError)]
    [DataRow("demo --epochs 1 --out {file}/out", ExitCodes.OutputError)]
    [DataRow("demo --epochs 1 -o {read-only}", ExitCodes.OutputError)]
    [DataRow("demo --epochs 1 -o {read-only}/out", ExitCodes.OutputError)]
    [DataRow("demo --epochs 1 --out {run-log-is-a-folder}", ExitCodes.OutputError)]
    [DataRow("demo --epochs 1 --out {report-is-a-folder}", ExitCodes.OutputError)]
    [DataRow("demo --epochs 1 --out {report-is-read-only}", ExitCodes.OutputError)]
    [DataRow("demo --epochs 1 --out {blank}", ExitCodes.UsageError)]
    [DataRow("demo --epochs 1 -o {nul}", ExitCodes.UsageError)]
    public void EndsWithItsExitCodeAndOneLine(string commandLine, int expected)
    {
        var sandbox = new Sandbox(Path.Combine(Path.GetTempPath(), "tdiag-paths-" + Guid.NewGuid().ToString("N")));
        try
        {
            string[] args = commandLine.Split(' ').Select(sandbox.Expand).ToArray();
            var output = new StringWriter();
            var error = new StringWriter();

            int code = TdiagApp.Run(args, output, error);

            string stderr = error.ToString();
            TestContext.WriteLine($"tdiag {string.Join(' ', args)}\n-> exit {code}: {stderr}");
            Assert.AreEqual(expected, code, stderr);
            Assert.IsTrue(stderr.EndsWith('\n') && stderr.IndexOf('\n', StringComparison.Ordinal) == stderr.Length - 1, $"exactly one line on stderr: {stderr}");
            StringAssert.StartsWith(stderr, "tdiag: ");
            Assert.DoesNotContain("unexpected", stderr);
            Assert.IsFalse(Regex.IsMatch(stderr + output, @"^\s+at ", RegexOptions.Multiline), "no stack trace");
            if (args[0] == "demo")
            {
                Assert.DoesNotContain("training MLP", output.ToString(), "a bad output path is refused before training starts");
            }
        }
        finally
        {
            sandbox.Dispose();
        }
    }

    [TestMethod]
    public void AMissingOutputFolderIsCreated()
    {
        // The contract the refusals above stand beside: an output folder that does not exist yet is not an error.
        var sandbox = new Sandbox(Path.Combine(Path.GetTempPath(), "tdiag-paths-" + Guid.NewGuid().ToString("N")));
        try
        {
            string report = Path.Combine(sandbox.Root, "new", "deeper", "report.html");
            var error = new StringWriter();

            int code = TdiagApp.Run(["report", sandbox.Expand("{log}"), "-o", report], new StringWriter(), error);

            Assert.AreEqual(ExitCodes.Success, code, error.ToString());
            StringAssert.Contains(File.ReadAllText(report), "<html");
        }
        finally
        {
            sandbox.Dispose();
        }
    }

    /// <summary>A folder of bad paths, named by placeholders: <c>{log}</c>, <c>{missing}</c>, <c>{read-only}</c>...</summary>
    private sealed class Sandbox : IDisposable
    {
        private readonly List<string> _locked = [];
        private readonly bool _modesBite;

        public Sandbox(string root)
        {
            Root = root;
            Directory.CreateDirectory(root);
            WriteLog(Path.Combine(root, "run.jsonl"), "a");
            WriteLog(Path.Combine(root, "other.jsonl"), "b");
            File.WriteAllText(Path.Combine(root, "empty.jsonl"), "");
            File.WriteAllText(Path.Combine(root, "file.txt"), "a file where a folder is expected");
            Directory.CreateDirectory(Path.Combine(root, "folder.jsonl"));
            Directory.CreateDirectory(Path.Combine(root, "run-log-is-a-folder", "run.jsonl"));
            Directory.CreateDirectory(Path.Combine(root, "report-is-a-folder", "report.html"));

            // Does chmod stop this process? Not when it runs as root.
            string probe = Path.Combine(root, "probe");
            File.WriteAllText(probe, "x");
            File.SetUnixFileMode(probe, UnixFileMode.None);
            try
            {
                File.ReadAllText(probe);
            }
            catch (UnauthorizedAccessException)
            {
                _modesBite = true;
            }

            if (_modesBite)
            {
                Lock(Path.Combine(root, "unreadable.jsonl"), file: true, UnixFileMode.None);
                Lock(Path.Combine(root, "read-only"), file: false, UnixFileMode.UserRead | UnixFileMode.UserExecute);
                Lock(Path.Combine(root, "read-only.html"), file: true, UnixFileMode.UserRead);
                Directory.CreateDirectory(Path.Combine(root, "report-is-read-only"));
                Lock(Path.Combine(root, "report-is-read-only", "report.html"), file: true, UnixFileMode.UserRead);
            }
            else if (!OperatingSystem.IsLinux())
            {
                Assert.Inconclusive("file modes do not bite (root?) and there is no /proc to stand in for them");
            }
        }

        public string Root { get; }

        public string Expand(string arg) => arg
            .Replace("{log}", Path.Combine(Root, "run.jsonl"), StringComparison.Ordinal)
            .Replace("{log2}", Path.Combine(Root, "other.jsonl"), StringComparison.Ordinal)
            .Replace("{missing}", Path.Combine(Root, "missing.jsonl"), StringComparison.Ordinal)
            .Replace("{empty}", Path.Combine(Root, "empty.jsonl"), StringComparison.Ordinal)
            .Replace("{folder}", Path.Combine(Root, "folder.jsonl"), StringComparison.Ordinal)
            .Replace("{file}", Path.Combine(Root, "file.txt"), StringComparison.Ordinal)
            .Replace("{run-log-is-a-folder}", Path.Combine(Root, "run-log-is-a-folder"), StringComparison.Ordinal)
            .Replace("{report-is-a-folder}", Path.Combine(Root, "report-is-a-folder"), StringComparison.Ordinal)
            .Replace("{unreadable}", _modesBite ? Path.Combine(Root, "unreadable.jsonl") : "/proc/self/mem", StringComparison.Ordinal)
            .Replace("{read-only}", _modesBite ? Path.Combine(Root, "read-only") : "/proc", StringComparison.Ordinal)
            .Replace("{read-only-file}", _modesBite ? Path.Combine(Root, "read-only.html") : "/proc/version", StringComparison.Ordinal)
            .Replace("{report-is-read-only}", _modesBite ? Path.Combine(Root, "report-is-read-only") : "/proc/self", StringComparison.Ordinal)
            .Replace("{blank}", "", StringComparison.Ordinal)
            .Replace("{nul}", Path.Combine(Root, "a\0b"), StringComparison.Ordinal);

        public void Dispose()
        {
            foreach (string path in _locked)
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            Directory.Delete(Root, recursive: true);
        }

        private void Lock(string path, bool file, UnixFileMode mode)
        {
            if (file)
            {
                File.WriteAllText(path, "{}\n");
            }
            else
            {
                Directory.CreateDirectory(path);
            }

            File.SetUnixFileMode(path, mode);
            _locked.Add(path);
        }

        private static void WriteLog(string path, string name)
        {
            using var writer = new RunLogWriter(path, new RunMetadata { RunName = name });
            for (int i = 0; i < 3; i++)
            {
                writer.Write(new StepRecord { Step = i, Loss = 1.0 / (1 + i) });
            }
        }
    }
}
