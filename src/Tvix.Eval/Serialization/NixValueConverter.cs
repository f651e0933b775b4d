using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Tvix.Eval.Serialization;

/// <summary>
/// Walks a Nix value and a target type together, on the evaluator's thread. Reflection is fine
/// here: configuration is loaded once; evaluation, not conversion, is the hot part. Type
/// metadata is cached per conversion, never in static state.
/// </summary>
internal sealed class NixValueConverter(NixSerializerOptions options)
{
    private readonly Dictionary<Type, ObjectShape> _shapes = new();
    private readonly NullabilityInfoContext _nullability = new();

    public object? ConvertRoot(EvalContext cx, Value value, Type type)
    {
        try
        {
            return Convert(cx, value, type, "", allowNull: IsNullableType(type));
        }
        catch (NixEvalException e)
        {
            throw new NixDeserializationException("", "evaluation failed: " + e.Message, e);
        }
    }

    private object? Convert(EvalContext cx, Value value, Type type, string path, bool allowNull)
    {
        if (type == typeof(Value)) return value;
        Value v;
        try
        {
            v = cx.Force(value);
        }
        catch (NixEvalException e) when (path.Length > 0)
        {
            throw new NixDeserializationException(path, "evaluation failed: " + e.Message, e);
        }

        var underlying = Nullable.GetUnderlyingType(type);
        if (v.Kind == ValueKind.Null)
        {
            if (underlying != null || allowNull) return null;
            throw Mismatch(path, type, v);
        }
        type = underlying ?? type;

        if (type == typeof(string))
        {
            return v.Kind switch
            {
                ValueKind.String => v.AsString.ToString(),
                ValueKind.Path => v.AsPath,
                _ => throw Mismatch(path, type, v),
            };
        }
        if (type == typeof(bool)) return v.Kind == ValueKind.Bool ? v.AsBool : throw Mismatch(path, type, v);
        if (type.IsEnum) return ConvertEnum(v, type, path);
        if (IsInteger(type)) return ConvertInteger(v, type, path);
        if (type == typeof(double)) return ToDouble(v, type, path);
        if (type == typeof(float)) return (float)ToDouble(v, type, path);
        if (type == typeof(decimal)) return v.Kind == ValueKind.Int ? v.AsInt : (decimal)ToDouble(v, type, path);
        if (type == typeof(object)) return ToPlainObject(cx, v, path);

        if (TryGetDictionaryTypes(type, out var valueType, out var concreteDictionary))
            return ConvertDictionary(cx, v, type, valueType, concreteDictionary, path);
        if (TryGetElementType(type, out var elementType, out var concreteList))
            return ConvertList(cx, v, type, elementType, concreteList, path);
        if (type.IsPrimitive || type.IsPointer || typeof(Delegate).IsAssignableFrom(type))
            throw new NixDeserializationException(path, $"cannot convert a Nix value to {TypeName(type)}");
        return ConvertObject(cx, v, type, path);
    }

