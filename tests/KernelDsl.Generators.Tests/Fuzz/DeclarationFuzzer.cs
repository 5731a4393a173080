using System.Globalization;
using System.Text;

namespace KernelDsl.Generators.Tests.Fuzz;

/// <summary>
/// Random source files built from the grammar of our attributes and of C# declarations: namespaces (none, dotted,
/// file-scoped), containing types (class, struct, record, record struct, interface; static, generic, nested, keyword
/// names, `file`, not partial), methods (every kernel attribute, two on one method, overloads, names that differ only
/// in case, modifiers such as <c>unsafe</c> and <c>new</c>, keyword and Unicode names), parameters (right, swapped,
/// missing, extra, ref/out/params, nullable, <c>__arglist</c>), attribute arguments (out-of-range and overflowing
/// numbers, bad enum casts, repeated arguments, strings with quotes, every Unicode line terminator and injected code)
/// and [Message] functions (random expression trees, mixed float/double arithmetic, deep chains).
/// The same seed gives the same file.
/// </summary>
public sealed class DeclarationFuzzer
{
    /// <summary>An identifier that must never reach code position in generated files: user strings carry it.</summary>
    public const string InjectedIdentifier = "KDSL_INJECTED";

    private readonly Random _random;
    private readonly StringBuilder _out = new();
    private int _typeCounter;

    public DeclarationFuzzer(int seed) => _random = new Random(seed);

    /// <summary>Strings for attribute arguments: line terminators, quotes, comment closers and code.</summary>
    public static readonly string[] HostileStrings =
    {
        "cell", "net", "pin", "Cell", "a b", "",
        "x\ny", "x\r\ny", "x\u2028y", "x\u2029y", "x\u0085y", "x\u000Cy",
        "q\"uote", "back\\slash", "end\\", "*/ " + InjectedIdentifier + "(); /*",
        "\n" + InjectedIdentifier + "();\n//", "\");" + InjectedIdentifier + "();//", "\u2028" + InjectedIdentifier + "();",
        "{0}", "{{", "\0", "tab\there", "ünï€ødé", "lone\uD800surrogate", "pair\uD83D\uDE00", "#region", "<see cref=\"x\"/>", "&amp;", "]]>",
    };

    private static readonly string[] MethodNames =
    {
        "Aggregate", "aggregate", "AGGREGATE", "Forward", "forward", "Backward", "TopK", "Run", "@event", "@fixed", "Ünïcode", "K\u0065rnel",
        "Pins", "Layer", "Aggregate__Adjoint", "AggregateBackward", "_", "__KernelDsl_F",
    };

    private static readonly string[] TypeNames = { "Kernels", "kernels", "@event", "@class", "Outer", "Inner", "Layers", "Ünïcode", "Record" };

    private static readonly string[] Attributes = { "SpMM", "MaxK", "MaxKBackward", "SpGemm", "SSpMM", "DynamicReLU", "DynamicReLUBackward", "HeteroLayer" };

    private bool Chance(double p) => _random.NextDouble() < p;

    /// <summary>Half the files are hostile (mistakes, odd names, bad arguments); the others are well-formed, so the
    /// property "an accepted declaration compiles without errors or warnings" is exercised on many kernels.</summary>
    private bool _hostile;

    private bool Hostile(double p) => _hostile && Chance(p);

    private readonly HashSet<string> _usedNames = new();

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    /// <summary>One source file with one to four kernel declarations and their message functions.</summary>
    public string Next()
    {
        _out.Clear();
        _hostile = Chance(0.5);
        _out.Append("using System;\nusing ILGPU.Runtime;\nusing KernelDsl;\nusing KernelDsl.Runtime;\nusing KernelDsl.Hetero;\n");
        bool fileScoped = Chance(0.2);
        string? ns = Chance(0.2) ? null : Pick(new[] { "Demo", "A.B", "@namespace.Kernels", "Ünï" });
        if (ns is not null && fileScoped) _out.Append("namespace ").Append(ns).Append(";\n");
        else if (ns is not null) _out.Append("namespace ").Append(ns).Append("\n{\n");
        int types = 1 + _random.Next(2);
        for (int t = 0; t < types; t++) Type(depth: 0, topLevel: true);
        if (ns is not null && !fileScoped) _out.Append("}\n");
        return _out.ToString();
    }

