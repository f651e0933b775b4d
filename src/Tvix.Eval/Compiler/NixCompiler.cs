using System.Runtime.CompilerServices;
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

    /// <summary>Shared by the sets without dynamic attributes (not `[]`: Array.Empty over this struct is JIT-compiled at start-up).</summary>
    private static readonly DynamicEntry[] NoDynamics = new DynamicEntry[0];

    /// <summary>Whether the symbols the parser left in the tree are this evaluator's (see <see cref="Syntax.ParserScratch"/>).</summary>
    private readonly bool _treeSymbols;

    /// <summary>A compiler of one source; <c>treeSymbols</c>: the tree was parsed with this evaluator's symbol table, so the symbols in it can be used.</summary>
    public NixCompiler(EvalContext cx, SourceText source, string baseDir, List<Diagnostic> diagnostics, Scope? topScope = null, bool treeSymbols = false)
    {
        _cx = cx;
        _treeSymbols = treeSymbols;
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
        // Dispatch on the node's kind, then reinterpret it as that (sealed) type: ReadyToRun code
        // would call a runtime helper for each type test of a `switch (e)` on types.
        switch (e.NodeKind)
        {
            case ExprKind.Int: return new ConstNode(_src, e.Span, Value.FromInt(As<IntLiteral>(e).Value));
            case ExprKind.Float: return new ConstNode(_src, e.Span, Value.FromFloat(As<FloatLiteral>(e).Value));
            case ExprKind.String: return CompileString(As<StringExpr>(e));
            case ExprKind.Path: return CompilePath(As<PathExpr>(e));
            case ExprKind.Uri:
                Lint(_cx.Options.UrlLiterals, "URL literals are deprecated, allowing for the use of quoted strings instead (lint-url-literals)", e.Span);
                return new ConstNode(_src, e.Span, Value.FromString(As<UriExpr>(e).Uri));
            case ExprKind.SearchPath:
                // <x> is `__findFile __nixPath "x"`, both names resolved lexically (so a `let` can override them).
                return new ApplyNode(_src, e.Span,
                    new ApplyNode(_src, e.Span, Resolve("__findFile", e.Span, _scope, 0), Resolve("__nixPath", e.Span, _scope, 0)),
                    new ConstNode(_src, e.Span, Value.FromString(As<SearchPathExpr>(e).Path)));
            case ExprKind.Var:
            {
                var v = As<VarExpr>(e);
                // `__curPos` is a keyword of Nix's lexer, not a variable: it wins even over a binding.
                if (v.IsCurPos) return new ConstNode(_src, e.Span, CurrentPosition(e.Span));
                return Resolve(_treeSymbols && v.Sym >= 0 ? v.Sym : _cx.Symbols.Intern(v.Name), e.Span, _scope, 0);
            }
            case ExprKind.Paren: return Compile(As<ParenExpr>(e).Inner, name);
            case ExprKind.Select:
            {
                var s = As<SelectExpr>(e);
                return new SelectNode(_src, e.Span, Compile(s.Target), CompilePath(s.Path), s.OrDefault is null ? null : Compile(s.OrDefault));
            }
            case ExprKind.HasAttr:
            {
                var h = As<HasAttrExpr>(e);
                return new HasAttrNode(_src, e.Span, Compile(h.Target), CompilePath(h.Path));
            }
            case ExprKind.AttrSet:
            {
                var a = As<AttrSetExpr>(e);
                return CompilePlainBindings(a.Bindings, a.IsRecursive, a.Span, body: null)
                    ?? CompileBindings(Merge(a.Bindings, a.IsRecursive, a.Span), a.Span, body: null, legacyLet: false);
            }
            case ExprKind.Let:
            {
                var l = As<LetExpr>(e);
                if (CompilePlainBindings(l.Bindings, true, l.Span, l.Body) is { } plain) return plain;
                var tree = Merge(l.Bindings, true, l.Span);
                for (var i = 0; i < tree.DynamicCount; i++) Report("dynamic attributes not allowed in let", tree.DynamicNames[i].Span);
                tree.ClearDynamic();
                return CompileBindings(tree, l.Span, l.Body, legacyLet: false);
            }
            case ExprKind.LegacyLet:
            {
                var ll = As<LegacyLetExpr>(e);
                return CompileBindings(Merge(ll.Bindings, true, ll.Span), ll.Span, body: null, legacyLet: true);
            }
            case ExprKind.With:
            {
                var w = As<WithExpr>(e);
                var ns = Compile(w.Namespace);
                if (Scope.HostOf(_scope) is { } host)
                {
                    // The namespace lives in a slot of the enclosing lambda's environment.
                    var slot = host.Size++;
                    _scope = new Scope(_scope, isWith: true) { WithSlot = slot };
                    var hostedBody = Compile(w.Body);
                    _scope = _scope.Parent;
                    return new HoistedWithNode(_src, e.Span, slot, ns, hostedBody);
                }
                _scope = new Scope(_scope, isWith: true);
                var body = Compile(w.Body);
                _scope = _scope.Parent;
                return new WithNode(_src, e.Span, ns, body);
            }
            case ExprKind.Assert:
            {
                var a = As<AssertExpr>(e);
                var text = new AssertionText(a.Condition, _src, _baseDir, _cx.IO);
                return new AssertNode(_src, e.Span, Compile(a.Condition), Compile(a.Body), text);
            }
            case ExprKind.If:
            {
                var i = As<IfExpr>(e);
                return new IfNode(_src, e.Span, Compile(i.Condition), Compile(i.Then), Compile(i.Else));
            }
            case ExprKind.Lambda: return CompileLambda(As<LambdaExpr>(e), name);
            case ExprKind.Apply: return CompileApply(As<ApplyExpr>(e));
            case ExprKind.List:
            {
                var l = As<ListExpr>(e);
                var items = new Node[l.Items.Count];
                for (var i = 0; i < items.Length; i++) items[i] = Compile(l.Items[i]);
                return new ListNode(_src, e.Span, items);
            }
            case ExprKind.Unary:
            {
                var u = As<UnaryExpr>(e);
                return u.Operator == UnaryOperator.Not
                    ? new NotNode(_src, e.Span, Compile(u.Operand))
                    : new NegateNode(_src, e.Span, Compile(u.Operand));
            }
            case ExprKind.Binary: return CompileBinary(As<BinaryExpr>(e));
            case ExprKind.Error: return new ErrorNode(_src, e.Span, "syntax error");
            default:
                Report($"unsupported expression {e.GetType().Name}", e.Span);
                return new ErrorNode(_src, e.Span, "unsupported expression");
        }
    }

    /// <summary>The node as its concrete type, which <see cref="Expr.NodeKind"/> has established (no type test).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T As<T>(Expr e) where T : Expr => Unsafe.As<T>(e);

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
        if (a.Function is not ApplyExpr) return new ApplyNode(_src, a.Span, Compile(a.Function), Compile(a.Argument));
        var count = 0;
        Expr f = a;
        while (f is ApplyExpr inner)
        {
            count++;
            f = inner.Function;
        }
        var args = new Expr[count];
        f = a;
        for (var i = count - 1; i >= 0; i--)
        {
            var inner = (ApplyExpr)f;
            args[i] = inner.Argument;
            f = inner.Function;
        }
        var fn = Compile(f);
        var argNodes = new Node[count];
        for (var i = 0; i < argNodes.Length; i++) argNodes[i] = Compile(args[i]);
        return new ApplyManyNode(_src, a.Span, fn, argNodes);
    }

    // ------------------------------------------------------------ variables

    private Node Resolve(string name, TextSpan span, Scope? start, int extraDepth) =>
        Resolve(_cx.Symbols.Intern(name), span, start, extraDepth);

    // The namespace depths and slots of the last `with` lookup (see Resolve).
    private int[] _withDepths = [];
    private int[] _withSlots = [];

    private static bool Same(int[] known, Span<int> computed)
    {
        if (known.Length != computed.Length) return false;
        for (var i = 0; i < known.Length; i++)
            if (known[i] != computed[i]) return false;
        return true;
    }

    private Node Resolve(int sym, TextSpan span, Scope? start, int extraDepth)
    {
        var depth = extraDepth;
        var withCount = 0;
        for (var s = start; s is not null; s = s.Parent)
        {
            if (s.IsWith)
            {
                withCount++;
                if (s.WithSlot < 0) depth++;
                continue;
            }
            var slot = s.Lookup(sym);
            if (slot >= 0)
                return s.TryGetConstant(slot, out var constant) ? new GlobalNode(_src, span, constant) : new LocalNode(_src, span, depth, slot);
            depth++;
        }
        if (_cx.TryGetGlobal(sym, out var global)) return new GlobalNode(_src, span, global);
        var name = _cx.Symbols.Text(sym);
        if (withCount > 0)
        {
            Span<int> withDepths = withCount <= 32 ? stackalloc int[withCount] : new int[withCount];
            Span<int> withSlots = withCount <= 32 ? stackalloc int[withCount] : new int[withCount];
            depth = extraDepth;
            var n = 0;
            for (var s = start; s is not null; s = s.Parent)
            {
                if (s.IsWith)
                {
                    withDepths[n] = depth;
                    withSlots[n++] = Math.Max(s.WithSlot, 0);
                    if (s.WithSlot >= 0) continue;
                }
                depth++;
            }
            // Lookups in one place (all of `with pkgs; { … }`) search the same namespaces: they
            // share the arrays that say where (the nodes only read them).
            if (!Same(_withDepths, withDepths) || !Same(_withSlots, withSlots))
            {
                _withDepths = withDepths.ToArray();
                _withSlots = withSlots.ToArray();
            }
            return new WithLookupNode(_src, span, name, sym, _withDepths, _withSlots);
        }
        Report($"undefined variable '{name}'", span);
        return new ErrorNode(_src, span, $"undefined variable '{name}'");
    }

    // ------------------------------------------------------------ strings and paths

    private Node CompileString(StringExpr s)
    {
        if (s.IsLiteral)
        {
            var bytes = s.LiteralBytes;
            return new ConstNode(_src, s.Span, Value.FromString(bytes.Length == 0 ? NixString.Empty : new NixString(bytes.ToArray())));
        }
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
        if (p.Kind == PathKind.Relative && (p.IsPlain ? p.PlainText : p.Parts is [LiteralPart only] ? only.Bytes : default) is [(byte)'.', ..] dotted
            && JoinRelative(_baseDir, dotted) is { } joined)
            return new ConstNode(_src, p.Span, Value.FromPath(joined));
        var count = p.IsPlain ? 1 : p.Parts.Count;
        var literals = new byte[]?[count];
        var parts = new Node?[count];
        var interpolated = false;
        if (p.IsPlain) literals[0] = p.PlainText.ToArray();
        else for (var i = 0; i < count; i++)
        {
            if (p.Parts[i] is LiteralPart l) literals[i] = l.Bytes;
            else { parts[i] = Compile(((InterpolationPart)p.Parts[i]).Expression); interpolated = true; }
        }
        // Lint messages are only built when the lint is on.
        string? prefix;
        switch (p.Kind)
        {
            case PathKind.Absolute:
                prefix = "";
                if (_cx.Options.AbsolutePathLiterals != LintLevel.Ignore)
                    Lint(_cx.Options.AbsolutePathLiterals,
                        $"absolute path literals are not portable. Consider replacing path literal '{PathText(p)}' by a string, relative path, or parameter (lint-absolute-path-literals)", p.Span);
                break;
            case PathKind.Home:
            {
                if (_cx.Options.AbsolutePathLiterals != LintLevel.Ignore)
                    Lint(_cx.Options.AbsolutePathLiterals,
                        $"home path literals are not portable. Consider replacing path literal '{PathText(p)}' by a string, relative path, or parameter (lint-absolute-path-literals)", p.Span);
                var home = _cx.IO.GetEnv("HOME") ?? "";
                prefix = home;
                if (literals.Length > 0 && literals[0] is { } first && first.Length > 0 && first[0] == '~')
                    literals[0] = first[1..];
                break;
            }
            default:
                // Relative to the base directory; the separator is added below.
                prefix = null;
                var startsWithDot = literals.Length > 0 && literals[0] is { Length: > 0 } firstBytes && firstBytes[0] == (byte)'.';
                if (!startsWithDot && _cx.Options.ShortPathLiterals != LintLevel.Ignore)
                {
                    var text = PathText(p);
                    Lint(_cx.Options.ShortPathLiterals,
                        $"relative path literal '{text}' should be prefixed with '.' for clarity: './{text}' (lint-short-path-literals)", p.Span);
                }
                break;
        }
        if (!interpolated)
        {
            string text;
            if (literals.Length == 1)
            {
                var literal = Encoding.UTF8.GetString(literals[0]!);
                text = prefix is null ? string.Concat(_baseDir, "/", literal) : string.Concat(prefix, literal);
            }
            else
            {
                var sb = new StringBuilder(prefix ?? _baseDir + "/");
                foreach (var l in literals) sb.Append(Encoding.UTF8.GetString(l!));
                text = sb.ToString();
            }
            if (text.Length == 0 || text[0] != '/') text = "/" + text;
            return new ConstNode(_src, p.Span, Value.FromPath(NixPath.Canonicalize(text)));
        }
        return new PathInterpolationNode(_src, p.Span, prefix ?? _baseDir + "/", literals, parts);
    }

    /// <summary>
    /// The canonical path of an ASCII relative literal (<c>./x</c>, <c>../y/z</c>: most path
    /// literals of a package set) in <paramref name="baseDir"/>, made as one string (not the
    /// literal's, the joined and the canonical one); null when the general route is needed.
    /// </summary>
    private static string? JoinRelative(string baseDir, ReadOnlySpan<byte> literal)
    {
        var length = baseDir.Length + 1 + literal.Length;
        if (length > 1024 || baseDir.Length == 0 || baseDir[0] != '/') return null;
        Span<char> path = stackalloc char[length];
        baseDir.CopyTo(path);
        path[baseDir.Length] = '/';
        for (var i = 0; i < literal.Length; i++)
        {
            if (literal[i] >= 0x80) return null;
            path[baseDir.Length + 1 + i] = (char)literal[i];
        }
        // Canonicalise in place: what is written never gets ahead of what is read.
        var written = 0;
        var at = 0;
        while (at < length)
        {
            while (at < length && path[at] == '/') at++;
            var start = at;
            while (at < length && path[at] != '/') at++;
            var segment = at - start;
            if (segment == 0 || (segment == 1 && path[start] == '.')) continue;
            if (segment == 2 && path[start] == '.' && path[start + 1] == '.')
            {
                // Drop the last component written (".." at the root stays at the root).
                while (written > 0 && path[written - 1] != '/') written--;
                if (written > 0) written--;
                continue;
            }
            path[written++] = '/';
            for (var i = 0; i < segment; i++) path[written++] = path[start + i];
        }
        return written == 0 ? "/" : new string(path[..written]);
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
        var keys = new AttrKey[path.Count];
        if (path.IdentSym >= 0 && _treeSymbols) keys[0] = new AttrKey(path.IdentSym, null);
        else for (var i = 0; i < keys.Length; i++) keys[i] = CompileKey(path.NameAt(i));
        return keys;
    }

    private AttrKey CompileKey(AttrName n)
    {
        var sym = StaticSym(n);
        return sym >= 0 ? new AttrKey(sym, null) : new AttrKey(-1, CompileDynamicName(n));
    }

    /// <summary>The symbol of a name known without evaluation (see <see cref="AttrName.StaticName"/>), or -1.</summary>
    private int StaticSym(AttrName n)
    {
        // An identifier is interned from its string: StaticName would allocate its bytes on every call.
        if (n is IdentAttrName id) return _treeSymbols && id.Sym >= 0 ? id.Sym : _cx.Symbols.Intern(id.Name);
        return n.StaticName is { } bytes ? _cx.Symbols.Intern(bytes) : -1;
    }

    /// <summary>The symbol of name <paramref name="index"/> of a binding's path, or -1 (see <see cref="StaticSym"/>).</summary>
    private int StaticSymAt(AttrBinding binding, int index) =>
        binding.IdentSym >= 0 && _treeSymbols ? binding.IdentSym : StaticSym(binding.NameAt(index));

    private Node CompileDynamicName(AttrName n) => n switch
    {
        StringAttrName s => Compile(s.Value),
        DynamicAttrName d => Compile(d.Expression),
        _ => new ConstNode(_src, n.Span, Value.FromString(new NixString(n.StaticName!))),
    };

    // ------------------------------------------------------------ bindings

    private BindingTree Merge(IReadOnlyList<Binding> bindings, bool isRecursive, TextSpan span)
    {
        var tree = new BindingTree(isRecursive, span, StaticCapacity(bindings));
        AddBindings(tree, bindings);
        return tree;
    }

    /// <summary>
    /// How many static entries <paramref name="bindings"/> make at most, unless nested paths merge:
    /// each inherited name is one (a package set inherits thousands), each other binding one.
    /// </summary>
    private static int StaticCapacity(IReadOnlyList<Binding> bindings)
    {
        var count = bindings.Count;
        for (var i = 0; i < bindings.Count; i++)
            if (bindings[i] is InheritBinding ib) count += ib.Names.Count - 1;
        return count;
    }

    private void AddBindings(BindingTree tree, IReadOnlyList<Binding> bindings)
    {
        for (var b = 0; b < bindings.Count; b++)
        {
            switch (bindings[b])
            {
                case AttrBinding ab:
                    AddPath(tree, ab, 0, ab.Value);
                    break;
                case InheritBinding ib:
                {
                    var source = ib.From is null ? -1 : tree.AddInheritSource(ib.From);
                    var names = ib.Names;
                    for (var i = 0; i < names.Count; i++)
                    {
                        var n = names[i];
                        var sym = StaticSym(n);
                        if (sym < 0)
                        {
                            Report("dynamic attributes not allowed in inherit", n.Span);
                            continue;
                        }
                        var entry = new BindingEntry(sym, n.Span, source < 0 ? BindingEntry.FromScope : source);
                        if (tree.Find(sym) is var existing and >= 0)
                        {
                            ReportDuplicate(sym, tree.Static[existing], entry.Span);
                            continue;
                        }
                        tree.AddStatic(entry);
                    }
                    break;
                }
            }
        }
    }

    private void ReportDuplicate(int sym, in BindingEntry existing, TextSpan at)
    {
        var (line, col) = _src.GetLineColumn(existing.Span.Start);
        Report($"attribute '{_cx.Symbols.Text(sym)}' already defined at {_src.Name}:{line}:{col}", at);
    }

    private void AddPath(BindingTree tree, AttrBinding path, int index, Expr value)
    {
        var count = path.PathCount;
        var start = path.NameSpanAt(index).Start;
        while (true)
        {
            var last = index == count - 1;
            // As in Nix, every attribute a path like `a.b.c = …` defines is at the path's start
            // (unsafeGetAttrPos, toXML, "already defined at"), not at its own name.
            var at = TextSpan.FromBounds(start, path.NameSpanAt(index).End);
            var sym = StaticSymAt(path, index);
            if (sym < 0)
            {
                var n = path.NameAt(index);
                if (last)
                {
                    tree.AddDynamic(n, new BindingEntry(-1, at) { Value = value });
                    return;
                }
                var inner = new BindingTree(false, n.Span);
                tree.AddDynamic(n, new BindingEntry(-1, at) { Nested = inner });
                tree = inner;
                index++;
                continue;
            }
            var existing = tree.Find(sym);
            if (last)
            {
                if (existing < 0)
                {
                    tree.AddStatic(new BindingEntry(sym, at) { Value = value });
                    return;
                }
                if (Unparenthesize(value) is AttrSetExpr set && ToNested(tree, existing) is { } nested)
                {
                    AddBindings(nested, set.Bindings);
                    return;
                }
                ReportDuplicate(sym, tree.Static[existing], at);
                return;
            }
            if (existing < 0) existing = tree.AddStatic(new BindingEntry(sym, at) { Nested = new BindingTree(false, path.NameSpanAt(index)) });
            var target = ToNested(tree, existing);
            if (target is null)
            {
                ReportDuplicate(sym, tree.Static[existing], at);
                return;
            }
            tree = target;
            index++;
        }
    }

    /// <summary>As in Nix, whose syntax tree has no parentheses: <c>a = ({ … }); a.b = …;</c> merges.</summary>
    private static Expr Unparenthesize(Expr e)
    {
        while (e is ParenExpr p) e = p.Inner;
        return e;
    }

    /// <summary>The nested tree of an entry, turning a literal set value into one; null when it cannot merge.</summary>
    private BindingTree? ToNested(BindingTree tree, int at)
    {
        ref var entry = ref tree.Static[at];
        if (entry.Nested is not null) return entry.Nested;
        if (entry.Inherit == InheritKind.None && entry.Value is not null && Unparenthesize(entry.Value) is AttrSetExpr set)
        {
            var nested = new BindingTree(set.IsRecursive, set.Span, StaticCapacity(set.Bindings));
            entry.Nested = nested;
            entry.Value = null;
            // (Adds to the nested tree only: the ref into this tree's array is not used after.)
            AddBindings(nested, set.Bindings);
            return nested;
        }
        return null;
    }

    /// <summary>The static entries in symbol order (the order <see cref="NixAttrs"/> keeps), and their symbols.</summary>
    private static BindingEntry[] SortedEntries(BindingTree tree, out int[] keys)
    {
        var n = tree.StaticCount;
        // The tree's own array when it is full (its size is usually exact, see StaticCapacity):
        // nothing looks names up in the tree once it is being compiled.
        var entries = tree.Static;
        tree.Unindex();
        if (entries.Length != n)
        {
            entries = new BindingEntry[n];
            Array.Copy(tree.Static, entries, n);
        }
        keys = new int[n];
        for (var i = 0; i < n; i++) keys[i] = entries[i].Sym;
        SymbolOrder.Sort(keys, entries);
        return entries;
    }

    /// <summary>
    /// The common case of a set or <c>let</c> whose bindings are all <c>name = value;</c> with
    /// distinct static names, compiled without building a <see cref="BindingTree"/>; null when
    /// the bindings need the general path (inherit, nested or dynamic paths, merged sets). The
    /// nodes are the ones <see cref="CompileBindings"/> would make, compiled in the same order.
    /// </summary>
    private Node? CompilePlainBindings(IReadOnlyList<Binding> bindings, bool recursive, TextSpan span, Expr? body)
    {
        // The bindings in name order only while compiling them: a rented array (the members'
        // own sets rent theirs, so it cannot be one scratch array of the compiler).
        var arrays = _cx.CompilerBindingArrays;
        var items = arrays.Rent(bindings.Count);
        try
        {
            return CompilePlainBindings(bindings, items, recursive, span, body);
        }
        finally
        {
            arrays.Return(items, bindings.Count);
        }
    }

    private Node? CompilePlainBindings(IReadOnlyList<Binding> bindings, AttrBinding[] items, bool recursive, TextSpan span, Expr? body)
    {
        var n = bindings.Count;
        var keys = new int[n];
        for (var i = 0; i < n; i++)
        {
            if (bindings[i] is not AttrBinding ab || ab.PathCount != 1) return null;
            var sym = StaticSymAt(ab, 0);
            if (sym < 0) return null;
            keys[i] = sym;
            items[i] = ab;
        }
        SymbolOrder.Sort(keys, items);
        for (var i = 1; i < n; i++)
            if (keys[i - 1] == keys[i]) return null;
        var positions = new AttrPos[n];
        for (var i = 0; i < n; i++) positions[i] = _cx.Symbols.Positions.Get(_src, items[i].NameSpanAt(0).Start);

        if (!recursive)
        {
            var values = new Node[n];
            var setDeferral = NewDeferral(n);
            for (var i = 0; i < n; i++) values[i] = Member(items[i].Value, keys[i], ref setDeferral);
            return new AttrSetNode(_src, span, keys, values, NoDynamics, [], positions);
        }

        if (body is not null && Scope.HostOf(_scope) is { } host)
        {
            var mark = host.Mark();
            var first = host.Size;
            for (var i = 0; i < n; i++) host.Declare(keys[i]);
            for (var i = 0; i < n; i++) MarkBuiltinConstant(host, first + i, items[i].Value);
            var hoisted = new Node[n];
            var letDeferral = NewDeferral(n);
            for (var i = 0; i < n; i++) hoisted[i] = Member(items[i].Value, keys[i], ref letDeferral);
            var hoistedBody = Compile(body);
            host.Unwind(mark);
            return new HoistedLetNode(_src, span, first, hoisted, hoisted.Length, hoistedBody);
        }

        var scope = new Scope(_scope, capacity: n, canHost: true);
        for (var i = 0; i < n; i++) scope.Declare(keys[i]);
        _scope = scope;
        // A recursive set's names are variables of its bindings too; `__overrides` could replace them.
        if (body is not null || SymbolOrder.IndexOf(keys, _cx.SymOverrides) < 0)
            for (var i = 0; i < n; i++) MarkBuiltinConstant(scope, i, items[i].Value);
        var inits = new Node[n];
        var deferral = NewDeferral(n);
        for (var i = 0; i < n; i++) inits[i] = Member(items[i].Value, keys[i], ref deferral);
        var bodyNode = body is null ? null : Compile(body);
        _scope = scope.Parent;
        var hasOverrides = body is null && SymbolOrder.IndexOf(keys, _cx.SymOverrides) >= 0;
        return new RecScopeNode(_src, span, keys, inits, scope.Size, NoDynamics, bodyNode, false, hasOverrides, positions);
    }

    private Node CompileBindings(BindingTree tree, TextSpan span, Expr? body, bool legacyLet)
    {
        var entries = SortedEntries(tree, out var keys);
        var positions = new AttrPos[entries.Length];
        for (var i = 0; i < positions.Length; i++) positions[i] = _cx.Symbols.Positions.Get(_src, entries[i].Span.Start);
        var sourceCount = tree.InheritSourceCount;

        if (!tree.IsRecursive && body is null && !legacyLet)
        {
            Scope? hiddenScope = null;
            var hidden = sourceCount == 0 ? [] : new Node[sourceCount];
            for (var i = 0; i < hidden.Length; i++) hidden[i] = Compile(tree.InheritSources![i]);
            // `inherit (x) a b;` with x a variable selects from x directly; only other sources
            // need a hidden environment that evaluates them once for all the names.
            var direct = hidden.Length > 0 && Array.TrueForAll(hidden, IsVariable) ? hidden : null;
            if (hidden.Length > 0 && direct is null)
            {
                hiddenScope = new Scope(_scope);
                hiddenScope.Size = hidden.Length;
                _scope = hiddenScope;
            }
            var values = new Node[entries.Length];
            var setDeferral = NewDeferral(entries.Length);
            for (var i = 0; i < values.Length; i++) values[i] = CompileEntry(entries[i], inheritFromDepth: 0, inheritSourceBase: 0, recursive: false, direct, ref setDeferral);
            var dynamics = CompileDynamics(tree);
            if (hiddenScope is not null) _scope = hiddenScope.Parent;
            return new AttrSetNode(_src, span, keys, values, dynamics, direct is null ? hidden : [], positions);
        }

        if (body is not null && !legacyLet && Scope.HostOf(_scope) is { } && CanHoist(tree, entries))
            return CompileHoistedLet(tree, entries, span, body);

        // Lets and withs in the bindings can live in this scope's environment too (see Scope.CanHost).
        var scope = new Scope(_scope, capacity: entries.Length, canHost: true);
        foreach (var e in entries) scope.Declare(e.Sym);
        // A recursive set's names are variables of its bindings too; `__overrides` could replace them.
        if (body is not null ? !legacyLet : SymbolOrder.IndexOf(keys, _cx.SymOverrides) < 0)
        {
            _scope = scope;
            for (var i = 0; i < entries.Length; i++) MarkBuiltinConstant(scope, i, entries[i], tree);
            _scope = scope.Parent;
        }
        var sourceBase = scope.Size;
        // The source slots are reserved before anything is compiled: a let hoisted into this
        // scope takes the slots after them.
        scope.Size += sourceCount;
        _scope = scope;
        var sources = sourceCount == 0 ? [] : new Node[sourceCount];
        for (var i = 0; i < sources.Length; i++) sources[i] = Compile(tree.InheritSources![i]);
        var directSources = sources.Length > 0 && Array.TrueForAll(sources, IsVariable) ? sources : null;
        var inits = new Node[directSources is null ? entries.Length + sourceCount : entries.Length];
        var deferral = NewDeferral(entries.Length);
        for (var i = 0; i < entries.Length; i++) inits[i] = CompileEntry(entries[i], 0, sourceBase, recursive: true, directSources, ref deferral);
        if (directSources is null) sources.CopyTo(inits, sourceBase);
        var dyn = CompileDynamics(tree);
        var bodyNode = body is null ? null : Compile(body);
        _scope = scope.Parent;
        var hasOverrides = body is null && SymbolOrder.IndexOf(keys, _cx.SymOverrides) >= 0;
        return new RecScopeNode(_src, span, keys, inits, scope.Size, dyn, bodyNode, legacyLet, hasOverrides, positions);
    }

    /// <summary>
    /// A let whose bindings can live in the enclosing lambda's environment: no dynamic names, and
    /// no plain <c>inherit x;</c> (which must see the scope without the let's own names).
    /// </summary>
    private static bool CanHoist(BindingTree tree, BindingEntry[] entries)
    {
        if (tree.DynamicCount > 0) return false;
        foreach (var e in entries)
            if (e.Inherit == InheritKind.Plain) return false;
        return true;
    }

    /// <summary>A let kept in the enclosing lambda's environment (see <see cref="Scope.CanHost"/>): its names, then its inherit sources.</summary>
    private Node CompileHoistedLet(BindingTree tree, BindingEntry[] entries, TextSpan span, Expr body)
    {
        var host = Scope.HostOf(_scope)!;
        var mark = host.Mark();
        var first = host.Size;
        foreach (var e in entries) host.Declare(e.Sym);
        for (var i = 0; i < entries.Length; i++) MarkBuiltinConstant(host, first + i, entries[i], tree);
        var sourceBase = host.Size;
        var sourceCount = tree.InheritSourceCount;
        // Reserved before anything is compiled: a let inside a source takes the slots after these.
        host.Size += sourceCount;
        var sources = sourceCount == 0 ? [] : new Node[sourceCount];
        for (var i = 0; i < sources.Length; i++) sources[i] = Compile(tree.InheritSources![i]);
        var directSources = sources.Length > 0 && Array.TrueForAll(sources, IsVariable) ? sources : null;
        var count = directSources is null ? entries.Length + sourceCount : entries.Length;
        var inits = new Node[count];
        var deferral = NewDeferral(entries.Length);
        for (var i = 0; i < entries.Length; i++) inits[i] = CompileEntry(entries[i], 0, sourceBase, recursive: true, directSources, ref deferral);
        if (directSources is null) sources.CopyTo(inits, entries.Length);
        var bodyNode = Compile(body);
        host.Unwind(mark);
        return new HoistedLetNode(_src, span, first, inits, entries.Length, bodyNode);
    }

    /// <summary>
    /// A <c>let</c> binding <c>inherit (builtins) f;</c> or <c>f = builtins.f;</c> (nixpkgs' lib
    /// starts files with such lines) where <c>builtins</c> is the global set and <c>f</c> a builtin
    /// function: references to the name then compile to the builtin itself (as a global's do), so
    /// a call of it is known to be a call of that builtin. Its slot is still filled, with a thunk
    /// that yields the same value; nothing can tell the two reads apart.
    /// </summary>
    private void MarkBuiltinConstant(Scope scope, int slot, in BindingEntry entry, BindingTree tree)
    {
        if (entry.Inherit == InheritKind.From)
        {
            if (BuiltinAttr(tree.InheritSources![entry.InheritSource], entry.Sym) is { } value) scope.SetConstant(slot, value);
        }
        else if (entry.Inherit == InheritKind.None && entry.Nested is null) MarkBuiltinConstant(scope, slot, entry.Value);
    }

    private void MarkBuiltinConstant(Scope scope, int slot, Expr? value)
    {
        if (value is not null && Unparenthesize(value) is SelectExpr { OrDefault: null } select && select.Path.Count == 1
            && (select.Path.IdentSym >= 0 && _treeSymbols ? select.Path.IdentSym : StaticSym(select.Path.NameAt(0))) is var sym and >= 0 && BuiltinAttr(select.Target, sym) is { } builtin)
            scope.SetConstant(slot, builtin);
    }

    /// <summary>Attribute <paramref name="sym"/> of <paramref name="source"/> when that is a variable naming a global set and the attribute a builtin function; else null.</summary>
    private Value? BuiltinAttr(Expr source, int sym)
    {
        if (Unparenthesize(source) is not VarExpr v) return null;
        var name = _treeSymbols && v.Sym >= 0 ? v.Sym : _cx.Symbols.Intern(v.Name);
        // The name must not be bound by any enclosing scope (a `with` cannot shadow a global).
        for (var s = _scope; s is not null; s = s.Parent)
            if (!s.IsWith && s.Lookup(name) >= 0) return null;
        if (!_cx.TryGetGlobal(name, out var global) || global.Kind != ValueKind.Attrs) return null;
        return global.RawAttrs.TryGet(sym, out var attr) && attr.Kind == ValueKind.PrimOp ? attr : null;
    }

    private DynamicEntry[] CompileDynamics(BindingTree tree)
    {
        if (tree.DynamicCount == 0) return NoDynamics;
        var result = new DynamicEntry[tree.DynamicCount];
        for (var i = 0; i < result.Length; i++)
        {
            var name = tree.DynamicNames[i];
            result[i] = new DynamicEntry(CompileDynamicName(name), CompileEntry(tree.Dynamic[i], 0, 0, recursive: false), _cx.Symbols.Positions.Get(_src, name.Span.Start));
        }
        return result;
    }

    /// <summary>A variable reference: reading it twice costs no more than reading a slot holding it.</summary>
    private static bool IsVariable(Node node) => node is LocalNode or GlobalNode;

    private Node CompileEntry(in BindingEntry entry, int inheritFromDepth, int inheritSourceBase, bool recursive, Node[]? directSources = null)
    {
        Deferral none = default;
        return CompileEntry(entry, inheritFromDepth, inheritSourceBase, recursive, directSources, ref none);
    }

    private Node CompileEntry(in BindingEntry entry, int inheritFromDepth, int inheritSourceBase, bool recursive, Node[]? directSources, ref Deferral deferral)
    {
        switch (entry.Inherit)
        {
            case InheritKind.Plain:
                // `inherit x;` reads x from the scope around a recursive set, not the set itself.
                return recursive ? Resolve(entry.Sym, entry.Span, _scope!.Parent, 1) : Resolve(entry.Sym, entry.Span, _scope, 0);
            case InheritKind.From:
            {
                var source = directSources?[entry.InheritSource]
                    ?? new LocalNode(_src, entry.Span, inheritFromDepth, inheritSourceBase + entry.InheritSource);
                return new SelectNode(_src, entry.Span, source, [new AttrKey(entry.Sym, null)], null);
            }
        }
        if (entry.Nested is not null) return CompileBindings(entry.Nested, entry.Nested.Span, body: null, legacyLet: false);
        if (entry.Sym >= 0) return Member(entry.Value!, entry.Sym, ref deferral);
        return Compile(entry.Value!, "");
    }

    /// <summary>Whether the members of a set of <paramref name="count"/> bindings, compiled in the current scope, may be compiled on their first run (see <see cref="DeferredNode"/>).</summary>
    private Deferral NewDeferral(int count) => new()
    {
        Allowed = count >= Bytecode.Lowering.LazyBindings && _treeSymbols
            && _cx.Options is { UrlLiterals: LintLevel.Ignore, AbsolutePathLiterals: LintLevel.Ignore, ShortPathLiterals: LintLevel.Ignore },
    };

    /// <summary>A member's value: compiled now, or on its first run when <paramref name="deferral"/> allows it and the expression qualifies (<see cref="DeferralCheck"/>).</summary>
    private Node Member(Expr value, int sym, ref Deferral deferral)
    {
        // A file that is itself a big set (nixpkgs' ruby-packages.nix) has no scope to freeze:
        // its members are compiled now.
        if (!deferral.Allowed || _scope is null || !(_deferralCheck ??= new DeferralCheck(_cx)).CanDefer(value, _scope)) return Compile(value, LambdaName(value, sym));
        // One frozen copy of the scopes serves all the members of the set.
        deferral.Scope ??= new DeferredScope(_scope.Freeze(), _baseDir, _treeSymbols);
        return new DeferredNode(_src, value, deferral.Scope);
    }

    private DeferralCheck? _deferralCheck;

    /// <summary>
    /// The name a member's value gets if it is a lambda (the only node that keeps one), else null:
    /// most members are not, and their names need no .NET string.
    /// </summary>
    private string? LambdaName(Expr value, int sym)
    {
        while (value.NodeKind == ExprKind.Paren) value = As<ParenExpr>(value).Inner;
        return sym >= 0 && value.NodeKind == ExprKind.Lambda ? _cx.Symbols.Text(sym) : null;
    }

    /// <summary>Per set being compiled: whether its members may be deferred, and the scopes they share once one is.</summary>
    private struct Deferral
    {
        public bool Allowed;
        public DeferredScope? Scope;
    }

    // ------------------------------------------------------------ lambdas

    private Node CompileLambda(LambdaExpr l, string? name)
    {
        if (l.Parameter is IdentParameter && l.Body is LambdaExpr { Parameter: IdentParameter }) return CompileLambdaChain(l, name);
        var node = new LambdaNode(_src, l.Span) { Name = name };
        switch (l.Parameter)
        {
            case IdentParameter ip:
            {
                var scope = new Scope(_scope, capacity: 1, canHost: true);
                scope.Declare(_treeSymbols && ip.Sym >= 0 ? ip.Sym : _cx.Symbols.Intern(ip.Name));
                node.ParamName = ip.Name;
                _scope = scope;
                break;
            }
            case PatternParameter pp:
            {
                var formals = pp.Formals;
                var count = formals.Count;
                var syms = new int[count];
                var sorted = new Formal[count];
                for (var i = 0; i < count; i++)
                {
                    sorted[i] = formals[i];
                    syms[i] = _treeSymbols && sorted[i].Sym >= 0 ? sorted[i].Sym : _cx.Symbols.Intern(sorted[i].Name);
                }
                SymbolOrder.Sort(syms, sorted);
                var scope = new Scope(_scope, capacity: count + (pp.AtName is null ? 0 : 1), canHost: true);
                for (var i = 0; i < count; i++) scope.Declare(syms[i]);
                if (pp.AtName is not null) node.AtSlot = scope.Declare(_treeSymbols && pp.AtSym >= 0 ? pp.AtSym : _cx.Symbols.Intern(pp.AtName));
                _scope = scope;
                var infos = new FormalInfo[count];
                for (var i = 0; i < infos.Length; i++)
                {
                    var f = sorted[i];
                    infos[i] = new FormalInfo(syms[i], f.Name, f.Default is null ? null : Compile(f.Default), f.Span.Start);
                }
                node.Formals = infos;
                node.FormalSyms = syms;
                node.HasEllipsis = pp.HasEllipsis;
                break;
            }
            default:
                _scope = new Scope(_scope, canHost: true);
                break;
        }
        node.Body = Compile(l.Body);
        node.EnvSize = _scope!.Size;
        node.ReusesEnv = !node.Body.KeepsEnv(delayed: false) && DefaultsKeepNoEnv(node.Formals);
        node.Effects = node.Formals is null ? BodyEffects.Of(node.Body, 1) : BodyEffects.Any;
        _scope = _scope.Parent;
        return node;
    }

    /// <summary>Whether no formal's default, delayed in the call's environment, keeps a reference to it.</summary>
    private static bool DefaultsKeepNoEnv(FormalInfo[]? formals)
    {
        if (formals is null) return true;
        foreach (var f in formals)
            if (f.Default is { } d && d.KeepsEnv(delayed: true)) return false;
        return true;
    }

    /// <summary>
    /// <c>x: y: … body</c> (plain parameters only): one <see cref="LambdaChain"/> whose levels
    /// share one scope, parameters in slots 0..n-1 in order (a repeated name resolves to the
    /// innermost, as nested scopes would).
    /// </summary>
    private Node CompileLambdaChain(LambdaExpr outer, string? name)
    {
        var exprs = new List<LambdaExpr>();
        Expr e = outer;
        while (e is LambdaExpr { Parameter: IdentParameter } level)
        {
            exprs.Add(level);
            e = level.Body;
        }
        var levels = new LambdaNode[exprs.Count];
        var chain = new LambdaChain(levels);
        var scope = new Scope(_scope, capacity: levels.Length, canHost: true);
        for (var i = 0; i < levels.Length; i++)
        {
            var ip = (IdentParameter)exprs[i].Parameter;
            levels[i] = new LambdaNode(_src, exprs[i].Span) { Name = i == 0 ? name : null, ParamName = ip.Name, Chain = chain, Level = i };
            scope.Declare(_treeSymbols && ip.Sym >= 0 ? ip.Sym : _cx.Symbols.Intern(ip.Name));
        }
        _scope = scope;
        chain.Body = Compile(e);
        chain.EnvSize = scope.Size;
        chain.ReusesEnv = !chain.Body.KeepsEnv(delayed: false);
        chain.Effects = BodyEffects.Of(chain.Body, levels.Length);
        _scope = scope.Parent;
        return levels[0];
    }

    /// <summary>
    /// <c>{ column; file; line; }</c> of a span, as Nix's <c>__curPos</c> gives it; null when the
    /// source is not a file (<c>-E</c>, stdin), as in current Nix.
    /// </summary>
    private Value CurrentPosition(TextSpan span)
    {
        if (_src.Path is not { } file) return Value.Null;
        var (line, column) = _src.GetLineColumn(span.Start);
        return Value.FromAttrs(_cx.CreateAttrsBuilder(3)
            .Add("column", Value.FromInt(column))
            .Add("file", Value.FromString(file))
            .Add("line", Value.FromInt(line))
            .Build());
    }
}
