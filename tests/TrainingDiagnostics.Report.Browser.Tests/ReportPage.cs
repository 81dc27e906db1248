using Microsoft.Playwright;

namespace TrainingDiagnostics.Report.Browser.Tests;

/// <summary>A report opened in a fresh page, with everything the page did recorded: console errors, page errors, requests, dialogs.</summary>
internal sealed class ReportPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private ReportPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                ConsoleProblems.Add($"{message.Type}: {message.Text}");
            }
        };
        page.PageError += (_, error) => ConsoleProblems.Add("page error: " + error);
        page.Request += (_, request) => Requests.Add(request.Url);
        page.Dialog += async (_, dialog) =>
        {
            Dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
    }

    public IPage Page { get; }

    public List<string> ConsoleProblems { get; } = [];

    public List<string> Requests { get; } = [];

    public List<string> Dialogs { get; } = [];

    public TimeSpan LoadTime { get; private set; }

    public static async Task<ReportPage> OpenAsync(string path)
    {
        IBrowserContext context = await BrowserSession.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        var report = new ReportPage(context, await context.NewPageAsync());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await report.Page.GotoAsync(new Uri(Path.GetFullPath(path)).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });

        // The script marks the document when it has drawn the charts: that is when a person can use the page.
        await report.Page.WaitForSelectorAsync("html.js", new() { State = WaitForSelectorState.Attached });
        report.LoadTime = clock.Elapsed;
        return report;
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
