using System.Runtime.CompilerServices;

namespace Tvix.Eval.Syntax;

// Attribute sets and `let` as Nix's tree has them: nested paths (`a.b = 1; a.c = 2;`) become
// nested sets, a set literal given for a name that already holds a set is merged into it
// (its `rec` is lost), `inherit (e) …` expressions are kept in order of appearance, dynamic
// names stay in order of appearance.
internal static partial class ExpressionShow
{
    private enum DefKind : byte { Plain, Inherited, InheritedFrom }

    /// <summary>One name's definition: a value (an expression, or a set built from paths), or an inherit.</summary>
    private sealed class Def(DefKind kind)
    {
        public readonly DefKind Kind = kind;
        public Expr? Value;
        public AttrsModel? Set;
        /// <summary>For <see cref="DefKind.InheritedFrom"/>: the index of the <c>inherit (e)</c> expression.</summary>
        public int From;
    }

    private sealed class AttrsModel(bool recursive)
    {
        public readonly bool Recursive = recursive;
        // Keys are the names' bytes as Latin-1 strings, so that ordinal order is byte order.
        public readonly Dictionary<string, Def> Attrs = new(StringComparer.Ordinal);
        public readonly List<Expr> InheritFrom = [];
        public readonly List<(Expr Name, Def Value)> Dynamics = [];

        public static AttrsModel Build(IReadOnlyList<Binding> bindings, bool recursive, Writer writer)
        {
            var model = new AttrsModel(recursive);
            foreach (var binding in bindings)
            {
                switch (binding)
                {
                    case AttrBinding ab:
                        model.Add(ab.Path, ab.Value, writer);
                        break;
                    case InheritBinding { From: null } ib:
                        foreach (var name in ib.Names)
                            if (writer.Key(name) is { } key) model.Attrs.TryAdd(key, new Def(DefKind.Inherited));
                        break;
                    case InheritBinding ib:
                        model.InheritFrom.Add(ib.From!);
                        foreach (var name in ib.Names)
                            if (writer.Key(name) is { } key)
                                model.Attrs.TryAdd(key, new Def(DefKind.InheritedFrom) { From = model.InheritFrom.Count - 1 });
                        break;
                }
            }
            return model;
        }

        private void Add(AttrPath path, Expr value, Writer writer)
        {
            var set = this;
            for (var i = 0; i < path.Count - 1; i++)
            {
                var name = path.NameAt(i);
                AttrsModel nested;
                if (writer.Key(name) is { } key)
                {
                    if (set.Attrs.TryGetValue(key, out var existing))
                    {
                        // Defined as something other than a set: the parser has reported it.
                        if (SetOf(existing, writer) is not { } found) return;
                        nested = found;
                    }
                    else
                    {
                        nested = new AttrsModel(false);
                        set.Attrs[key] = new Def(DefKind.Plain) { Set = nested };
                    }
                }
                else
                {
                    nested = new AttrsModel(false);
                    set.Dynamics.Add((DynamicNameExpr(name), new Def(DefKind.Plain) { Set = nested }));
                }
                set = nested;
            }
            var last = path.NameAt(path.Count - 1);
            var def = new Def(DefKind.Plain) { Value = value };
            if (writer.Key(last) is { } lastKey) set.Define(lastKey, def, writer);
            else set.Dynamics.Add((DynamicNameExpr(last), def));
        }

        /// <summary>Defines <paramref name="key"/>; when it is defined already and both are sets, merges the new one in.</summary>
        private void Define(string key, Def def, Writer writer)
        {
            if (!Attrs.TryGetValue(key, out var existing))
            {
                Attrs[key] = def;
                return;
            }
            if (SetOf(existing, writer) is not { } into || SetOf(def, writer) is not { } added) return;
            var offset = into.InheritFrom.Count;
            foreach (var (name, d) in added.Attrs)
            {
                if (d.Kind == DefKind.InheritedFrom) d.From += offset;
                into.Define(name, d, writer);
            }
            into.Dynamics.AddRange(added.Dynamics);
            into.InheritFrom.AddRange(added.InheritFrom);
        }

        /// <summary>The set a definition holds (a set literal is built on first need), or null.</summary>
        private static AttrsModel? SetOf(Def def, Writer writer)
        {
            if (def.Kind != DefKind.Plain) return null;
            if (def.Set is null && def.Value is not null && Strip(def.Value) is AttrSetExpr literal)
            {
                def.Set = Build(literal.Bindings, literal.IsRecursive, writer);
                def.Value = null;
            }
            return def.Set;
        }
    }

    partial class Writer
    {
        /// <summary>The dictionary key of a static name, or null for a dynamic one.</summary>
        internal string? Key(AttrName name) =>
            StaticKey(name) is { } bytes ? System.Text.Encoding.Latin1.GetString(bytes) : null;

        private void Attrs(AttrsModel model, int depth)
        {
            // Sets built from long attribute paths nest without going through Expr's check.
            if (depth > MaxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
            {
                Text("«too deep»");
                return;
            }
            if (model.Recursive) Raw("rec ");
            Raw("{ ");
            Bindings(model, depth);
            Byte((byte)'}');
        }

        /// <summary>Nix's <c>showBindings</c>: inherited names, then each <c>inherit (e)</c>, then values, then dynamic names.</summary>
        private void Bindings(AttrsModel model, int depth)
        {
            var names = new string[model.Attrs.Count];
            model.Attrs.Keys.CopyTo(names, 0);
            Array.Sort(names, StringComparer.Ordinal);

            var inherited = false;
            foreach (var name in names)
            {
                if (model.Attrs[name].Kind != DefKind.Inherited) continue;
                if (!inherited) Raw("inherit");
                inherited = true;
                Byte((byte)' ');
                Identifier(System.Text.Encoding.Latin1.GetBytes(name));
            }
            if (inherited) Raw("; ");

            for (var from = 0; from < model.InheritFrom.Count; from++)
            {
                var any = false;
                foreach (var name in names)
                {
                    var def = model.Attrs[name];
                    if (def.Kind != DefKind.InheritedFrom || def.From != from) continue;
                    if (!any)
                    {
                        Raw("inherit (");
                        Expr(model.InheritFrom[from], depth);
                        Byte((byte)')');
                    }
                    any = true;
                    Byte((byte)' ');
                    Identifier(System.Text.Encoding.Latin1.GetBytes(name));
                }
                if (any) Raw("; ");
            }

            foreach (var name in names)
            {
                var def = model.Attrs[name];
                if (def.Kind != DefKind.Plain) continue;
                Identifier(System.Text.Encoding.Latin1.GetBytes(name));
                Raw(" = ");
                Value(def, depth);
                Raw("; ");
            }

            foreach (var (nameExpr, def) in model.Dynamics)
            {
                Raw("\"${");
                Expr(nameExpr, depth);
                Raw("}\" = ");
                Value(def, depth);
                Raw("; ");
            }
        }

        private void Value(Def def, int depth)
        {
            if (def.Set is { } set) Attrs(set, depth + 1);
            else Expr(def.Value!, depth);
        }
    }
}
