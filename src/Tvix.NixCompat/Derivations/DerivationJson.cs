using System.Buffers;
using System.Text;

namespace Tvix.NixCompat.Derivations;

/// <summary>
/// The JSON of <c>nix show-derivation</c> in Nix 2.8's layout: two-space indentation, keys in
/// Nix's order, strings escaped like Nix's JSON writer (non-UTF-8 bytes are copied raw).
/// </summary>
internal static class DerivationJson
{
    public static void Write(IBufferWriter<byte> w, IEnumerable<(StorePath Path, Derivation Derivation)> derivations, StoreDirectory store)
    {
        var json = new IndentedJson(w);
        json.BeginObject();
        foreach (var (path, drv) in derivations)
        {
            json.Key(store.Print(path));
            json.BeginObject();
            json.Key("outputs");
            json.BeginObject();
            foreach (var (name, output) in drv.Outputs)
            {
                json.Key(name);
                json.BeginObject();
                if (output.Path is { } outputPath)
                {
                    json.Key("path");
                    json.String(store.Print(outputPath));
                }
                if (output.HashAlgorithm != null)
                {
                    json.Key("hashAlgo");
                    json.String(output.HashAlgorithmField);
                }
                if (output.Hash != null)
                {
                    json.Key("hash");
                    json.String(output.HashField);
                }
                json.EndObject();
            }
            json.EndObject();
            json.Key("inputSrcs");
            json.BeginArray();
            foreach (var source in drv.InputSources) json.String(store.Print(source));
            json.EndArray();
            json.Key("inputDrvs");
            json.BeginObject();
            foreach (var (input, outputs) in drv.InputDerivations)
            {
                json.Key(store.Print(input));
                json.BeginArray();
                foreach (var output in outputs) json.String(output);
                json.EndArray();
            }
            json.EndObject();
            json.Key("system");
            json.String(drv.System.Span);
            json.Key("builder");
            json.String(drv.Builder.Span);
            json.Key("args");
            json.BeginArray();
            foreach (var arg in drv.Arguments) json.String(arg.Span);
            json.EndArray();
            json.Key("env");
            json.BeginObject();
            foreach (var (key, value) in drv.Environment)
            {
                json.Key(key.Span);
                json.String(value.Span);
            }
            json.EndObject();
            json.EndObject();
        }
        json.EndObject();
        json.Raw("\n"u8);
    }

    /// <summary>Nix 2.8's JSONWriter with indentation: a newline and two spaces per level before each item.</summary>
    private sealed class IndentedJson(IBufferWriter<byte> w)
    {
        private readonly Stack<bool> _first = new();
        private bool _afterKey = true; // the root value needs no separator

        public void BeginObject() { BeforeValue(); _first.Push(true); Raw("{"u8); }

        public void EndObject() => Close("}"u8);

        public void BeginArray() { BeforeValue(); _first.Push(true); Raw("["u8); }

        public void EndArray() => Close("]"u8);

        private void Close(ReadOnlySpan<byte> bracket)
        {
            var empty = _first.Pop();
            if (!empty) Indent();
            Raw(bracket);
        }

        public void Key(string key) => Key(Encoding.UTF8.GetBytes(key));

        public void Key(ReadOnlySpan<byte> key)
        {
            Separator();
            Escaped(key);
            Raw(": "u8);
            _afterKey = true;
        }

        public void String(string value) => String(Encoding.UTF8.GetBytes(value));

        public void String(ReadOnlySpan<byte> value)
        {
            BeforeValue();
            Escaped(value);
        }

        private void BeforeValue()
        {
            if (_afterKey) _afterKey = false;
            else Separator();
        }

        private void Separator()
        {
            if (_first.Pop()) _first.Push(false);
            else
            {
                _first.Push(false);
                Raw(","u8);
            }
            Indent();
        }

        private void Indent()
        {
            var depth = _first.Count;
            var span = w.GetSpan(1 + depth * 2);
            span[0] = (byte)'\n';
            span.Slice(1, depth * 2).Fill((byte)' ');
            w.Advance(1 + depth * 2);
        }

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(w.GetSpan(bytes.Length));
            w.Advance(bytes.Length);
        }

        private void Escaped(ReadOnlySpan<byte> value) => NixJson.WriteString(w, value);
    }
}
