using System.Text;
using Tvix.Eval.Runtime;
using Tvix.Eval.Syntax;

namespace Tvix.Eval.Compiler;

/// <summary>
/// Compiles a syntax tree into runtime nodes, resolving every variable statically to an
/// environment slot, a global, or (under <c>with</c>) a dynamic lookup. Reports undefined
/// variables and duplicate attributes as diagnostics.
/// </summary>
internal sealed class NixCompiler
{
    private readonly EvalContext _cx;
    private readonly SourceText _src;
    private readonly string _baseDir;
    private readonly List<Diagnostic> _diagnostics;
    private Scope? _scope;

    public NixCompiler(EvalContext cx, SourceText source, string baseDir, List<Diagnostic> diagnostics, Scope? topScope = null)
    {
        _cx = cx;
        _src = source;
        _baseDir = baseDir;
        _diagnostics = diagnostics;
        _scope = topScope;
    }

    private void Report(string message, TextSpan span) =>
        _diagnostics.Add(new Diagnostic(DiagnosticSeverity.Error, message, _src, span));

    private void Lint(LintLevel level, string message, TextSpan span)
    {
        if (level == LintLevel.Ignore) return;
        if (level == LintLevel.Fatal) Report(message, span);
        else _diagnostics.Add(new Diagnostic(DiagnosticSeverity.Warning, message, _src, span));
    }

    public Node Compile(Expr e, string? name = null)
    {
        switch (e)
        {
            case IntLiteral i: return new ConstNode(_src, e.Span, Value.FromInt(i.Value));
            case FloatLiteral f: return new ConstNode(_src, e.Span, Value.FromFloat(f.Value));
            case StringExpr s: return CompileString(s);
            case PathExpr p: return CompilePath(p);
            case UriExpr u:
                Lint(_cx.Options.UrlLiterals, "URL literals are deprecated, allowing for the use of quoted strings instead (lint-url-literals)", e.Span);
                return new ConstNode(_src, e.Span, Value.FromString(u.Uri));
            case SearchPathExpr sp:
                // <x> is `__findFile __nixPath "x"`, both names resolved lexically (so a `let` can override them).
                return new ApplyNode(_src, e.Span,
                    new ApplyNode(_src, e.Span, Resolve("__findFile", e.Span, _scope, 0), Resolve("__nixPath", e.Span, _scope, 0)),
                    new ConstNode(_src, e.Span, Value.FromString(sp.Path)));
            // `__curPos` is a keyword of Nix's lexer, not a variable: it wins even over a binding.
            case VarExpr { Name: "__curPos" }: return new ConstNode(_src, e.Span, CurrentPosition(e.Span));
            case VarExpr v: return Resolve(v.Name, e.Span, _scope, 0);
            case ParenExpr p: return Compile(p.Inner, name);
            case SelectExpr s:
                return new SelectNode(_src, e.Span, Compile(s.Target), CompilePath(s.Path), s.OrDefault is null ? null : Compile(s.OrDefault));
            case HasAttrExpr h: return new HasAttrNode(_src, e.Span, Compile(h.Target), CompilePath(h.Path));
            case AttrSetExpr a: return CompileBindings(Merge(a.Bindings, a.IsRecursive, a.Span), a.Span, body: null, legacyLet: false);
            case LetExpr l:
            {
                var tree = Merge(l.Bindings, true, l.Span);
                foreach (var (dn, _) in tree.Dynamic) Report("dynamic attributes not allowed in let", dn.Span);
                tree.Dynamic.Clear();
                return CompileBindings(tree, l.Span, l.Body, legacyLet: false);
            }
            case LegacyLetExpr ll: return CompileBindings(Merge(ll.Bindings, true, ll.Span), ll.Span, body: null, legacyLet: true);
            case WithExpr w:
            {
                var ns = Compile(w.Namespace);
                _scope = new Scope(_scope, isWith: true);
                var body = Compile(w.Body);
                _scope = _scope.Parent;
                return new WithNode(_src, e.Span, ns, body);
            }
            case AssertExpr a:
            {
                var text = Encoding.UTF8.GetString(_src.Bytes.Span.Slice(a.Condition.Span.Start, a.Condition.Span.Length));
                if (a.Condition is BinaryExpr) text = "(" + text + ")";
                return new AssertNode(_src, e.Span, Compile(a.Condition), Compile(a.Body), text);
            }
            case IfExpr i: return new IfNode(_src, e.Span, Compile(i.Condition), Compile(i.Then), Compile(i.Else));
            case LambdaExpr l: return CompileLambda(l, name);
            case ApplyExpr a: return CompileApply(a);
            case ListExpr l:
            {
                var items = new Node[l.Items.Count];
                for (var i = 0; i < items.Length; i++) items[i] = Compile(l.Items[i]);
                return new ListNode(_src, e.Span, items);
            }
            case UnaryExpr u:
                return u.Operator == UnaryOperator.Not
                    ? new NotNode(_src, e.Span, Compile(u.Operand))
                    : new NegateNode(_src, e.Span, Compile(u.Operand));
            case BinaryExpr b: return CompileBinary(b);
            case ErrorExpr: return new ErrorNode(_src, e.Span, "syntax error");
            default:
                Report($"unsupported expression {e.GetType().Name}", e.Span);
                return new ErrorNode(_src, e.Span, "unsupported expression");
        }
    }

