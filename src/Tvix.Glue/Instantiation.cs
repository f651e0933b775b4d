using System.Text.RegularExpressions;
using Tvix.Eval;

namespace Tvix.Glue;

/// <summary>
/// What <c>nix-instantiate</c> prints for a value: the derivations it finds (the value itself,
/// the attributes of a set in name order — recursing only where
/// <c>recurseForDerivations = true</c> —, the elements of a list), each as
/// <c>/nix/store/….drv</c>, with <c>!OUTPUT</c> appended when the selected output is not <c>out</c>.
/// </summary>
public static partial class Instantiation
{
    /// <summary>Finds the derivations in <paramref name="value"/> and returns their printed paths in Nix's order.</summary>
    /// <param name="context">The evaluation context (call inside <see cref="Evaluator.Run{T}"/>).</param>
    /// <param name="value">The (auto-called) result of the expression.</param>
    /// <param name="autoCall">Applies a function to the <c>--arg</c> values (nested values are auto-called too).</param>
    /// <exception cref="NixEvalException">The value holds something that is neither a derivation nor a set or list.</exception>
    public static IReadOnlyList<string> DerivationPaths(EvalContext context, Value value, Func<Value, Value> autoCall)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(autoCall);
        var result = new List<string>();
        var done = new HashSet<NixAttrs>(ReferenceEqualityComparer.Instance);
        Collect(context, value, autoCall, result, done);
        return result;
    }

    private static void Collect(EvalContext cx, Value input, Func<Value, Value> autoCall, List<string> result, HashSet<NixAttrs> done)
    {
        var v = cx.Force(autoCall(input));
        if (!TryAdd(cx, v, result, done)) return;
        if (v.Kind == ValueKind.Attrs)
        {
            var attrs = v.AsAttrs;
            var combine = attrs.ContainsKey("_combineChannels");
            foreach (var (name, attribute) in attrs.Pairs)
            {
                if (!AttrName().IsMatch(name)) continue;
                if (combine)
                {
                    Collect(cx, attribute, autoCall, result, done);
                    continue;
                }
                var item = cx.Force(attribute);
                if (TryAdd(cx, item, result, done) && item.Kind == ValueKind.Attrs
                    && item.AsAttrs.TryGetValue("recurseForDerivations", out var recurse) && cx.ForceBool(recurse))
                {
                    Collect(cx, item, autoCall, result, done);
                }
            }
        }
        else if (v.Kind == ValueKind.List)
        {
            foreach (var element in v.AsList.AsSpan())
            {
                if (TryAdd(cx, cx.Force(element), result, done)) Collect(cx, element, autoCall, result, done);
            }
        }
        else
        {
            throw new NixEvalException("expression does not evaluate to a derivation (or a set or list of those)");
        }
    }

    /// <summary>Adds a derivation; returns true when the value is not one (so the caller recurses).</summary>
    private static bool TryAdd(EvalContext cx, Value v, List<string> result, HashSet<NixAttrs> done)
    {
        if (v.Kind != ValueKind.Attrs) return true;
        var attrs = v.AsAttrs;
        if (!attrs.TryGetValue("type", out var type)) return true;
        type = cx.Force(type);
        if (type.Kind != ValueKind.String || type.AsString.ToString() != "derivation") return true;
        if (!done.Add(attrs)) return false;
        if (!attrs.TryGetValue("drvPath", out var drvPathValue)) throw new NixEvalException("derivation has no 'drvPath' attribute");
        var drvPath = cx.CoerceToString(drvPathValue, StringCoercion.NoCopy).ToString();
        var outputName = "out";
        if (attrs.TryGetValue("outputName", out var outputNameValue)) outputName = cx.ForceString(outputNameValue).ToString();
        result.Add(outputName == "out" ? drvPath : drvPath + "!" + outputName);
        return false;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9\\-_+]*$")]
    private static partial Regex AttrName();
}
