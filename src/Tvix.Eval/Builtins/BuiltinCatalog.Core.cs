using Tvix.Eval.Runtime;

namespace Tvix.Eval.Builtins;

// Arithmetic, comparison, type predicates and constants.
internal static partial class BuiltinCatalog
{
    private static void RegisterCore(BuiltinRegistry r, EvaluatorOptions options)
    {
        RegisterArithmetic(r);
        RegisterTypes(r);
        RegisterAttrs(r);
        RegisterLists(r);
        RegisterStrings(r);
        RegisterContexts(r);
        RegisterControl(r);
        RegisterIO(r, options);
        r.AddConstant("true", Value.True, global: true);
        r.AddConstant("false", Value.False, global: true);
        r.AddConstant("null", Value.Null, global: true);
        r.AddConstant("langVersion", Value.FromInt(6));
        r.AddConstant("nixVersion", Value.FromString("2.24.0"));
        r.AddConstant("currentSystem", Value.FromString(options.CurrentSystem));
        r.AddConstant("storeDir", Value.FromString(options.StoreDir));
        r.AddNixSource("derivation", DerivationNix, global: true);
    }

    private const string DerivationNix = """
        drvAttrs @ { outputs ? [ "out" ], ... }:
        let
          strict = builtins.derivationStrict drvAttrs;
          commonAttrs = drvAttrs // (builtins.listToAttrs outputsList) // {
            all = map (x: x.value) outputsList;
            inherit drvAttrs;
          };
          outputToAttrListElement = outputName: {
            name = outputName;
            value = commonAttrs // {
              outPath = builtins.getAttr outputName strict;
              drvPath = strict.drvPath;
              type = "derivation";
              inherit outputName;
            };
          };
          outputsList = map outputToAttrListElement outputs;
        in (builtins.head outputsList).value
        """;

    private static void RegisterArithmetic(BuiltinRegistry r)
    {
        r.AddConsuming("add", 2, static (cx, a) => Arithmetic.Add(cx, Num(cx, a[0]), Num(cx, a[1])));
        r.AddConsuming("sub", 2, static (cx, a) => Arithmetic.Sub(cx, Num(cx, a[0]), Num(cx, a[1])));
        r.AddConsuming("mul", 2, static (cx, a) => Arithmetic.Mul(cx, Num(cx, a[0]), Num(cx, a[1])));
        r.AddConsuming("div", 2, static (cx, a) =>
        {
            // Nix checks the divisor first.
            var d = cx.Force(a[1]);
            if (!Arithmetic.IsNumber(d)) throw cx.TypeError("a float", d);
            if (d.Kind == ValueKind.Int ? d.RawInt == 0 : d.RawFloat == 0) throw cx.Error("division by zero");
            return Arithmetic.Div(cx, Num(cx, a[0]), d);
        });
        r.AddConsuming("lessThan", 2, LessThan);
        r.Add("bitAnd", 2, static (cx, a) => Value.FromInt(cx.ForceInt(a[0]) & cx.ForceInt(a[1])));
        r.Add("bitOr", 2, static (cx, a) => Value.FromInt(cx.ForceInt(a[0]) | cx.ForceInt(a[1])));
        r.Add("bitXor", 2, static (cx, a) => Value.FromInt(cx.ForceInt(a[0]) ^ cx.ForceInt(a[1])));
        r.Add("ceil", 1, static (cx, a) => Value.FromInt(ToInt(cx, Math.Ceiling(cx.ForceNumber(a[0])))));
        r.Add("floor", 1, static (cx, a) => Value.FromInt(ToInt(cx, Math.Floor(cx.ForceNumber(a[0])))));
    }

    private static Value Num(EvalContext cx, Value v)
    {
        v = cx.Force(v);
        if (!Arithmetic.IsNumber(v)) throw cx.TypeError("an integer", v);
        return v;
    }

    private static long ToInt(EvalContext cx, double d)
    {
        if (double.IsNaN(d) || d >= 9.2233720368547758e18 || d < -9.2233720368547758e18)
            throw cx.Error($"float {Printer.FormatFloat(d)} does not fit in a 64-bit integer");
        return (long)d;
    }

    private static void RegisterTypes(BuiltinRegistry r)
    {
        r.AddConsuming("typeOf", 1, static (cx, a) => Value.FromString(TypeNames.TypeOf(cx.Force(a[0]).Kind)));
        r.AddConsuming("isAttrs", 1, static (cx, a) => Value.FromBool(cx.Force(a[0]).Kind == ValueKind.Attrs));
        r.AddConsuming("isBool", 1, static (cx, a) => Value.FromBool(cx.Force(a[0]).Kind == ValueKind.Bool));
        r.AddConsuming("isFloat", 1, static (cx, a) => Value.FromBool(cx.Force(a[0]).Kind == ValueKind.Float));
        r.AddConsuming("isFunction", 1, static (cx, a) => Value.FromBool(cx.Force(a[0]).IsFunction));
        r.AddConsuming("isInt", 1, static (cx, a) => Value.FromBool(cx.Force(a[0]).Kind == ValueKind.Int));
        r.AddConsuming("isList", 1, static (cx, a) => Value.FromBool(cx.Force(a[0]).Kind == ValueKind.List));
        r.AddConsuming("isNull", 1, static (cx, a) => Value.FromBool(cx.Force(a[0]).Kind == ValueKind.Null), global: true);
        r.AddConsuming("isPath", 1, static (cx, a) => Value.FromBool(cx.Force(a[0]).Kind == ValueKind.Path));
        r.AddConsuming("isString", 1, static (cx, a) => Value.FromBool(cx.Force(a[0]).Kind == ValueKind.String));
    }
}
