using System.Buffers;
using System.ComponentModel;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelDsl.Native;

/// <summary>
/// The row-wise SpGEMM's output row in registers, for rows of 33–64 columns (DR-CircuitGNN's dim 64, k 16): y[i, :] = Σ over the
/// edges (i, j) of a_ij · x[j, :], where x[j] keeps k entries at distinct columns (CBSR). Where
/// <see cref="SparseRow.ScatterAxpy{TIndex}"/> adds k single floats into the row in memory per edge (a load, an add and a
/// store each), this keeps the whole output row — up to 64 columns — in four 512-bit registers and adds each edge with
/// one permute and one add per 16 columns: a slot table built once per call says, for each row j and column c, which of
/// j's k entries sits at c (or none), and a permute by it moves j's (weighted) values to their columns. Each lane does
/// what the scalar loop does for its column (a rounded product, then a rounded sum, edges in order; columns an edge
/// does not reach are left as they are), so the result is the same bit for bit. Other rows (see <see cref="Supports{TIndex}"/>)
/// or a machine without AVX-512 keep the scalar loop: at dim 256 the dim/16 permutes per edge cost more than k scatters
/// (measured 1.4–2.3× slower at k 16 and 32). The edge loop makes no call (the last rows' values go through a padded
/// copy): any call would spill the four accumulators around it, which cost half the speed. Public for generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class RowScatter
{
    /// <summary>The widest output row the registers hold (4 × 16 floats); also the slot table's bytes per row.</summary>
    public const int MaxDim = 64;

    /// <summary>The most kept entries a row may have (two registers of values, one two-source permute).</summary>
    public const int MaxK = 32;

    /// <summary>A slot table's entry for a column the row does not keep (above every slot, so no lane takes it).</summary>
    private const byte Absent = 0xFF;

    /// <summary>For tests: false forces the scalar loop.</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>The narrowest rows it takes (three or four pieces; at 32 columns it lost on soc-slashdot0902).</summary>
    public const int MinDim = 33;

    /// <summary>The fewest kept entries it takes: below, k scatters cost about what four permutes do.</summary>
    public const int MinK = 8;

    /// <summary>
    /// Whether <see cref="Row"/> takes rows of width <paramref name="dim"/> keeping <paramref name="k"/> entries with this
    /// index type on this machine: dims 33–64 with k 8–32. Measured from the public API on soc-slashdot0902, ca-AstroPh
    /// and soc-brightkite (2 threads, alternated with the scalar scatter): 1.3–2.7× faster at dim 64 with k 8, 16 and 32
    /// and at dim 48 with k 16; at dim 32, k 8 1.25× faster on ca-AstroPh but 1.7–2× slower on soc-slashdot0902, and at
    /// dim 16, k 4 within ±15 %, so narrower rows keep the scatter.
    /// </summary>
    public static bool Supports<TIndex>(int dim, int k) where TIndex : unmanaged, IBinaryInteger<TIndex> =>
        Enabled && dim >= MinDim && dim <= MaxDim && k >= MinK && k <= MaxK && Avx512F.IsSupported && Vector512.IsHardwareAccelerated
        && (typeof(TIndex) == typeof(byte) || typeof(TIndex) == typeof(ushort) || typeof(TIndex) == typeof(int));

    /// <summary>
    /// The slot table of <paramref name="rows"/> CBSR rows (k kept columns each, every one below <see cref="MaxDim"/>):
    /// <see cref="MaxDim"/> bytes per row, byte c of row j the position t of column c among j's kept entries, else
    /// <c>0xFF</c>. Built on up to <paramref name="parallelism"/> threads into a pooled array; give it back with
    /// <see cref="ReturnSlots"/>.
    /// </summary>
    public static byte[] RentSlots<TIndex>(TIndex[] indices, int rows, int k, int parallelism) where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (k < 1 || k > MaxK) throw new ArgumentOutOfRangeException(nameof(k), k, $"a slot table takes rows keeping 1..{MaxK} entries.");
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        if ((long)rows * k > indices.Length) throw new ArgumentException($"{rows} rows of {k} need {(long)rows * k} indices; the array holds {indices.Length}.", nameof(indices));
        var slots = ArrayPool<byte>.Shared.Rent(Math.Max(1, rows * MaxDim));
        int blocks = Math.Max(1, Math.Min(rows, parallelism * RowPartition.BlocksPerWorker));
        void Build(int block)
        {
            int first = (int)((long)rows * block / blocks), last = (int)((long)rows * (block + 1) / blocks);
            ref byte table = ref MemoryMarshal.GetArrayDataReference(slots);
            ref TIndex index = ref MemoryMarshal.GetArrayDataReference(indices);
            var absent = Vector512.Create(Absent);
            for (int j = first; j < last; j++)
            {
                ref byte row = ref Unsafe.Add(ref table, (nint)j * MaxDim);
                absent.StoreUnsafe(ref row);
                ref TIndex kept = ref Unsafe.Add(ref index, (nint)j * k);
                for (int t = 0; t < k; t++) Unsafe.Add(ref row, int.CreateTruncating(Unsafe.Add(ref kept, t))) = (byte)t;
            }
        }
        if (blocks == 1 || parallelism <= 1) for (int b = 0; b < blocks; b++) Build(b);
        else Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, Build);
        return slots;
    }

    /// <summary>Gives a table from <see cref="RentSlots{TIndex}"/> back to the pool.</summary>
    public static void ReturnSlots(byte[] slots) => ArrayPool<byte>.Shared.Return(slots);

    /// <summary>
    /// Output row <paramref name="row"/>: y[row, :] = Σ over its edges of weight · x[j, :] (weights null: 1), written
    /// whole (dim columns) at <paramref name="output"/> + row · dim. The caller has checked <see cref="Supports{TIndex}"/>
    /// and built <paramref name="slots"/> from x's indices.
    /// </summary>
    public static void Row(int row, int[] rowOffsets, int[] columns, float[]? weights, float[] values, byte[] slots, ref float output, int dim, int k)
    {
        if (k <= 16) Edges<OneRegister>(row, rowOffsets, columns, weights, values, slots, ref output, dim, k);
        else Edges<TwoRegisters>(row, rowOffsets, columns, weights, values, slots, ref output, dim, k);
    }

    /// <summary>Whether a row's k values take one register or two (a type, so each loop is compiled for one).</summary>
    private interface IValueRegisters { static abstract bool Two { get; } }

    private struct OneRegister : IValueRegisters { public static bool Two => false; }

    private struct TwoRegisters : IValueRegisters { public static bool Two => true; }

    /// <summary>The edge loop with the four accumulators in registers (every piece added: columns past dim are absent).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Edges<TValues>(int row, int[] rowOffsets, int[] columns, float[]? weights, float[] values, byte[] slots, ref float output, int dim, int k)
        where TValues : struct, IValueRegisters
    {
        var a0 = Vector512<float>.Zero;
        var a1 = Vector512<float>.Zero;
        var a2 = Vector512<float>.Zero;
        var a3 = Vector512<float>.Zero;
        var kept = Vector512.Create(k);
        ref float value0 = ref MemoryMarshal.GetArrayDataReference(values);
        ref byte slot0 = ref MemoryMarshal.GetArrayDataReference(slots);
        long safe = values.Length - (TValues.Two ? 32 : 16); // rows from which whole registers stay inside the array
        ref float tail = ref MemoryMarshal.GetReference(stackalloc float[2 * 16]);
        int end = rowOffsets[row + 1];
        for (int e = rowOffsets[row]; e < end; e++)
        {
            if (e + Prefetch.Distance < end)
            {
                // The neighbour a few edges ahead: its values and its slots are a random access.
                int ahead = columns[e + Prefetch.Distance];
                Prefetch.ReadRange(ref Unsafe.Add(ref value0, (nint)ahead * k), k);
                Prefetch.ReadRange(ref Unsafe.Add(ref slot0, (nint)ahead * MaxDim), MaxDim);
            }
            int j = columns[e];
            long at = (long)j * k;
            Vector512<float> p0, p1 = default;
            if (at <= safe)
            {
                p0 = Vector512.LoadUnsafe(ref value0, (nuint)at);
                if (TValues.Two) p1 = Vector512.LoadUnsafe(ref value0, (nuint)at + 16);
            }
            else
            {
                // One of the last rows: its k values through a zero-padded copy (no call in the loop, which would
                // push the accumulators out of their registers around it).
                for (int t = 0; t < 2 * 16; t++) Unsafe.Add(ref tail, t) = t < k ? Unsafe.Add(ref value0, (nint)(at + t)) : 0f;
                p0 = Vector512.LoadUnsafe(ref tail);
                if (TValues.Two) p1 = Vector512.LoadUnsafe(ref tail, 16);
            }
            if (weights is not null)
            {
                var weight = Vector512.Create(weights[e]);
                p0 *= weight;
                if (TValues.Two) p1 *= weight;
            }
            var table = Vector512.LoadUnsafe(ref slot0, (nuint)j * MaxDim);
            a0 = Add<TValues>(a0, table.GetLower().GetLower(), p0, p1, kept);
            a1 = Add<TValues>(a1, table.GetLower().GetUpper(), p0, p1, kept);
            a2 = Add<TValues>(a2, table.GetUpper().GetLower(), p0, p1, kept);
            a3 = Add<TValues>(a3, table.GetUpper().GetUpper(), p0, p1, kept);
        }
        ref float y = ref Unsafe.Add(ref output, (nint)row * dim);
        if (dim == MaxDim)
        {
            a0.StoreUnsafe(ref y);
            a1.StoreUnsafe(ref y, 16);
            a2.StoreUnsafe(ref y, 32);
            a3.StoreUnsafe(ref y, 48);
        }
        else Store(a0, a1, a2, a3, ref y, dim);
    }

    /// <summary>The first <paramref name="dim"/> columns of the four pieces (a row narrower than 64).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Store(Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, ref float y, int dim)
    {
        Span<float> whole = stackalloc float[MaxDim];
        a0.CopyTo(whole);
        a1.CopyTo(whole[16..]);
        a2.CopyTo(whole[32..]);
        a3.CopyTo(whole[48..]);
        whole[..dim].CopyTo(MemoryMarshal.CreateSpan(ref y, dim));
    }

    /// <summary>16 columns: each lane whose column the edge's row keeps adds that entry (slot &lt; k), the others stay.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Add<TValues>(Vector512<float> acc, Vector128<byte> slots, Vector512<float> p0, Vector512<float> p1, Vector512<int> kept)
        where TValues : struct, IValueRegisters
    {
        var slot = Avx512F.ConvertToVector512Int32(slots);
        var entry = TValues.Two ? Avx512F.PermuteVar16x32x2(p0, slot, p1) : Avx512F.PermuteVar16x32(p0, slot);
        return Vector512.ConditionalSelect(Vector512.LessThan(slot, kept).AsSingle(), acc + entry, acc);
    }
}