    private Node CompileBinary(BinaryExpr b)
    {
        var l = Compile(b.Left);
        var r = Compile(b.Right);
        return b.Operator switch
        {
            BinaryOperator.And => new LogicNode(_src, b.Span, LogicOp.And, l, r),
            BinaryOperator.Or => new LogicNode(_src, b.Span, LogicOp.Or, l, r),
            BinaryOperator.Implies => new LogicNode(_src, b.Span, LogicOp.Implies, l, r),
            BinaryOperator.Add => new BinaryNode(_src, b.Span, BinOp.Add, l, r),
            BinaryOperator.Subtract => new BinaryNode(_src, b.Span, BinOp.Sub, l, r),
            BinaryOperator.Multiply => new BinaryNode(_src, b.Span, BinOp.Mul, l, r),
            BinaryOperator.Divide => new BinaryNode(_src, b.Span, BinOp.Div, l, r),
            BinaryOperator.Concat => new BinaryNode(_src, b.Span, BinOp.Concat, l, r),
            BinaryOperator.Update => new BinaryNode(_src, b.Span, BinOp.Update, l, r),
            BinaryOperator.Equal => new BinaryNode(_src, b.Span, BinOp.Eq, l, r),
            BinaryOperator.NotEqual => new BinaryNode(_src, b.Span, BinOp.Neq, l, r),
            BinaryOperator.Less => new BinaryNode(_src, b.Span, BinOp.Lt, l, r),
            BinaryOperator.LessOrEqual => new BinaryNode(_src, b.Span, BinOp.Le, l, r),
            BinaryOperator.Greater => new BinaryNode(_src, b.Span, BinOp.Gt, l, r),
            _ => new BinaryNode(_src, b.Span, BinOp.Ge, l, r),
        };
    }

    /// <summary><c>f a b c</c> becomes one node, so a builtin given all its arguments is called without partial applications.</summary>
    private Node CompileApply(ApplyExpr a)
    {
        var args = new List<Expr>();
        Expr f = a;
        while (f is ApplyExpr inner)
        {
            args.Add(inner.Argument);
            f = inner.Function;
        }
        if (args.Count == 1) return new ApplyNode(_src, a.Span, Compile(a.Function), Compile(a.Argument));
        args.Reverse();
        var argNodes = new Node[args.Count];
        var fn = Compile(f);
        for (var i = 0; i < argNodes.Length; i++) argNodes[i] = Compile(args[i]);
        return new ApplyManyNode(_src, a.Span, fn, argNodes);
    }

