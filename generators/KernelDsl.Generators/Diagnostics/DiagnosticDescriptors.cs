using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace KernelDsl.Generators.Diagnostics;

/// <summary>
/// Every diagnostic KernelDsl reports. IDs: KDSL1xxx declaration shape, KDSL2xxx formats,
/// KDSL3xxx schedules and launch, KDSL4xxx message/reduce functions, KDSL5xxx heterogeneous layers,
/// KDSL9xxx internal.
/// Each has a page docs/diagnostics/KDSLnnnn.md beside this project, shipped in the package under docs/diagnostics (tests
/// keep the pages, the package and the descriptors in step). The descriptors carry no help link: the project has no public
/// address to point at, and a link to one that does not exist is worse than none.
/// </summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "KernelDsl";

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor MethodMustBeStaticPartial = Error("KDSL1001",
        "Kernel declaration must be a static partial method without a body",
        "'{0}' must be declared 'static partial' without a body; KernelDsl generates the implementation. Write: {1} static partial void {0}(...);");

    public static readonly DiagnosticDescriptor ContainingTypeMustBePartial = Error("KDSL1002",
        "Containing type must be partial",
        "Type '{0}' contains the kernel declaration '{1}' and must be declared 'partial' so the generated code can extend it; add 'partial' to '{0}'");

    public static readonly DiagnosticDescriptor MissingOperand = Error("KDSL1003",
        "Kernel declaration is missing an operand",
        "'{0}' is missing its {1}; {2}");

    public static readonly DiagnosticDescriptor UnsupportedOperand = Error("KDSL1004",
        "Unsupported kernel parameter",
        "Parameter '{0}' of type '{1}' is not a supported operand here: {2}");

    public static readonly DiagnosticDescriptor MustReturnVoid = Error("KDSL1005",
        "Kernel declaration must return void",
        "'{0}' returns '{1}'; kernels write into their output operand, so declare it 'void'");

    public static readonly DiagnosticDescriptor GenericMethodNotSupported = Error("KDSL1006",
        "Kernel declaration cannot be generic",
        "'{0}' has type parameters; kernels are specialized at generation time, so declare one method per element type (float, double)");

    public static readonly DiagnosticDescriptor CannotImplementHere = Error("KDSL1007",
        "Kernel declaration cannot be implemented here",
        "'{0}' cannot be generated: {1}");

    public static readonly DiagnosticDescriptor SeveralKernelAttributes = Error("KDSL1008",
        "One kernel attribute per method",
        "'{0}' carries [{1}] and [{2}]; a method declares one kernel. Keep one attribute and declare the other kernel as its own method.");

    public static readonly DiagnosticDescriptor OperandsDisagree = Error("KDSL2001",
        "Operands disagree",
        "Parameter '{0}' {1}; all operands must use the same element type and the same form (buffers with ComputeStream, views with AcceleratorStream)");

    public static readonly DiagnosticDescriptor UnknownAdjacency = Error("KDSL2002",
        "Unknown adjacency kind",
        "'{0}' is not an Adjacency value; use Adjacency.Weighted or Adjacency.Pattern");

    public static readonly DiagnosticDescriptor KNotPositive = Error("KDSL2003",
        "K and Dim must be positive",
        "{0} = {1} must be at least 1: {2}");

    public static readonly DiagnosticDescriptor KLargerThanDim = Error("KDSL2004",
        "k is larger than dim",
        "K = {0} is larger than Dim = {1}; a row cannot keep more entries than it has columns. Use K <= Dim.");

    public static readonly DiagnosticDescriptor IndexTypeTooSmall = Error("KDSL2005",
        "CBSR index type too small for dim",
        "Dim = {0} needs column indices up to {1}, but '{2}' holds at most {3} columns; use CbsrBuffer<{4}, {5}>");

    public static readonly DiagnosticDescriptor InvalidSchedule = Error("KDSL3001",
        "Schedule is not valid for these operands",
        "Schedule '{0}' is not available for an [SpMM] over CSR x dense operands; use {1}");

    public static readonly DiagnosticDescriptor CbsrOperandNotTaken = Error("KDSL3002",
        "Schedule does not take a CBSR operand",
        "'{0}' is a CBSR operand, which {1} does not take; {2}");

    public static readonly DiagnosticDescriptor MissingBackward = Error("KDSL3003",
        "Training forward without its backward",
        "[SpGemm(Training = true)] '{0}' needs the matching backward in the same type: [SSpMM] static partial void {0}Backward(ComputeStream stream, CsrBuffer<{1}> a, DenseBuffer<{1}> dy, CbsrBuffer<{1}, {2}> x, CbsrBuffer<{1}, {2}> dx)");

    public static readonly DiagnosticDescriptor InvalidScheduleParameter = Error("KDSL3004",
        "Schedule parameter out of range",
        "{0} = {1} is not valid: {2}");

    public static readonly DiagnosticDescriptor BackwardNotAvailable = Error("KDSL3005",
        "Backward is not available for this declaration",
        "[SpMM(Backward = true)] on '{0}' is not available: {1}");

    public static readonly DiagnosticDescriptor MessageNotFound = Error("KDSL4001",
        "Message function not found or has the wrong signature",
        "Message '{0}' {1}; a message is a [Message] method of the same type with signature 'static {2} {0}({2} edge, {2} source)'");

    public static readonly DiagnosticDescriptor MessageNotStatic = Error("KDSL4002",
        "Message function must be static",
        "Message '{0}' is an instance method; make it 'static' (kernels cannot reach an instance)");

    public static readonly DiagnosticDescriptor MessageCapturesState = Error("KDSL4003",
        "Message function reads state",
        "Message '{0}' reads '{1}'; a message may use only its parameters, literals and constants. Pass the value as the edge weight or make it a const.");

    public static readonly DiagnosticDescriptor MessageAllocates = Error("KDSL4004",
        "Message function allocates",
        "Message '{0}' allocates ({1}); GPU kernels cannot allocate managed memory. Compute with value types only.");

    public static readonly DiagnosticDescriptor MessageCallsUnsupportedApi = Error("KDSL4005",
        "Message function calls an API ILGPU cannot compile",
        "Message '{0}' calls '{1}', which ILGPU cannot compile into a kernel; use arithmetic and System.Math/MathF functions ({2})");

    public static readonly DiagnosticDescriptor ReduceNotDefined = Error("KDSL4006",
        "Reduce is not defined for the element type",
        "Reduce '{0}' is not defined for element type '{1}'; {2}");

    public static readonly DiagnosticDescriptor MessageThrows = Error("KDSL4007",
        "Message function throws",
        "Message '{0}' throws; kernels cannot raise exceptions. Return a value (e.g. 0) for the invalid case instead.");

    public static readonly DiagnosticDescriptor MessageTooLarge = Error("KDSL4008",
        "Message expression too deep",
        "Message '{0}' nests {1} operations deep; KernelDsl inlines messages up to {2} levels. Split the sum into a loop-free helper with fewer terms, or factor repeated terms (e.g. 5000 * edge instead of edge + edge + ...).");

    public static readonly DiagnosticDescriptor UnknownNodeType = Error("KDSL5001",
        "Relation names an unknown node type",
        "Relation '{0}' names node type '{1}', which the [HeteroLayer] does not declare; declare it ([HeteroLayer({2})]) or use one of: {3}");

    public static readonly DiagnosticDescriptor DuplicateRelation = Error("KDSL5002",
        "Relation or node type listed twice",
        "{0} '{1}' is listed twice in heterogeneous layer '{2}'; {3}");

    public static readonly DiagnosticDescriptor DestinationWrittenTwice = Error("KDSL5003",
        "Destination written by several relations without a reduction",
        "Node type '{0}' is written by relations {1} but the layer declares Combine = HeteroCombine.None; declare Combine = HeteroCombine.Sum or HeteroCombine.Mean, or keep one relation per destination");

    public static readonly DiagnosticDescriptor StreamCountOutOfRange = Error("KDSL5004",
        "Stream count out of range",
        "Streams = {0} is not valid: a heterogeneous layer runs on 1 to {1} streams (HeteroExecution.MaxStreams); use a value in that range (the number of relations is a good choice)");

    public static readonly DiagnosticDescriptor HeteroLayerShape = Error("KDSL5005",
        "Heterogeneous layer declaration has the wrong form",
        "'{0}' {1}; a [HeteroLayer] is 'static partial HeteroLayer {0}(HeteroExecution execution, [Relation(\"source\", \"destination\")] CsrMatrix<float> relation, ...)'");

    public static readonly DiagnosticDescriptor GeneratorException = Error("KDSL9001",
        "KernelDsl generator failed on this declaration",
        "KernelDsl could not generate '{0}': {1}. No code was generated for this method; please report this with the declaration.");

    /// <summary>Every descriptor, by ID.</summary>
    public static IReadOnlyList<DiagnosticDescriptor> All { get; } = typeof(DiagnosticDescriptors)
        .GetFields()
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .OrderBy(d => d.Id, System.StringComparer.Ordinal)
        .ToArray();

    private static readonly Dictionary<string, DiagnosticDescriptor> ByIdMap = All.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => ByIdMap[id];
}