    private void Type(int depth, bool topLevel)
    {
        string keyword = Pick(new[] { "class", "class", "class", "struct", "record", "record struct", "interface" });
        bool isStatic = keyword == "class" && Chance(0.5);
        string name = (_hostile ? Pick(TypeNames) : Pick(new[] { "Kernels", "Layers", "Outer", "Inner" })) + (_typeCounter++ > 0 && (_hostile ? Chance(0.6) : true) ? _typeCounter.ToString(CultureInfo.InvariantCulture) : "");
        if (name.StartsWith('@') && _typeCounter > 1) name = "@event";
        string generics = Chance(0.15) ? Pick(new[] { "<T>", "<TKey, TValue>" }) : "";
        _usedNames.Clear();
        var modifiers = new List<string> { Pick(new[] { "public", "internal", "" }) };
        if (!topLevel) modifiers[0] = Pick(new[] { "public", "internal", "private", "protected internal", "" });
        if (topLevel && Hostile(0.1)) modifiers[0] = "file";
        if (isStatic) modifiers.Add("static");
        if (Chance(0.05)) modifiers.Add("unsafe");
        if (!Hostile(0.1)) modifiers.Add("partial");
        _out.Append(string.Join(" ", modifiers.Where(m => m.Length > 0))).Append(' ').Append(keyword).Append(' ').Append(name).Append(generics).Append("\n{\n");
        if (Hostile(0.1)) _out.Append("    private sealed class __KernelDsl_F_float { }\n");
        if (Hostile(0.1)) _out.Append("    public static int AggregateBackward;\n");
        int methods = 1 + _random.Next(3);
        for (int m = 0; m < methods; m++) Method(keyword == "interface");
        if (depth == 0 && Chance(0.25)) Type(depth + 1, topLevel: false);
        _out.Append("}\n");
    }

    private void Method(bool inInterface)
    {
        string attribute = Pick(Attributes);
        string name = Pick(MethodNames);
        // Well-formed files reuse a name only as a legal overload would: rarely, and the grammar's signatures differ by kind.
        if (!_hostile) for (int tries = 0; tries < 10 && !_usedNames.Add(name + attribute); tries++) name = Pick(MethodNames.Take(12).ToArray());
        string element = Chance(0.85) ? "float" : _hostile ? Pick(new[] { "double", "int", "Half" }) : "double";
        if (!_hostile && attribute != "SpMM") element = "float";
        _index = _hostile ? Pick(new[] { "byte", "ushort", "int", "long" }) : Pick(new[] { "byte", "ushort", "int" });
        _views = attribute == "SpMM" && Chance(0.15);
        _backward = attribute == "SpMM" && !_views && Chance(0.15);
        var attributes = new List<string> { attribute + (_hostile ? AttributeArguments(attribute) : ValidArguments(attribute, element)) };
        if (Hostile(0.1)) attributes.Add(Pick(Attributes.Where(a => a != attribute).ToArray()));
        string messageName = "M" + _random.Next(1000).ToString(CultureInfo.InvariantCulture);
        bool withMessage = attribute == "SpMM" && Chance(0.4) && !(_backward && !_hostile);
        if (withMessage) attributes[0] = attributes[0].TrimEnd(')') + (attributes[0].EndsWith(')') ? ", " : "(") + "Message = " + MessageArgument(messageName) + ")";
        _out.Append("    [").Append(string.Join(Chance(0.5) ? ", " : "][", attributes)).Append("]\n    ");
        var modifiers = new List<string>();
        string access = Pick(new[] { "public ", "internal ", "private ", "" });
        if (inInterface && access == "private ") access = "";
        modifiers.Add(access.Trim());
        if (!Hostile(0.08)) modifiers.Add("static");
        if (Chance(0.1)) modifiers.Add("unsafe");
        if (Hostile(0.1)) modifiers.Add("new");
        if (Hostile(0.1)) modifiers.Add("extern");
        if (Hostile(0.05)) Shuffle(modifiers);
        if (!Hostile(0.08)) modifiers.Add("partial");
        string index = _index;
        string returnType = attribute == "HeteroLayer" ? (!Hostile(0.1) ? "HeteroLayer" : "void") : (!Hostile(0.06) ? "void" : "int");
        string parameters = Parameters(attribute, element, index);
        _out.Append(string.Join(" ", modifiers.Where(m => m.Length > 0))).Append(' ').Append(returnType).Append(' ').Append(name)
            .Append(Hostile(0.06) ? "<T>" : "").Append('(').Append(parameters).Append(')');
        _out.Append(Hostile(0.04) ? " { }\n" : ";\n");
        if (withMessage) Message(messageName, element);
    }

