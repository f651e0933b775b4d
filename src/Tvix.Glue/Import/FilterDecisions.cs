namespace Tvix.Glue.Import;

/// <summary>Asks a path filter about every entry of a tree (as a NAR walk would) and records the answers.</summary>
internal static class FilterDecisions
{
    public static void Record(string root, Func<string, string, bool> filter, Dictionary<string, bool> decisions)
    {
        if (SourceEntries.Describe(root).Type != SourceEntryType.Directory) return;
        foreach (var (_, child) in SourceEntries.SortedChildren(root))
        {
            var keep = filter(child, SourceEntries.TypeName(child));
            decisions[child] = keep;
            if (keep && SourceEntries.Describe(child).Type == SourceEntryType.Directory) Record(child, filter, decisions);
        }
    }
}
