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

    /// <summary>
    /// The steps, in order: the declaration's shape, the attribute's settings, the operands, then each rule on the
    /// settings (reduce, schedule, adjacency, backward), the message; a spec only when nothing was found.
    /// </summary>
    private static ParseResult<SpMMSpec> ParseCore(KernelDeclaration declaration, CancellationToken ct)
    {
        var syntax = declaration.Syntax;
        var method = declaration.Method;
        if (DeclarationShape.IsRepeatedDeclaration(method)) return new ParseResult<SpMMSpec>(null, EquatableArray<DiagnosticInfo>.Empty);
        var diagnostics = new List<DiagnosticInfo>();
        string accessibility = DeclarationShape.Check(syntax, method, out bool malformed);
        var arguments = new AttributeArguments(declaration.Attribute, ct);
        var settings = Settings.Read(arguments);
        var operands = ReadOperands(syntax, method, settings, diagnostics);
        string elementType = OperandClassifier.ElementKeyword(operands.Element) ?? operands.Element?.ToDisplayString() ?? "float";
        CheckReduce(settings, operands, elementType, arguments, diagnostics);
        int warpsPerBlock = CheckSchedule(settings, operands, arguments, diagnostics);
        if (!Enum.IsDefined(typeof(AdjacencyKind), settings.Adjacency))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownAdjacency, arguments.Location("Adjacency"), Text(settings.Adjacency)));
        if (settings.Backward) CheckBackward(method, settings, operands, arguments, diagnostics);
        MessageSpec? message = settings.Message is null ? null
            : MessageParser.Parse(settings.Message, arguments.Location("Message"), method.ContainingType, elementType, declaration.Compilation, diagnostics, ct);

        if (diagnostics.Count > 0 || malformed)
            return new ParseResult<SpMMSpec>(null, new EquatableArray<DiagnosticInfo>(diagnostics), StubFactory.For(syntax, method, declaration.Attribute));
        var (ns, containing) = DeclarationShape.Location(method);
        bool plan = settings.Schedule is (int)ScheduleKind.DegreeSortedBlocks or (int)ScheduleKind.Auto;
        var spec = new SpMMSpec(ns, containing, syntax.Identifier.Text, accessibility, operands.Form!.Value,
            operands.Stream!, operands.Sparse!, operands.Input!, operands.Output!, elementType, (ReduceKind)settings.Reduce, (ScheduleKind)settings.Schedule,
            (AdjacencyKind)settings.Adjacency, message, plan ? warpsPerBlock : 0, plan ? settings.MaxEdgesPerWarp : 0, settings.Backward, DeclarationShape.ExtraModifiers(syntax));
        return new ParseResult<SpMMSpec>(spec, EquatableArray<DiagnosticInfo>.Empty);
    }

    private static string Text(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The [SpMM] attribute's named arguments, with their defaults.</summary>
    private sealed record Settings(int Reduce, int Schedule, int Adjacency, int WarpsPerBlock, int MaxEdgesPerWarp, int BlockSize, string? Message, bool Backward)
    {
        public static Settings Read(AttributeArguments arguments) => new(
            arguments.Int("Reduce", 0), arguments.Int("Schedule", (int)ScheduleKind.WarpPerRow), arguments.Int("Adjacency", 0),
            arguments.Int("WarpsPerBlock", 12), arguments.Int("MaxEdgesPerWarp", 32), arguments.Int("BlockSize", 0),
            arguments.String("Message"), arguments.Bool("Backward", false));
    }

    /// <summary>The operands found, by role (null when missing), their form and element type.</summary>
    private sealed record Operands(string? Stream, string? Sparse, string? Input, string? Output, OperandForm? Form, ITypeSymbol? Element);

    private const string Signature = "an [SpMM] method takes (ComputeStream stream, CsrBuffer<T> a, DenseBuffer<T> x, DenseBuffer<T> y) or (AcceleratorStream stream, CsrView<T> a, DenseView<T> x, DenseView<T> y)";

    /// <summary>
    /// The parameters in order: each is classified, checked (by value, not nullable, same form and element type as the
    /// others) and put in the first free role its type can fill; then every role left empty is reported once.
    /// </summary>
    private static Operands ReadOperands(MethodDeclarationSyntax syntax, IMethodSymbol method, Settings settings, List<DiagnosticInfo> diagnostics)
    {
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
                    "[SpMM] (" + ((ScheduleKind)settings.Schedule).ToString() + ")", "declare the product with [SpGemm(Schedule = Schedule.RowProductSharedAccumulator)]"));
                input ??= parameterName; // it is the input features, only in the wrong format
                continue;
            }
            if (role == OperandRole.Unknown)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText,
                    "expected ComputeStream, CsrBuffer<T>, DenseBuffer<T> (or AcceleratorStream, CsrView<T>, DenseView<T>)"));
                // One mistake, one diagnostic: the refused parameter stands in for the operand its place holds (a `float[] x`
                // is the input written wrong), so no "missing operand" follows it.
                if (stream is null && i == 0) stream = parameterName;
                else if (sparse is null && i <= 1) sparse = parameterName;
                else if (input is null) input = parameterName;
                else output ??= parameterName;
                continue;
            }
            // A recognized operand with a fault still fills its slot below, so no "missing operand" follows.
            if (parameter.RefKind != RefKind.None || parameter.IsParams)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText,
                    "operands are passed by value; remove ref/in/out/params"));
            else if (DeclarationShape.IsNullableAnnotated(parameter))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedOperand, location, parameterName, typeText, DeclarationShape.NullableOperandFix));
            else if (form is not null && form != parameterForm)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OperandsDisagree, location, parameterName,
                    $"is a {(parameterForm == OperandForm.Views ? "view" : "buffer")} operand but an earlier one is a {(form == OperandForm.Views ? "view" : "buffer")}"));
            else if (parameterElement is not null && element is not null && !SymbolEqualityComparer.Default.Equals(element, parameterElement))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.OperandsDisagree, location, parameterName,
                    $"has element type '{parameterElement.ToDisplayString()}' but an earlier operand has '{element.ToDisplayString()}'"));
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
                    // Out of place but present: its operand is not also "missing".
                    if (role == OperandRole.Stream) stream ??= parameterName;
                    else if (role == OperandRole.Sparse) sparse ??= parameterName;
                    break;
            }
        }
        string name = syntax.Identifier.ValueText;
        var nameLocation = LocationInfo.From(syntax.Identifier);
        if (stream is null) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOperand, nameLocation, name, "stream (first parameter: ComputeStream or AcceleratorStream)", Signature));
        if (sparse is null) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOperand, nameLocation, name, "sparse adjacency (CsrBuffer<T> or CsrView<T>)", Signature));
        if (input is null) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOperand, nameLocation, name, "input features (DenseBuffer<T> or DenseView<T>)", Signature));
        if (output is null) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingOperand, nameLocation, name, "output (a second DenseBuffer<T> or DenseView<T>)", Signature));
        return new Operands(stream, sparse, input, output, form, element);
    }

    /// <summary>The reduce is a Reduce value, over a floating-point element type.</summary>
    private static void CheckReduce(Settings settings, Operands operands, string elementType, AttributeArguments arguments, List<DiagnosticInfo> diagnostics)
    {
        if (!Enum.IsDefined(typeof(ReduceKind), settings.Reduce))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReduceNotDefined, arguments.Location("Reduce"), Text(settings.Reduce),
                elementType, "it is not a Reduce value: use Reduce.Sum, Mean, Max or Min"));
        else if (operands.Element is not null && OperandClassifier.ElementKeyword(operands.Element) is null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ReduceNotDefined, arguments.Location("Reduce"), ((ReduceKind)settings.Reduce).ToString(),
                operands.Element.ToDisplayString(), "kernels accumulate in floating point: declare the operands with float or double"));
    }

    /// <summary>
    /// The schedule is one [SpMM] runs, fits the operands and reduce, and its plan parameters are given only to the schedules
    /// that take them and are in range. Returns the warps per block the plan uses (BlockSize, when given, decides it).
    /// </summary>
    private static int CheckSchedule(Settings settings, Operands operands, AttributeArguments arguments, List<DiagnosticInfo> diagnostics)
    {
        const string validSchedules = "Schedule.RowPerThread, Schedule.WarpPerRow, Schedule.DegreeSortedBlocks or Schedule.Auto";
        int schedule = settings.Schedule, warpsPerBlock = settings.WarpsPerBlock, maxEdgesPerWarp = settings.MaxEdgesPerWarp, blockSize = settings.BlockSize;
        bool degreeSorted = schedule == (int)ScheduleKind.DegreeSortedBlocks;
        bool auto = schedule == (int)ScheduleKind.Auto;
        var at = arguments.Location("Schedule");
        if (schedule is not ((int)ScheduleKind.RowPerThread or (int)ScheduleKind.WarpPerRow or (int)ScheduleKind.DegreeSortedBlocks or (int)ScheduleKind.Auto))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSchedule, at,
                Enum.IsDefined(typeof(ScheduleKind), schedule) ? ((ScheduleKind)schedule).ToString() : Text(schedule), validSchedules));
        else if (degreeSorted && operands.Form == OperandForm.Views)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSchedule, at, "DegreeSortedBlocks with views",
                "Schedule.WarpPerRow for view operands, or CsrBuffer/DenseBuffer operands (the plan is cached on the CsrBuffer)"));
        else if (degreeSorted && settings.Reduce is not ((int)ReduceKind.Sum or (int)ReduceKind.Mean))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSchedule, at, "DegreeSortedBlocks with Reduce." + ((ReduceKind)settings.Reduce),
                "Schedule.WarpPerRow for Max and Min (split rows are combined by addition), or Reduce.Sum / Reduce.Mean"));
        foreach (var parameter in new[] { "WarpsPerBlock", "MaxEdgesPerWarp", "BlockSize" })
            if (arguments.Has(parameter) && !degreeSorted && !auto)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScheduleParameter, arguments.Location(parameter), parameter,
                    Text(parameter == "WarpsPerBlock" ? warpsPerBlock : parameter == "MaxEdgesPerWarp" ? maxEdgesPerWarp : blockSize),
                    "it only applies to Schedule.DegreeSortedBlocks (or Auto); remove it or set that schedule"));
        if (!degreeSorted && !auto) return warpsPerBlock;
        if (warpsPerBlock is < 1 or > 32)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScheduleParameter, arguments.Location("WarpsPerBlock"), "WarpsPerBlock", Text(warpsPerBlock), "use 1..32 (default 12)"));
        if (maxEdgesPerWarp is < 1 or > 1024)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScheduleParameter, arguments.Location("MaxEdgesPerWarp"), "MaxEdgesPerWarp", Text(maxEdgesPerWarp), "use 1..1024 (default 32)"));
        if (!arguments.Has("BlockSize")) return warpsPerBlock;
        if (blockSize is < 32 or > 1024 || blockSize % 32 != 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScheduleParameter, arguments.Location("BlockSize"), "BlockSize", Text(blockSize),
                $"use a multiple of the warp size 32 in 32..1024, e.g. {Math.Min(1024, Math.Max(32, (blockSize + 31) / 32 * 32))}"));
        else if (arguments.Has("WarpsPerBlock") && warpsPerBlock != blockSize / 32)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidScheduleParameter, arguments.Location("BlockSize"), "BlockSize", Text(blockSize),
                $"it means {blockSize / 32} warps per block but WarpsPerBlock = {warpsPerBlock}; give one of them"));
        else warpsPerBlock = blockSize / 32;
        return warpsPerBlock;
    }

    /// <summary>Backward = true needs a linear reduce, no message, buffer operands, and the two names it adds free.</summary>
    private static void CheckBackward(IMethodSymbol method, Settings settings, Operands operands, AttributeArguments arguments, List<DiagnosticInfo> diagnostics)
    {
        string name = method.Name;
        string? why = settings.Reduce is not ((int)ReduceKind.Sum or (int)ReduceKind.Mean) && Enum.IsDefined(typeof(ReduceKind), settings.Reduce)
            ? $"Reduce.{(ReduceKind)settings.Reduce} is not linear in x (its gradient needs the arg-max of every output); use Reduce.Sum or Reduce.Mean"
            : settings.Message is not null ? "a message function is not known to be linear in the source; compute its gradient yourself or drop the message"
            : operands.Form == OperandForm.Views ? "the backward caches the adjoint CSR on a CsrBuffer; declare the buffer form (ComputeStream, CsrBuffer<T>, DenseBuffer<T>, DenseBuffer<T>)"
            : null;
        if (why is not null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BackwardNotAvailable, arguments.Location("Backward"), name, why));
        // The backward adds two members to the type; neither name may be taken.
        foreach (var added in new[] { method.Name + "Backward", method.Name + "__Adjoint" })
            if (DeclarationShape.NameTaken(method, added) is { } holder)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.CannotImplementHere, arguments.Location("Backward"), name,
                    $"Backward = true adds '{added}' to '{method.ContainingType.Name}', and {holder} already has that name; rename one of them"));
                break;
            }
    }
}
