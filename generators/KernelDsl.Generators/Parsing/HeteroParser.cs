using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using KernelDsl.Generators.Diagnostics;
using KernelDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelDsl.Generators.Parsing;

/// <summary>
/// Turns a [HeteroLayer] declaration into a <see cref="HeteroLayerSpec"/>: node types, relations (the
/// [Relation] parameters), k, dim, combine and stream count, with the KDSL5xxx diagnostics.
/// </summary>
internal static class HeteroParser
{
    /// <summary>The most streams a layer may ask for (KernelDsl.Hetero.HeteroExecution.MaxStreams).</summary>
    public const int MaxStreams = 16;


    /// <summary>Parses one [HeteroLayer] declaration (a bug of ours becomes KDSL9001 on it).</summary>
    public static ParseResult<HeteroLayerSpec> Parse(KernelDeclaration declaration, CancellationToken ct) =>
        DeclarationShape.Guarded(declaration.Syntax, () => ParseCore(declaration, ct), failed => new ParseResult<HeteroLayerSpec>(null, failed));

    /// <summary>
    /// The steps, in order: the declaration's shape and return type, the node types, the attribute's settings, the
    /// execution and relation parameters, Combine.None's one writer per destination, and the names the layer adds.
    /// </summary>
    private static ParseResult<HeteroLayerSpec> ParseCore(KernelDeclaration declaration, CancellationToken ct)
    {
        var syntax = declaration.Syntax;
        var method = declaration.Method;
        var diagnostics = new List<DiagnosticInfo>();
        if (DeclarationShape.IsRepeatedDeclaration(method)) return new ParseResult<HeteroLayerSpec>(null, EquatableArray<DiagnosticInfo>.Empty);
        string name = syntax.Identifier.ValueText;
        string accessibility = DeclarationShape.Check(syntax, method, out bool malformed, requireVoid: false);
        if (method.ReturnType is not INamedTypeSymbol returned || OperandClassifier.MetadataName(returned) != KnownTypes.HeteroLayer)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.HeteroLayerShape, LocationInfo.From(syntax.ReturnType), name,
                $"returns '{method.ReturnType.ToDisplayString()}' instead of KernelDsl.Hetero.HeteroLayer"));
        var arguments = new AttributeArguments(declaration.Attribute, ct);
        var nodeTypes = ReadNodeTypes(name, declaration.Attribute, arguments, diagnostics);
        var settings = CheckSettings(arguments, diagnostics);
        var (execution, relations, relationLocations) = ReadParameters(syntax, method, nodeTypes, diagnostics, ct);
        if (settings.Combine == (int)CombineKind.None)
            foreach (var group in relations.Select((r, i) => (r, i)).GroupBy(p => p.r.Destination).Where(g => g.Count() > 1))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DestinationWrittenTwice, relationLocations[group.ElementAt(1).i],
                    group.Key, string.Join(", ", group.Select(p => "'" + p.r.Name + "'"))));
        string stem = MemberStem(syntax, method, relations.Count, diagnostics);

        if (diagnostics.Count > 0 || malformed)
            return new ParseResult<HeteroLayerSpec>(null, new EquatableArray<DiagnosticInfo>(diagnostics), StubFactory.For(syntax, method, declaration.Attribute));
        var (ns, containing) = DeclarationShape.Location(method);
        string indexType = settings.Dim <= 256 ? "byte" : settings.Dim <= 65536 ? "ushort" : "int";
        var spec = new HeteroLayerSpec(ns, containing, syntax.Identifier.Text, accessibility, execution,
            new EquatableArray<string>(nodeTypes.ToArray()), new EquatableArray<HeteroRelationSpec>(relations.ToArray()),
            settings.K, settings.Dim, (CombineKind)settings.Combine, settings.Streams, settings.MaxEdgesPerWarp, indexType, DeclarationShape.ExtraModifiers(syntax), stem);
        return new ParseResult<HeteroLayerSpec>(spec, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>The node types the attribute lists: non-empty, each once; at least one.</summary>
    private static List<string> ReadNodeTypes(string name, AttributeData attribute, AttributeArguments arguments, List<DiagnosticInfo> diagnostics)
    {
        var attributeSyntax = arguments.Syntax;
        var positional = arguments.Positional;
        var nodeTypes = new List<string>();
        if (attribute.ConstructorArguments.Length == 1)
        {
            var argument = attribute.ConstructorArguments[0];
            var values = argument.Kind == TypedConstantKind.Array && !argument.IsNull ? argument.Values : System.Collections.Immutable.ImmutableArray<TypedConstant>.Empty;
            for (int i = 0; i < values.Length; i++)
            {
                var type = values[i].Value as string;
                var location = LocationInfo.From(i < positional.Count ? positional[i] : (SyntaxNode?)attributeSyntax);
                if (string.IsNullOrWhiteSpace(type))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.HeteroLayerShape, location, name, "names an empty node type"));
                    continue;
                }
                if (nodeTypes.Contains(type!))
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateRelation, location, "Node type", type!, name, "list each node type once"));
                else nodeTypes.Add(type!);
            }
        }
        if (nodeTypes.Count == 0 && diagnostics.All(d => d.Id != DiagnosticDescriptors.HeteroLayerShape.Id))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOperand, LocationInfo.From(attributeSyntax), name, "node types",
                "list them in the attribute: [HeteroLayer(\"cell\", \"net\", K = 16, Dim = 64)]"));

        return nodeTypes;
    }

    /// <summary>The layer's settings: K, Dim, Combine, Streams, MaxEdgesPerWarp.</summary>
    private sealed record Settings(int K, int Dim, int Combine, int Streams, int MaxEdgesPerWarp);

    /// <summary>K and Dim given and K ≤ Dim, Streams in 1..MaxStreams, at least one edge per warp, a known Combine.</summary>
    private static Settings CheckSettings(AttributeArguments arguments, List<DiagnosticInfo> diagnostics)
    {
        LocationInfo? ArgumentLocation(string argument) => arguments.Location(argument);
        int Int(string key, int fallback) => arguments.Int(key, fallback);
        int k = Int("K", 0), dim = Int("Dim", 0), combine = Int("Combine", 0), streams = Int("Streams", 4), maxEdges = Int("MaxEdgesPerWarp", 64);
        if (k <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KNotPositive, ArgumentLocation("K"), "K", k.ToString(CultureInfo.InvariantCulture), "a [HeteroLayer] needs K, the entries Dynamic-ReLU keeps per row (e.g. K = 16)"));
        if (dim <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KNotPositive, ArgumentLocation("Dim"), "Dim", dim.ToString(CultureInfo.InvariantCulture), "a [HeteroLayer] needs Dim, the width of its features (e.g. Dim = 64)"));
        if (k > 0 && dim > 0 && k > dim)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KLargerThanDim, ArgumentLocation("K"),
                k.ToString(CultureInfo.InvariantCulture), dim.ToString(CultureInfo.InvariantCulture)));
        if (streams < 1 || streams > MaxStreams)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StreamCountOutOfRange, ArgumentLocation("Streams"),
                streams.ToString(CultureInfo.InvariantCulture), MaxStreams.ToString(CultureInfo.InvariantCulture)));
        if (maxEdges < 1)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScheduleParameter, ArgumentLocation("MaxEdgesPerWarp"),
                "MaxEdgesPerWarp", maxEdges.ToString(CultureInfo.InvariantCulture), "a warp takes at least 1 edge (default 64)"));
        if (!Enum.IsDefined(typeof(CombineKind), combine))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScheduleParameter, ArgumentLocation("Combine"),
                "Combine", combine.ToString(CultureInfo.InvariantCulture), "use HeteroCombine.Sum, HeteroCombine.Mean or HeteroCombine.None"));

        return new Settings(k, dim, combine, streams, maxEdges);
    }

    /// <summary>
    /// The parameters: the HeteroExecution first, then the relations, each a [Relation]-marked CsrMatrix&lt;float&gt; between
    /// declared node types, each name once; at least one relation.
    /// </summary>
    private static (string Execution, List<HeteroRelationSpec> Relations, List<LocationInfo?> Locations) ReadParameters(
        MethodDeclarationSyntax syntax, IMethodSymbol method, List<string> nodeTypes, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        string name = syntax.Identifier.ValueText;
        string execution = "execution";
        var relations = new List<HeteroRelationSpec>();
        var relationLocations = new List<LocationInfo?>();
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            var parameterSyntax = syntax.ParameterList.Parameters[i];
            string parameterName = parameterSyntax.Identifier.Text;
            var location = LocationInfo.From(parameterSyntax);
            string typeText = parameter.Type.ToDisplayString();
            string metadata = parameter.Type is INamedTypeSymbol named ? OperandClassifier.MetadataName(named.OriginalDefinition) : "";
            if (parameter.RefKind != RefKind.None)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText,
                    "operands are passed by value; remove ref/in/out"));
            if (i == 0)
            {
                if (metadata != KnownTypes.HeteroExecution)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText,
                        "the first parameter of a [HeteroLayer] is the KernelDsl.Hetero.HeteroExecution it runs on"));
                execution = parameterName;
                continue;
            }
            var relation = parameter.GetAttributes().FirstOrDefault(a => a.AttributeClass is { } c && OperandClassifier.MetadataName(c) == KnownTypes.RelationAttribute);
            bool isCsrFloat = metadata == KnownTypes.CsrMatrix && parameter.Type is INamedTypeSymbol { TypeArguments.Length: 1 } csrType
                && csrType.TypeArguments[0].SpecialType == SpecialType.System_Single;
            if (relation is null || !isCsrFloat)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText,
                    relation is null ? "every parameter after the execution is a relation: mark it [Relation(\"source\", \"destination\")]"
                                     : "a relation is a CsrMatrix<float> (one row per destination node, one column per source node)"));
                continue;
            }
            var relationAttribute = new AttributeArguments(relation, ct);
            var relationSyntax = relationAttribute.Syntax;
            var relationArguments = relationAttribute.Positional;
            string source = relation.ConstructorArguments.Length > 0 ? relation.ConstructorArguments[0].Value as string ?? "" : "";
            string destination = relation.ConstructorArguments.Length > 1 ? relation.ConstructorArguments[1].Value as string ?? "" : "";
            string relationName = relationAttribute.String("Name") ?? parameter.Name;
            if (DeclarationShape.IsNullableAnnotated(parameter))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText, DeclarationShape.NullableOperandFix));
            var relationLocation = LocationInfo.From(relationSyntax);
            for (int end = 0; end < 2; end++)
            {
                string type = end == 0 ? source : destination;
                if (nodeTypes.Count > 0 && !nodeTypes.Contains(type))
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownNodeType,
                        LocationInfo.From(end < relationArguments.Count ? relationArguments[end] : (SyntaxNode?)relationSyntax),
                        relationName, type, string.Join(", ", nodeTypes.Concat(new[] { type }).Select(t => "\"" + t + "\"")),
                        string.Join(", ", nodeTypes)));
            }
            if (relations.Any(r => r.Name == relationName))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateRelation, relationLocation, "Relation", relationName, name, "give each relation its own name (Name = \"...\" on the [Relation]), or remove the copy"));
            relations.Add(new HeteroRelationSpec(relationName, parameterName, source, destination));
            relationLocations.Add(relationLocation);
        }
        if (method.Parameters.Length == 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOperand, LocationInfo.From(syntax.Identifier), name,
                "execution (HeteroExecution)", "declare it first, then the relations"));
        else if (relations.Count == 0 && method.Parameters.Length == 1)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOperand, LocationInfo.From(syntax.Identifier), name,
                "relations", "add at least one [Relation(\"source\", \"destination\")] CsrMatrix<float> parameter"));

        return (execution, relations, relationLocations);
    }

    /// <summary>The stem of the members the layer adds to the type (overloads of one name get the relation count), each name free.</summary>
    private static string MemberStem(MethodDeclarationSyntax syntax, IMethodSymbol method, int relationCount, List<DiagnosticInfo> diagnostics)
    {
        string name = syntax.Identifier.ValueText;
        bool overloaded = method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>()
            .Count(m => m.GetAttributes().Any(x => x.AttributeClass is { } c && OperandClassifier.MetadataName(c) == KnownTypes.HeteroLayerAttribute)) > 1;
        string stem = method.Name + (overloaded ? "_" + relationCount.ToString(CultureInfo.InvariantCulture) : "");
        foreach (var added in new[] { "__Activate", "__ActivateBackward", "__Aggregate", "__Gradient" })
            if (DeclarationShape.NameTaken(method, stem + added) is { } holder)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CannotImplementHere, LocationInfo.From(syntax.Identifier), name,
                    $"the layer adds the kernel '{stem + added}' to '{method.ContainingType.Name}', and {holder} already has that name; rename one of them"));
                break;
            }

        return stem;
    }
}
