using System.ComponentModel;
using System.Diagnostics;

namespace TrainingDiagnostics.Cli.Terminal;

/// <summary>
/// Opens a report in the default browser (the operating system's handler for .html: xdg-open, open, start). Only
/// when tdiag runs in a terminal a person watches: captured or CI output gets the file URI to open instead.
/// </summary>
internal static class ReportOpener
{
    public static void Open(string path, TextWriter output)
    {
        string uri = new Uri(Path.GetFullPath(path)).AbsoluteUri;
        if (!ProgressReporter.IsInteractive(output))
        {
            output.WriteLine($"open in a browser: {uri}");
            return;
        }

        try
        {
            using Process? process = Process.Start(new ProcessStartInfo(path) { UseShellExecute = true });
            output.WriteLine($"opened            {uri}");
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            output.WriteLine($"could not open a browser ({ex.Message}); open it yourself: {uri}");
        }
    }
}
