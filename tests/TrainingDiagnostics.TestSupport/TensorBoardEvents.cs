using Tensorboard;

namespace TrainingDiagnostics.TestSupport;

/// <summary>
/// The events of TensorBoard event files, parsed with TorchSharp's generated <see cref="Event"/> classes after
/// <see cref="TfRecordFile"/> checked their framing: one entry per summary value, with its tag, step and content.
/// </summary>
public sealed class TensorBoardEvents
{
    private TensorBoardEvents(List<Event> events)
    {
        Events = events;
        foreach (Event e in events)
        {
            if (e.Summary is null)
            {
                continue;
            }

            foreach (Summary.Types.Value value in e.Summary.Value)
            {
                switch (value.ValueCase)
                {
                    case Summary.Types.Value.ValueOneofCase.SimpleValue:
                        Scalars.Add((value.Tag, e.Step, value.SimpleValue));
                        break;
                    case Summary.Types.Value.ValueOneofCase.Histo:
                        Histograms.Add((value.Tag, e.Step, value.Histo));
                        break;
                    case Summary.Types.Value.ValueOneofCase.Tensor when value.Metadata?.PluginData?.PluginName == "text":
                        Texts.Add((value.Tag, e.Step, value.Tensor.StringVal[0].ToStringUtf8()));
                        break;
                    default:
                        Others.Add((value.Tag, e.Step));
                        break;
                }
            }
        }
    }

    /// <summary>Every event, in file order (files in name order).</summary>
    public List<Event> Events { get; }

    /// <summary>Every scalar (<c>simple_value</c>).</summary>
    public List<(string Tag, long Step, float Value)> Scalars { get; } = [];

    /// <summary>Every histogram.</summary>
    public List<(string Tag, long Step, HistogramProto Histogram)> Histograms { get; } = [];

    /// <summary>Every text (a string tensor with the text plugin's metadata).</summary>
    public List<(string Tag, long Step, string Text)> Texts { get; } = [];

    /// <summary>Summary values of any other kind.</summary>
    public List<(string Tag, long Step)> Others { get; } = [];

    /// <summary>Reads every event file (<c>events.out.tfevents.*</c>) directly in <paramref name="directory"/>.</summary>
    public static TensorBoardEvents ReadDirectory(string directory)
    {
        string[] files = Directory.GetFiles(directory, "events.out.tfevents.*").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new InvalidDataException($"no event file in {directory}");
        }

        return new TensorBoardEvents(files.SelectMany(ReadFile).ToList());
    }

    /// <summary>The events of one file; its first event must be the file version.</summary>
    public static List<Event> ReadFile(string path)
    {
        List<Event> events = TfRecordFile.Read(path).Select(Event.Parser.ParseFrom).ToList();
        if (events.Count == 0 || events[0].FileVersion != "brain.Event:2")
        {
            throw new InvalidDataException($"{path}: the first event is not the file version brain.Event:2.");
        }

        return events;
    }
}
