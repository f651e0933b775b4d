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
