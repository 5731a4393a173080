using System.Numerics;

namespace KernelDsl;

/// <summary>
/// Compressed Balanced Sparse Row (MaxK-GNN): each of <see cref="Rows"/> rows of width
/// <see cref="Dim"/> keeps exactly <see cref="K"/> entries, stored row-major as K values and K
/// column indices; row i's entries are <c>[i·K, (i+1)·K)</c>, so no row offsets are needed.
/// Columns are distinct within a row and, when produced by MaxK, ascending.
/// </summary>
/// <typeparam name="T">Value type.</typeparam>
/// <typeparam name="TIndex">Column index type: byte for dim ≤ 256, ushort up to 65 536, else int (<see cref="Cbsr.IndexTypeFor"/>).</typeparam>
public sealed class CbsrMatrix<T, TIndex>
    where T : unmanaged, INumber<T>
    where TIndex : unmanaged, IBinaryInteger<TIndex>
{
    /// <summary>Wraps arrays without copying; call <see cref="Validate"/> to check them.</summary>
    public CbsrMatrix(int rows, int dim, int k, T[] values, TIndex[] indices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(dim);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        Rows = rows;
        Dim = dim;
        K = k;
        Values = values ?? throw new ArgumentNullException(nameof(values));
        Indices = indices ?? throw new ArgumentNullException(nameof(indices));
    }

    /// <summary>An all-zero CBSR matrix whose rows keep columns 0..k-1.</summary>
    public CbsrMatrix(int rows, int dim, int k) : this(rows, dim, k, new T[ArraySizes.HostElements(rows, k, "CBSR matrix (rows x k)", nameof(rows))], FirstColumns(rows, k)) { }

    public int Rows { get; }
    public int Dim { get; }
    public int K { get; }

    /// <summary>Kept values, row-major, Rows × K.</summary>
    public T[] Values { get; }

    /// <summary>Column of each kept value, row-major, Rows × K.</summary>
    public TIndex[] Indices { get; }

    /// <summary>Checks lengths, k ≤ dim, the index type's range and that columns are in range and distinct within each row.</summary>
    public void Validate(string? paramName = null)
    {
        if (K < 1 && Rows > 0) throw new ArgumentException($"k is {K}; a CBSR matrix keeps at least one entry per row.", paramName);
        if (K > Dim) throw new ArgumentException($"k = {K} is larger than dim = {Dim}; a row cannot keep more entries than it has columns.", paramName);
        Cbsr.CheckIndexType<TIndex>(Dim, paramName);
        long expected = (long)Rows * K;
        if (Values.LongLength != expected)
            throw new ArgumentException($"Values has {Values.LongLength} entries but {Rows} rows × k = {K} need {expected}.", paramName);
        if (Indices.LongLength != expected)
            throw new ArgumentException($"Indices has {Indices.LongLength} entries but {Rows} rows × k = {K} need {expected}.", paramName);
        var seen = new int[Dim];
        int stamp = 0;
        for (int r = 0; r < Rows; r++)
        {
            stamp++;
            for (int t = 0; t < K; t++)
            {
                int c = int.CreateTruncating(Indices[(long)r * K + t]);
                if ((uint)c >= (uint)Dim)
                    throw new ArgumentException($"Indices[{(long)r * K + t}] (row {r}, entry {t}) = {c} is outside [0, {Dim}).", paramName);
                if (seen[c] == stamp)
                    throw new ArgumentException($"row {r} keeps column {c} twice; the k columns of a row must be distinct.", paramName);
                seen[c] = stamp;
            }
        }
    }

    /// <summary>The dense Rows × Dim matrix with the kept values in place and zeros elsewhere.</summary>
    public DenseMatrix<T> ToDense()
    {
        var d = new DenseMatrix<T>(Rows, Dim);
        for (int r = 0; r < Rows; r++)
            for (int t = 0; t < K; t++)
                d[r, int.CreateTruncating(Indices[(long)r * K + t])] = Values[(long)r * K + t];
        return d;
    }

    private static TIndex[] FirstColumns(int rows, int k)
    {
        var indices = new TIndex[ArraySizes.HostElements(rows, k, "CBSR matrix (rows x k)", nameof(rows))];
        for (long i = 0; i < indices.LongLength; i++) indices[i] = TIndex.CreateTruncating(i % Math.Max(1, k));
        return indices;
    }
}

/// <summary>CBSR helpers: index type choice and checks.</summary>
public static class Cbsr
{
    /// <summary>The C# keyword of an index type (byte, ushort, int …), as users write it.</summary>
    public static string Keyword(Type type) =>
        type == typeof(byte) ? "byte" : type == typeof(ushort) ? "ushort" : type == typeof(int) ? "int" : type == typeof(sbyte) ? "sbyte"
        : type == typeof(short) ? "short" : type == typeof(uint) ? "uint" : type == typeof(long) ? "long" : type == typeof(ulong) ? "ulong" : type.Name;

    /// <summary>The smallest index type for rows of width <paramref name="dim"/>: byte (≤ 256), ushort (≤ 65 536), else int.</summary>
    public static Type IndexTypeFor(int dim) => dim <= 256 ? typeof(byte) : dim <= 65536 ? typeof(ushort) : typeof(int);

    /// <summary>The widest dim <typeparamref name="TIndex"/> can index.</summary>
    public static long MaxDim<TIndex>() where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        // A dim is an int: types that hold every int (long, uint, ulong …) index every dim (long's own maximum + 1 would wrap).
        long largest = long.CreateSaturating(TIndex.CreateSaturating(long.MaxValue));
        return largest >= int.MaxValue ? (long)int.MaxValue + 1 : largest + 1;
    }

    /// <summary>Throws when <typeparamref name="TIndex"/> cannot index columns 0..dim-1.</summary>
    public static void CheckIndexType<TIndex>(int dim, string? paramName) where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (dim > MaxDim<TIndex>())
            throw new ArgumentException($"dim = {dim} needs column indices up to {dim - 1}, more than {Keyword(typeof(TIndex))} holds (max dim {MaxDim<TIndex>()}); use {Keyword(IndexTypeFor(dim))}.", paramName);
    }
}
