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
    /// <summary>A log when <c>TVIX_SHOW_STATS=gc</c> asks for one.</summary>
    public static IRunLog? StartIfRequested() =>
        Environment.GetEnvironmentVariable("TVIX_SHOW_STATS") == "gc" ? new CollectionLog() : null;
}

/// <summary>
/// With <c>TVIX_SHOW_STATS=gc</c>, records the garbage collections of the run (generation,
/// pause, whether it compacted, what survived) and prints them at exit with the other
/// statistics: the totals alone cannot say which collections cost the time, and an
/// evaluation's heap is mostly alive, so which generation was collected, and when, decides it.
/// </summary>
/// <remarks>
/// The CLI runs without managed EventSources (see Tvix.Cli.csproj), so the runtime's GC events
/// cannot be listened to in process. Instead a finalizable sentinel, made anew after each
/// collection, has its finalizer run after every collection, and reads what
/// <see cref="GC.GetGCMemoryInfo(GCKind)"/> reports for each kind of collection. Two collections
/// of one kind between two runs of the finalizer show as the later one (the log says how many
/// it missed); for the reason of each collection, trace the run with EventPipe.
/// </remarks>
internal sealed class CollectionLog : IRunLog
{
    private static readonly GCKind[] Kinds = [GCKind.Ephemeral, GCKind.FullBlocking, GCKind.Background];

    private readonly Lock _gate = new();
    private readonly StringBuilder _lines = new();
    private readonly long _start = Environment.TickCount64;
    private readonly long[] _seen = new long[Kinds.Length];
    private long _lastIndex;
    private volatile bool _stopped;

    public CollectionLog()
    {
        for (var k = 0; k < Kinds.Length; k++) _seen[k] = GC.GetGCMemoryInfo(Kinds[k]).Index;
        _lastIndex = GC.CollectionCount(0);
        _ = new Sentinel(this);
    }

    /// <summary>Records the collections not seen yet; false once the log is done.</summary>
    private bool Record()
    {
        if (_stopped) return false;
        lock (_gate)
        {
            var at = Environment.TickCount64 - _start;
            for (var k = 0; k < Kinds.Length; k++)
            {
                var info = GC.GetGCMemoryInfo(Kinds[k]);
                if (info.Index <= _seen[k]) continue;
                _seen[k] = info.Index;
                var missed = info.Index - _lastIndex - 1;
                _lastIndex = Math.Max(_lastIndex, info.Index);
                _lines.Append($"gc {info.Index} gen{info.Generation} {Kinds[k]} by={at}ms");
                _lines.Append($" pause={Ms(info, 0)}ms");
                if (info.PauseDurations.Length > 1 && info.PauseDurations[1] > TimeSpan.Zero) _lines.Append($"+{Ms(info, 1)}ms");
                _lines.Append(info.Compacted ? " compacted" : " swept");
                var generations = info.GenerationInfo;
                for (var g = 0; g < generations.Length && g < 4; g++)
                    _lines.Append($" gen{g}={generations[g].SizeBeforeBytes >> 20}->{generations[g].SizeAfterBytes >> 20}MB");
                _lines.Append($" promoted={info.PromotedBytes >> 20}MB heap={info.HeapSizeBytes >> 20}MB");
                if (missed > 0) _lines.Append($" (and {missed} earlier not seen)");
                _lines.AppendLine();
            }
        }
        return true;
    }

    private static string Ms(GCMemoryInfo info, int pause) => info.PauseDurations[pause].TotalMilliseconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture);

    public void Print(TextWriter stderr)
    {
        Record();
        lock (_gate) stderr.Write(_lines.ToString());
    }

    public void Dispose() => _stopped = true;

    /// <summary>Lives until the next collection; its finalizer logs it and leaves a new sentinel.</summary>
    private sealed class Sentinel(CollectionLog log)
    {
        ~Sentinel()
        {
            if (log.Record()) _ = new Sentinel(log);
        }
    }
}
