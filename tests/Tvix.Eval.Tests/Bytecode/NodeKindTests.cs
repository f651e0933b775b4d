using System.Reflection;
using System.Runtime.CompilerServices;
using Tvix.Eval.Runtime;
using Xunit;

namespace Tvix.Eval.Tests.Bytecode;

/// <summary>
/// The lowering reinterprets a node as the class its <see cref="Node.Kind"/> names (without a
/// type test), so every kind must belong to exactly one node class, the one of the same name.
/// </summary>
public sealed class NodeKindTests
{
    private static readonly PropertyInfo KindProperty =
        typeof(Node).GetProperty(nameof(Node.Kind), BindingFlags.Instance | BindingFlags.NonPublic)!;

    private static IEnumerable<Type> NodeClasses() =>
        typeof(Node).Assembly.GetTypes().Where(t => !t.IsAbstract && typeof(Node).IsAssignableFrom(t));

    // The override returns a constant, so an instance without its constructor run can answer.
    private static NodeKind KindOf(Type type) => (NodeKind)KindProperty.GetValue(RuntimeHelpers.GetUninitializedObject(type))!;

    [Fact]
    public void EachKindIsReportedByTheNodeClassOfItsName()
    {
        var byKind = NodeClasses().Where(t => KindOf(t) != NodeKind.Other).GroupBy(KindOf).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var kind in Enum.GetValues<NodeKind>().Where(k => k != NodeKind.Other))
        {
            Assert.True(byKind.TryGetValue(kind, out var types), $"no node class reports {kind}");
            var type = Assert.Single(types);
            Assert.Equal(kind + "Node", type.Name);
            Assert.True(type.IsSealed, $"{type.Name} must be sealed: a subclass would report its kind too");
        }
    }

    [Fact]
    public void NodesTheLoweringHasNoRuleForReportOther()
    {
        var named = Enum.GetNames<NodeKind>().Select(k => k + "Node").ToHashSet();
        foreach (var type in NodeClasses().Where(t => !named.Contains(t.Name)))
            Assert.Equal(NodeKind.Other, KindOf(type));
    }
}
