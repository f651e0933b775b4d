using System.Reflection;
using System.Text;

namespace Tvix.Testing;

/// <summary>
/// Writes the public surface of an assembly as sorted text and compares it with the checked-in
/// <c>PublicAPI.txt</c> of its project, so that every change to the API shows up as a diff in review.
/// Run the tests with <c>TVIX_UPDATE_PUBLIC_API=1</c> to rewrite the file after a deliberate change.
/// </summary>
internal static class PublicApiSnapshot
{
    public static void Verify(Assembly assembly, string projectRelativeDir)
    {
        var actual = Render(assembly);
        var file = Path.Combine(TestPaths.RepoRoot, projectRelativeDir, "PublicAPI.txt");
        if (Environment.GetEnvironmentVariable("TVIX_UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(file, actual);
            return;
        }
        var expected = File.Exists(file) ? File.ReadAllText(file).ReplaceLineEndings("\n") : "";
        if (expected == actual) return;

        var expectedLines = new HashSet<string>(expected.Split('\n'));
        var actualLines = new HashSet<string>(actual.Split('\n'));
        var sb = new StringBuilder();
        sb.AppendLine($"The public API of {assembly.GetName().Name} differs from {projectRelativeDir}/PublicAPI.txt.");
        sb.AppendLine("If the change is deliberate, rerun the tests with TVIX_UPDATE_PUBLIC_API=1 and commit the file.");
        foreach (var l in actual.Split('\n')) if (!expectedLines.Contains(l)) sb.AppendLine("+ " + l);
        foreach (var l in expected.Split('\n')) if (!actualLines.Contains(l)) sb.AppendLine("- " + l);
        Assert.Fail(sb.ToString());
    }

    public static string Render(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            var typeName = TypeName(type);
            lines.Add(TypeDeclaration(type));
            const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                       BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var m in type.GetMembers(flags))
            {
                var rendered = Member(m);
                if (rendered != null) lines.Add(typeName + "." + rendered);
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines) + (lines.Count > 0 ? "\n" : "");
    }

    private static string TypeDeclaration(Type t)
    {
        string kind;
        if (t.IsEnum) kind = "enum";
        else if (t.IsInterface) kind = "interface";
        else if (t.IsValueType) kind = (t.IsDefined(typeof(System.Runtime.CompilerServices.IsReadOnlyAttribute)) ? "readonly " : "") + "struct";
        else if (typeof(Delegate).IsAssignableFrom(t)) kind = "delegate";
        else if (t.IsAbstract && t.IsSealed) kind = "static class";
        else kind = (t.IsAbstract ? "abstract " : t.IsSealed ? "sealed " : "") + "class";
        var bases = new List<string>();
        if (t.BaseType != null && t.BaseType != typeof(object) && t.BaseType != typeof(ValueType) &&
            t.BaseType != typeof(Enum) && t.BaseType != typeof(MulticastDelegate))
            bases.Add(TypeName(t.BaseType));
        var ifaces = t.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(TypeName).Order(StringComparer.Ordinal);
        bases.AddRange(ifaces);
        return $"{TypeName(t)} : {kind}" + (bases.Count > 0 ? " (" + string.Join(", ", bases) + ")" : "");
    }

