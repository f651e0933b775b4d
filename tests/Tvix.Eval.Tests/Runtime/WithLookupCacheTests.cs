using static Tvix.Eval.Tests.Runtime.EvalHelper;

namespace Tvix.Eval.Tests.Runtime;

/// <summary>
/// A variable found through <c>with</c> remembers, per enclosing <c>with</c>, the namespace it last
/// searched; the same lookup then meets the same and other namespaces in turn.
/// </summary>
public sealed class WithLookupCacheTests
{
    [Fact]
    public void AlternatingNamespacesAtOneLookup()
    {
        Assert.Equal("[ 1 2 1 \"outer\" 2 ]", Nix("""
            let
              outer = { a = "outer"; };
              f = ns: with outer; with ns; a;
              one = { a = 1; };
              two = { a = 2; };
            in [ (f one) (f two) (f one) (f { b = 3; }) (f two) ]
            """));
    }

    [Fact]
    public void ABigNamespaceSeenAgainAndAMissingName()
    {
        Assert.Equal("[ 150 150 \"none\" ]", Nix("""
            let
              big = builtins.listToAttrs (builtins.genList (i: { name = "k${toString i}"; value = i; }) 300);
              get = with big; k150;
              miss = ns: with ns; if ns ? zz then zz else "none";
            in [ get (with big; k150) (miss big) ]
            """));
    }
}

/// <summary><c>x.name</c> remembers the set it last looked the name up in; the same site then meets other sets.</summary>
public sealed class SelectCacheTests
{
    [Fact]
    public void AlternatingSetsAtOneSelect()
    {
        Assert.Equal("[ 1 2 1 \"dflt\" 2 3 ]", Nix("""
            let
              get = s: s.a or "dflt";
              one = { a = 1; };
              two = { a = 2; b = 0; };
              deep = s: s.a.b;
            in [ (get one) (get two) (get one) (get { b = 3; }) (get two) (deep { a = { b = 3; }; }) ]
            """));
        Assert.Contains("attribute 'a' missing", Assert.Throws<NixEvalException>(() => Nix("let get = s: s.a; in [ (get { a = 1; }) (get { }) ]")).Message);
    }
}

/// <summary>
/// Inline caches remember a set's names array, which every set one literal builds shares: sets
/// from the same literal hit, sets with other names (other literals, <c>//</c>, layers, JSON
/// objects) miss and look again, at every step of a path.
/// </summary>
public sealed class NamesArrayCacheTests
{
    [Fact]
    public void SetsFromOneLiteralAndFromOthersAtOneSelect()
    {
        Assert.Equal("[ 0 1 2 \"dflt\" 7 9 4 ]", Nix("""
            let
              mk = i: { a = i; b = i * 2; };
              get = s: s.a or "dflt";
            in (map (i: get (mk i)) [ 0 1 2 ]) ++ [ (get { b = 1; }) (get ({ z = 0; } // { a = 7; })) (get (builtins.fromJSON ''{"a": 9}'')) (get (mk 4)) ]
            """));
    }

    [Fact]
    public void EveryStepOfAPathAndALayeredSet()
    {
        // The inner sets come from one literal (hits) and from a layer over a big set, which the
        // lookup merges, and a JSON object (misses, then hits again).
        Assert.Equal("[ 1 2 3 150 5 ]", Nix("""
            let
              mk = i: { x = { y = i; }; };
              big = builtins.listToAttrs (builtins.genList (i: { name = "k${toString i}"; value = { y = i; }; }) 200);
              layered = big // { x = { y = 150; }; };
              path = s: s.x.y;
            in [ (path (mk 1)) (path (mk 2)) (path (mk 3)) (path layered) (path (builtins.fromJSON ''{"x": {"y": 5}}'')) ]
            """));
    }

    [Fact]
    public void WithNamespacesFromOneLiteral()
    {
        Assert.Equal("[ 1 2 3 \"outer\" ]", Nix("""
            let
              outer = { b = "outer"; };
              f = i: with outer; with { a = i; }; a;
              g = with outer; with { a = 0; }; b;
            in (map f [ 1 2 3 ]) ++ [ g ]
            """));
    }

    [Fact]
    public void PeeksThroughSetsFromOneLiteral()
    {
        // `inherit (s) v` in a lazy position peeks at an evaluated `s.v`, else makes a thunk.
        Assert.Equal("[ 1 2 \"x\" ]", Nix("""
            let
              mk = v: { inherit v; };
              wrap = s: { inherit (s) v; };
              items = [ (mk 1) (mk 2) { v = "x"; w = 0; } ];
            in map (s: builtins.seq s.v (wrap s).v) items
            """));
    }
}

/// <summary>
/// A forced thunk in an environment slot or a set is replaced by its result when that is an atom
/// (null, Boolean, number, string, path); functions, sets and lists keep their thunk, because
/// Nix's <c>==</c> compares value slots before contents.
/// </summary>
public sealed class SettlingTests
{
    [Fact]
    public void AtomsReadAgainAfterForcing()
    {
        Assert.Equal("[ 2 2 \"ab\" \"ab\" 1.5 1.5 true true null null ]", Nix("""
            let
              i = 1 + 1; s = "a" + "b"; f = 3 / 2.0; b = !false; n = builtins.head [ null ];
              set = { inherit i s f b n; };
            in [ i set.i s set.s f set.f b set.b n set.n ]
            """));
    }

    [Fact]
    public void FunctionsKeepTheirSlotIdentity()
    {
        // What C++ Nix answers: the same slot holding a function is equal to itself in a list.
        Assert.Equal("[ false true true false ]", Nix("""
            let
              s = { f = x: x; g = (y: x: x) 1; };
              f = y: x: x; t = { g = f 1; }; a = t.g;
            in [ ([ s.f ] == [ s.f ]) ([ a ] == [ a ]) (builtins.seq a ([ a ] == [ a ])) ((builtins.seq s.g [ s.g ]) == [ s.g ]) ]
            """));
    }

    [Fact]
    public void AStringKeepsItsContext()
    {
        Assert.Equal("true", Nix("""
            let
              drvish = builtins.appendContext "/nix/store/ar3gjkbvmigi7snqmrn5pxaqmf0dw6c3-x" { "/nix/store/ar3gjkbvmigi7snqmrn5pxaqmf0dw6c3-x" = { path = true; }; };
              s = { p = "${drvish}/bin"; };
            in builtins.seq s.p (builtins.hasContext s.p)
            """));
    }
}
