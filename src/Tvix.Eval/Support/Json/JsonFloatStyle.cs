namespace Tvix.Eval.Support.Json;

/// <summary>How <c>builtins.toJSON</c> writes floats; C++ Nix changed it in 2.12.</summary>
internal enum JsonFloatStyle
{
    /// <summary>
    /// Nix 2.12 and later (nlohmann/json): the shortest digits that read back exactly, with
    /// <c>.0</c> on integral values (<c>1.0</c>, <c>0.3333333333333333</c>).
    /// </summary>
    ShortestRoundTrip,

    /// <summary>
    /// Nix before 2.12: C++ stream output, 6 significant digits (<c>1</c>, <c>0.333333</c>,
    /// <c>1.23457e+08</c>, <c>inf</c>). nixpkgs 20.09's NixOS option documentation
    /// (<c>options.json</c>) holds such floats, so its <c>.drv</c> path depends on this.
    /// </summary>
    SixSignificantDigits,
}
