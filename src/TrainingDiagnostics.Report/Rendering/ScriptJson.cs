using System.Text;

namespace TrainingDiagnostics.Report.Rendering;

/// <summary>
/// Makes JSON text safe to embed in a <c>&lt;script type="application/json"&gt;</c> element: &lt;, &gt; and &amp;
/// become \u003C, \u003E and \u0026, so no run string can write <c>&lt;/script&gt;</c> or <c>&lt;!--</c>;
/// U+2028 and U+2029 become \u2028 and \u2029 (line terminators in older JavaScript). The result parses to
/// the same value, since these characters can occur in JSON only inside strings.
/// </summary>
internal static class ScriptJson
{
    public static string Escape(string json)
    {
        var text = new StringBuilder(json.Length + 16);
        foreach (char c in json)
        {
            _ = c switch
            {
                '<' => text.Append("\\u003C"),
                '>' => text.Append("\\u003E"),
                '&' => text.Append("\\u0026"),
                '\u2028' => text.Append("\\u2028"),
                '\u2029' => text.Append("\\u2029"),
                _ => text.Append(c),
            };
        }

        return text.ToString();
    }
}
