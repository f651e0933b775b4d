using System.Text;

namespace Tvix.Eval.Syntax;

// Bindings (attribute sets, let), formals, and the static checks Nix's parser makes on them.
internal sealed partial class Parser
{
    private enum BindingsOwner : byte { Set, RecSet, Let }

    /// <summary>When positive, duplicate-attribute errors are not reported (models of already-checked literals are being rebuilt).</summary>
    private int _quietChecks;


    private Binding[] ParseBindings(BindingsOwner owner, out bool hasDynamic)
    {
        var model = _scratchSpace.FreeModels.Count > 0 ? _scratchSpace.FreeModels.Pop() : new BindingModel();
        var bindings = _scratchSpace.BindingLists.Rent();
        var terminator = owner == BindingsOwner.Let ? TokenKind.In : TokenKind.RightBrace;
        while (true)
        {
            var k = Kind;
            if (k == terminator || k == TokenKind.EndOfFile) break;
            if (k == TokenKind.Inherit)
            {
                ParseInherit(bindings, model);
            }
            else if (k is TokenKind.Identifier or TokenKind.OrKeyword or TokenKind.Quote or TokenKind.DollarCurly)
            {
                ParseAttrBinding(bindings, model);
            }
            else
            {
                // A '}' or 'in' that is not ours closes an enclosing construct: the owner reports what it expected.
                if (k is TokenKind.RightBrace or TokenKind.In) break;
                Unexpected(bindings.Count == 0 ? FirstBindingExpectation(owner) : null);
                SkipBinding();
            }
        }
        hasDynamic = model.HasDynamic;
        model.Reset();
        _scratchSpace.FreeModels.Push(model);
        return _scratchSpace.BindingLists.ToArrayAndReturn(bindings);
    }

    // What bison reports when the first binding cannot start (its default reductions leave few choices).
    private static string FirstBindingExpectation(BindingsOwner owner) => owner switch
    {
        BindingsOwner.Set => "'inherit'",
        BindingsOwner.RecSet => "'inherit' or '}'",
        _ => "'in' or 'inherit'",
    };

    /// <summary>
    /// Skips the rest of a broken binding: through the next <c>;</c> at this level, or up to a
    /// <c>}</c> or <c>in</c>. A stray <c>)</c> or <c>]</c> is skipped too: inside bindings it is
    /// more likely a typo than the end of an enclosing construct.
    /// </summary>
    private void SkipBinding()
    {
        var depth = 0;
        while (true)
        {
            var k = Kind;
            if (k == TokenKind.EndOfFile) return;
            if (depth == 0)
            {
                if (k == TokenKind.Semicolon)
                {
                    Advance();
                    _panic = false;
                    return;
                }
                if (k is TokenKind.RightBrace or TokenKind.In) return;
            }
            if (IsOpener(k)) depth++;
            else if (IsCloser(k) && depth > 0) depth--;
            Advance();
        }
    }

    private void ParseAttrBinding(List<Binding> bindings, BindingModel model)
    {
        var start = Cur.Start;
        if (Kind == TokenKind.Identifier && _pos + 1 < _count && _kinds[_pos + 1] == TokenKind.Assign)
        {
            // `name = value;`, most bindings: the name stays a symbol (see AttrBinding.IdentSym).
            var nameToken = Advance();
            var sym = Intern(nameToken);
            Expect(TokenKind.Assign, "'.' or '='");
            var plainValue = ParseExpr();
            var plainTerminated = Expect(TokenKind.Semicolon, "';'");
            var plain = new AttrBinding(SpanFrom(start), sym, nameToken.Span, _names, plainValue);
            bindings.Add(plain);
            AddAttr(model, plain, plainValue);
            if (!plainTerminated) SkipBinding();
            return;
        }
        var first = ParseAttrName();
        if (first == null) Unexpected("identifier or 'or' or '${' or '\"'");
        // A path of one name stays a bare name in the binding (see AttrBinding).
        var path = first != null && Kind == TokenKind.Dot ? ParseRestOfPath(start, first) : null;
        if (first == null || !Expect(TokenKind.Assign, "'.' or '='"))
        {
            SkipBinding();
            return;
        }
        var value = ParseExpr();
        var terminated = Expect(TokenKind.Semicolon, "';'");
        var binding = path is null ? new AttrBinding(SpanFrom(start), first, value) : new AttrBinding(SpanFrom(start), path, value);
        bindings.Add(binding);
        AddAttr(model, binding, value);
        if (!terminated) SkipBinding();
    }

