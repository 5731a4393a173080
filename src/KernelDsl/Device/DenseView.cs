using ILGPU;

namespace KernelDsl;

/// <summary>A dense row-major matrix as generated kernels take it: element (i, j) is <c>Data[i * Columns + j]</c>.</summary>
public readonly struct DenseView<T> where T : unmanaged
{
    public DenseView(ArrayView<T> data, int rows, int columns)
    {
        Data = data;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>The elements, row-major.</summary>
    public readonly ArrayView<T> Data;
    /// <summary>Number of rows.</summary>
    public readonly int Rows;
    /// <summary>Number of columns (the feature width).</summary>
    public readonly int Columns;
}
