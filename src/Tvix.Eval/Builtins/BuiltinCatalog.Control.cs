using Tvix.Eval.Runtime;

namespace Tvix.Eval.Builtins;

// Evaluation control: seq, errors, tryEval, tracing.
internal static partial class BuiltinCatalog
{
    private static void RegisterControl(BuiltinRegistry r)
    {
        r.Add("seq", 2, static (cx, a) =>
        {
            cx.Force(a[0]);
            return a[1];
        });
        r.Add("deepSeq", 2, static (cx, a) =>
        {
            cx.DeepForce(a[0]);
            return a[1];
        });
        r.Add("throw", 1, static (cx, a) =>
        {
            var msg = cx.CoerceToString(a[0], StringCoercion.Interpolation);
            throw new NixEvalException(msg.ToString(), catchable: true);
        }, global: true);
        r.Add("abort", 1, static (cx, a) =>
        {
            var msg = cx.CoerceToString(a[0], StringCoercion.Interpolation);
            throw new NixEvalException($"evaluation aborted with the following error message: '{msg}'") { IsAbort = true };
        }, global: true);
        r.Add("tryEval", 1, static (cx, a) =>
        {
            var builder = cx.CreateAttrsBuilder(2);
            var depth = cx.CallDepth;
            try
            {
                var v = cx.Force(a[0]);
                builder.Add(cx.SymSuccess, Value.True).Add(cx.SymValue, v);
            }
            catch (NixEvalException e) when (e.IsCatchable)
            {
                cx.CallDepth = depth;
                builder.Add(cx.SymSuccess, Value.False).Add(cx.SymValue, Value.False);
            }
            return Value.FromAttrs(builder.Build());
        });
        r.Add("trace", 2, static (cx, a) =>
        {
            var v = cx.Force(a[0]);
            // Like current Nix: a string is shown as it is, anything else as in error messages.
            cx.Log.WriteLine("trace: " + (v.Kind == ValueKind.String ? v.RawString.ToString() : cx.PrintForError(v)));
            return a[1];
        });
        r.Add("traceVerbose", 2, static (cx, a) => a[1]);
        r.Add("warn", 2, static (cx, a) =>
        {
            var msg = cx.Force(a[0]);
            if (msg.Kind != ValueKind.String) throw cx.TypeError("a string", msg);
            cx.Log.WriteLine("evaluation warning: " + msg.RawString);
            return a[1];
        });
        r.Add("addErrorContext", 2, static (cx, a) =>
        {
            try { return cx.Force(a[1]); }
            catch (NixEvalException e) when (AddContext(cx, e, a[0])) { throw; }
        });
        r.Add("break", 1, static (cx, a) => a[0], global: true);
    }

    private static bool AddContext(EvalContext cx, NixEvalException e, Value message)
    {
        try { e.AddTrace(cx.CoerceToString(message, StringCoercion.Interpolation).ToString(), null, default); }
        catch (NixEvalException) { }
        return false;
    }
}
