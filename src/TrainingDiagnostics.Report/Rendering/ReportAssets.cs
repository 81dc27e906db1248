using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// The stylesheet and script embedded in every report (assembly resources), with the SHA-256 hashes the page's
/// Content-Security-Policy allows them by: no <c>'unsafe-inline'</c>, so no other inline script or style can run.
/// </summary>
internal static class ReportAssets
{
    public static string Styles { get; } = Load("report.css");

    public static string Script { get; } = Load("report.js");

    /// <summary>The CSP meta value: nothing may load from anywhere; only our own style and script may apply.</summary>
    public static string ContentSecurityPolicy { get; } =
        $"default-src 'none'; style-src '{Hash(Styles)}'; script-src '{Hash(Script)}'; base-uri 'none'; form-action 'none'";

    /// <summary>The CSP source expression of an inline element's text: <c>sha256-</c> and the base64 digest of its UTF-8 bytes.</summary>
    public static string Hash(string text) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Load(string name)
    {
        Assembly assembly = typeof(ReportAssets).Assembly;
        using Stream stream = assembly.GetManifestResourceStream("TrainingDiagnostics.Report.Assets." + name)
            ?? throw new InvalidOperationException($"The report asset '{name}' is missing from {assembly.GetName().Name}; the build must embed Assets/{name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string text = reader.ReadToEnd();

        // An asset that contained its own end tag would end its element early.
        if (text.Contains("</", StringComparison.Ordinal) && (text.Contains("</script", StringComparison.OrdinalIgnoreCase) || text.Contains("</style", StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"The report asset '{name}' contains a closing tag of its element.");
        }

        return text;
    }
}
