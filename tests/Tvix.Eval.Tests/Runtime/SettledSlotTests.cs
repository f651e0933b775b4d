using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// Value slots that were forced, read again and compared or printed: `==` treats the very same
/// slot as equal (even a function), and printing marks a set, or a list of more than two
/// elements, as repeated whatever slot it is reached through, a shorter list only through its
/// own slot. What may take a forced thunk's place in its slot (<see cref="Tvix.Eval.Value.IsAtom"/>)
/// must keep all of this. The expected values are C++ Nix's (<c>nix-instantiate --eval --strict</c>).
/// </summary>
public sealed class SettledSlotTests
{
    [Theory]
    // Sets holding functions, compared through the same and through different slots.
    [InlineData("let s = { f = x: x; }; a = { inherit s; t = s; }; in [ (a.s == a.s) ([ a.s ] == [ a.s ]) (a.s == a.t) ([ a.s ] == [ a.t ]) ]", "[ true true true true ]")]
    [InlineData("let mk = n: { f = x: x; inherit n; }; l = map mk [ 1 2 3 ]; in builtins.seq (builtins.deepSeq l l) [ (builtins.elemAt l 0 == builtins.elemAt l 0) (l == l) ([ (builtins.head l) ] == [ (builtins.head l) ]) ]", "[ true true true ]")]
    [InlineData("let g = x: x; l = builtins.genList (i: [ g g g ]) 3; in builtins.seq (builtins.deepSeq l 1) [ (builtins.elemAt l 0 == builtins.elemAt l 0) (builtins.elemAt l 0 == builtins.elemAt l 1) l ]",
        "[ true true [ [ <LAMBDA> <LAMBDA> <LAMBDA> ] [ <LAMBDA> <LAMBDA> <LAMBDA> ] [ <LAMBDA> <LAMBDA> <LAMBDA> ] ] ]")]
    // Functions keep their thunk: the same function through two slots is not equal.
    [InlineData("let s = { f = x: x; }; a = { g = s.f; h = s.f; }; in builtins.seq a.g (builtins.seq a.h [ ([ a.g ] == [ a.g ]) ([ a.g ] == [ a.h ]) ])", "[ false false ]")]
    [InlineData("let s = { f = x: x; }; a = { g = s.f; h = s.f; }; g = a.g; in builtins.seq a.g (builtins.seq g [ ([ g ] == [ g ]) ([ g ] == [ a.h ]) ])", "[ true false ]")]
    // Printing: a short list is repeated only through its own slot, a longer list and a set through any.
    [InlineData("let s = { a = [ 1 2 ]; b = [ 1 2 3 ]; }; r = { x = s.a; y = s.a; z = s.b; w = s.b; }; in builtins.deepSeq r r", "{ w = [ 1 2 3 ]; x = [ 1 2 ]; y = [ 1 2 ]; z = «repeated»; }")]
    [InlineData("let s = { f = x: x; }; l = [ s s ]; r = { p = builtins.head l; q = builtins.head l; }; in builtins.deepSeq r [ r (r.p == r.q) ]", "[ { p = { f = <LAMBDA>; }; q = «repeated»; } true ]")]
    public void SlotsReadAfterForcingBehaveAsNixSlots(string code, string expected) => Assert.Equal(expected, Nix(code));
}