    // ------------------------------------------------------------ variables

    private Node Resolve(string name, TextSpan span, Scope? start, int extraDepth)
    {
        var depth = extraDepth;
        List<int>? withs = null;
        for (var s = start; s is not null; s = s.Parent, depth++)
        {
            if (s.IsWith) { (withs ??= []).Add(depth); continue; }
            if (s.Names.TryGetValue(name, out var idx)) return new LocalNode(_src, span, depth, idx);
        }
        if (_cx.GlobalValues.TryGetValue(name, out var global)) return new GlobalNode(_src, span, global);
        if (withs is not null) return new WithLookupNode(_src, span, name, _cx.Symbols.Intern(name), [.. withs]);
        Report($"undefined variable '{name}'", span);
        return new ErrorNode(_src, span, $"undefined variable '{name}'");
    }

    // ------------------------------------------------------------ strings and paths

    private Node CompileString(StringExpr s)
    {
        if (s.Parts.Count == 0) return new ConstNode(_src, s.Span, Value.FromString(NixString.Empty));
        if (s.Parts.Count == 1 && s.Parts[0] is LiteralPart lit)
            return new ConstNode(_src, s.Span, Value.FromString(new NixString(lit.Bytes)));
        var literals = new byte[]?[s.Parts.Count];
        var parts = new Node?[s.Parts.Count];
        for (var i = 0; i < literals.Length; i++)
        {
            if (s.Parts[i] is LiteralPart l) literals[i] = l.Bytes;
            else parts[i] = Compile(((InterpolationPart)s.Parts[i]).Expression);
        }
        return new InterpolationNode(_src, s.Span, literals, parts);
    }

    private Node CompilePath(PathExpr p)
    {
        string prefix;
        var firstText = p.Parts.Count > 0 && p.Parts[0] is LiteralPart lp ? Encoding.UTF8.GetString(lp.Bytes) : "";
        var literals = new byte[]?[p.Parts.Count];
        var parts = new Node?[p.Parts.Count];
        var interpolated = false;
        for (var i = 0; i < literals.Length; i++)
        {
            if (p.Parts[i] is LiteralPart l) literals[i] = l.Bytes;
            else { parts[i] = Compile(((InterpolationPart)p.Parts[i]).Expression); interpolated = true; }
        }
        switch (p.Kind)
        {
            case PathKind.Absolute:
                prefix = "";
                Lint(_cx.Options.AbsolutePathLiterals,
                    $"absolute path literals are not portable. Consider replacing path literal '{PathText(p)}' by a string, relative path, or parameter (lint-absolute-path-literals)", p.Span);
                break;
            case PathKind.Home:
            {
                Lint(_cx.Options.AbsolutePathLiterals,
                    $"home path literals are not portable. Consider replacing path literal '{PathText(p)}' by a string, relative path, or parameter (lint-absolute-path-literals)", p.Span);
                var home = _cx.IO.GetEnv("HOME") ?? "";
                prefix = home;
                if (literals.Length > 0 && literals[0] is { } first && first.Length > 0 && first[0] == '~')
                    literals[0] = first[1..];
                break;
            }
            default:
                prefix = _baseDir + "/";
                if (!firstText.StartsWith('.'))
                {
                    var text = PathText(p);
                    Lint(_cx.Options.ShortPathLiterals,
                        $"relative path literal '{text}' should be prefixed with '.' for clarity: './{text}' (lint-short-path-literals)", p.Span);
                }
                break;
        }
        if (!interpolated)
        {
            var sb = new StringBuilder(prefix);
            foreach (var l in literals) sb.Append(Encoding.UTF8.GetString(l!));
            var text = sb.ToString();
            if (text.Length == 0 || text[0] != '/') text = "/" + text;
            return new ConstNode(_src, p.Span, Value.FromPath(NixPath.Canonicalize(text)));
        }
        return new PathInterpolationNode(_src, p.Span, prefix, literals, parts);
    }