    private void ParseInherit(List<Binding> bindings, BindingModel model)
    {
        var start = Advance().Start; // 'inherit'
        Expr? from = null;
        if (Kind == TokenKind.LeftParen)
        {
            Advance();
            from = ParseExpr();
            ExpectClosing(TokenKind.RightParen, "')'");
        }
        var names = _scratchSpace.NameLists.Rent();
        while (Kind is TokenKind.Identifier or TokenKind.OrKeyword or TokenKind.Quote or TokenKind.DollarCurly)
        {
            var name = ParseAttrName()!;
            names.Add(name);
            var key = StaticSym(name);
            if (key < 0) Error("dynamic attributes not allowed in inherit", name.Span);
            else AddInherited(model, key, name.Span);
        }
        var terminated = Expect(TokenKind.Semicolon, null);
        bindings.Add(new InheritBinding(SpanFrom(start), from, _scratchSpace.NameLists.ToArrayAndReturn(names)));
        if (!terminated) SkipBinding();
    }

    // ---- static names ----

    private static Expr Unparenthesize(Expr e)
    {
        while (e is ParenExpr p) e = p.Inner;
        return e;
    }

    /// <summary>
    /// The name's symbol (the model's key) if it is known statically, else -1. As in Nix,
    /// <c>${"a"}</c> (an interpolation of a plain string literal) is static.
    /// </summary>
    private int StaticSym(AttrName name) => name switch
    {
        IdentAttrName id => id.Sym >= 0 ? id.Sym : _names.Intern(id.Name),
        StringAttrName s => LiteralSym(s.Value),
        DynamicAttrName d => Unparenthesize(d.Expression) is StringExpr se ? LiteralSym(se) : -1,
        _ => -1,
    };

    /// <summary>The symbol of name <paramref name="index"/> of a binding's path (see <see cref="StaticSym"/>).</summary>
    private int KeyAt(AttrBinding path, int index) => path.IdentSym >= 0 ? path.IdentSym : StaticSym(path.NameAt(index));

    private int LiteralSym(StringExpr s) => s.IsLiteral ? _names.Intern(s.LiteralBytes) : -1;

    private string DisplayKey(int sym) => Encoding.UTF8.GetString(_names.Bytes(sym));

    // ---- duplicate attributes ----

    private void AddInherited(BindingModel model, int key, TextSpan span)
    {
        var existing = model.Find(key);
        if (existing >= 0)
        {
            ReportDuplicate(DisplayKey(key), span, model.EntryAt(existing).Position);
            return;
        }
        model.Add(key, BindingEntry.Inherit(span));
    }

    /// <summary>Nix's <c>addAttr</c>: walks the path, creating or entering nested sets, then defines the last name.</summary>
    private void AddAttr(BindingModel model, AttrBinding path, Expr value)
    {
        var count = path.PathCount;
        var position = path.PathSpan;
        var target = model;
        for (var i = 0; i < count - 1; i++)
        {
            var key = KeyAt(path, i);
            if (key < 0)
            {
                // A dynamic component: what follows goes into a fresh set that cannot clash statically.
                target.HasDynamic = true;
                target = new BindingModel();
                continue;
            }
            var existing = target.Find(key);
            if (existing >= 0)
            {
                var nested = ModelOf(target, existing);
                if (nested == null)
                {
                    ReportDuplicate(DisplayPath(path.Path.Names, i + 1, null), position, target.EntryAt(existing).Position);
                    return;
                }
                target = nested;
            }
            else
            {
                var nested = new BindingModel();
                target.Add(key, new BindingEntry(position, null) { Nested = nested });
                target = nested;
            }
        }
        var lastKey = KeyAt(path, count - 1);
        if (lastKey < 0)
        {
            target.HasDynamic = true;
            return;
        }
        AddEntry(target, path, null, lastKey, new BindingEntry(position, value));
    }

