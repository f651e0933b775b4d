namespace Tvix.Testing;

/// <summary>A fact about behaviour that exists only on 64-bit Linux (raw file names, syncfs); skipped elsewhere.</summary>
internal sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || IntPtr.Size != 8) Skip = "needs 64-bit Linux";
    }
}
