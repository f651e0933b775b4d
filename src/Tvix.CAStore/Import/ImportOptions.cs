namespace Tvix.CAStore.Import;

/// <summary>How <see cref="FileSystemImporter"/> and <see cref="FileSystemExporter"/> use the machine.</summary>
public sealed class ImportOptions
{
    /// <summary>Files read or written at the same time; by default one per core.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Bytes each file copy holds in memory at once; memory use is about this times <see cref="MaxParallelism"/>.</summary>
    public int BufferSize { get; init; } = 256 * 1024;
}
