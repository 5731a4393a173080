using System.ComponentModel;
using ILGPU;

namespace KernelDsl;

/// <summary>The device form of <see cref="RowChunks"/>, as kernels take it.</summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public readonly struct RowChunkView
{
    public RowChunkView(ArrayView<int> rows, ArrayView<int> starts, ArrayView<int> ends, ArrayView<int> soleChunk, int count)
    {
        Rows = rows;
        Starts = starts;
        Ends = ends;
        SoleChunk = soleChunk;
        Count = count;
    }

    public readonly ArrayView<int> Rows;
    public readonly ArrayView<int> Starts;
    public readonly ArrayView<int> Ends;
    public readonly ArrayView<int> SoleChunk;
    public readonly int Count;
}
