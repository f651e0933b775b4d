namespace Tvix.CAStore.Hashing;

/// <summary>
/// How the inputs of a many-at-once kernel call lie in memory, as a type so the distance between
/// them is a compile-time constant in each specialised copy of the kernel.
/// </summary>
internal interface IBlake3Layout
{
    /// <summary>Bytes from the start of one input to the start of the next.</summary>
    static abstract nint Stride { get; }
}

/// <summary>Consecutive whole chunks.</summary>
internal readonly struct ChunkLayout : IBlake3Layout
{
    public static nint Stride => Blake3Compress.ChunkLen;
}
