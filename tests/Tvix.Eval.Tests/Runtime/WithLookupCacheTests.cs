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
