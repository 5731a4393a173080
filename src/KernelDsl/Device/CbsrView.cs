using ILGPU;

namespace KernelDsl;

/// <summary>A CBSR operand as generated kernels take it: values and indices (Rows × K each) and the shape.</summary>
public readonly struct CbsrView<T, TIndex> where T : unmanaged where TIndex : unmanaged
{
    public CbsrView(ArrayView<T> values, ArrayView<TIndex> indices, int rows, int dim, int k)
    {
        Values = values;
        Indices = indices;
        Rows = rows;
        Dim = dim;
        K = k;
    }

    public readonly ArrayView<T> Values;
    public readonly ArrayView<TIndex> Indices;
    public readonly int Rows;
    public readonly int Dim;
    public readonly int K;
}
