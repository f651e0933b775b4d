using System.Text;

namespace Tvix.NixCompat.Derivations;

/// <summary>
/// Parses the ATerm syntax of <c>.drv</c> files. Stricter than Nix 2.8 where Nix would silently
/// lose data: duplicate outputs, inputs or environment keys are errors, as is anything after
/// the closing parenthesis.
/// </summary>
internal ref struct AtermParser
{
    private readonly ReadOnlySpan<byte> _input;
    private readonly StoreDirectory _store;
    private int _pos;

    private AtermParser(ReadOnlySpan<byte> input, StoreDirectory store)
    {
        _input = input;
        _store = store;
        _pos = 0;
    }

    public static Derivation Parse(ReadOnlySpan<byte> input, StoreDirectory store)
    {
        var parser = new AtermParser(input, store);
        return parser.ParseDerivation();
    }

    private Derivation ParseDerivation()
    {
        var drv = new Derivation();
        Expect("Derive(["u8);
        for (var first = true; !EndOfList(ref first);)
        {
            Expect("("u8);
            var name = ParseText();
            Expect(","u8);
            var path = ParseText();
            Expect(","u8);
            var hashAlgo = ParseText();
            Expect(","u8);
            var hash = ParseText();
            Expect(")"u8);
            if (!drv.Outputs.TryAdd(name, ParseOutput(name, path, hashAlgo, hash)))
                throw Error($"duplicate output '{name}'");
        }
        Expect(",["u8);
        for (var first = true; !EndOfList(ref first);)
        {
            Expect("("u8);
            var path = ParsePath();
            Expect(",["u8);
            var outputs = new OutputNameSet();
            for (var firstOutput = true; !EndOfList(ref firstOutput);)
            {
                var output = ParseText();
                if (!outputs.Add(output)) throw Error($"duplicate output '{output}' of input derivation '{_store.Print(path)}'");
            }
            Expect(")"u8);
            if (!drv.InputDerivations.TryAdd(path, outputs)) throw Error($"duplicate input derivation '{_store.Print(path)}'");
        }
        Expect(",["u8);
        for (var first = true; !EndOfList(ref first);)
        {
            var path = ParsePath();
            if (!drv.InputSources.Add(path)) throw Error($"duplicate input source '{_store.Print(path)}'");
        }
        Expect(","u8);
        drv.System = ParseBytes();
        Expect(","u8);
        drv.Builder = ParseBytes();
        Expect(",["u8);
        for (var first = true; !EndOfList(ref first);) drv.Arguments.Add(ParseBytes());
        Expect(",["u8);
        for (var first = true; !EndOfList(ref first);)
        {
            Expect("("u8);
            var key = ParseBytes();
            Expect(","u8);
            var value = ParseBytes();
            Expect(")"u8);
            if (!drv.Environment.TryAdd(key, value)) throw Error($"duplicate environment variable '{key}'");
        }
        Expect(")"u8);
        if (_pos != _input.Length) throw Error("unexpected data after the end of the derivation");
        return drv;
    }

    private DerivationOutput ParseOutput(string name, string path, string hashAlgo, string hash)
    {
        StorePath? storePath = path.Length == 0 ? null : ParseStorePath(path);
        if (hashAlgo.Length == 0)
        {
            if (hash.Length != 0) throw Error($"output '{name}' has a hash but no hash algorithm");
            return storePath is null ? DerivationOutput.Deferred : DerivationOutput.InputAddressed(storePath);
        }
        var mode = OutputHashMode.Flat;
        var algoName = hashAlgo.AsSpan();
        if (algoName.StartsWith("r:")) { mode = OutputHashMode.Recursive; algoName = algoName[2..]; }
        else if (algoName.StartsWith("text:")) { mode = OutputHashMode.Text; algoName = algoName[5..]; }
        var algorithm = NixHashAlgorithms.TryParse(algoName) ?? throw Error($"unknown hash algorithm '{algoName}' of output '{name}'");
        if (hash.Length == 0)
        {
            if (storePath is not null) throw Error($"floating content-addressed output '{name}' has a path");
            return DerivationOutput.Floating(algorithm, mode);
        }
        if (storePath is null) throw Error($"fixed output '{name}' has no path");
        NixHash parsed;
        try
        {
            parsed = NixHash.ParseUnprefixed(hash, algorithm);
        }
        catch (NixFormatException e)
        {
            throw Error($"output '{name}': {e.Message}");
        }
        return DerivationOutput.Fixed(parsed, mode, storePath);
    }

    private StorePath ParsePath()
    {
        var text = ParseText();
        return ParseStorePath(text);
    }

    private StorePath ParseStorePath(string text)
    {
        try
        {
            return _store.ParsePath(text);
        }
        catch (NixFormatException e)
        {
            throw Error(e.Message);
        }
    }

    private bool EndOfList(ref bool first)
    {
        if (_pos >= _input.Length) throw Error("unexpected end of input in a list");
        if (_input[_pos] == (byte)']')
        {
            _pos++;
            return true;
        }
        if (!first) Expect(","u8);
        first = false;
        return false;
    }

    private void Expect(ReadOnlySpan<byte> token)
    {
        if (!_input[_pos..].StartsWith(token)) throw Error($"expected '{Encoding.UTF8.GetString(token)}'");
        _pos += token.Length;
    }

    private string ParseText()
    {
        var bytes = ParseBytes();
        if (!bytes.IsValidUtf8) throw Error("a name or path is not valid UTF-8");
        return bytes.ToString();
    }

    private ByteString ParseBytes()
    {
        Expect("\""u8);
        var rest = _input[_pos..];
        var end = rest.IndexOfAny((byte)'"', (byte)'\\');
        if (end < 0) throw Error("unterminated string");
        if (rest[end] == (byte)'"')
        {
            _pos += end + 1;
            return end == 0 ? ByteString.Empty : ByteString.CopyFrom(rest[..end]);
        }
        var result = new List<byte>(end + 16);
        foreach (var b in rest[..end]) result.Add(b);
        var i = end;
        while (true)
        {
            if (i >= rest.Length) throw Error("unterminated string");
            var b = rest[i++];
            if (b == (byte)'"') break;
            if (b == (byte)'\\')
            {
                if (i >= rest.Length) throw Error("unterminated string");
                var escaped = rest[i++];
                result.Add(escaped switch
                {
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    _ => escaped,
                });
            }
            else result.Add(b);
        }
        _pos += i;
        return new ByteString(result.ToArray());
    }

    private readonly NixFormatException Error(string message) =>
        new($"invalid derivation at byte {_pos}: {message}");
}
