using System.Runtime.CompilerServices;

namespace Tvix.Eval.Support.Regex;

/// <summary>
/// A byte-level matcher that reproduces libstdc++'s depth-first <c>std::regex</c> executor in
/// POSIX mode, which is what C++ Nix runs: the automaton is built the way libstdc++ builds it
/// (bounded repeats as copies, <c>+</c> as a loop back into its operand) and walked with its
/// rules: at an alternation both branches are tried and the longer match is kept (the first
/// on a tie); at a greedy repeat one more round is tried first and the shorter path only when
/// that found nothing; an empty round may repeat at most twice at one position.
/// </summary>
/// <remarks>
/// <see cref="PosixRegex"/> uses .NET's engine where it provably agrees (whole-subject matches,
/// searches without nested alternatives) and this matcher where it would not.
/// The pattern must already have been validated by <see cref="PosixRegexTranslator"/>.
/// </remarks>
internal sealed class PosixBacktrackingMatcher
{
    private enum Op : byte
    {
        Match,
        Any,
        LineBegin,
        LineEnd,
        SubexprBegin,
        SubexprEnd,
        Alternative,
        Repeat,
        Dummy,
        Accept,
    }

    private struct State
    {
        public Op Op;
        public int Next;
        public int Alt;
        public int Group;
        public bool[]? Set;
    }

    // The states while the program is built: an array grown by hand, not a List<State>, whose
    // static initialiser over this struct is not in the ReadyToRun image.
    private State[] _states = new State[16];
    private int _stateCount;
    private readonly State[] _program;
    private readonly int _start;

    public PosixBacktrackingMatcher(string ere, int groupCount)
    {
        GroupCount = groupCount;
        var parser = new Parser(ere, this);
        var begin = Add(new State { Op = Op.SubexprBegin, Group = 0, Next = -1 });
        var body = parser.ParseAll();
        var end = Add(new State { Op = Op.SubexprEnd, Group = 0, Next = -1 });
        var accept = Add(new State { Op = Op.Accept, Next = -1 });
        Link(begin, body.Start);
        Link(body.End, end);
        Link(end, accept);
        _start = begin;
        _program = _states.AsSpan(0, _stateCount).ToArray();
    }

    public int GroupCount { get; }

    // ------------------------------------------------------------------ building

    private readonly record struct Seq(int Start, int End);

    private int Add(State s)
    {
        if (_stateCount == _states.Length)
        {
            var bigger = new State[_stateCount * 2];
            Array.Copy(_states, bigger, _stateCount);
            _states = bigger;
        }
        _states[_stateCount] = s;
        return _stateCount++;
    }

    /// <summary>Points the "next" of <paramref name="from"/> (the end of a sequence) at <paramref name="to"/>.</summary>
    private void Link(int from, int to)
    {
        var s = _states[from];
        s.Next = to;
        _states[from] = s;
    }

    private Seq Append(Seq a, Seq b)
    {
        Link(a.End, b.Start);
        return new Seq(a.Start, b.End);
    }

    private Seq Dummy()
    {
        var d = Add(new State { Op = Op.Dummy, Next = -1 });
        return new Seq(d, d);
    }