    private void Shuffle(List<string> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = _random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private string Number() => !_hostile ? (1 + _random.Next(64)).ToString(CultureInfo.InvariantCulture) : _random.Next(12) switch
    {
        0 => "0",
        1 => "-1",
        2 => "int.MaxValue",
        3 => "int.MinValue",
        4 => "65536",
        5 => "256",
        6 => "(int)1e9",
        _ => (1 + _random.Next(70)).ToString(CultureInfo.InvariantCulture),
    };

    private string Enum(string type, int defined) =>
        !Hostile(0.3) ? $"({type}){_random.Next(defined)}" : $"({type}){Pick(new[] { "-1", "99", "int.MaxValue", defined.ToString(CultureInfo.InvariantCulture) })}";

    /// <summary>Arguments a well-formed file uses: every combination the attribute accepts.</summary>
    private string ValidArguments(string attribute, string element)
    {
        var args = new List<string>();
        int dim = 1 + _random.Next(_index == "byte" ? 256 : 300), k = 1 + _random.Next(dim);
        switch (attribute)
        {
            case "SpMM":
                int schedule = Pick(new[] { 0, 1, 5, 6 });
                int reduce = schedule == 5 || _backward ? _random.Next(2) : _random.Next(4);
                args.Add($"Reduce = (Reduce){reduce}");
                args.Add($"Schedule = (Schedule){schedule}");
                if (Chance(0.5)) args.Add($"Adjacency = (Adjacency){_random.Next(2)}");
                if (schedule >= 5 && Chance(0.3)) args.Add($"WarpsPerBlock = {1 + _random.Next(32)}");
                if (schedule >= 5 && Chance(0.3)) args.Add($"MaxEdgesPerWarp = {1 + _random.Next(1024)}");
                if (_backward) args.Add("Backward = true");
                break;
            case "MaxK":
            case "DynamicReLU":
                args.Add($"K = {k}");
                args.Add($"Dim = {dim}");
                break;
            case "SpGemm":
                if (Chance(0.5)) { args.Add($"K = {k}"); args.Add($"Dim = {dim}"); }
                if (Chance(0.3)) args.Add($"Adjacency = (Adjacency){_random.Next(2)}");
                if (Chance(0.3)) args.Add($"MaxEdgesPerWarp = {1 + _random.Next(128)}");
                break;
            case "SSpMM":
                if (Chance(0.5)) args.Add($"Schedule = (Schedule){Pick(new[] { 3, 4 })}");
                if (Chance(0.3)) args.Add($"Adjacency = (Adjacency){_random.Next(2)}");
                break;
            case "HeteroLayer":
                int types = 1 + _random.Next(3);
                _heteroTypes = Enumerable.Range(0, types).Select(i => Literal(HostileStrings[i])).ToList();
                args.AddRange(_heteroTypes);
                args.Add($"K = {k}");
                args.Add($"Dim = {dim}");
                args.Add($"Combine = (HeteroCombine){_random.Next(2)}");
                if (Chance(0.3)) args.Add($"Streams = {1 + _random.Next(16)}");
                break;
        }
        return args.Count == 0 ? "" : "(" + string.Join(", ", args) + ")";
    }

    private string _index = "byte";
    private bool _views;
    private bool _backward;

    private string AttributeArguments(string attribute)
    {
        var args = new List<string>();
        void Maybe(double p, string text) { if (Chance(p)) args.Add(text); }
        switch (attribute)
        {
            case "SpMM":
                Maybe(0.6, "Reduce = " + Enum("Reduce", 4));
                Maybe(0.6, "Schedule = " + Enum("Schedule", 7));
                Maybe(0.4, "Adjacency = " + Enum("Adjacency", 2));
                Maybe(0.1, "WarpsPerBlock = " + Number());
                Maybe(0.1, "MaxEdgesPerWarp = " + Number());
                Maybe(0.1, "BlockSize = " + Number());
                Maybe(0.15, "Backward = true");
                break;
            case "MaxK":
            case "DynamicReLU":
                Maybe(0.9, "K = " + Number());
                Maybe(0.9, "Dim = " + Number());
                break;
            case "SpGemm":
                Maybe(0.5, "K = " + Number());
                Maybe(0.5, "Dim = " + Number());
                Maybe(0.3, "Schedule = " + Enum("Schedule", 7));
                Maybe(0.3, "Adjacency = " + Enum("Adjacency", 2));
                Maybe(0.2, "MaxEdgesPerWarp = " + Number());
                Maybe(0.1, "Training = true");
                break;
            case "SSpMM":
                Maybe(0.3, "Schedule = " + Enum("Schedule", 7));
                Maybe(0.3, "Adjacency = " + Enum("Adjacency", 2));
                Maybe(0.2, "MaxEdgesPerWarp = " + Number());
                break;
            case "HeteroLayer":
                int types = 1 + _random.Next(3);
                var nodeTypes = Enumerable.Range(0, types).Select(i => Literal(_hostile ? Pick(HostileStrings) : HostileStrings[i])).Distinct().ToList();
                args.AddRange(nodeTypes);
                Maybe(0.9, "K = " + Number());
                Maybe(0.9, "Dim = " + Number());
                Maybe(0.3, "Combine = " + Enum("HeteroCombine", 3));
                Maybe(0.3, "Streams = " + Number());
                Maybe(0.2, "MaxEdgesPerWarp = " + Number());
                _heteroTypes = nodeTypes;
                break;
        }
        if (args.Count > 0 && Hostile(0.1)) args.Add(args[^1]); // a repeated argument: CS0643 for the user, never a crash for us
        if (Chance(0.3)) Shuffle(args);
        return args.Count == 0 ? "" : "(" + string.Join(", ", args) + ")";
    }

    private List<string> _heteroTypes = new();

    /// <summary>A C# string literal for <paramref name="value"/>: regular or verbatim, every character escaped as C# needs.</summary>
    public static string Literal(string value)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in value)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\0' => "\\0",
                '\t' => "\\t",
                '\f' => "\\f",
                '\u0085' or '\u2028' or '\u2029' => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
                _ when char.IsSurrogate(c) => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    private string MessageArgument(string messageName) => !_hostile ? $"nameof({messageName})" : _random.Next(10) switch
    {
        0 => Literal(Pick(HostileStrings)),
        1 => "null",
        2 => "\"Missing\"",
        _ => $"nameof({messageName})",
    };

