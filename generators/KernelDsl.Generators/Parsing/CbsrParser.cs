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

/// <summary>Turns a [MaxK], [MaxKBackward], [SpGemm] or [SSpMM] declaration into a <see cref="CbsrKernelSpec"/> and its diagnostics.</summary>
internal static class CbsrParser
{
    /// <summary>The named roles of <see cref="CbsrOperands"/>.</summary>
    private enum Slot { Stream, Adjacency, DenseInput, DenseOutput, CbsrInput, CbsrOutput, ForwardOutput }

    private const string Stream = "stream (ComputeStream)";

    /// <summary>The operands each kind takes, in parameter order: the kind of operand, its role, how messages describe it.</summary>
    private static (OperandRole Role, Slot Slot, string Description)[] Roles(CbsrKernelKind kind) => kind switch
    {
        CbsrKernelKind.DynamicReLUBackward => [(OperandRole.Stream, Slot.Stream, Stream), (OperandRole.Cbsr, Slot.ForwardOutput, "forward output y (CbsrBuffer<float, TIndex>)"), (OperandRole.Cbsr, Slot.CbsrInput, "CBSR gradient dy (CbsrBuffer<float, TIndex>)"), (OperandRole.Dense, Slot.DenseOutput, "dense gradient output (DenseBuffer<float>)")],
        CbsrKernelKind.MaxK or CbsrKernelKind.DynamicReLU => [(OperandRole.Stream, Slot.Stream, Stream), (OperandRole.Dense, Slot.DenseInput, "input (DenseBuffer<float>)"), (OperandRole.Cbsr, Slot.CbsrOutput, "output (CbsrBuffer<float, TIndex>)")],
        CbsrKernelKind.MaxKBackward => [(OperandRole.Stream, Slot.Stream, Stream), (OperandRole.Cbsr, Slot.CbsrInput, "CBSR gradient (CbsrBuffer<float, TIndex>)"), (OperandRole.Dense, Slot.DenseOutput, "dense gradient output (DenseBuffer<float>)")],
        CbsrKernelKind.SpGemm => [(OperandRole.Stream, Slot.Stream, Stream), (OperandRole.Sparse, Slot.Adjacency, "adjacency (CsrBuffer<float>)"), (OperandRole.Cbsr, Slot.CbsrInput, "CBSR features (CbsrBuffer<float, TIndex>)"), (OperandRole.Dense, Slot.DenseOutput, "output (DenseBuffer<float>)")],
        _ => [(OperandRole.Stream, Slot.Stream, Stream), (OperandRole.Sparse, Slot.Adjacency, "adjacency (CsrBuffer<float>)"), (OperandRole.Dense, Slot.DenseInput, "output gradient dy (DenseBuffer<float>)"), (OperandRole.Cbsr, Slot.CbsrInput, "forward CBSR features x (CbsrBuffer<float, TIndex>)"), (OperandRole.Cbsr, Slot.CbsrOutput, "CBSR gradient output dx (CbsrBuffer<float, TIndex>)")],
    };

    /// <summary>The parameter names by role (every role of the kind is named once the operands are valid).</summary>
    private static CbsrOperands Operands((OperandRole Role, Slot Slot, string Description)[] roles, string?[] names)
    {
        string? Named(Slot slot)
        {
            int i = System.Array.FindIndex(roles, r => r.Slot == slot);
            return i < 0 ? null : names[i];
        }
        return new CbsrOperands(Named(Slot.Stream)!, Named(Slot.Adjacency), Named(Slot.DenseInput), Named(Slot.DenseOutput),
            Named(Slot.CbsrInput), Named(Slot.CbsrOutput), Named(Slot.ForwardOutput));
    }

    private static string AttributeName(CbsrKernelKind kind) => kind.ToString();