    /// <summary>Defines <paramref name="key"/> in <paramref name="target"/>, merging two attribute sets where Nix does.</summary>
    private void AddEntry(BindingModel target, AttrBinding path, List<int>? extra, int key, BindingEntry definition)
    {
        var existing = target.Find(key);
        if (existing < 0)
        {
            target.Add(key, definition);
            return;
        }
        var incoming = definition.Inherited ? null : definition.Nested ?? BuildModel(definition.Value);
        var current = incoming != null ? ModelOf(target, existing) : null;
        if (incoming == null || current == null)
        {
            ReportDuplicate(DisplayPath(path.Path.Names, path.PathCount, extra), definition.Position, target.EntryAt(existing).Position);
            return;
        }
        extra ??= new List<int>();
        for (var i = 0; i < incoming.Count; i++)
        {
            var k = incoming.KeyAt(i);
            extra.Add(k);
            AddEntry(current, path, extra, k, incoming.EntryAt(i));
            extra.RemoveAt(extra.Count - 1);
        }
        if (incoming.HasDynamic) current.HasDynamic = true;
    }

    /// <summary>The names inside entry <paramref name="index"/> of <paramref name="owner"/> if it is an attribute set (implicit, or a literal, possibly parenthesised), else null.</summary>
    private BindingModel? ModelOf(BindingModel owner, int index)
    {
        var entry = owner.EntryAt(index);
        if (entry.Inherited) return null;
        if (entry.Nested != null) return entry.Nested;
        var built = BuildModel(entry.Value);
        if (built != null) owner.SetNested(index, built);
        return built;
    }

    /// <summary>The names an attribute-set literal defines; null if <paramref name="value"/> is not one.</summary>
    private BindingModel? BuildModel(Expr? value)
    {
        if (value == null || Unparenthesize(value) is not AttrSetExpr set) return null;
        // The literal's own duplicates were reported when it was parsed; rebuild its names quietly.
        _quietChecks++;
        var model = new BindingModel();
        foreach (var binding in set.Bindings)
        {
            if (binding is AttrBinding attr)
            {
                AddAttr(model, attr, attr.Value);
            }
            else if (binding is InheritBinding inherit)
            {
                foreach (var name in inherit.Names)
                {
                    var key = StaticSym(name);
                    if (key >= 0) AddInherited(model, key, name.Span);
                }
            }
        }
        _quietChecks--;
        return model;
    }

