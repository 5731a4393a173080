using ILGPU;

namespace KernelDsl;

/// <summary>
/// The CSR operand as generated kernels take it: ILGPU views of the device arrays plus the shape.
/// For a pattern matrix <see cref="Values"/> is an empty view.
/// </summary>
public readonly struct CsrView<T> where T : unmanaged
{
    public CsrView(ArrayView<int> rowOffsets, ArrayView<int> columns, ArrayView<T> values, int rows, int columnCount)
    {
        RowOffsets = rowOffsets;
        ColumnIndices = columns;
        Values = values;
        Rows = rows;
        ColumnCount = columnCount;
    }

    /// <summary>Row offsets, length <see cref="Rows"/> + 1.</summary>
    public readonly ArrayView<int> RowOffsets;
    /// <summary>Column index of each stored entry.</summary>
    public readonly ArrayView<int> ColumnIndices;
    /// <summary>Value of each stored entry (empty for a pattern matrix).</summary>
    public readonly ArrayView<T> Values;
    /// <summary>Number of rows.</summary>
    public readonly int Rows;
    /// <summary>Number of columns.</summary>
    public readonly int ColumnCount;
}
