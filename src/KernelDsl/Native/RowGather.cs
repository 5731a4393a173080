using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelDsl.Native;

/// <summary>
/// The outer-product SSpMM's edges of one row of A with that row's gradient dY[i] held in registers: for each edge
/// (i, j), acc[j, t] += a_ij · dY[i, idx[j, t]] over the k kept entries of j. Where <see cref="SparseRow.GatherAxpy{TIndex}"/>
/// loads k single floats from dY[i] per edge, this looks 16 of them up at once in the row's registers — up to 256 columns
/// in sixteen 512-bit registers, two of them per two-source permute (<c>vpermt2ps</c>, 32 entries), the halves, quarters
/// and eighths chosen by bits 5–7 of the column — and adds 16 products with one vector add. Each lane does what the
/// scalar loop does (a rounded product, then a rounded sum), so the result is the same bit for bit. Rows wider than
/// <see cref="MaxDim"/> or a machine without AVX-512 keep the scalar loop. Public for generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class RowGather
{
    /// <summary>The widest gradient row the registers hold (16 × 16 floats).</summary>
    public const int MaxDim = 256;

    /// <summary>For tests: false forces the scalar loop.</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>Whether <see cref="OuterRow{TIndex}"/> takes rows of width <paramref name="dim"/> with this index type on this machine.</summary>
    public static bool Supports<TIndex>(int dim) where TIndex : unmanaged, IBinaryInteger<TIndex> =>
        Enabled && dim <= MaxDim && Avx512F.IsSupported && Vector512.IsHardwareAccelerated
        && (typeof(TIndex) == typeof(byte) || typeof(TIndex) == typeof(ushort) || typeof(TIndex) == typeof(int));

    /// <summary>
    /// Edges start..end of one row of A: acc[j, t] += weight · dy[idx[j, t]] for each edge's column j (weights null: 1).
    /// The caller has checked <see cref="Supports{TIndex}"/>; every index is below <paramref name="dim"/> (CBSR's invariant).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void OuterRow<TIndex>(ref float dy, int dim, int start, int end, int[] columns, float[]? weights, TIndex[] indices, float[] acc, int k)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        // The row's pieces of 16 columns; columns past dim are 0 and never looked up.
        scoped ref float row = ref dy;
        Span<float> padded = (dim & 15) != 0 ? stackalloc float[MaxDim] : default;
        if ((dim & 15) != 0)
        {
            padded.Clear();
            MemoryMarshal.CreateReadOnlySpan(ref dy, dim).CopyTo(padded);
            row = ref MemoryMarshal.GetReference(padded);
        }
        int pieces = (dim + 15) >> 4;
        var d0 = Piece(ref row, pieces, 0);
        var d1 = Piece(ref row, pieces, 1);
        var d2 = Piece(ref row, pieces, 2);
        var d3 = Piece(ref row, pieces, 3);
        var d4 = Piece(ref row, pieces, 4);
        var d5 = Piece(ref row, pieces, 5);
        var d6 = Piece(ref row, pieces, 6);
        var d7 = Piece(ref row, pieces, 7);
        var d8 = Piece(ref row, pieces, 8);
        var d9 = Piece(ref row, pieces, 9);
        var d10 = Piece(ref row, pieces, 10);
        var d11 = Piece(ref row, pieces, 11);
        var d12 = Piece(ref row, pieces, 12);
        var d13 = Piece(ref row, pieces, 13);
        var d14 = Piece(ref row, pieces, 14);
        var d15 = Piece(ref row, pieces, 15);
        ref float acc0 = ref MemoryMarshal.GetArrayDataReference(acc);
        ref TIndex index0 = ref MemoryMarshal.GetArrayDataReference(indices);
        for (int e = start; e < end; e++)
        {
            if (e + Prefetch.Distance < end)
            {
                // The neighbour a few edges ahead: its accumulator row and indices are a random access, every line of them.
                nint ahead = (nint)columns[e + Prefetch.Distance] * k;
                Prefetch.ReadRange(ref Unsafe.Add(ref acc0, ahead), k);
                Prefetch.ReadRange(ref Unsafe.Add(ref index0, ahead), k);
            }
            float weight = weights is null ? 1f : weights[e];
            var w = Vector512.Create(weight);
            nint slot = (nint)columns[e] * k;
            ref float target = ref Unsafe.Add(ref acc0, slot);
            ref TIndex index = ref Unsafe.Add(ref index0, slot);
            int t = 0;
            for (; t + 16 <= k; t += 16)
            {
                var column = Columns(ref Unsafe.Add(ref index, t));
                var g = Lookup(column, pieces, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10, d11, d12, d13, d14, d15);
                (Vector512.LoadUnsafe(ref target, (nuint)t) + w * g).StoreUnsafe(ref target, (nuint)t);
            }
            for (; t < k; t++) Unsafe.Add(ref target, t) += weight * Unsafe.Add(ref row, int.CreateTruncating(Unsafe.Add(ref index, t)));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Piece(ref float row, int pieces, int p) =>
        p < pieces ? Vector512.LoadUnsafe(ref row, (nuint)(16 * p)) : Vector512<float>.Zero;

    /// <summary>16 columns as 32-bit lanes (zero-extended from byte or ushort).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<int> Columns<TIndex>(ref TIndex index) where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (typeof(TIndex) == typeof(byte)) return Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref Unsafe.As<TIndex, byte>(ref index)));
        if (typeof(TIndex) == typeof(ushort)) return Avx512F.ConvertToVector512Int32(Vector256.LoadUnsafe(ref Unsafe.As<TIndex, ushort>(ref index)));
        return Vector512.LoadUnsafe(ref Unsafe.As<TIndex, int>(ref index));
    }

    /// <summary>row[column] for 16 columns: a permute per 32 entries, then the halves chosen by bit 5, 6 and 7 of the column.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Lookup(Vector512<int> column, int pieces,
        Vector512<float> d0, Vector512<float> d1, Vector512<float> d2, Vector512<float> d3, Vector512<float> d4, Vector512<float> d5,
        Vector512<float> d6, Vector512<float> d7, Vector512<float> d8, Vector512<float> d9, Vector512<float> d10, Vector512<float> d11,
        Vector512<float> d12, Vector512<float> d13, Vector512<float> d14, Vector512<float> d15)
    {
        var p0 = Avx512F.PermuteVar16x32x2(d0, column, d1);
        if (pieces <= 2) return p0;
        var bit5 = Bit(column, 32);
        var q0 = Vector512.ConditionalSelect(bit5, Avx512F.PermuteVar16x32x2(d2, column, d3), p0);
        if (pieces <= 4) return q0;
        var bit6 = Bit(column, 64);
        var q1 = Vector512.ConditionalSelect(bit5, Avx512F.PermuteVar16x32x2(d6, column, d7), Avx512F.PermuteVar16x32x2(d4, column, d5));
        var r0 = Vector512.ConditionalSelect(bit6, q1, q0);
        if (pieces <= 8) return r0;
        var q2 = Vector512.ConditionalSelect(bit5, Avx512F.PermuteVar16x32x2(d10, column, d11), Avx512F.PermuteVar16x32x2(d8, column, d9));
        var q3 = Vector512.ConditionalSelect(bit5, Avx512F.PermuteVar16x32x2(d14, column, d15), Avx512F.PermuteVar16x32x2(d12, column, d13));
        var r1 = Vector512.ConditionalSelect(bit6, q3, q2);
        return Vector512.ConditionalSelect(Bit(column, 128), r1, r0);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Bit(Vector512<int> column, int bit) =>
        Vector512.Equals(column & Vector512.Create(bit), Vector512.Create(bit)).AsSingle();
}
