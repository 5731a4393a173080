using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using KernelDsl.Generators.Diagnostics;
using KernelDsl.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace KernelDsl.Generators.Parsing;

/// <summary>Turns an [SpMM] method declaration into an <see cref="SpMMSpec"/> and its diagnostics.</summary>
internal static class SpMMParser
{
    /// <summary>Parses one [SpMM] declaration (a bug of ours becomes KDSL9001 on it).</summary>
    public static ParseResult<SpMMSpec> Parse(KernelDeclaration declaration, CancellationToken ct) =>
        DeclarationShape.Guarded(declaration.Syntax, () => ParseCore(declaration, ct), failed => new ParseResult<SpMMSpec>(null, failed));

    private static ParseResult<SpMMSpec> ParseCore(KernelDeclaration declaration, CancellationToken ct)
    {
        var syntax = declaration.Syntax;
        var method = declaration.Method;
        var diagnostics = new List<DiagnosticInfo>();
        if (DeclarationShape.IsRepeatedDeclaration(method)) return new ParseResult<SpMMSpec>(null, EquatableArray<DiagnosticInfo>.Empty);
        string name = syntax.Identifier.ValueText;
        var nameLocation = LocationInfo.From(syntax.Identifier);

        string accessibility = DeclarationShape.Check(syntax, method, out bool malformed);

        // Attribute arguments.
        var arguments = new AttributeArguments(declaration.Attribute, ct);
        LocationInfo? ArgumentLocation(string argument) => arguments.Location(argument);
        int reduce = arguments.Int("Reduce", 0), schedule = arguments.Int("Schedule", (int)ScheduleKind.WarpPerRow), adjacency = arguments.Int("Adjacency", 0);
        int warpsPerBlock = arguments.Int("WarpsPerBlock", 12), maxEdgesPerWarp = arguments.Int("MaxEdgesPerWarp", 32), blockSize = arguments.Int("BlockSize", 0);
        string? message = arguments.String("Message");
        bool backward = arguments.Bool("Backward", false);
        // Operands.
        string? stream = null, sparse = null, input = null, output = null;
        OperandForm? form = null;
        ITypeSymbol? element = null;
        for (int i = 0; i < method.Parameters.Length; i++)
        {
            var parameter = method.Parameters[i];
            var parameterSyntax = syntax.ParameterList.Parameters[i];
            var location = LocationInfo.From(parameterSyntax);
            string parameterName = parameterSyntax.Identifier.Text;
            string typeText = parameter.Type.ToDisplayString();
            var (role, parameterForm, parameterElement) = OperandClassifier.Classify(parameter.Type);
            if (role == OperandRole.Cbsr)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CbsrOperandNotTaken, location, parameterName,
                    "[SpMM] (" + ((ScheduleKind)schedule).ToString() + ")", "declare the product with [SpGemm(Schedule = Schedule.RowProductSharedAccumulator)]"));
                input ??= parameterName; // it is the input features, only in the wrong format
                continue;
            }
            if (role == OperandRole.Unknown)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText,
                    "expected ComputeStream, CsrBuffer<T>, DenseBuffer<T> (or AcceleratorStream, CsrView<T>, DenseView<T>)"));
                continue;
            }
            // A recognized operand with a fault still fills its slot below, so no "missing operand" follows.
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText,
                    "operands are passed by value; remove ref/in/out/params"));
            }
            else if (DeclarationShape.IsNullableAnnotated(parameter))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText, DeclarationShape.NullableOperandFix));
            }
            else if (form is not null && form != parameterForm)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OperandsDisagree, location, parameterName,
                    $"is a {(parameterForm == OperandForm.Views ? "view" : "buffer")} operand but an earlier one is a {(form == OperandForm.Views ? "view" : "buffer")}"));
            }
            else if (parameterElement is not null && element is not null && !SymbolEqualityComparer.Default.Equals(element, parameterElement))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OperandsDisagree, location, parameterName,
                    $"has element type '{parameterElement.ToDisplayString()}' but an earlier operand has '{element.ToDisplayString()}'"));
            }
            form ??= parameterForm;
            element ??= parameterElement;
            switch (role)
            {
                case OperandRole.Stream when stream is null && sparse is null && input is null:
                    stream = parameterName;
                    break;
                case OperandRole.Sparse when sparse is null && input is null:
                    sparse = parameterName;
                    break;
                case OperandRole.Dense when input is null:
                    input = parameterName;
                    break;
                case OperandRole.Dense when output is null:
                    output = parameterName;
                    break;
                default:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText,
                        "it is out of place or one too many; the order is (stream, sparse adjacency, input features, output)"));
                    break;
            }
        }
        const string signature = "an [SpMM] method takes (ComputeStream stream, CsrBuffer<T> a, DenseBuffer<T> x, DenseBuffer<T> y) or (AcceleratorStream stream, CsrView<T> a, DenseView<T> x, DenseView<T> y)";
        if (stream is null) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOperand, nameLocation, name, "stream (first parameter: ComputeStream or AcceleratorStream)", signature));
        if (sparse is null) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOperand, nameLocation, name, "sparse adjacency (CsrBuffer<T> or CsrView<T>)", signature));
        if (input is null) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOperand, nameLocation, name, "input features (DenseBuffer<T> or DenseView<T>)", signature));
        if (output is null) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOperand, nameLocation, name, "output (a second DenseBuffer<T> or DenseView<T>)", signature));

        string elementType = OperandClassifier.ElementKeyword(element) ?? element?.ToDisplayString() ?? "float";
        if (!Enum.IsDefined(typeof(ReduceKind), reduce))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReduceNotDefined, ArgumentLocation("Reduce"), reduce.ToString(System.Globalization.CultureInfo.InvariantCulture),
                elementType, "it is not a Reduce value: use Reduce.Sum, Mean, Max or Min"));
        else if (element is not null && OperandClassifier.ElementKeyword(element) is null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReduceNotDefined, ArgumentLocation("Reduce"), ((ReduceKind)reduce).ToString(),
                element.ToDisplayString(), "kernels accumulate in floating point: declare the operands with float or double"));
        const string validSchedules = "Schedule.RowPerThread, Schedule.WarpPerRow, Schedule.DegreeSortedBlocks or Schedule.Auto";
        bool degreeSorted = schedule == (int)ScheduleKind.DegreeSortedBlocks;
        bool auto = schedule == (int)ScheduleKind.Auto;
        if (schedule is not ((int)ScheduleKind.RowPerThread or (int)ScheduleKind.WarpPerRow or (int)ScheduleKind.DegreeSortedBlocks or (int)ScheduleKind.Auto))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSchedule, ArgumentLocation("Schedule"),
                Enum.IsDefined(typeof(ScheduleKind), schedule) ? ((ScheduleKind)schedule).ToString() : schedule.ToString(System.Globalization.CultureInfo.InvariantCulture),
                validSchedules));
        else if (degreeSorted && form == OperandForm.Views)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSchedule, ArgumentLocation("Schedule"), "DegreeSortedBlocks with views",
                "Schedule.WarpPerRow for view operands, or CsrBuffer/DenseBuffer operands (the plan is cached on the CsrBuffer)"));
        else if (degreeSorted && reduce is not ((int)ReduceKind.Sum or (int)ReduceKind.Mean))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSchedule, ArgumentLocation("Schedule"), "DegreeSortedBlocks with Reduce." + ((ReduceKind)reduce),
                "Schedule.WarpPerRow for Max and Min (split rows are combined by addition), or Reduce.Sum / Reduce.Mean"));
        string Text(int v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var parameter in new[] { "WarpsPerBlock", "MaxEdgesPerWarp", "BlockSize" })
            if (arguments.Has(parameter) && !degreeSorted && !auto)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScheduleParameter, ArgumentLocation(parameter), parameter,
                    Text(parameter == "WarpsPerBlock" ? warpsPerBlock : parameter == "MaxEdgesPerWarp" ? maxEdgesPerWarp : blockSize),
                    "it only applies to Schedule.DegreeSortedBlocks (or Auto); remove it or set that schedule"));
        if (degreeSorted || auto)
        {
            if (warpsPerBlock is < 1 or > 32)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScheduleParameter, ArgumentLocation("WarpsPerBlock"), "WarpsPerBlock", Text(warpsPerBlock), "use 1..32 (default 12)"));
            if (maxEdgesPerWarp is < 1 or > 1024)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScheduleParameter, ArgumentLocation("MaxEdgesPerWarp"), "MaxEdgesPerWarp", Text(maxEdgesPerWarp), "use 1..1024 (default 32)"));
            if (arguments.Has("BlockSize"))
            {
                if (blockSize is < 32 or > 1024 || blockSize % 32 != 0)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScheduleParameter, ArgumentLocation("BlockSize"), "BlockSize", Text(blockSize),
                        $"use a multiple of the warp size 32 in 32..1024, e.g. {Math.Min(1024, Math.Max(32, (blockSize + 31) / 32 * 32))}"));
                else if (arguments.Has("WarpsPerBlock") && warpsPerBlock != blockSize / 32)
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScheduleParameter, ArgumentLocation("BlockSize"), "BlockSize", Text(blockSize),
                        $"it means {blockSize / 32} warps per block but WarpsPerBlock = {warpsPerBlock}; give one of them"));
                else warpsPerBlock = blockSize / 32;
            }
        }
        if (!Enum.IsDefined(typeof(AdjacencyKind), adjacency))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownAdjacency, ArgumentLocation("Adjacency"),
                adjacency.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        if (backward)
        {
            string? why = reduce is not ((int)ReduceKind.Sum or (int)ReduceKind.Mean) && Enum.IsDefined(typeof(ReduceKind), reduce)
                ? $"Reduce.{(ReduceKind)reduce} is not linear in x (its gradient needs the arg-max of every output); use Reduce.Sum or Reduce.Mean"
                : message is not null ? "a message function is not known to be linear in the source; compute its gradient yourself or drop the message"
                : form == OperandForm.Views ? "the backward caches the adjoint CSR on a CsrBuffer; declare the buffer form (ComputeStream, CsrBuffer<T>, DenseBuffer<T>, DenseBuffer<T>)"
                : null;
            if (why is not null)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BackwardNotAvailable, ArgumentLocation("Backward"), name, why));
            // The backward adds two members to the type; neither name may be taken.
            foreach (var added in new[] { method.Name + "Backward", method.Name + "__Adjoint" })
                if (DeclarationShape.NameTaken(method, added) is { } holder)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CannotImplementHere, ArgumentLocation("Backward"), name,
                        $"Backward = true adds '{added}' to '{method.ContainingType.Name}', and {holder} already has that name; rename one of them"));
                    break;
                }
        }

        MessageSpec? messageSpec = null;
        if (message is not null)
            messageSpec = MessageParser.Parse(message, ArgumentLocation("Message"), method.ContainingType, elementType,
                declaration.Compilation, diagnostics, ct);

        if (diagnostics.Count > 0 || malformed)
            return new ParseResult<SpMMSpec>(null, new EquatableArray<DiagnosticInfo>(diagnostics), StubFactory.For(syntax, method, declaration.Attribute));

        var (ns, containing) = DeclarationShape.Location(method);
        var spec = new SpMMSpec(ns, containing, syntax.Identifier.Text, accessibility, form!.Value,
            stream!, sparse!, input!, output!, elementType, (ReduceKind)reduce, (ScheduleKind)schedule, (AdjacencyKind)adjacency, messageSpec,
            degreeSorted || auto ? warpsPerBlock : 0, degreeSorted || auto ? maxEdgesPerWarp : 0, backward, DeclarationShape.ExtraModifiers(syntax));
        return new ParseResult<SpMMSpec>(spec, EquatableArray<DiagnosticInfo>.Empty);
    }
}
