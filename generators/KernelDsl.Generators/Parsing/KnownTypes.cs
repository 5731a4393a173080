namespace KernelDsl.Generators.Parsing;

/// <summary>Metadata names of the runtime types the parser recognizes.</summary>
internal static class KnownTypes
{
    public const string SpMMAttribute = "KernelDsl.SpMMAttribute";
    public const string MessageAttribute = "KernelDsl.MessageAttribute";
    public const string ComputeStream = "KernelDsl.Runtime.ComputeStream";
    public const string AcceleratorStream = "ILGPU.Runtime.AcceleratorStream";
    public const string CsrBuffer = "KernelDsl.CsrBuffer`1";
    public const string CsrView = "KernelDsl.CsrView`1";
    public const string DenseBuffer = "KernelDsl.DenseBuffer`1";
    public const string DenseView = "KernelDsl.DenseView`1";
    public const string CbsrBuffer = "KernelDsl.CbsrBuffer`2";
    public const string MaxKAttribute = "KernelDsl.MaxKAttribute";
    public const string MaxKBackwardAttribute = "KernelDsl.MaxKBackwardAttribute";
    public const string SpGemmAttribute = "KernelDsl.SpGemmAttribute";
    public const string SSpMMAttribute = "KernelDsl.SSpMMAttribute";
    public const string DynamicReLUAttribute = "KernelDsl.DynamicReLUAttribute";
    public const string DynamicReLUBackwardAttribute = "KernelDsl.DynamicReLUBackwardAttribute";
    public const string HeteroLayerAttribute = "KernelDsl.HeteroLayerAttribute";
    public const string RelationAttribute = "KernelDsl.RelationAttribute";
    public const string HeteroExecution = "KernelDsl.Hetero.HeteroExecution";
    public const string HeteroLayer = "KernelDsl.Hetero.HeteroLayer";
    public const string CsrMatrix = "KernelDsl.CsrMatrix`1";

    /// <summary>Every attribute that declares a kernel: a method carries at most one (KDSL1008).</summary>
    public static readonly System.Collections.Generic.HashSet<string> KernelAttributes = new(System.StringComparer.Ordinal)
    {
        SpMMAttribute, MaxKAttribute, MaxKBackwardAttribute, SpGemmAttribute, SSpMMAttribute, DynamicReLUAttribute,
        DynamicReLUBackwardAttribute, HeteroLayerAttribute,
    };
}
