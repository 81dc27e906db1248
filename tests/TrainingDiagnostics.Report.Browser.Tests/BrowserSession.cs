using Microsoft.Playwright;

namespace TrainingDiagnostics.Report.Browser.Tests;

/// <summary>
/// One headless Chromium for the whole assembly: Debian's <c>/usr/bin/chromium</c>, driven by Playwright with no
/// browser download (none is possible offline). Without Chromium every test fails with the command that installs it.
/// </summary>
[TestClass]
public static class BrowserSession
{
    /// <summary>Where the browser is expected; <c>TDIAG_CHROMIUM</c> overrides it.</summary>
    public static string ExecutablePath { get; } = Environment.GetEnvironmentVariable("TDIAG_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static IPlaywright? _playwright;
    private static IBrowser? _browser;
    private static string? _failure;

    public static IBrowser Browser => _browser ?? throw new AssertFailedException(_failure ?? "The browser was not started.");

    [AssemblyInitialize]
    public static async Task StartAsync(TestContext context)
    {
        if (!File.Exists(ExecutablePath))
        {
            _failure = $"Chromium was not found at {ExecutablePath}. The browser tests need Debian's Chromium: " +
                "run 'apt-get update && apt-get install -y chromium' (.ci/run does), or set TDIAG_CHROMIUM to a Chromium executable.";
            return;
        }

        try
        {
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ExecutablePath, Headless = true });
        }
        catch (PlaywrightException ex)
        {
            _failure = $"Chromium at {ExecutablePath} did not start under Playwright: {ex.Message}";
        }
    }

    [AssemblyCleanup]
    public static async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
