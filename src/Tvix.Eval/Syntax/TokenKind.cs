namespace Tvix.Eval.Syntax;

/// <summary>The kinds of token the <see cref="Lexer"/> produces; they follow the tokens of C++ Nix's flex lexer.</summary>
internal enum TokenKind : byte
{
    /// <summary>End of input (also a NUL byte outside a string, and a <c>$</c> or <c>\</c> cut off by the end inside a string, as in Nix).</summary>
    EndOfFile,
    /// <summary>A byte that starts no token (<c>%</c>, a lone <c>&amp;</c>, a non-ASCII byte …): bison's "invalid token".</summary>
    Invalid,

    Identifier,
    Integer,
    Float,
    Uri,
    /// <summary>The first segment of a path literal: <c>./a/b</c>, <c>/x</c>, <c>a/</c> (before <c>${</c>).</summary>
    Path,
    /// <summary>The first segment of a home path: <c>~/a</c>.</summary>
    HomePath,
    /// <summary><c>&lt;nixpkgs/lib&gt;</c>.</summary>
    SearchPath,
    /// <summary>Zero-width token that ends a path literal.</summary>
    PathEnd,
    /// <summary>Literal text after an interpolation inside a path.</summary>
    PathFragment,
    /// <summary>Literal text of a <c>"…"</c> string, escapes not yet resolved.</summary>
    StringFragment,
    /// <summary>Literal text of a <c>''…''</c> string (takes part in indentation stripping).</summary>
    IndentedFragment,
    /// <summary><c>''$</c>, <c>'''</c>, <c>''\x</c>, a lone <c>$</c> or <c>'</c> inside an indented string.</summary>
    IndentedEscape,

    Quote,
    IndentedOpen,
    IndentedClose,
    DollarCurly,

    If,
    Then,
    Else,
    Assert,
    With,
    Let,
    In,
    Rec,
    Inherit,
    OrKeyword,
    Ellipsis,

    Equal,
    NotEqual,
    LessOrEqual,
    GreaterOrEqual,
    And,
    Or,
    Implies,
    Update,
    Concat,
    PipeFrom,
    PipeInto,

    LeftBrace,
    RightBrace,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    Semicolon,
    Colon,
    At,
    Comma,
    Question,
    Assign,
    Dot,
    Bang,
    Minus,
    Plus,
    Star,
    Slash,
    Less,
    Greater,
}

/// <summary>
/// A token's byte range as the lexer stores it. The kinds are kept in an array of their own
/// beside the ranges: 9 bytes a token instead of a 12-byte <see cref="Token"/> (all-packages.nix
/// has 115,000 tokens, and the arrays are sized for the largest source an evaluation parses).
/// </summary>
internal readonly record struct TokenRange(int Start, int End);

/// <summary>A token: its kind and byte range. Values are decoded from the source bytes by the parser on demand.</summary>
internal readonly record struct Token(TokenKind Kind, int Start, int End)
{
    public int Length => End - Start;

    public TextSpan Span => TextSpan.FromBounds(Start, End);
}

/// <summary>How tokens are named in messages, following bison's token names in Nix's grammar.</summary>
internal static class TokenNames
{
    public static string Describe(TokenKind kind) => kind switch
    {
        TokenKind.EndOfFile => "end of file",
        TokenKind.Invalid => "invalid token",
        TokenKind.Identifier => "identifier",
        TokenKind.Integer => "integer",
        TokenKind.Float => "floating-point literal",
        TokenKind.Uri => "URI",
        TokenKind.Path => "path",
        TokenKind.HomePath => "'~/…' path",
        TokenKind.SearchPath => "'<…>' path",
        TokenKind.PathEnd => "end of path",
        TokenKind.PathFragment or TokenKind.StringFragment => "string",
        TokenKind.IndentedFragment or TokenKind.IndentedEscape => "indented string",
        TokenKind.Quote => "'\"'",
        TokenKind.IndentedOpen => "start of an indented string",
        TokenKind.IndentedClose => "end of an indented string",
        TokenKind.DollarCurly => "'${'",
        TokenKind.If => "'if'",
        TokenKind.Then => "'then'",
        TokenKind.Else => "'else'",
        TokenKind.Assert => "'assert'",
        TokenKind.With => "'with'",
        TokenKind.Let => "'let'",
        TokenKind.In => "'in'",
        TokenKind.Rec => "'rec'",
        TokenKind.Inherit => "'inherit'",
        TokenKind.OrKeyword => "'or'",
        TokenKind.Ellipsis => "'...'",
        TokenKind.Equal => "'=='",
        TokenKind.NotEqual => "'!='",
        TokenKind.LessOrEqual => "'<='",
        TokenKind.GreaterOrEqual => "'>='",
        TokenKind.And => "'&&'",
        TokenKind.Or => "'||'",
        TokenKind.Implies => "'->'",
        TokenKind.Update => "'//'",
        TokenKind.Concat => "'++'",
        TokenKind.PipeFrom => "'<|'",
        TokenKind.PipeInto => "'|>'",
        TokenKind.LeftBrace => "'{'",
        TokenKind.RightBrace => "'}'",
        TokenKind.LeftParen => "'('",
        TokenKind.RightParen => "')'",
        TokenKind.LeftBracket => "'['",
        TokenKind.RightBracket => "']'",
        TokenKind.Semicolon => "';'",
        TokenKind.Colon => "':'",
        TokenKind.At => "'@'",
        TokenKind.Comma => "','",
        TokenKind.Question => "'?'",
        TokenKind.Assign => "'='",
        TokenKind.Dot => "'.'",
        TokenKind.Bang => "'!'",
        TokenKind.Minus => "'-'",
        TokenKind.Plus => "'+'",
        TokenKind.Star => "'*'",
        TokenKind.Slash => "'/'",
        TokenKind.Less => "'<'",
        TokenKind.Greater => "'>'",
        _ => kind.ToString(),
    };
}
