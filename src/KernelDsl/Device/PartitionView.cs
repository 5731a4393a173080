using System.ComponentModel;
using System.Numerics;

namespace KernelDsl;

/// <summary>The device form of a <see cref="DegreeSortedPartition"/>, as kernels take it.</summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public readonly struct PartitionView
{
    public PartitionView(ILGPU.ArrayView<int> permutation, ILGPU.ArrayView<int> firstRow, ILGPU.ArrayView<int> rowCount,
        ILGPU.ArrayView<int> warpsPerRow, ILGPU.ArrayView<int> edgesPerWarp, ILGPU.ArrayView<int> segmentStart,
        ILGPU.ArrayView<int> segmentLength, int blocks, int warpsPerBlock)
    {
        Permutation = permutation;
        FirstRow = firstRow;
        RowCount = rowCount;
        WarpsPerRow = warpsPerRow;
        EdgesPerWarp = edgesPerWarp;
        SegmentStart = segmentStart;
        SegmentLength = segmentLength;
        Blocks = blocks;
        WarpsPerBlock = warpsPerBlock;
    }

    public readonly ILGPU.ArrayView<int> Permutation;
    public readonly ILGPU.ArrayView<int> FirstRow;
    public readonly ILGPU.ArrayView<int> RowCount;
    public readonly ILGPU.ArrayView<int> WarpsPerRow;
    public readonly ILGPU.ArrayView<int> EdgesPerWarp;
    public readonly ILGPU.ArrayView<int> SegmentStart;
    public readonly ILGPU.ArrayView<int> SegmentLength;
    public readonly int Blocks;
    public readonly int WarpsPerBlock;
}
