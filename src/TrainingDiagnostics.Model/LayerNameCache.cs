using System.Text;

namespace TrainingDiagnostics.Model;

/// <summary>
/// The parameter names of the last version-1 step line read fast (<see cref="CanonicalStepLine"/>), as strings and as
/// their UTF-8 bytes: a step that lists the same names, in the same order, shares the same <see cref="Names"/> array
/// (no string per name and step, and the report numbers the parameters once per list, not per step).
/// </summary>
internal sealed class LayerNameCache
{
    private byte[][] _utf8 = [];
    private int[] _start = new int[64];
    private int[] _length = new int[64];

    /// <summary>The names of the last step read.</summary>
    public string[] Names { get; private set; } = [];

    /// <summary>Whether <paramref name="name"/> (plain ASCII text, no escapes) is the name at <paramref name="index"/> of the last step.</summary>
    public bool Matches(int index, ReadOnlySpan<byte> name) => index < _utf8.Length && name.SequenceEqual(_utf8[index]);

    /// <summary>Notes where the name at <paramref name="index"/> of the line being read lies (for <see cref="Update"/>).</summary>
    public void Mark(int index, int start, int length)
    {
        if (index == _start.Length)
        {
            Array.Resize(ref _start, index * 2);
            Array.Resize(ref _length, index * 2);
        }

        _start[index] = start;
        _length[index] = length;
    }

    /// <summary>The names marked on <paramref name="line"/>, now the last step's names.</summary>
    public string[] Update(ReadOnlySpan<byte> line, int count)
    {
        var names = new string[count];
        var utf8 = new byte[count][];
        for (int k = 0; k < count; k++)
        {
            ReadOnlySpan<byte> name = line.Slice(_start[k], _length[k]);
            utf8[k] = name.ToArray();
            names[k] = Encoding.UTF8.GetString(name);
        }

        (Names, _utf8) = (names, utf8);
        return names;
    }
}