    private static NixDeserializationException Mismatch(string path, Type type, Value v) =>
        new(path, $"expected {Describe(type)} but found {EvalContext.DescribeType(v)}");

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "a Boolean";
        if (IsInteger(type)) return "an integer";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return "a number";
        if (type.IsEnum) return $"one of the strings of {type.Name}";
        return $"a set (for {TypeName(type)})";
    }

    private static string TypeName(Type t) => t.IsGenericType ? t.Name[..t.Name.IndexOf('`')] : t.Name;

    private static bool IsInteger(Type t) =>
        t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(sbyte) ||
        t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort) || t == typeof(byte);

    private static object ConvertInteger(Value v, Type type, string path)
    {
        if (v.Kind != ValueKind.Int) throw Mismatch(path, type, v);
        var i = v.AsInt;
        try
        {
            return System.Convert.ChangeType(i, type, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            throw new NixDeserializationException(path, $"integer {i} does not fit in {type.Name}");
        }
    }

    private static double ToDouble(Value v, Type type, string path) => v.Kind switch
    {
        ValueKind.Float => v.AsFloat,
        ValueKind.Int => v.AsInt,
        _ => throw Mismatch(path, type, v),
    };

    private object ConvertEnum(Value v, Type type, string path)
    {
        if (v.Kind != ValueKind.String) throw Mismatch(path, type, v);
        var text = v.AsString.ToString();
        foreach (var name in Enum.GetNames(type))
        {
            if (name == text || ApplyPolicy(name) == text || string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                return Enum.Parse(type, name);
        }
        throw new NixDeserializationException(path,
            $"'{text}' is not one of {string.Join(", ", Enum.GetNames(type).Select(n => "'" + ApplyPolicy(n) + "'"))}");
    }

    /// <summary>For <c>object</c> targets: a faithful plain .NET shape (dictionaries, lists, scalars).</summary>
    private object? ToPlainObject(EvalContext cx, Value v, string path)
    {
        switch (v.Kind)
        {
            case ValueKind.Null: return null;
            case ValueKind.Bool: return v.AsBool;
            case ValueKind.Int: return v.AsInt;
            case ValueKind.Float: return v.AsFloat;
            case ValueKind.String: return v.AsString.ToString();
            case ValueKind.Path: return v.AsPath;
            case ValueKind.List:
            {
                var list = v.AsList;
                var result = new List<object?>(list.Count);
                for (var i = 0; i < list.Count; i++)
                    result.Add(Convert(cx, list[i], typeof(object), $"{path}[{i}]", allowNull: true));
                return result;
            }
            case ValueKind.Attrs:
            {
                var result = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (name, item) in v.AsAttrs.Pairs)
                    result[name] = Convert(cx, item, typeof(object), Join(path, name), allowNull: true);
                return result;
            }
            default:
                throw new NixDeserializationException(path, $"cannot convert {EvalContext.DescribeType(v)} to a .NET value");
        }
    }

    private static bool TryGetDictionaryTypes(Type type, out Type valueType, out Type concrete)
    {
        valueType = concrete = null!;
        if (!type.IsGenericType) return false;
        var def = type.GetGenericTypeDefinition();
        var args = type.GetGenericArguments();
        if (args.Length != 2 || args[0] != typeof(string)) return false;
        if (def == typeof(Dictionary<,>) || def == typeof(IDictionary<,>) || def == typeof(IReadOnlyDictionary<,>))
        {
            valueType = args[1];
            concrete = typeof(Dictionary<,>).MakeGenericType(typeof(string), args[1]);
            return true;
        }
        if (def == typeof(SortedDictionary<,>))
        {
            valueType = args[1];
            concrete = type;
            return true;
        }
        return false;
    }

    private object ConvertDictionary(EvalContext cx, Value v, Type type, Type valueType, Type concrete, string path)
    {
        if (v.Kind != ValueKind.Attrs) throw Mismatch(path, type, v);
        var dict = (IDictionary)Activator.CreateInstance(concrete, concrete.GetConstructor(Type.EmptyTypes) != null && concrete.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? [StringComparer.Ordinal] : [])!;
        var allowNull = IsNullableType(valueType);
        foreach (var (name, item) in v.AsAttrs.Pairs)
            dict[name] = Convert(cx, item, valueType, Join(path, name), allowNull);
        return dict;
    }

    private static bool TryGetElementType(Type type, out Type elementType, out Type concrete)
    {
        elementType = concrete = null!;
        if (type.IsArray && type.GetArrayRank() == 1)
        {
            elementType = type.GetElementType()!;
            concrete = type;
            return true;
        }
        if (!type.IsGenericType) return false;
        var def = type.GetGenericTypeDefinition();
        var arg = type.GetGenericArguments()[0];
        if (def == typeof(List<>) || def == typeof(IList<>) || def == typeof(IReadOnlyList<>) ||
            def == typeof(IEnumerable<>) || def == typeof(ICollection<>) || def == typeof(IReadOnlyCollection<>))
        {
            elementType = arg;
            concrete = typeof(List<>).MakeGenericType(arg);
            return true;
        }
        if (def == typeof(HashSet<>) || def == typeof(ISet<>) || def == typeof(IReadOnlySet<>))
        {
            elementType = arg;
            concrete = typeof(HashSet<>).MakeGenericType(arg);
            return true;
        }
        return false;
    }

    private object ConvertList(EvalContext cx, Value v, Type type, Type elementType, Type concrete, string path)
    {
        if (v.Kind != ValueKind.List) throw new NixDeserializationException(path, $"expected a list but found {EvalContext.DescribeType(v)}");
        var list = v.AsList;
        var allowNull = IsNullableType(elementType);
        if (concrete.IsArray)
        {
            var array = Array.CreateInstance(elementType, list.Count);
            for (var i = 0; i < list.Count; i++)
                array.SetValue(Convert(cx, list[i], elementType, $"{path}[{i}]", allowNull), i);
            return array;
        }
        var result = Activator.CreateInstance(concrete)!;
        var add = concrete.GetMethod("Add", [elementType])!;
        for (var i = 0; i < list.Count; i++)
        {
            var item = Convert(cx, list[i], elementType, $"{path}[{i}]", allowNull);
            if (add.Invoke(result, [item]) is false)
                throw new NixDeserializationException($"{path}[{i}]", "duplicate element in a set");
        }
        return result;
    }

    private object ConvertObject(EvalContext cx, Value v, Type type, string path)
    {
        if (v.Kind != ValueKind.Attrs) throw Mismatch(path, type, v);
        var attrs = v.AsAttrs;
        var shape = GetShape(type, path);
        var used = options.RejectUnknownAttributes ? new HashSet<string>(StringComparer.Ordinal) : null;

        var args = new object?[shape.Parameters.Length];
        for (var i = 0; i < shape.Parameters.Length; i++)
        {
            var p = shape.Parameters[i];
            used?.Add(p.NixName);
            if (attrs.TryGetValue(p.NixName, out var item))
                args[i] = Convert(cx, item, p.Type, Join(path, p.NixName), p.AllowNull);
            else if (p.HasDefault)
                args[i] = p.Default;
            else if (p.AllowNull)
                args[i] = null;
            else
                throw new NixDeserializationException(path, $"attribute '{p.NixName}' missing");
        }

        object instance;
        try
        {
            instance = shape.Constructor.Invoke(args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new NixDeserializationException(path, $"constructing {type.Name} failed: {e.InnerException.Message}", e.InnerException);
        }

        foreach (var m in shape.Members)
        {
            used?.Add(m.NixName);
            if (attrs.TryGetValue(m.NixName, out var item))
                m.Set(instance, Convert(cx, item, m.Type, Join(path, m.NixName), m.AllowNull));
            else if (m.Required)
                throw new NixDeserializationException(path, $"attribute '{m.NixName}' missing");
        }

        if (used != null)
        {
            foreach (var name in attrs.Names)
                if (!used.Contains(name))
                    throw new NixDeserializationException(path, $"unexpected attribute '{name}' (no member of {type.Name} takes it)");
        }
        return instance;
    }

    private ObjectShape GetShape(Type type, string path)
    {
        if (_shapes.TryGetValue(type, out var shape)) return shape;
        if (type.IsAbstract || type.IsInterface)
            throw new NixDeserializationException(path, $"cannot create an instance of {TypeName(type)}: it is abstract");

        // The public constructor with the most parameters: a record's primary constructor, or
        // the parameterless one of a class with settable properties.
        var ctor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
        if (ctor == null && type.IsValueType) ctor = null;
        else if (ctor == null) throw new NixDeserializationException(path, $"{type.Name} has no public constructor");

        var parameters = new List<ParameterShape>();
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in ctor?.GetParameters() ?? [])
        {
            var property = type.GetProperty(p.Name!, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            var name = p.GetCustomAttribute<NixNameAttribute>()?.Name
                       ?? property?.GetCustomAttribute<NixNameAttribute>()?.Name
                       ?? ApplyPolicy(char.ToUpperInvariant(p.Name![0]) + p.Name[1..]);
            var allowNull = Nullable.GetUnderlyingType(p.ParameterType) != null ||
                            (!p.ParameterType.IsValueType && _nullability.Create(p).WriteState == NullabilityState.Nullable);
            parameters.Add(new ParameterShape(name, p.ParameterType, allowNull, p.HasDefaultValue, p.HasDefaultValue ? p.DefaultValue : null));
            taken.Add(p.Name!);
        }

        var members = new List<MemberShape>();
        foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (taken.Contains(prop.Name) || prop.SetMethod is not { IsPublic: true } || prop.GetIndexParameters().Length > 0) continue;
            var name = prop.GetCustomAttribute<NixNameAttribute>()?.Name ?? ApplyPolicy(prop.Name);
            var allowNull = Nullable.GetUnderlyingType(prop.PropertyType) != null ||
                            (!prop.PropertyType.IsValueType && _nullability.Create(prop).WriteState == NullabilityState.Nullable);
            members.Add(new MemberShape(name, prop.PropertyType, allowNull, prop.IsDefined(typeof(RequiredMemberAttribute)), prop.SetValue));
        }
        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            if (field.IsInitOnly || taken.Contains(field.Name)) continue;
            var name = field.GetCustomAttribute<NixNameAttribute>()?.Name ?? ApplyPolicy(field.Name);
            var allowNull = Nullable.GetUnderlyingType(field.FieldType) != null ||
                            (!field.FieldType.IsValueType && _nullability.Create(field).WriteState == NullabilityState.Nullable);
            members.Add(new MemberShape(name, field.FieldType, allowNull, field.IsDefined(typeof(RequiredMemberAttribute)), field.SetValue));
        }

        shape = new ObjectShape(
            ctor ?? throw new NixDeserializationException(path, $"{type.Name} has no public constructor"),
            parameters.ToArray(), members.ToArray());
        _shapes[type] = shape;
        return shape;
    }

    private string ApplyPolicy(string name) => options.NamingPolicy switch
    {
        NixNamingPolicy.Exact => name,
        NixNamingPolicy.CamelCase => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..],
        NixNamingPolicy.KebabCase => Separate(name, '-'),
        NixNamingPolicy.SnakeCase => Separate(name, '_'),
        _ => name,
    };

    private static string Separate(string name, char separator)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])))) sb.Append(separator);
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool IsNullableType(Type type) => !type.IsValueType || Nullable.GetUnderlyingType(type) != null;

    private static string Join(string path, string name)
    {
        var quoted = IsPlainIdentifier(name) ? name : "\"" + name.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        return path.Length == 0 ? quoted : path + "." + quoted;
    }

    private static bool IsPlainIdentifier(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_')) return false;
        foreach (var c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '\'' or '-')) return false;
        return true;
    }

    private sealed record ParameterShape(string NixName, Type Type, bool AllowNull, bool HasDefault, object? Default);

    private sealed record MemberShape(string NixName, Type Type, bool AllowNull, bool Required, Action<object, object?> Set);

    private sealed record ObjectShape(ConstructorInfo Constructor, ParameterShape[] Parameters, MemberShape[] Members);
}