    private static string PathText(PathExpr p)
    {
        var sb = new StringBuilder();
        foreach (var part in p.Parts)
            if (part is LiteralPart l) sb.Append(Encoding.UTF8.GetString(l.Bytes));
            else sb.Append("${…}");
        return sb.ToString();
    }

    // ------------------------------------------------------------ attribute paths

    private AttrKey[] CompilePath(AttrPath path)
    {
        var keys = new AttrKey[path.Names.Count];
        for (var i = 0; i < keys.Length; i++) keys[i] = CompileKey(path.Names[i]);
        return keys;
    }

    private AttrKey CompileKey(AttrName n)
    {
        if (n.StaticName is { } bytes) return new AttrKey(_cx.Symbols.Intern(bytes), null);
        return new AttrKey(-1, CompileDynamicName(n));
    }

    private Node CompileDynamicName(AttrName n) => n switch
    {
        StringAttrName s => Compile(s.Value),
        DynamicAttrName d => Compile(d.Expression),
        _ => new ConstNode(_src, n.Span, Value.FromString(new NixString(n.StaticName!))),
    };

    // ------------------------------------------------------------ bindings

    private BindingTree Merge(IReadOnlyList<Binding> bindings, bool isRecursive, TextSpan span)
    {
        var tree = new BindingTree(isRecursive, span);
        AddBindings(tree, bindings);
        return tree;
    }

    private void AddBindings(BindingTree tree, IReadOnlyList<Binding> bindings)
    {
        foreach (var b in bindings)
        {
            switch (b)
            {
                case AttrBinding ab:
                    AddPath(tree, ab.Path.Names, 0, ab.Value);
                    break;
                case InheritBinding ib:
                {
                    var source = -1;
                    if (ib.From is not null)
                    {
                        source = tree.InheritSources.Count;
                        tree.InheritSources.Add(ib.From);
                    }
                    foreach (var n in ib.Names)
                    {
                        if (n.StaticName is not { } bytes)
                        {
                            Report("dynamic attributes not allowed in inherit", n.Span);
                            continue;
                        }
                        var entry = new BindingEntry(bytes, n.Span)
                        {
                            Inherit = source < 0 ? InheritKind.Plain : InheritKind.From,
                            InheritSource = source,
                        };
                        AddStatic(tree, entry);
                    }
                    break;
                }
            }
        }
    }

    private void AddStatic(BindingTree tree, BindingEntry entry)
    {
        var key = entry.NameText;
        if (tree.ByName.TryGetValue(key, out var existing))
        {
            var (line, col) = _src.GetLineColumn(existing.Span.Start);
            Report($"attribute '{key}' already defined at {_src.Name}:{line}:{col}", entry.Span);
            return;
        }
        tree.ByName[key] = entry;
        tree.Static.Add(entry);
    }

    private void AddPath(BindingTree tree, IReadOnlyList<AttrName> names, int index, Expr value)
    {
        var n = names[index];
        var last = index == names.Count - 1;
        if (n.StaticName is not { } bytes)
        {
            var entry = new BindingEntry([], n.Span);
            if (last) entry.Value = value;
            else
            {
                entry.Nested = new BindingTree(false, n.Span);
                AddPath(entry.Nested, names, index + 1, value);
            }
            tree.Dynamic.Add((n, entry));
            return;
        }
        var key = Encoding.UTF8.GetString(bytes);
        tree.ByName.TryGetValue(key, out var existing);
        if (last)
        {
            if (existing is null)
            {
                var e = new BindingEntry(bytes, n.Span) { Value = value };
                tree.ByName[key] = e;
                tree.Static.Add(e);
                return;
            }
            if (StripParens(value) is AttrSetExpr set && ToNested(existing) is { } nested)
            {
                AddBindings(nested, set.Bindings);
                return;
            }
            var (line, col) = _src.GetLineColumn(existing.Span.Start);
            Report($"attribute '{key}' already defined at {_src.Name}:{line}:{col}", n.Span);
            return;
        }
        if (existing is null)
        {
            existing = new BindingEntry(bytes, n.Span) { Nested = new BindingTree(false, n.Span) };
            tree.ByName[key] = existing;
            tree.Static.Add(existing);
        }
        var target = ToNested(existing);
        if (target is null)
        {
            var (line, col) = _src.GetLineColumn(existing.Span.Start);
            Report($"attribute '{key}' already defined at {_src.Name}:{line}:{col}", n.Span);
            return;
        }
        AddPath(target, names, index + 1, value);
    }

