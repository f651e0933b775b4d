using Tvix.Eval.Runtime;

namespace Tvix.Eval.Syntax;

/// <summary>
/// What one parse needs besides the tree it builds: the token arrays, the lexer's state stack,
/// the scratch lists and binding models, the literal buffer, and the table that interns
/// identifiers. An evaluator keeps one and lends it to each parse, so that importing thousands
/// of files does not build these thousands of times, and identifiers are interned into the
/// evaluator's own symbol table (one string per name for the whole evaluation).
/// </summary>
internal sealed class ParserScratch(SymbolTable symbols)
{
    /// <summary>Identifiers are interned here; their strings are <see cref="SymbolTable.Text"/>.</summary>
    public readonly SymbolTable Symbols = symbols;

    // Small at first, grown by the lexer and parser to what the sources need. (Not `[]`:
    // Array.Empty<T> over these structs would be JIT-compiled at start-up.)
    public TokenRange[] TokenRanges = new TokenRange[16];
    public TokenKind[] TokenKinds = new TokenKind[16];
    public Lexer.State[] LexerStates = new Lexer.State[16];
    public byte[] LiteralBuffer = new byte[64];
    public Parser.IndentedPiece[] Pieces = new Parser.IndentedPiece[4];
    public readonly List<int> DetectedAt = [];
    // Created on first use: a small expression (`tvix eval -E 1+1`) needs few of them, and each
    // is a generic type the runtime loads at start-up.
    private ListPool<Expr>? _exprLists;
    private ListPool<StringPart>? _partLists;
    private ListPool<AttrName>? _nameLists;
    private ListPool<Binding>? _bindingLists;
    private ListPool<Formal>? _formalLists;
    private Stack<BindingModel>? _freeModels;

    public ListPool<Expr> ExprLists => _exprLists ??= new();
    public ListPool<StringPart> PartLists => _partLists ??= new();
    public ListPool<AttrName> NameLists => _nameLists ??= new();
    public ListPool<Binding> BindingLists => _bindingLists ??= new();
    public ListPool<Formal> FormalLists => _formalLists ??= new();

    /// <summary>Models of the binding blocks being parsed, reused: a block's model is not needed once the block is done.</summary>
    public Stack<BindingModel> FreeModels => _freeModels ??= new();

    /// <summary>
    /// Token arrays beyond this many are not kept for the next parse: the array of one huge
    /// generated file (9 MB when the NixOS system is evaluated) would otherwise stay alive, and be
    /// copied by collections, for the rest of the evaluation.
    /// </summary>
    private const int MaxKeptTokens = 1 << 18;

    /// <summary>Drops what the last parse grew too large to be worth keeping.</summary>
    public void ReleaseLarge()
    {
        if (TokenRanges.Length > MaxKeptTokens)
        {
            TokenRanges = new TokenRange[16];
            TokenKinds = new TokenKind[16];
        }
    }

    /// <summary>Set while a parse uses this scratch; a parse started meanwhile gets a fresh one.</summary>
    public bool InUse;
}