    private string Parameters(string attribute, string element, string index)
    {
        string dense = $"DenseBuffer<{element}>", csr = $"CsrBuffer<{element}>", cbsr = $"CbsrBuffer<{element}, {index}>";
        var list = attribute switch
        {
            "SpMM" => _views
                ? new List<string> { "AcceleratorStream s", $"CsrView<{element}> a", $"DenseView<{element}> x", $"DenseView<{element}> y" }
                : new List<string> { "ComputeStream s", csr + " a", dense + " x", dense + " y" },
            "MaxK" or "DynamicReLU" => new List<string> { "ComputeStream s", dense + " x", cbsr + " y" },
            "MaxKBackward" => new List<string> { "ComputeStream s", cbsr + " dy", dense + " dx" },
            "DynamicReLUBackward" => new List<string> { "ComputeStream s", cbsr + " y", cbsr + " dy", dense + " dx" },
            "SpGemm" => new List<string> { "ComputeStream s", csr + " a", cbsr + " x", dense + " y" },
            "SSpMM" => new List<string> { "ComputeStream s", csr + " a", dense + " dy", cbsr + " x", cbsr + " dx" },
            _ => HeteroParameters(),
        };
        if (Hostile(0.5)) Mutate(list, element);
        if (Chance(0.1)) list = list.Select(p => Chance(0.3) ? Pick(new[] { "@in ", "@out ", "@event ", "ünï " }) is var n ? p[..(p.LastIndexOf(' ') + 1)] + n.Trim() : p : p).ToList();
        return string.Join(", ", list);
    }

