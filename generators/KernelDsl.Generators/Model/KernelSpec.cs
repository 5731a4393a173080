namespace KernelDsl.Generators.Model;

/// <summary>Reduce values, mirroring KernelDsl.Reduce.</summary>
internal enum ReduceKind { Sum = 0, Mean = 1, Max = 2, Min = 3 }

/// <summary>Schedule values, mirroring KernelDsl.Schedule.</summary>
internal enum ScheduleKind { RowPerThread = 0, WarpPerRow = 1, RowProductSharedAccumulator = 2, TransposeGather = 3, OuterProduct = 4, DegreeSortedBlocks = 5, Auto = 6 }

/// <summary>Adjacency values, mirroring KernelDsl.Adjacency.</summary>
internal enum AdjacencyKind { Weighted = 0, Pattern = 1 }

/// <summary>Which parameter list the declaration uses.</summary>
internal enum OperandForm
{
    /// <summary>(ComputeStream, CsrBuffer, DenseBuffer, DenseBuffer): any backend.</summary>
    Buffers,
    /// <summary>(AcceleratorStream, CsrView, DenseView, DenseView): ILGPU only.</summary>
    Views,
}

/// <summary>A containing type, as needed to re-open it: keyword ("class", "record struct", …), name with type parameters, static or not.</summary>
internal sealed record ContainingType(string Keyword, string NameWithTypeParameters, bool IsStatic);

/// <summary>The user's message function.</summary>
/// <param name="CallTarget">Fully qualified method to call, e.g. global::Demo.Kernels.Gated.</param>
/// <param name="Body">Its body as an expression tree, or null when it is not a single expression (then it is called).</param>
/// <param name="ElementTyped">True when every operation of the body computes in the element type, so the SIMD path
/// (which computes in the element type throughout) is the same function as the scalar one.</param>
internal sealed record MessageSpec(string CallTarget, MessageExpr? Body, bool ElementTyped = true);

/// <summary>What every generated declaration shares: where it lives.</summary>
internal interface IDeclaration
{
    string Namespace { get; }
    EquatableArray<ContainingType> ContainingTypes { get; }
    string MethodName { get; }
    string DeclarationName { get; }

    /// <summary>The attribute that declared it, e.g. "SpMM".</summary>
    string AttributeName { get; }
}

/// <summary>The modifiers of the implementing half of a declaration, as the user wrote them.</summary>
internal static class Modifiers
{
    /// <summary>Accessibility and the other modifiers (unsafe, new) of the user's declaration, then "static partial ".</summary>
    public static string OfImplementation(string accessibility, string extra) =>
        (accessibility.Length > 0 ? accessibility + " " : "") + (extra.Length > 0 ? extra + " " : "") + "static partial ";
}

/// <summary>Everything the emitters need to generate one [SpMM] declaration. Plain data only.</summary>
internal sealed record SpMMSpec(
    string Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string MethodName,
    string Accessibility,
    OperandForm Form,
    string StreamParameter,
    string AdjacencyParameter,
    string InputParameter,
    string OutputParameter,
    string ElementType,
    ReduceKind Reduce,
    ScheduleKind Schedule,
    AdjacencyKind Adjacency,
    MessageSpec? Message,
    int WarpsPerBlock = 0,
    int MaxEdgesPerWarp = 0,
    bool Backward = false,
    string ExtraModifiers = "") : IDeclaration
{
    public string AttributeName => "SpMM";

    /// <summary>Namespace.Type.Method, for kernel keys and docs.</summary>
    public string DeclarationName => Declarations.Name(this);
}

internal static class Declarations
{
    /// <summary>Namespace.Type.Method, as a name rather than code: without the '@' of escaped keywords.</summary>
    public static string Name(IDeclaration d)
    {
        var parts = new System.Collections.Generic.List<string>();
        if (d.Namespace.Length > 0) parts.Add(d.Namespace);
        foreach (var t in d.ContainingTypes) parts.Add(t.NameWithTypeParameters);
        parts.Add(d.MethodName);
        return string.Join(".", parts).Replace("@", "");
    }
}

/// <summary>The MaxK-GNN family of kernels.</summary>
internal enum CbsrKernelKind { MaxK, MaxKBackward, SpGemm, SSpMM, DynamicReLU, DynamicReLUBackward }

/// <summary>
/// The operand names of a MaxK-family declaration by role; a role the kind does not take is null. Per kind (parameter
/// order after the stream): MaxK / DynamicReLU (DenseInput x, CbsrOutput y); MaxKBackward (CbsrInput dy, DenseOutput dx);
/// DynamicReLUBackward (ForwardOutput y, CbsrInput dy, DenseOutput dx); SpGemm (Adjacency a, CbsrInput x, DenseOutput y);
/// SSpMM (Adjacency a, DenseInput dy, CbsrInput x, CbsrOutput dx).
/// </summary>
internal sealed record CbsrOperands(
    string Stream,
    string? Adjacency = null,
    string? DenseInput = null,
    string? DenseOutput = null,
    string? CbsrInput = null,
    string? CbsrOutput = null,
    string? ForwardOutput = null);

/// <summary>Everything the emitters need for one MaxK-family declaration.</summary>
internal sealed record CbsrKernelSpec(
    string Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string MethodName,
    string Accessibility,
    CbsrKernelKind Kind,
    ScheduleKind Schedule,
    CbsrOperands Operands,
    string ElementType,
    string IndexType,
    AdjacencyKind Adjacency,
    int DeclaredK,
    int DeclaredDim,
    int MaxEdgesPerWarp,
    string ExtraModifiers = "") : IDeclaration
{
    public string AttributeName => Kind.ToString();

    public string DeclarationName => Declarations.Name(this);
}

/// <summary>HeteroCombine values, mirroring KernelDsl.HeteroCombine.</summary>
internal enum CombineKind { Sum = 0, Mean = 1, None = 2 }

/// <summary>One relation parameter of a [HeteroLayer] declaration.</summary>
internal sealed record HeteroRelationSpec(string Name, string Parameter, string Source, string Destination);

/// <summary>
/// Everything the emitters need for one [HeteroLayer] declaration. <see cref="MemberStem"/> names the members the layer
/// adds to the user's type: the method name, plus "_" and the relation count when [HeteroLayer] overloads share the name.
/// </summary>
internal sealed record HeteroLayerSpec(
    string Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string MethodName,
    string Accessibility,
    string ExecutionParameter,
    EquatableArray<string> NodeTypes,
    EquatableArray<HeteroRelationSpec> Relations,
    int K,
    int Dim,
    CombineKind Combine,
    int Streams,
    int MaxEdgesPerWarp,
    string IndexType,
    string ExtraModifiers = "",
    string MemberStem = "") : IDeclaration
{
    public string AttributeName => "HeteroLayer";

    public string DeclarationName => Declarations.Name(this);
}

