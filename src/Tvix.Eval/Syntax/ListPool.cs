namespace Tvix.Eval.Syntax;

/// <summary>
/// Scratch lists for one parse, reused in stack order: children are collected in a rented
/// list and copied into an exact-size array, so a node costs one array, not a list and its
/// growth copies.
/// </summary>
internal sealed class ListPool<T>
{
    private readonly Stack<List<T>> _free = new();

    public List<T> Rent() => _free.Count > 0 ? _free.Pop() : new List<T>(8);

    public T[] ToArrayAndReturn(List<T> list)
    {
        var array = list.Count == 0 ? [] : list.ToArray();
        Return(list);
        return array;
    }

    public void Return(List<T> list)
    {
        list.Clear();
        _free.Push(list);
    }
}