    private static Expr StripParens(Expr e) => e;

    /// <summary>The nested tree of an entry, turning a literal set value into one; null when it cannot merge.</summary>
    private BindingTree? ToNested(BindingEntry entry)
    {
        if (entry.Nested is not null) return entry.Nested;
        if (entry.Inherit == InheritKind.None && entry.Value is AttrSetExpr set)
        {
            entry.Nested = new BindingTree(set.IsRecursive, set.Span);
            entry.Value = null;
            AddBindings(entry.Nested, set.Bindings);
            return entry.Nested;
        }
        return null;
    }

    private Node CompileBindings(BindingTree tree, TextSpan span, Expr? body, bool legacyLet)
    {
        // Sort static entries by symbol id: NixAttrs keeps keys in that order.
        var entries = new List<(int Sym, BindingEntry Entry)>(tree.Static.Count);
        foreach (var e in tree.Static) entries.Add((_cx.Symbols.Intern(e.Name), e));
        entries.Sort((a, b) => a.Sym.CompareTo(b.Sym));
        var keys = new int[entries.Count];
        var positions = new AttrPos[entries.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = entries[i].Sym;
            positions[i] = new AttrPos(_src, entries[i].Entry.Span.Start);
        }

        if (!tree.IsRecursive && body is null && !legacyLet)
        {
            Scope? hiddenScope = null;
            var hidden = new Node[tree.InheritSources.Count];
            for (var i = 0; i < hidden.Length; i++) hidden[i] = Compile(tree.InheritSources[i]);
            // `inherit (x) a b;` with x a variable selects from x directly; only other sources
            // need a hidden environment that evaluates them once for all the names.
            var direct = hidden.Length > 0 && Array.TrueForAll(hidden, IsVariable) ? hidden : null;
            if (hidden.Length > 0 && direct is null)
            {
                hiddenScope = new Scope(_scope);
                hiddenScope.Size = hidden.Length;
                _scope = hiddenScope;
            }
            var values = new Node[entries.Count];
            for (var i = 0; i < values.Length; i++) values[i] = CompileEntry(entries[i].Entry, inheritFromDepth: 0, inheritSourceBase: 0, recursive: false, direct);
            var dynamics = CompileDynamics(tree);
            if (hiddenScope is not null) _scope = hiddenScope.Parent;
            return new AttrSetNode(_src, span, keys, values, dynamics, direct is null ? hidden : [], positions);
        }

        var scope = new Scope(_scope);
        foreach (var (_, e) in entries) scope.Declare(e.NameText);
        var sourceBase = scope.Size;
        _scope = scope;
        var sources = new Node[tree.InheritSources.Count];
        for (var i = 0; i < sources.Length; i++) sources[i] = Compile(tree.InheritSources[i]);
        var directSources = sources.Length > 0 && Array.TrueForAll(sources, IsVariable) ? sources : null;
        if (directSources is null) scope.Size += sources.Length;
        var inits = new Node[scope.Size];
        for (var i = 0; i < entries.Count; i++) inits[i] = CompileEntry(entries[i].Entry, 0, sourceBase, recursive: true, directSources);
        if (directSources is null) sources.CopyTo(inits, sourceBase);
        var dyn = CompileDynamics(tree);
        var bodyNode = body is null ? null : Compile(body);
        _scope = scope.Parent;
        var hasOverrides = body is null && Array.IndexOf(keys, _cx.SymOverrides) >= 0;
        return new RecScopeNode(_src, span, keys, inits, dyn, bodyNode, legacyLet, hasOverrides, positions);
    }