    private static string? Member(MemberInfo m)
    {
        switch (m)
        {
            case ConstructorInfo c when c.IsPublic || c.IsFamily || c.IsFamilyOrAssembly:
                return Access(c) + (c.IsStatic ? "static " : "") + ".ctor(" + Parameters(c.GetParameters()) + ")";
            case MethodInfo mi when (mi.IsPublic || mi.IsFamily || mi.IsFamilyOrAssembly) && !mi.IsSpecialName:
                return Access(mi) + Modifiers(mi) + mi.Name + GenericArgs(mi) + "(" + Parameters(mi.GetParameters()) + ") -> " + TypeName(mi.ReturnType);
            case MethodInfo mi when (mi.IsPublic || mi.IsFamily) && mi.Name.StartsWith("op_", StringComparison.Ordinal):
                return Access(mi) + "static " + mi.Name + "(" + Parameters(mi.GetParameters()) + ") -> " + TypeName(mi.ReturnType);
            case PropertyInfo p:
            {
                var get = p.GetMethod is { } g && (g.IsPublic || g.IsFamily) ? g : null;
                var set = p.SetMethod is { } s && (s.IsPublic || s.IsFamily) ? s : null;
                if (get == null && set == null) return null;
                var any = get ?? set!;
                var init = set != null && set.ReturnParameter.GetRequiredCustomModifiers().Any(x => x.Name == "IsExternalInit");
                var idx = p.GetIndexParameters();
                var name = idx.Length > 0 ? "this[" + Parameters(idx) + "]" : p.Name;
                return Access(any) + Modifiers(any) + name + " { " + (get != null ? "get; " : "") + (set != null ? (init ? "init; " : "set; ") : "") + "} -> " + TypeName(p.PropertyType);
            }
            case FieldInfo f when (f.IsPublic || f.IsFamily) && !f.IsSpecialName:
                return Access(f) + (f.IsLiteral ? "const " : f.IsStatic ? "static " : "") + (f.IsInitOnly ? "readonly " : "") + f.Name + " -> " + TypeName(f.FieldType)
                       + (f.IsLiteral && f.DeclaringType!.IsEnum ? " = " + Convert.ToInt64(f.GetRawConstantValue()) : "");
            case EventInfo e when e.AddMethod is { } a && (a.IsPublic || a.IsFamily):
                return Access(a) + "event " + e.Name + " -> " + TypeName(e.EventHandlerType!);
            default:
                return null;
        }
    }

    private static string Access(MethodBase m) => m.IsPublic ? "" : "protected ";
    private static string Access(FieldInfo f) => f.IsPublic ? "" : "protected ";

    private static string Modifiers(MethodInfo m)
    {
        if (m.IsStatic) return "static ";
        if (m.IsAbstract) return m.DeclaringType!.IsInterface ? "" : "abstract ";
        if (m.IsVirtual && !m.IsFinal) return m.GetBaseDefinition() != m ? "override " : "virtual ";
        return "";
    }

    private static string GenericArgs(MethodInfo m) =>
        m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "";

    private static string Parameters(ParameterInfo[] ps) => string.Join(", ", ps.Select(p =>
    {
        var prefix = p.ParameterType.IsByRef ? (p.IsOut ? "out " : p.IsIn ? "in " : "ref ") : "";
        if (p.IsDefined(typeof(ParamArrayAttribute))) prefix = "params ";
        var type = p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType;
        var nullable = new NullabilityInfoContext().Create(p).ReadState == NullabilityState.Nullable && !type.IsValueType ? "?" : "";
        return prefix + TypeName(type) + nullable + " " + p.Name + (p.HasDefaultValue ? " = " + (p.DefaultValue?.ToString() ?? "null") : "");
    }));

    private static string TypeName(Type t)
    {
        if (t.IsGenericParameter) return t.Name;
        if (t.IsByRef) return TypeName(t.GetElementType()!) + "&";
        if (t.IsPointer) return TypeName(t.GetElementType()!) + "*";
        if (t.IsArray) return TypeName(t.GetElementType()!) + "[" + new string(',', t.GetArrayRank() - 1) + "]";
        if (Nullable.GetUnderlyingType(t) is { } u) return TypeName(u) + "?";
        var name = t.IsNested ? TypeName(t.DeclaringType!) + "." + t.Name : (t.Namespace != null ? t.Namespace + "." : "") + t.Name;
        var tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        if (t.IsGenericType)
        {
            var args = t.GetGenericArguments();
            if (t.IsNested && t.DeclaringType!.IsGenericType) args = args[t.DeclaringType.GetGenericArguments().Length..];
            if (args.Length > 0) name += "<" + string.Join(", ", args.Select(TypeName)) + ">";
        }
        return name;
    }
}
