using Tvix.Eval.Runtime;

namespace Tvix.Eval.Syntax;

/// <summary>
/// What one parse needs besides the tree it builds: the token array, the lexer's state stack,
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
    public Token[] Tokens = new Token[16];
    public Lexer.State[] LexerStates = new Lexer.State[16];
    public byte[] LiteralBuffer = new byte[64];
    public Parser.IndentedPiece[] Pieces = new Parser.IndentedPiece[4];
    public readonly List<int> DetectedAt = [];
    public readonly ListPool<Expr> ExprLists = new();
    public readonly ListPool<StringPart> PartLists = new();
    public readonly ListPool<AttrName> NameLists = new();
    public readonly ListPool<Binding> BindingLists = new();
    public readonly ListPool<Formal> FormalLists = new();
    public readonly Stack<BindingModel> FreeModels = new();

    /// <summary>Set while a parse uses this scratch; a parse started meanwhile gets a fresh one.</summary>
    public bool InUse;
}
