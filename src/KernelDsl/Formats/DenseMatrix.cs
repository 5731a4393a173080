using System.Numerics;

namespace KernelDsl;

/// <summary>A dense row-major matrix on the host: element (i, j) is <c>Data[i * Columns + j]</c>.</summary>
public sealed class DenseMatrix<T> where T : unmanaged, INumber<T>
{
    /// <summary>A zero matrix.</summary>
    public DenseMatrix(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Rows = rows;
        Columns = columns;
        Data = new T[ArraySizes.HostElements(rows, columns, "dense matrix", nameof(rows))];
    }

    /// <summary>Wraps <paramref name="data"/> (row-major, length rows × columns) without copying.</summary>
    public DenseMatrix(int rows, int columns, T[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentNullException.ThrowIfNull(data);
        if (data.LongLength != (long)rows * columns)
            throw new ArgumentException($"data has {data.LongLength} elements but a {rows} x {columns} matrix needs {(long)rows * columns}.", nameof(data));
        Rows = rows;
        Columns = columns;
        Data = data;
    }

    public int Rows { get; }
    public int Columns { get; }

    /// <summary>The elements, row-major.</summary>
    public T[] Data { get; }

    public ref T this[int row, int column] => ref Data[(long)row * Columns + column];

    /// <summary>Row <paramref name="row"/> as a span.</summary>
    public Span<T> Row(int row) => Data.AsSpan(checked(row * Columns), Columns);

    /// <summary>A matrix of uniform random values in [-1, 1) from a seeded generator (reproducible).</summary>
    public static DenseMatrix<T> Random(int rows, int columns, int seed)
    {
        var rng = new Random(seed);
        var m = new DenseMatrix<T>(rows, columns);
        for (long i = 0; i < m.Data.LongLength; i++) m.Data[i] = T.CreateChecked(rng.NextDouble() * 2 - 1);
        return m;
    }
}
