using Tvix.Eval.Support.Hashing;

namespace Tvix.Eval.Builtins;

/// <summary><c>hashString</c>, <c>hashFile</c>, <c>convertHash</c> and <c>placeholder</c>.</summary>
internal static class SupportHashBuiltins
{
    /// <param name="registry">Where the builtins go.</param>
    /// <param name="algorithms">The algorithms this evaluator accepts (the host's extra ones included).</param>
    public static void Register(BuiltinRegistry registry, NixHashAlgorithms algorithms)
    {
        registry.Add("hashString", 2, (cx, args) => HashString(cx, args, algorithms));
        registry.Add("hashFile", 2, (cx, args) => HashFile(cx, args, algorithms));
        registry.Add("convertHash", 1, (cx, args) => ConvertHash(cx, args, algorithms));
        registry.Add("placeholder", 1, Placeholder, global: true);
    }

    /// <summary>
    /// <c>placeholder OUTPUT</c>: "/" and the nix32 SHA-256 of "nix-output:OUTPUT", which the
    /// builder replaces by the output's path. Pure, so it needs no store.
    /// </summary>
    private static Value Placeholder(EvalContext cx, ReadOnlySpan<Value> args)
    {
        var output = SupportArgs.StringNoContext(cx, args[0], 0, "placeholder");
        var input = new byte["nix-output:"u8.Length + output.Bytes.Length];
        "nix-output:"u8.CopyTo(input);
        output.Bytes.CopyTo(input.AsSpan("nix-output:"u8.Length));
        return Value.FromString("/" + NixBase32.Encode(NixHashAlgorithm.Sha256.Compute(input)));
    }

    private static NixHashAlgorithm Algorithm(EvalContext cx, Value v, string builtin, NixHashAlgorithms algorithms)
    {
        var name = SupportArgs.StringNoContext(cx, v, 0, builtin);
        try
        {
            return algorithms.Parse(name.ToString());
        }
        catch (NixHashException e)
        {
            throw cx.Error(e.Message);
        }
    }

    /// <summary>The base-16 digest of a string's bytes (its context is dropped, as in Nix).</summary>
    private static Value HashString(EvalContext cx, ReadOnlySpan<Value> args, NixHashAlgorithms algorithms)
    {
        var algorithm = Algorithm(cx, args[0], "hashString", algorithms);
        var data = SupportArgs.String(cx, args[1], 1, "hashString");
        return Value.FromString(NixHash.Format(algorithm, algorithm.Compute(data.Bytes), NixHashFormat.Base16));
    }

    /// <summary>The base-16 digest of a file's bytes, read through the evaluator's <see cref="IEvalIO"/>.</summary>
    private static Value HashFile(EvalContext cx, ReadOnlySpan<Value> args, NixHashAlgorithms algorithms)
    {
        var algorithm = Algorithm(cx, args[0], "hashFile", algorithms);
        string path;
        try
        {
            path = cx.CoerceToPath(args[1]);
        }
        catch (NixEvalException e)
        {
            e.AddTrace(SupportArgs.ArgumentFrame(1, "hashFile"), null, default);
            throw;
        }
        byte[] bytes;
        try
        {
            bytes = cx.IO.ReadFile(path);
        }
        catch (IOException e)
        {
            throw cx.Error($"opening file '{path}': {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw cx.Error($"opening file '{path}': {e.Message}");
        }
        return Value.FromString(NixHash.Format(algorithm, algorithm.Compute(bytes), NixHashFormat.Base16));
    }

    /// <summary><c>convertHash { hash; hashAlgo ? …; toHashFormat; }</c>.</summary>
    private static Value ConvertHash(EvalContext cx, ReadOnlySpan<Value> args, NixHashAlgorithms algorithms)
    {
        NixAttrs attrs;
        try
        {
            attrs = cx.ForceAttrs(args[0]);
        }
        catch (NixEvalException e)
        {
            e.AddTrace(SupportArgs.ArgumentFrame(0, "convertHash"), null, default);
            throw;
        }
        var hash = RequiredString(cx, attrs, "hash");
        NixHashAlgorithm? algorithm = null;
        if (attrs.TryGetValue("hashAlgo"u8, out var algoValue))
        {
            var name = AttrString(cx, algoValue, "hashAlgo");
            try
            {
                algorithm = algorithms.Parse(name);
            }
            catch (NixHashException e)
            {
                throw cx.Error(e.Message);
            }
        }
        var formatName = RequiredString(cx, attrs, "toHashFormat");
        try
        {
            var format = NixHash.ParseFormat(formatName, out var deprecated);
            if (deprecated) cx.Log.WriteLine("warning: \"base32\" is a deprecated alias for hash format \"nix32\".");
            var (algo, digest) = algorithms.ParseHash(hash, algorithm);
            return Value.FromString(NixHash.Format(algo, digest, format));
        }
        catch (NixHashException e)
        {
            throw cx.Error(e.Message);
        }
    }

    private static string RequiredString(EvalContext cx, NixAttrs attrs, string name)
    {
        if (!attrs.TryGetValue(name, out var v))
        {
            var e = cx.Error($"attribute '{name}' missing");
            e.AddTrace($"while locating the attribute '{name}'", null, default);
            throw e;
        }
        return AttrString(cx, v, name);
    }

    private static string AttrString(EvalContext cx, Value v, string name)
    {
        try
        {
            return SupportArgs.RequireNoContext(cx, cx.ForceString(v)).ToString();
        }
        catch (NixEvalException e)
        {
            e.AddTrace($"while evaluating the attribute '{name}'", null, default);
            throw;
        }
    }
}
