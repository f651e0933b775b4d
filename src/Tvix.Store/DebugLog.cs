using Microsoft.Extensions.Logging;

namespace Tvix.Store;

/// <summary>
/// A store's debug messages, kept only when the host gave a logger. The stores hold this (or
/// null) rather than an <see cref="ILogger"/> or <c>NullLogger</c>: code that so much as reads a
/// field of a logging type loads Microsoft.Extensions.Logging.Abstractions, which a host that does
/// not log (the CLI's default) then never needs. Calls are written <c>_log?.Write(…)</c>, so
/// without a logger the arguments are not even built.
/// </summary>
internal sealed class DebugLog(ILogger logger)
{
    // Never inlined: the JIT recompiles hot store methods, and inlining this would load the
    // logging assembly there too (it resolves the calls below while compiling).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public void Write(string message, params object?[] args)
    {
        if (logger.IsEnabled(LogLevel.Debug)) logger.LogDebug(message, args);
    }
}