    private List<string> HeteroParameters()
    {
        var list = new List<string> { "HeteroExecution e" };
        int relations = 1 + _random.Next(3);
        for (int r = 0; r < relations; r++)
        {
            string source = _heteroTypes.Count > 0 ? Pick(_heteroTypes) : "\"cell\"";
            string destination = _heteroTypes.Count > 0 ? Pick(_heteroTypes) : "\"net\"";
            string named = Chance(0.4) ? ", Name = " + Literal(_hostile ? Pick(HostileStrings) : "rel" + r.ToString(CultureInfo.InvariantCulture)) : "";
            if (Hostile(0.1)) source = Literal(Pick(HostileStrings));
            list.Add($"[Relation({source}, {destination}{named})] CsrMatrix<float> r{r}");
        }
        return list;
    }

    private void Mutate(List<string> list, string element)
    {
        switch (_random.Next(9))
        {
            case 0 when list.Count > 1: list.RemoveAt(_random.Next(list.Count)); break;
            case 1 when list.Count > 2: { int i = 1 + _random.Next(list.Count - 1), j = 1 + _random.Next(list.Count - 1); (list[i], list[j]) = (list[j], list[i]); break; }
            case 2: list.Add(Pick(new[] { "int extra", $"DenseBuffer<{element}> z", "__arglist", "params int[] rest", "string s2" })); break;
            case 3: { int i = _random.Next(list.Count); list[i] = Pick(new[] { "ref ", "in ", "out ", "scoped " }) + list[i]; break; }
            case 4: { int i = _random.Next(list.Count); int space = list[i].LastIndexOf(' '); list[i] = list[i][..space] + "?" + list[i][space..]; break; }
            case 5: { int i = _random.Next(list.Count); list[i] = $"float[] p{i}"; break; }
            case 6: list.Add("__arglist"); break;
            case 7: { int i = _random.Next(list.Count); list[i] = "[Relation(\"cell\", \"net\")] " + list[i]; break; }
            default: list.Clear(); break;
        }
    }

    /// <summary>A [Message] function: a random expression tree, sometimes with mixed float/double arithmetic, sometimes long.</summary>
    private void Message(string name, string element)
    {
        string body = (_hostile ? _random.Next(12) : 4 + _random.Next(8)) switch
        {
            0 => string.Join(" + ", Enumerable.Repeat("edge", 1 + _random.Next(600)).Select((e, i) => i % 2 == 0 ? e : "source")),
            1 => "{ " + element + " product = edge * source; return product > 0 ? product : product / 10; }",
            2 => "throw new ArgumentException()",
            3 => "(float)(edge * 1e-40 * 1e40) * source",
            _ => Expression(element, depth: 0),
        };
        bool block = body.StartsWith('{');
        string modifiers = !Hostile(0.1) ? "public static" : "public";
        _out.Append("    [Message] ").Append(modifiers).Append(' ').Append(element).Append(' ').Append(name).Append('(').Append(element).Append(" edge, ").Append(element).Append(" source)")
            .Append(block ? " " + body + "\n" : " => " + body + ";\n");
    }

    private string Expression(string element, int depth)
    {
        string f = element == "float" ? "f" : "";
        if (depth > 4 || Chance(0.3))
            return _random.Next(6) switch
            {
                0 or 1 => "edge",
                2 or 3 => "source",
                4 => (_random.Next(9) + 1).ToString(CultureInfo.InvariantCulture) + (Chance(0.5) ? ".5" + f : ""),
                _ => Pick(new[] { "2", "0.25" + f, "1e-3" + f, "3L" }),
            };
        string a = Expression(element, depth + 1), b = Expression(element, depth + 1);
        return _random.Next(9) switch
        {
            0 => $"({a} + {b})",
            1 => $"({a} - {b})",
            2 => $"{a} * {b}",
            3 => $"{a} / ({b} + 3)",
            4 => $"-{a}",
            5 => $"({element})((double){a} * {b})",
            6 => $"Math.Max({a}, {b})",
            7 => element == "float" ? $"MathF.Sqrt(MathF.Abs({a}))" : $"Math.Sqrt(Math.Abs({a}))",
            _ => $"Math.Abs({a})",
        };
    }
}