    /// <summary>Parses one declaration of the MaxK-family attribute <paramref name="kind"/> (a bug of ours becomes KDSL9001 on it).</summary>
    public static ParseResult<CbsrKernelSpec> Parse(KernelDeclaration declaration, CbsrKernelKind kind, CancellationToken ct) =>
        DeclarationShape.Guarded(declaration.Syntax, () => ParseCore(declaration, kind, ct), failed => new ParseResult<CbsrKernelSpec>(null, failed));

    /// <summary>
    /// The steps, in order: the declaration's shape, the operands in the kind's role order, the attribute's arguments; a
    /// spec only when nothing was found.
    /// </summary>
    private static ParseResult<CbsrKernelSpec> ParseCore(KernelDeclaration declaration, CbsrKernelKind kind, CancellationToken ct)
    {
        var syntax = declaration.Syntax;
        var method = declaration.Method;
        var diagnostics = new List<DiagnosticInfo>();
        if (DeclarationShape.IsRepeatedDeclaration(method)) return new ParseResult<CbsrKernelSpec>(null, EquatableArray<DiagnosticInfo>.Empty);
        string accessibility = DeclarationShape.Check(syntax, method, out bool malformed);
        var roles = Roles(kind);
        var operands = ReadOperands(syntax, method, kind, roles, diagnostics);
        var arguments = new AttributeArguments(declaration.Attribute, ct);
        var settings = CheckArguments(method, kind, operands, arguments, diagnostics);
        if (diagnostics.Count > 0 || malformed)
            return new ParseResult<CbsrKernelSpec>(null, new EquatableArray<DiagnosticInfo>(diagnostics), StubFactory.For(syntax, method, declaration.Attribute));
        var (ns, containing) = DeclarationShape.Location(method);
        var spec = new CbsrKernelSpec(ns, containing, syntax.Identifier.Text, accessibility, kind,
            kind is CbsrKernelKind.SpGemm or CbsrKernelKind.SSpMM ? (ScheduleKind)settings.Schedule : ScheduleKind.RowProductSharedAccumulator,
            Operands(roles, operands.Names), settings.ElementType, settings.IndexType, (AdjacencyKind)settings.Adjacency, settings.K, settings.Dim,
            settings.MaxEdgesPerWarp, DeclarationShape.ExtraModifiers(syntax));
        return new ParseResult<CbsrKernelSpec>(spec, EquatableArray<DiagnosticInfo>.Empty);
    }

    /// <summary>The operands found, by position in the kind's roles, and the element and index types they agree on.</summary>
    private sealed record FoundOperands(string?[] Names, ITypeSymbol? Element, ITypeSymbol? Index,
        (string Name, string Type, LocationInfo? Location)? ElementOperand, (string Name, string Type, LocationInfo? Location)? IndexOperand);