    /// <summary>
    /// Copies the states of a sequence (libstdc++'s _M_clone). Sequences are cloned before
    /// anything follows them, so every state reachable from the start belongs to the sequence.
    /// </summary>
    private Seq Clone(Seq seq)
    {
        var map = new Dictionary<int, int>();
        var stack = new Stack<int>();
        stack.Push(seq.Start);
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (map.ContainsKey(id)) continue;
            map[id] = Add(_states[id]);
            var s = _states[id];
            if (s.Next >= 0) stack.Push(s.Next);
            if (s.Op is Op.Alternative or Op.Repeat && s.Alt >= 0) stack.Push(s.Alt);
        }
        foreach (var (_, newId) in map)
        {
            var s = _states[newId];
            if (s.Next >= 0) s.Next = map[s.Next];
            if (s.Op is Op.Alternative or Op.Repeat && s.Alt >= 0) s.Alt = map[s.Alt];
            _states[newId] = s;
        }
        return new Seq(map[seq.Start], map[seq.End]);
    }

    private sealed class Parser(string ere, PosixBacktrackingMatcher m)
    {
        private int _pos;
        private int _group;

        public Seq ParseAll() => Disjunction();

        private bool AtEnd => _pos >= ere.Length;

        private Seq Disjunction()
        {
            var alt1 = Alternative();
            while (!AtEnd && ere[_pos] == '|')
            {
                _pos++;
                var alt2 = Alternative();
                var end = m.Dummy();
                m.Link(alt1.End, end.Start);
                m.Link(alt2.End, end.Start);
                // Alt is tried before Next: the left alternative first.
                var alt = m.Add(new State { Op = Op.Alternative, Alt = alt1.Start, Next = alt2.Start });
                alt1 = new Seq(alt, end.End);
            }
            return alt1;
        }

        private Seq Alternative()
        {
            Seq? seq = null;
            while (!AtEnd && ere[_pos] is not ('|' or ')'))
            {
                var term = Term();
                seq = seq is { } s ? m.Append(s, term) : term;
            }
            return seq ?? m.Dummy();
        }

        private Seq Term()
        {
            var atom = Atom();
            while (!AtEnd && ere[_pos] is '*' or '+' or '?' or '{') atom = Quantify(atom);
            return atom;
        }

        private Seq Quantify(Seq e)
        {
            var c = ere[_pos++];
            switch (c)
            {
                case '*':
                {
                    var r = m.Add(new State { Op = Op.Repeat, Alt = e.Start, Next = -1 });
                    m.Link(e.End, r);
                    return new Seq(r, r);
                }
                case '+':
                {
                    var r = m.Add(new State { Op = Op.Repeat, Alt = e.Start, Next = -1 });
                    m.Link(e.End, r);
                    return new Seq(e.Start, r);
                }
                case '?':
                {
                    var end = m.Dummy();
                    var r = m.Add(new State { Op = Op.Repeat, Alt = e.Start, Next = end.Start });
                    m.Link(e.End, end.Start);
                    return new Seq(r, end.End);
                }
            }
            var min = Number();
            var max = min;
            var infinite = false;
            if (ere[_pos] == ',')
            {
                _pos++;
                if (ere[_pos] == '}') infinite = true;
                else max = Number();
            }
            _pos++; // '}'
            var result = m.Dummy();
            for (var i = 0; i < min; i++) result = m.Append(result, m.Clone(e));
            if (infinite)
            {
                var tmp = m.Clone(e);
                var r = m.Add(new State { Op = Op.Repeat, Alt = tmp.Start, Next = -1 });
                m.Link(tmp.End, r);
                return m.Append(result, new Seq(r, r));
            }
            var last = m.Dummy();
            for (var i = 0; i < max - min; i++)
            {
                var tmp = m.Clone(e);
                // "More" (the copy) is tried first, "less" jumps to the end.
                var r = m.Add(new State { Op = Op.Repeat, Alt = tmp.Start, Next = last.Start });
                result = m.Append(result, new Seq(r, tmp.End));
            }
            return m.Append(result, last);
        }

        private int Number()
        {
            var v = 0;
            while (ere[_pos] is >= '0' and <= '9') v = v * 10 + (ere[_pos++] - '0');
            return v;
        }

        private Seq Atom()
        {
            var c = ere[_pos];
            switch (c)
            {
                case '(':
                {
                    _pos++;
                    var g = ++_group;
                    var begin = m.Add(new State { Op = Op.SubexprBegin, Group = g, Next = -1 });
                    var inner = Disjunction();
                    _pos++; // ')'
                    var end = m.Add(new State { Op = Op.SubexprEnd, Group = g, Next = -1 });
                    m.Link(begin, inner.Start);
                    m.Link(inner.End, end);
                    return new Seq(begin, end);
                }
                case '^':
                {
                    _pos++;
                    var s = m.Add(new State { Op = Op.LineBegin, Next = -1 });
                    return new Seq(s, s);
                }
                case '$':
                {
                    _pos++;
                    var s = m.Add(new State { Op = Op.LineEnd, Next = -1 });
                    return new Seq(s, s);
                }
                case '.':
                {
                    _pos++;
                    var s = m.Add(new State { Op = Op.Any, Next = -1 });
                    return new Seq(s, s);
                }
                case '[':
                    return Single(Bracket());
                case '\\':
                    _pos += 2;
                    return Single(Literal(ere[_pos - 1]));
                default:
                    _pos++;
                    return Single(Literal(c));
            }
        }

        private Seq Single(bool[] set)
        {
            var s = m.Add(new State { Op = Op.Match, Set = set, Next = -1 });
            return new Seq(s, s);
        }

        private static bool[] Literal(char c)
        {
            var set = new bool[256];
            set[c & 0xFF] = true;
            return set;
        }

        private bool[] Bracket()
        {
            // The translator's bracket parser gives exactly the same set.
            var set = PosixRegexTranslator.ParseBracketSet(ere, ref _pos, out var negated);
            if (negated)
            {
                for (var i = 0; i < 256; i++) set[i] = !set[i];
            }
            return set;
        }
    }

    // ------------------------------------------------------------------ executing

    /// <summary>
    /// The executor's working state for one subject; its arrays are reused across the runs of
    /// one <c>split</c> (the executor restores them on backtracking, so they stay clean).
    /// </summary>
    internal sealed class Runner
    {
        private readonly PosixBacktrackingMatcher _m;

        /// <summary>Deadline (<see cref="Environment.TickCount64"/>) after which a run gives up.</summary>
        private readonly long _deadline;

        /// <summary>Steps since the clock was last read.</summary>
        public int Steps;

        public Runner(PosixBacktrackingMatcher matcher, TimeSpan timeout)
        {
            _m = matcher;
            _deadline = timeout == System.Threading.Timeout.InfiniteTimeSpan ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            var n = matcher.GroupCount + 1;
            CurStarts = new int[n];
            CurEnds = new int[n];
            BestStarts = new int[n];
            BestEnds = new int[n];
            RepPos = new int[matcher._program.Length];
            RepCount = new int[matcher._program.Length];
            Unset(CurStarts);
            Unset(CurEnds);
        }

        public readonly int[] CurStarts;
        public readonly int[] CurEnds;
        public readonly int[] BestStarts;
        public readonly int[] BestEnds;
        public readonly int[] RepPos;
        public readonly int[] RepCount;

        /// <summary>Like libstdc++ the executor can take exponential time; unlike it, we stop.</summary>
        // A loop, not Span.Fill: its vectorised code over ints is not in the ReadyToRun image.
        private static void Unset(int[] positions)
        {
            for (var i = 0; i < positions.Length; i++) positions[i] = -1;
        }

        public void CheckTime()
        {
            Steps = 0;
            if (Environment.TickCount64 > _deadline) throw new PosixRegexException("", "regular expression took too long to match");
        }

        /// <summary>
        /// Runs the executor at exactly <paramref name="begin"/> (no scanning): with
        /// <paramref name="exact"/> the match must end at the end of the subject. Returns whether
        /// something matches there; the groups are then <see cref="Group"/>.
        /// </summary>
        public bool Execute(ReadOnlySpan<byte> subject, int begin, bool exact, bool notNull, bool prevAvail)
        {
            var run = new Run
            {
                Subject = subject,
                Begin = begin,
                Exact = exact,
                NotNull = notNull,
                PrevAvail = prevAvail,
                SolutionEnd = -1,
                Current = begin,
                R = this,
            };
            Unset(BestStarts);
            Unset(BestEnds);
            _m.Dfs(ref run, _m._start);
            return run.HasSolution;
        }

        /// <summary>Group <paramref name="i"/> of the last successful <see cref="Execute"/> (0 is the whole match) as (start, end), (-1, -1) when it took no part.</summary>
        public (int Start, int End) Group(int i) => BestEnds[i] >= 0 && BestStarts[i] >= 0 ? (BestStarts[i], BestEnds[i]) : (-1, -1);
    }

    /// <summary>One run of the executor from one start position.</summary>
    private ref struct Run
    {
        public ReadOnlySpan<byte> Subject;
        public int Begin;
        public bool NotNull;
        public bool PrevAvail;
        public bool Exact;
        public bool HasSolution;
        public int SolutionEnd;
        public int Current;
        public int Depth;
        public Runner R;
    }

    private void Dfs(ref Run r, int id)
    {
        // The stack check costs a call; every 16 levels of recursion is enough.
        if ((++r.Depth & 15) == 0 && !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new PosixRegexException("", "regular expression needs too deep a recursion for the subject");
        }
        if (++r.R.Steps == 1 << 16) r.R.CheckTime();
        // An exception ends the whole run, so the depth needs no finally.
        Step(ref r, id);
        r.Depth--;
    }

    private void Step(ref Run r, int id)
    {
        ref readonly var s = ref _program[id];
        switch (s.Op)
        {
            case Op.Match:
                if (r.Current < r.Subject.Length && s.Set![r.Subject[r.Current]])
                {
                    r.Current++;
                    Dfs(ref r, s.Next);
                    r.Current--;
                }
                return;
            case Op.Any:
                if (r.Current < r.Subject.Length && r.Subject[r.Current] != 0)
                {
                    r.Current++;
                    Dfs(ref r, s.Next);
                    r.Current--;
                }
                return;
            case Op.LineBegin:
                if (r.Current == r.Begin && !r.PrevAvail) Dfs(ref r, s.Next);
                return;
            case Op.LineEnd:
                if (r.Current == r.Subject.Length) Dfs(ref r, s.Next);
                return;
            case Op.SubexprBegin:
            {
                var old = r.R.CurStarts[s.Group];
                r.R.CurStarts[s.Group] = r.Current;
                Dfs(ref r, s.Next);
                r.R.CurStarts[s.Group] = old;
                return;
            }
            case Op.SubexprEnd:
            {
                var old = r.R.CurEnds[s.Group];
                r.R.CurEnds[s.Group] = r.Current;
                Dfs(ref r, s.Next);
                r.R.CurEnds[s.Group] = old;
                return;
            }
            case Op.Alternative:
            {
                // POSIX: try both and keep the longer (see Accept).
                Dfs(ref r, s.Alt);
                var had = r.HasSolution;
                r.HasSolution = false;
                Dfs(ref r, s.Next);
                r.HasSolution |= had;
                return;
            }
            case Op.Repeat:
                RepeatOnceMore(ref r, id, s);
                if (!r.HasSolution) Dfs(ref r, s.Next);
                return;
            case Op.Dummy:
                Dfs(ref r, s.Next);
                return;
            case Op.Accept:
                Accept(ref r);
                return;
        }
    }

    /// <summary>One more round of a repeat; an empty round may happen at most twice at one position.</summary>
    private void RepeatOnceMore(ref Run r, int id, in State s)
    {
        if (r.R.RepCount[id] == 0 || r.R.RepPos[id] != r.Current)
        {
            var (pos, count) = (r.R.RepPos[id], r.R.RepCount[id]);
            r.R.RepPos[id] = r.Current;
            r.R.RepCount[id] = 1;
            Dfs(ref r, s.Alt);
            (r.R.RepPos[id], r.R.RepCount[id]) = (pos, count);
        }
        else if (r.R.RepCount[id] < 2)
        {
            r.R.RepCount[id]++;
            Dfs(ref r, s.Alt);
            r.R.RepCount[id]--;
        }
    }

    private static void Accept(ref Run r)
    {
        r.HasSolution = !r.Exact || r.Current == r.Subject.Length;
        if (r.Current == r.Begin && r.NotNull) r.HasSolution = false;
        if (!r.HasSolution) return;
        if (r.SolutionEnd < 0 || r.SolutionEnd < r.Current)
        {
            r.SolutionEnd = r.Current;
            r.R.CurStarts.CopyTo(r.R.BestStarts, 0);
            r.R.CurEnds.CopyTo(r.R.BestEnds, 0);
        }
    }

    // ------------------------------------------------------------------ the two uses

    /// <summary><c>std::regex_match</c>: the groups of a whole-subject match, or null.</summary>
    public RegexCapture[]? MatchWhole(ReadOnlySpan<byte> subject, TimeSpan timeout)
    {
        var runner = new Runner(this, timeout);
        return runner.Execute(subject, 0, exact: true, notNull: false, prevAvail: false) ? ToCaptures(runner) : null;
    }

    /// <summary>
    /// One run at exactly <paramref name="begin"/> in search mode (<c>match_continuous</c>), as
    /// <c>std::regex_iterator</c> does after an empty match with <c>match_not_null</c>.
    /// </summary>
    public (int Start, int End, RegexCapture[] Groups)? MatchAt(ReadOnlySpan<byte> subject, int begin, bool notNull, bool prevAvail, TimeSpan timeout)
    {
        var runner = new Runner(this, timeout);
        if (!runner.Execute(subject, begin, exact: false, notNull, prevAvail)) return null;
        var (start, end) = runner.Group(0);
        return (start, end, ToCaptures(runner));
    }

    /// <summary>
    /// <c>std::regex_search</c> from <paramref name="start"/>: whether some position has a match
    /// (its groups are then in <paramref name="runner"/>). <paramref name="findStart"/>, when
    /// given, returns a position at or after its argument where a match may begin (or -1 for
    /// none), to skip hopeless positions quickly.
    /// </summary>
    internal static bool Search(Runner runner, ReadOnlySpan<byte> subject, int start, bool notNull, bool continuous, bool prevAvail, Func<int, int>? findStart = null)
    {
        for (var begin = start; begin <= subject.Length; begin++)
        {
            if (findStart != null && !continuous)
            {
                begin = findStart(begin);
                if (begin < 0) return false;
            }
            if (runner.Execute(subject, begin, exact: false, notNull, prevAvail || begin > start)) return true;
            if (continuous) return false;
        }
        return false;
    }

    /// <summary>All matches as <c>std::regex_iterator</c> visits them (what <c>builtins.split</c> lists), added to <paramref name="matches"/>.</summary>
    public void Split(ReadOnlySpan<byte> subject, TimeSpan timeout, RegexSplitMatches matches, Func<int, int>? findStart = null)
    {
        var runner = new Runner(this, timeout);
        var prevAvail = false;
        var found = Search(runner, subject, 0, notNull: false, continuous: false, prevAvail: false, findStart);
        var prefixFirst = 0;
        while (found)
        {
            var (mStart, mEnd) = runner.Group(0);
            matches.Add(prefixFirst, mStart - prefixFirst);
            for (var g = 0; g < GroupCount; g++)
            {
                var (gs, ge) = runner.Group(g + 1);
                matches.SetGroup(g, gs, ge);
            }
            prefixFirst = mEnd;
            var start = mEnd;
            if (mStart == mEnd)
            {
                // After an empty match: first a non-empty match right here, else one byte on.
                if (start == subject.Length) break;
                if (Search(runner, subject, start, notNull: true, continuous: true, prevAvail)) continue;
                start++;
            }
            prevAvail = true;
            found = Search(runner, subject, start, notNull: false, continuous: false, prevAvail: true, findStart);
        }
        matches.LastEnd = prefixFirst;
    }

    private static readonly RegexCapture[] NoCaptures = new RegexCapture[0];

    private RegexCapture[] ToCaptures(Runner runner)
    {
        // A shared empty array, not `[]`: Array.Empty<RegexCapture> is not in the ReadyToRun image.
        if (GroupCount == 0) return NoCaptures;
        var captures = new RegexCapture[GroupCount];
        for (var i = 0; i < captures.Length; i++)
        {
            var (s, e) = runner.Group(i + 1);
            captures[i] = s >= 0 ? new RegexCapture(s, e - s) : RegexCapture.None;
        }
        return captures;
    }
}
