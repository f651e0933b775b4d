namespace Tvix.Eval.Support.Toml;

/// <summary>The kinds of value a TOML 1.0 document can hold.</summary>
internal enum TomlValueKind
{
    Table,
    Array,
    String,
    Integer,
    Float,
    Boolean,
    /// <summary>Date, time and offset (<c>1979-05-27T07:32:00Z</c>).</summary>
    OffsetDateTime,
    /// <summary>Date and time without offset.</summary>
    LocalDateTime,
    /// <summary>A date alone.</summary>
    LocalDate,
    /// <summary>A time of day alone.</summary>
    LocalTime,
}

/// <summary>
/// A node of a parsed TOML document: a neutral tree that knows nothing of Nix values, so the
/// parser can be tested on its own. Tables keep their keys in a dictionary; their order is
/// irrelevant because Nix sorts attribute names.
/// </summary>
internal sealed class TomlValue
{
    private TomlValue(TomlValueKind kind) => Kind = kind;

    /// <summary>What this node is.</summary>
    public TomlValueKind Kind { get; }

    /// <summary>The text of a string.</summary>
    public string? StringValue { get; private init; }

    /// <summary>The value of an integer.</summary>
    public long IntegerValue { get; private init; }

    /// <summary>The value of a float.</summary>
    public double FloatValue { get; private init; }

    /// <summary>The value of a boolean.</summary>
    public bool BooleanValue { get; private init; }

    /// <summary>The value of one of the four date/time kinds.</summary>
    public TomlDateTime DateTimeValue { get; private init; }

    /// <summary>The elements of an array.</summary>
    public List<TomlValue>? Items { get; private init; }

    /// <summary>The entries of a table.</summary>
    public Dictionary<string, TomlValue>? Entries { get; private init; }

    /// <summary>How a table came to exist; the parser uses it to enforce TOML's definition rules.</summary>
    internal TomlTableState TableState { get; set; }

    /// <summary>True for an array made by <c>[[header]]</c> sections (it can be appended to).</summary>
    internal bool IsArrayOfTables { get; init; }

    public static TomlValue String(string value) => new(TomlValueKind.String) { StringValue = value };

    public static TomlValue Integer(long value) => new(TomlValueKind.Integer) { IntegerValue = value };

    public static TomlValue Float(double value) => new(TomlValueKind.Float) { FloatValue = value };

    public static TomlValue Boolean(bool value) => new(TomlValueKind.Boolean) { BooleanValue = value };

    public static TomlValue DateTime(TomlDateTime value) => new(value.Kind) { DateTimeValue = value };

    internal static TomlValue NewTable(TomlTableState state) =>
        new(TomlValueKind.Table) { Entries = new Dictionary<string, TomlValue>(StringComparer.Ordinal), TableState = state };

    internal static TomlValue NewArray(bool arrayOfTables) =>
        new(TomlValueKind.Array) { Items = new List<TomlValue>(), IsArrayOfTables = arrayOfTables };
}

/// <summary>How a table was created, which decides what may still be added to it.</summary>
internal enum TomlTableState
{
    /// <summary>Created as a parent of a <c>[a.b.c]</c> header; may be defined once by its own header.</summary>
    Implicit,
    /// <summary>Defined by a header (or the root, or an array-of-tables element).</summary>
    Header,
    /// <summary>Created by a dotted key; further dotted keys in the same section may extend it.</summary>
    Dotted,
    /// <summary>An inline table or anything inside one: closed for good.</summary>
    Frozen,
}