    private DynamicEntry[] CompileDynamics(BindingTree tree)
    {
        var result = new DynamicEntry[tree.Dynamic.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var (name, entry) = tree.Dynamic[i];
            result[i] = new DynamicEntry(CompileDynamicName(name), CompileEntry(entry, 0, 0, recursive: false));
        }
        return result;
    }

    /// <summary>A variable reference: reading it twice costs no more than reading a slot holding it.</summary>
    private static bool IsVariable(Node node) => node is LocalNode or GlobalNode;

    private Node CompileEntry(BindingEntry entry, int inheritFromDepth, int inheritSourceBase, bool recursive, Node[]? directSources = null)
    {
        switch (entry.Inherit)
        {
            case InheritKind.Plain:
            {
                var name = entry.NameText;
                // `inherit x;` reads x from the scope around a recursive set, not the set itself.
                return recursive ? Resolve(name, entry.Span, _scope!.Parent, 1) : Resolve(name, entry.Span, _scope, 0);
            }
            case InheritKind.From:
            {
                var source = directSources?[entry.InheritSource]
                    ?? new LocalNode(_src, entry.Span, inheritFromDepth, inheritSourceBase + entry.InheritSource);
                return new SelectNode(_src, entry.Span, source, [new AttrKey(_cx.Symbols.Intern(entry.Name), null)], null);
            }
        }
        if (entry.Nested is not null) return CompileBindings(entry.Nested, entry.Nested.Span, body: null, legacyLet: false);
        return Compile(entry.Value!, entry.NameText);
    }

    // ------------------------------------------------------------ lambdas

    private Node CompileLambda(LambdaExpr l, string? name)
    {
        var node = new LambdaNode(_src, l.Span) { Name = name };
        var scope = new Scope(_scope);
        _scope = scope;
        switch (l.Parameter)
        {
            case IdentParameter ip:
                scope.Declare(ip.Name);
                node.ParamName = ip.Name;
                break;
            case PatternParameter pp:
            {
                var formals = new List<(int Sym, Formal F)>();
                foreach (var f in pp.Formals) formals.Add((_cx.Symbols.Intern(f.Name), f));
                formals.Sort((a, b) => a.Sym.CompareTo(b.Sym));
                foreach (var (_, f) in formals) scope.Declare(f.Name);
                if (pp.AtName is not null) node.AtSlot = scope.Declare(pp.AtName);
                var infos = new FormalInfo[formals.Count];
                for (var i = 0; i < infos.Length; i++)
                {
                    var (sym, f) = formals[i];
                    infos[i] = new FormalInfo(sym, f.Name, f.Default is null ? null : Compile(f.Default));
                }
                node.Formals = infos;
                node.FormalSyms = [.. formals.ConvertAll(x => x.Sym)];
                node.HasEllipsis = pp.HasEllipsis;
                break;
            }
        }
        node.Body = Compile(l.Body);
        node.EnvSize = scope.Size;
        _scope = scope.Parent;
        return node;
    }

    /// <summary><c>{ column; file; line; }</c> of a span, as Nix's <c>__curPos</c> gives it.</summary>
    private Value CurrentPosition(TextSpan span)
    {
        var (line, column) = _src.GetLineColumn(span.Start);
        return Value.FromAttrs(_cx.CreateAttrsBuilder(3)
            .Add("column", Value.FromInt(column))
            .Add("file", Value.FromString(_src.Path ?? _src.Name))
            .Add("line", Value.FromInt(line))
            .Build());
    }
}