    private string DisplayPath(IReadOnlyList<AttrName> names, int count, List<int>? extra)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i > 0) sb.Append('.');
            var key = StaticSym(names[i]);
            sb.Append(key >= 0 ? DisplayKey(key) : "\"${…}\"");
        }
        if (extra != null)
        {
            foreach (var k in extra) sb.Append('.').Append(DisplayKey(k));
        }
        return sb.ToString();
    }

    private void ReportDuplicate(string displayPath, TextSpan at, TextSpan previous)
    {
        if (_quietChecks > 0) return;
        var (line, column) = _source.GetLineColumn(previous.Start);
        Error($"attribute '{displayPath}' already defined at {_source.Name}:{line}:{column}", at);
    }

    // ---- lambdas with formals ----

    /// <summary>Whether the <c>{</c> at the current token opens a formal parameter set rather than an attribute set.</summary>
    private bool LooksLikeFormals()
    {
        switch (PeekKind(1))
        {
            case TokenKind.RightBrace:
                return PeekKind(2) is TokenKind.Colon or TokenKind.At;
            case TokenKind.Ellipsis:
                return true;
            case TokenKind.Identifier:
                return PeekKind(2) is TokenKind.Comma or TokenKind.Question or TokenKind.RightBrace;
            default:
                return false;
        }
    }

    /// <summary><c>{ formals } : body</c>, <c>{ formals } @ x : body</c> or <c>x @ { formals } : body</c>.</summary>
    private Expr ParsePatternLambda()
    {
        var start = Cur.Start;
        string? atName = null;
        var atSym = -1;
        var atNameFirst = false;
        if (Kind == TokenKind.Identifier)
        {
            atSym = Intern(Advance(), out atName);
            atNameFirst = true;
            Advance(); // '@'
            if (Kind != TokenKind.LeftBrace)
            {
                Unexpected("'{'");
                return new ErrorExpr(SpanFrom(start));
            }
        }
        var formals = ParseFormalSet(out var hasEllipsis);
        if (!atNameFirst && Kind == TokenKind.At)
        {
            Advance();
            if (Kind == TokenKind.Identifier) atSym = Intern(Advance(), out atName);
            else Unexpected("identifier");
        }
        var parameter = new PatternParameter(SpanFrom(start), formals, hasEllipsis, atName, atNameFirst) { AtSym = atSym };
        if (!Expect(TokenKind.Colon, atName != null ? "':'" : "':' or '@'"))
            return new ErrorExpr(SpanFrom(start));
        var body = ParseFunction();
        CheckFormals(parameter);
        return new LambdaExpr(SpanFrom(start), parameter, body);
    }

    private Formal[] ParseFormalSet(out bool hasEllipsis)
    {
        hasEllipsis = false;
        Advance(); // '{'
        var formals = _scratchSpace.FormalLists.Rent();
        if (Kind == TokenKind.RightBrace)
        {
            Advance();
            return [];
        }
        if (Kind == TokenKind.Ellipsis)
        {
            Advance();
            hasEllipsis = true;
            ExpectClosing(TokenKind.RightBrace, "'}'");
            return [];
        }
        while (true)
        {
            if (Kind != TokenKind.Identifier)
            {
                ExpectClosing(TokenKind.RightBrace, "identifier or '...' or '}'");
                break;
            }
            var nameToken = Advance();
            Expr? @default = null;
            if (Kind == TokenKind.Question)
            {
                Advance();
                @default = ParseExpr();
            }
            var sym = Intern(nameToken, out var name);
            formals.Add(new Formal(SpanFrom(nameToken.Start), name, @default) { Sym = sym });
            if (Kind == TokenKind.Comma)
            {
                Advance();
                if (Kind == TokenKind.RightBrace)
                {
                    Advance();
                    break;
                }
                if (Kind == TokenKind.Ellipsis)
                {
                    Advance();
                    hasEllipsis = true;
                    ExpectClosing(TokenKind.RightBrace, "'}'");
                    break;
                }
                continue;
            }
            ExpectClosing(TokenKind.RightBrace, "'}' or ','");
            break;
        }
        return _scratchSpace.FormalLists.ToArrayAndReturn(formals);
    }

    /// <summary>Nix's <c>validateFormals</c>: no formal twice, and the <c>@</c> name is not also a formal.</summary>
    private void CheckFormals(PatternParameter parameter)
    {
        var formals = parameter.Formals;
        for (var i = 1; i < formals.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if ((object)formals[i].Name == formals[j].Name)
                {
                    Error($"duplicate formal function argument '{formals[i].Name}'", formals[i].Span);
                    break;
                }
            }
        }
        if (parameter.AtName == null) return;
        for (var i = 0; i < formals.Count; i++)
        {
            if ((object)formals[i].Name == parameter.AtName)
            {
                Error($"duplicate formal function argument '{parameter.AtName}'", parameter.Span);
                return;
            }
        }
    }
}
