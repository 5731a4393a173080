namespace KernelDsl;

/// <summary>
/// Declares a generalized sparse × dense product on a <c>static partial void</c> method:
/// <c>y[i,:] = ⊕_{j ∈ N(i)} m(a_ij, x[j,:])</c>. The source generator supplies the body: an
/// ILGPU kernel for GPUs, a native multi-threaded SIMD implementation for the CPU, input
/// validation and dispatch.
/// </summary>
/// <remarks>
/// Two parameter lists are accepted:
/// <list type="bullet">
/// <item><c>(ComputeStream stream, CsrBuffer&lt;T&gt; a, DenseBuffer&lt;T&gt; x, DenseBuffer&lt;T&gt; y)</c>:
/// portable; runs on whatever backend the stream belongs to (CUDA, OpenCL, ILGPU CPU or native CPU).</item>
/// <item><c>(AcceleratorStream stream, CsrView&lt;T&gt; a, DenseView&lt;T&gt; x, DenseView&lt;T&gt; y)</c>:
/// ILGPU only; launches the kernel on the given ILGPU stream.</item>
/// </list>
/// <c>T</c> is <see cref="float"/> or <see cref="double"/>.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SpMMAttribute : Attribute
{
    /// <summary>The reduction ⊕. Default <see cref="KernelDsl.Reduce.Sum"/>.</summary>
    public Reduce Reduce { get; set; } = Reduce.Sum;

    /// <summary>The GPU schedule. Default <see cref="KernelDsl.Schedule.WarpPerRow"/>.</summary>
    public Schedule Schedule { get; set; } = Schedule.WarpPerRow;

    /// <summary>Weighted (values used) or pattern (values ignored) adjacency.</summary>
    public Adjacency Adjacency { get; set; } = Adjacency.Weighted;

    /// <summary>
    /// Name of a <see cref="MessageAttribute"/> method of the same type, <c>static T M(T edge, T source)</c>,
    /// inlined into the kernels in place of the default message. Use <c>nameof(M)</c>.
    /// </summary>
    public string? Message { get; set; }

    /// <summary>DegreeSortedBlocks: logical warps per block (1..32). Default 12, as in Accel-GCN.</summary>
    public int WarpsPerBlock { get; set; } = 12;

    /// <summary>DegreeSortedBlocks: edges one warp reduces at most (1..1024). Default 32.</summary>
    public int MaxEdgesPerWarp { get; set; } = 32;

    /// <summary>
    /// DegreeSortedBlocks: threads per block as a GPU sees it; when set it must be a multiple of the
    /// warp size 32 (32..1024) and sets <see cref="WarpsPerBlock"/> = BlockSize / 32. 0 = not set.
    /// </summary>
    public int BlockSize { get; set; }

    /// <summary>
    /// Also generate <c>{Method}Backward(ComputeStream stream, CsrBuffer&lt;T&gt; a, DenseBuffer&lt;T&gt; dy, DenseBuffer&lt;T&gt; dx)</c>:
    /// the gradient with respect to the dense input, <c>dx = Aᵀ-product of dy</c> (scaled by 1 / deg for Mean),
    /// run as a Sum over the adjoint CSR the runtime builds once and caches on <c>a</c>
    /// (<see cref="CsrBuffer{T}.Adjoint"/>). For Sum and Mean without a message, buffer operands (KDSL3005 otherwise).
    /// </summary>
    public bool Backward { get; set; }
}
