using System.Runtime.InteropServices;
using System.Text;

namespace TrainingDiagnostics.Replay;

/// <summary>
/// Routes what native code (libtorch's warning handler) writes to the process's standard error during one short call into a
/// string, on Linux and macOS: file descriptor 2 is pointed at a temporary file for the call and put back afterwards.
/// libtorch gives .NET no warning hook (c10's handler is not exposed by TorchSharp 0.107), so this is how the replay's
/// anomaly-mode trace ("Error detected in SqrtBackward0") lands in the incident instead of on the user's console.
/// </summary>
/// <remarks>
/// Anything any thread writes to standard error during the call is captured too; the replay's backward pass lasts
/// milliseconds. On Windows, or if a system call fails, nothing is redirected and the call runs as is.
/// </remarks>
internal static class NativeStandardError
{
    private const int StandardErrorDescriptor = 2;

    /// <summary>Runs <paramref name="action"/> with native standard error captured; returns what was written (empty when nothing was, or on Windows).</summary>
    public static string Capture(Action action)
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
        {
            action();
            return "";
        }

        string path = Path.Combine(Path.GetTempPath(), $"tdiag-stderr-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        int saved = -1;
        try
        {
            using (File.Create(path)) { }
            saved = Dup(StandardErrorDescriptor);
            int target = saved < 0 ? -1 : Open(path, 1 /* O_WRONLY, on Linux and macOS */);
            if (target < 0 || Dup2(target, StandardErrorDescriptor) < 0)
            {
                if (target >= 0)
                    Close(target);
                if (saved >= 0)
                    Close(saved);
                saved = -1;
                action();
                return "";
            }
            Close(target);
            try
            {
                action();
            }
            finally
            {
                Dup2(saved, StandardErrorDescriptor);
                Close(saved);
                saved = -1;
            }
            return File.ReadAllText(path, Encoding.UTF8);
        }
        finally
        {
            if (saved >= 0)
                Close(saved);
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The first libtorch warning in captured text, without its timestamp prefix (<c>[W1203 ...] Warning: </c>), or null.</summary>
    public static string? FirstWarning(string captured)
    {
        foreach (string line in captured.Split('\n'))
        {
            int at = line.IndexOf("Warning: ", StringComparison.Ordinal);
            if (at >= 0)
                return line[(at + "Warning: ".Length)..].Trim();
        }
        return null;
    }

    [DllImport("libc", EntryPoint = "dup")]
    private static extern int Dup(int fd);

    [DllImport("libc", EntryPoint = "dup2")]
    private static extern int Dup2(int fd, int fd2);

    [DllImport("libc", EntryPoint = "open", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