    /// <summary>
    /// The parameters against the kind's roles, in order: each must be the role's operand (buffers, by value, not nullable),
    /// all of one element type and one CBSR index type; a role left without a parameter is reported at the method's name.
    /// </summary>
    private static FoundOperands ReadOperands(MethodDeclarationSyntax syntax, IMethodSymbol method, CbsrKernelKind kind,
        (OperandRole Role, Slot Slot, string Description)[] roles, List<DiagnosticInfo> diagnostics)
    {
        string name = syntax.Identifier.ValueText;
        var names = new string?[roles.Length];
        ITypeSymbol? element = null, index = null;
        (string Name, string Type, LocationInfo? Location)? elementOperand = null, indexOperand = null;
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            var parameterSyntax = syntax.ParameterList.Parameters[i];
            var location = LocationInfo.From(parameterSyntax);
            string parameterName = parameterSyntax.Identifier.Text;
            string typeText = parameter.Type.ToDisplayString();
            var (role, form, parameterElement) = OperandClassifier.Classify(parameter.Type);
            if (i >= roles.Length || role != roles[i].Role || form != OperandForm.Buffers)
            {
                string expected = i < roles.Length ? "expected the " + roles[i].Description + " here" : "one parameter too many";
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText,
                    $"[{AttributeName(kind)}] takes ({string.Join(", ", roles.Select(r => r.Description))}); {expected}"));
                if (i < roles.Length && role == roles[i].Role) names[i] = parameterName;
                continue;
            }
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText,
                    "operands are passed by value; remove ref/in/out/params"));
            else if (DeclarationShape.IsNullableAnnotated(parameter))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText, DeclarationShape.NullableOperandFix));
            names[i] = parameterName;
            if (parameterElement is not null)
            {
                if (element is null) { element = parameterElement; elementOperand = (parameterName, typeText, location); }
                else if (!SymbolEqualityComparer.Default.Equals(element, parameterElement))
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OperandsDisagree, location, parameterName,
                        $"has element type '{parameterElement.ToDisplayString()}' but an earlier operand has '{element.ToDisplayString()}'"));
            }
            if (role == OperandRole.Cbsr)
            {
                var parameterIndex = ((INamedTypeSymbol)parameter.Type).TypeArguments[1];
                if (index is null) { index = parameterIndex; indexOperand = (parameterName, typeText, location); }
                else if (!SymbolEqualityComparer.Default.Equals(index, parameterIndex))
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OperandsDisagree, location, parameterName,
                        $"has index type '{parameterIndex.ToDisplayString()}' but an earlier CBSR operand has '{index.ToDisplayString()}'"));
            }
        }
        for (int i = 0; i < roles.Length; i++)
            if (names[i] is null && i >= method.Parameters.Length)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOperand, LocationInfo.From(syntax.Identifier), name, roles[i].Description,
                    $"[{AttributeName(kind)}] takes ({string.Join(", ", roles.Select(r => r.Description))})"));

        return new FoundOperands(names, element, index, elementOperand, indexOperand);
    }

    /// <summary>The attribute's settings, once checked, and the element and index type keywords the emitters use.</summary>
    private sealed record CheckedSettings(int K, int Dim, int Adjacency, int MaxEdgesPerWarp, int Schedule, string ElementType, string IndexType);

    /// <summary>
    /// The operand types the family computes with (float values; byte, ushort or int indices) and the attribute's arguments:
    /// K and Dim positive, K ≤ Dim, an index type wide enough for Dim, a schedule the kind runs, a known adjacency, edges per
    /// warp at least 1, and the [SSpMM] backward a Training = true forward needs.
    /// </summary>
    private static CheckedSettings CheckArguments(IMethodSymbol method, CbsrKernelKind kind, FoundOperands operands, AttributeArguments arguments, List<DiagnosticInfo> diagnostics)
    {
        string name = method.Name;
        var (names, element, index, elementOperand, indexOperand) = (operands.Names, operands.Element, operands.Index, operands.ElementOperand, operands.IndexOperand);
        LocationInfo? ArgumentLocation(string argument) => arguments.Location(argument);
        int Int(string key, int fallback) => arguments.Int(key, fallback);
        int k = Int("K", 0), dim = Int("Dim", 0), adjacency = Int("Adjacency", 0), maxEdges = Int("MaxEdgesPerWarp", 64);
        int defaultSchedule = kind == CbsrKernelKind.SSpMM ? (int)ScheduleKind.OuterProduct : (int)ScheduleKind.RowProductSharedAccumulator;
        int schedule = Int("Schedule", defaultSchedule);

        string elementType = OperandClassifier.ElementKeyword(element) ?? element?.ToDisplayString() ?? "float";
        string indexType = OperandClassifier.IndexKeyword(index) ?? index?.ToDisplayString() ?? "byte";
        if (element is not null && element.SpecialType != SpecialType.System_Single && elementOperand is { } e)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, e.Location, e.Name, e.Type,
                $"the MaxK-GNN kernels compute in float; use float values (element type '{element.ToDisplayString()}' is not supported)"));
        if (index is not null && OperandClassifier.IndexKeyword(index) is null && indexOperand is { } ix)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, ix.Location, ix.Name, ix.Type,
                $"the CBSR index type must be byte, ushort or int, not '{index.ToDisplayString()}'"));
        if (arguments.Has("K") && k <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KNotPositive, ArgumentLocation("K"), "K", k.ToString(CultureInfo.InvariantCulture), "MaxK-GNN kernels keep k >= 1 entries per row (typical: 8 to 64)"));
        if (k > 0 && dim > 0 && k > dim)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KLargerThanDim, ArgumentLocation("K"),
                k.ToString(CultureInfo.InvariantCulture), dim.ToString(CultureInfo.InvariantCulture)));
        if (arguments.Has("Dim") && dim <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KNotPositive, ArgumentLocation("Dim"), "Dim", dim.ToString(CultureInfo.InvariantCulture), "Dim is the width of the dense rows the k entries are selected from"));
        if (dim > 0 && OperandClassifier.IndexKeyword(index) is { } ik && dim > OperandClassifier.MaxDim(ik))
        {
            string wider = dim <= 65536 ? "ushort" : "int";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.IndexTypeTooSmall, ArgumentLocation("Dim"),
                dim.ToString(CultureInfo.InvariantCulture), (dim - 1).ToString(CultureInfo.InvariantCulture), ik,
                OperandClassifier.MaxDim(ik).ToString(CultureInfo.InvariantCulture), elementType, wider));
        }
        bool scheduleAllowed = schedule == defaultSchedule || (kind == CbsrKernelKind.SSpMM && schedule == (int)ScheduleKind.TransposeGather);
        if (kind is CbsrKernelKind.SpGemm or CbsrKernelKind.SSpMM && !scheduleAllowed)
        {
            string scheduleName = Enum.IsDefined(typeof(ScheduleKind), schedule) ? ((ScheduleKind)schedule).ToString() : schedule.ToString(CultureInfo.InvariantCulture);
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CbsrOperandNotTaken, ArgumentLocation("Schedule"),
                names.FirstOrDefault(n => n is not null) ?? name, $"Schedule.{scheduleName}",
                kind == CbsrKernelKind.SSpMM ? "use Schedule.OuterProduct or Schedule.TransposeGather for [SSpMM]" : "use Schedule.RowProductSharedAccumulator for [SpGemm]"));
        }
        if (!Enum.IsDefined(typeof(AdjacencyKind), adjacency))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownAdjacency, ArgumentLocation("Adjacency"), adjacency.ToString(CultureInfo.InvariantCulture)));
        if (kind is CbsrKernelKind.SpGemm or CbsrKernelKind.SSpMM && maxEdges < 1)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScheduleParameter, ArgumentLocation("MaxEdgesPerWarp"),
                "MaxEdgesPerWarp", maxEdges.ToString(CultureInfo.InvariantCulture), "use at least 1 (default 64)"));
        if (kind == CbsrKernelKind.SpGemm && arguments.Bool("Training", false) && !HasBackward(method, element, index))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingBackward, ArgumentLocation("Training"), name, elementType, indexType));

        return new CheckedSettings(k, dim, adjacency, maxEdges, schedule, elementType, indexType);
    }

    /// <summary>True when the containing type declares an [SSpMM] over the same element and index types.</summary>
    private static bool HasBackward(IMethodSymbol forward, ITypeSymbol? element, ITypeSymbol? index) =>
        forward.ContainingType.GetMembers().OfType<IMethodSymbol>().Any(m =>
            m.GetAttributes().Any(a => a.AttributeClass is { } c && OperandClassifier.MetadataName(c) == KnownTypes.SSpMMAttribute)
            && m.Parameters.Any(p => p.Type is INamedTypeSymbol { TypeArguments.Length: 2 } t
                && SymbolEqualityComparer.Default.Equals(t.TypeArguments[0], element)
                && SymbolEqualityComparer.Default.Equals(t.TypeArguments[1], index)));
}
