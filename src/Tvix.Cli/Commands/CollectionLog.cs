using System.Diagnostics.Tracing;
using System.Text;

namespace Tvix.Cli.Commands;

/// <summary>A diagnostic log a command prints to standard error at its end.</summary>
internal interface IRunLog : IDisposable
{
    void Print(TextWriter stderr);
}

/// <summary>Starts a <see cref="CollectionLog"/> when one is asked for.</summary>
internal static class CollectionLogs
{
    /// <summary>
    /// A log when <c>TVIX_SHOW_STATS=gc</c> asks for one. Typed as <see cref="IRunLog"/> and made in
    /// a method of its own, so that a run that does not log never loads <see cref="CollectionLog"/>, whose base
    /// class lives behind the System.Diagnostics.Tracing facade (an assembly load at every start-up).
    /// </summary>
    public static IRunLog? StartIfRequested() =>
        Environment.GetEnvironmentVariable("TVIX_SHOW_STATS") == "gc" ? Start() : null;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static IRunLog Start() => new CollectionLog();
}

/// <summary>
/// With <c>TVIX_SHOW_STATS=gc</c>, records every garbage collection of the run (generation,
/// reason, pause and its mark phase, what survived) and prints them at exit with the other statistics: the
/// totals alone cannot say which collections cost the time, and an evaluation's heap is
/// mostly alive, so which generation was collected, and when, decides it.
/// </summary>
internal sealed class CollectionLog : EventListener, IRunLog
{
    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly object _gate = new();
    private readonly StringBuilder _lines = new();
    private readonly DateTime _start = DateTime.UtcNow;
    private DateTime _collectionStart;
    private DateTime _markEnd;
    private string _current = "";


    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeSource) EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        lock (_gate)
        {
            switch (e.EventName)
            {
                case "GCStart_V2":
                    _collectionStart = _markEnd = e.TimeStamp;
                    _current = $"gc {Payload(e, "Count")} gen{Payload(e, "Depth")} reason={Payload(e, "Reason")} at={(e.TimeStamp - _start).TotalMilliseconds:F0}ms";
                    break;
                case "GCEnd_V1":
                    _current += $" pause={(e.TimeStamp - _collectionStart).TotalMilliseconds:F0}ms mark={(_markEnd - _collectionStart).TotalMilliseconds:F0}ms";
                    break;
                case "GCMarkWithType":
                    // One per kind of root; the last one ends the mark phase, the rest of the
                    // pause is planning, relocating and compacting (or sweeping).
                    _markEnd = e.TimeStamp;
                    break;
                case var name when name?.StartsWith("GCGlobalHeapHistory", StringComparison.Ordinal) == true:
                    // Whether the collection compacted (copied the survivors) or swept them in place.
                    _current += int.TryParse(Payload(e, "GlobalMechanisms"), out var mechanisms)
                        ? (mechanisms & 2) != 0 ? " compacted" : " swept"
                        : "";
                    break;
                case "GCHeapStats_V2":
                    _lines.Append(_current)
                        .Append($" gen0={Mb(e, "GenerationSize0")} gen1={Mb(e, "GenerationSize1")} gen2={Mb(e, "GenerationSize2")} loh={Mb(e, "GenerationSize3")}")
                        .Append($" promoted0={Mb(e, "TotalPromotedSize0")} promoted1={Mb(e, "TotalPromotedSize1")} promoted2={Mb(e, "TotalPromotedSize2")}")
                        .AppendLine();
                    break;
            }
        }
    }

    public void Print(TextWriter stderr)
    {
        // Runtime events reach listeners through a dispatcher thread; give it a moment.
        Thread.Sleep(200);
        lock (_gate) stderr.Write(_lines.ToString());
    }

    private static string Payload(EventWrittenEventArgs e, string name)
    {
        var index = e.PayloadNames?.IndexOf(name) ?? -1;
        return index >= 0 ? e.Payload![index]?.ToString() ?? "" : "?";
    }

    private static string Mb(EventWrittenEventArgs e, string name) =>
        ulong.TryParse(Payload(e, name), out var bytes) ? $"{bytes >> 20}MB" : "?";
}
