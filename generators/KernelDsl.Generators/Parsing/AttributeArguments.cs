using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelDsl.Generators.Parsing;

/// <summary>
/// The arguments of a kernel attribute as every parser reads them: named values (a repeated one — CS0643, which C#
/// reports — counts once, with its first value), typed reads with a default, and where each argument is written, so a
/// diagnostic lands on the value that is wrong (or on the attribute when the argument is absent).
/// </summary>
internal sealed class AttributeArguments
{
    private readonly Dictionary<string, object?> _values = new(System.StringComparer.Ordinal);

    public AttributeArguments(AttributeData attribute, CancellationToken ct)
    {
        Syntax = attribute.ApplicationSyntaxReference?.GetSyntax(ct) as AttributeSyntax;
        foreach (var pair in attribute.NamedArguments)
            if (!_values.ContainsKey(pair.Key)) _values[pair.Key] = pair.Value.Kind == TypedConstantKind.Array ? null : pair.Value.Value;
    }

    /// <summary>The attribute as written, when it is in source.</summary>
    public AttributeSyntax? Syntax { get; }

    /// <summary>Where the attribute is written.</summary>
    public LocationInfo? AttributeLocation => LocationInfo.From(Syntax);

    /// <summary>Whether the named argument <paramref name="name"/> is given.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The named argument's int value (an enum's underlying value), else <paramref name="fallback"/>.</summary>
    public int Int(string name, int fallback) => _values.TryGetValue(name, out var v) && v is int i ? i : fallback;

    /// <summary>The named argument's bool value, else <paramref name="fallback"/>.</summary>
    public bool Bool(string name, bool fallback) => _values.TryGetValue(name, out var v) && v is bool b ? b : fallback;

    /// <summary>The named argument's string value, else null.</summary>
    public string? String(string name) => _values.TryGetValue(name, out var v) ? v as string : null;

    /// <summary>The value expression of the named argument <paramref name="name"/>, else the whole attribute.</summary>
    public LocationInfo? Location(string name) =>
        LocationInfo.From((SyntaxNode?)Syntax?.ArgumentList?.Arguments
            .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.Expression ?? Syntax);

    /// <summary>The positional arguments as written (a params array's elements one by one).</summary>
    public IReadOnlyList<AttributeArgumentSyntax> Positional =>
        Syntax?.ArgumentList?.Arguments.Where(a => a.NameEquals is null).ToList() ?? new List<AttributeArgumentSyntax>();
}
