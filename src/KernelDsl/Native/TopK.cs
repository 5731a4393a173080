using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace KernelDsl.Native;

/// <summary>The SIMD width a native kernel computes with; tests force each one so every path runs on any machine.</summary>
public enum SimdWidth
{
    /// <summary>One lane: plain scalar code.</summary>
    Scalar = 1,

    /// <summary>256-bit vectors (AVX2): 8 lanes of 32 bits.</summary>
    Vector256 = 8,

    /// <summary>512-bit vectors (AVX-512): 16 lanes of 32 bits.</summary>
    Vector512 = 16,
}

/// <summary>
/// The native MaxK / Dynamic-ReLU selection: the exact top-k of a row by IEEE-754 totalOrder (ties: lowest column),
/// bit-identical to <c>ReferenceMaxK</c>, in a few vector passes over the row. Public for generated code.
/// <para>
/// The values become order-preserving unsigned keys. A threshold t is estimated from the row's mean and standard
/// deviation (the normal quantile of the share to keep, about 1.25 k + 4 of the row: pre-activations are near normal);
/// when fewer than k or more than max(64, 4k) keys reach it, from an order statistic of a strided sample instead, lowered
/// until k keys reach it. The candidates — keys ≥ t, which include the top k and everything equal to its smallest —
/// are kept in column order (AVX-512 compress), and an interpolation search over them finds a cut that exactly k
/// reach; when ties straddle the k-th largest, those above it and the lowest-column equal ones are kept. Rows whose
/// estimate leaves too many candidates (full of ties) are radix-selected whole (<see cref="Selection.KthLargest"/>).
/// Rows of at most 64 with k ≤ 16 take a fixed path on AVX-512 instead: sorting networks in registers (SmallRow); wider
/// rows on AVX-512 first bracket the k-th largest between estimated thresholds and select it in registers (Bracket,
/// TopK.Bracket.cs), and come here only when its counts say no estimate bracketed it.
/// </para>
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static partial class TopK
{
    /// <summary>The widest SIMD width this machine runs.</summary>
    public static SimdWidth Best { get; } =
        Vector512.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? SimdWidth.Vector512 : Vector256.IsHardwareAccelerated ? SimdWidth.Vector256 : SimdWidth.Scalar;

    /// <summary>
    /// Scratch a row of width <paramref name="dim"/> needs: keys, candidate keys and columns, the kept candidates' keys
    /// and positions (each region with the slack of one whole-vector store).
    /// </summary>
    public static int ScratchLength(int dim) => 5 * dim + 128;

    /// <summary>
    /// Writes the top <paramref name="k"/> of <paramref name="row"/> into <paramref name="values"/> and
    /// <paramref name="indices"/> in ascending column order; with <paramref name="relu"/> (Dynamic-ReLU) a kept value
    /// that is not positive is written as 0.
    /// </summary>
    public static void Select<TIndex>(ReadOnlySpan<float> row, int k, Span<float> values, Span<TIndex> indices, Span<uint> scratch, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex> =>
        Select(row, k, values, indices, scratch, relu, Best);

    /// <summary>As <see cref="Select{TIndex}(ReadOnlySpan{float}, int, Span{float}, Span{TIndex}, Span{uint}, bool)"/>, with the SIMD width forced.</summary>
    public static void Select<TIndex>(ReadOnlySpan<float> row, int k, Span<float> values, Span<TIndex> indices, Span<uint> scratch, bool relu, SimdWidth width)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int n = row.Length;
        if ((uint)(k - 1) >= (uint)n) throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} is outside 1..{n}.");
        if (values.Length < k || indices.Length < k) throw new ArgumentException($"the outputs hold {Math.Min(values.Length, indices.Length)} entries but k = {k}.", nameof(values));
        if (scratch.Length < ScratchLength(n)) throw new ArgumentException($"scratch has {scratch.Length} entries; a row of {n} needs {ScratchLength(n)} (TopK.ScratchLength).", nameof(scratch));
        switch (Supported(width))
        {
            case SimdWidth.Vector512: Run<Lanes512, TIndex>(row, k, values, indices, scratch, relu); break;
            case SimdWidth.Vector256: Run<Lanes256, TIndex>(row, k, values, indices, scratch, relu); break;
            default: Run<Lanes1, TIndex>(row, k, values, indices, scratch, relu); break;
        }
    }

    /// <summary>
    /// The top <paramref name="k"/> of rows <paramref name="first"/>..<paramref name="last"/> (exclusive) of a row-major
    /// matrix of width <paramref name="dim"/>, into CBSR arrays (k values and columns per row): what a generated kernel runs
    /// per block. Checks once, dispatches once; the rows run back to back on one scratch.
    /// </summary>
    public static void SelectRows<TIndex>(ReadOnlySpan<float> source, int dim, int k, float[] values, TIndex[] indices, int first, int last, uint[] scratch, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex> =>
        SelectRows(source, dim, k, values, indices, first, last, scratch, relu, Best);

    /// <summary>As <see cref="SelectRows{TIndex}(ReadOnlySpan{float}, int, int, float[], TIndex[], int, int, uint[], bool)"/>, with the SIMD width forced.</summary>
    public static void SelectRows<TIndex>(ReadOnlySpan<float> source, int dim, int k, float[] values, TIndex[] indices, int first, int last, uint[] scratch, bool relu, SimdWidth width)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(scratch);
        if ((uint)(k - 1) >= (uint)dim) throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} is outside 1..{dim}.");
        if (first < 0 || last < first || (long)last * dim > source.Length)
            throw new ArgumentOutOfRangeException(nameof(last), $"rows {first}..{last} of width {dim} are outside a source of {source.Length} values.");
        if ((long)last * k > values.Length || (long)last * k > indices.Length)
            throw new ArgumentException($"the outputs hold {Math.Min(values.Length, indices.Length)} entries; rows up to {last} need {(long)last * k}.", nameof(values));
        if (scratch.Length < ScratchLength(dim)) throw new ArgumentException($"scratch has {scratch.Length} entries; a row of {dim} needs {ScratchLength(dim)} (TopK.ScratchLength).", nameof(scratch));
        Dispatch(source, dim, k, values, indices, first, last, scratch, relu, width);
    }

    /// <summary>
    /// The top <paramref name="k"/> of each row of <paramref name="rows"/> (a block of whole rows of width
    /// <paramref name="dim"/>), into <paramref name="values"/> and <paramref name="indices"/> (k a row, the block's first
    /// row at 0): for a producer that selects each block of rows while it is in cache (a fused epilogue), whose block is
    /// not at its place in a whole matrix.
    /// </summary>
    public static void SelectBlock<TIndex>(ReadOnlySpan<float> rows, int dim, int k, Span<float> values, Span<TIndex> indices, uint[] scratch, bool relu)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        ArgumentNullException.ThrowIfNull(scratch);
        if (dim < 1 || rows.Length % dim != 0) throw new ArgumentException($"the block holds {rows.Length} values, not whole rows of {dim}.", nameof(rows));
        if ((uint)(k - 1) >= (uint)dim) throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} is outside 1..{dim}.");
        int count = rows.Length / dim;
        if ((long)count * k > values.Length || (long)count * k > indices.Length)
            throw new ArgumentException($"the outputs hold {Math.Min(values.Length, indices.Length)} entries; {count} rows need {(long)count * k}.", nameof(values));
        if (scratch.Length < ScratchLength(dim)) throw new ArgumentException($"scratch has {scratch.Length} entries; a row of {dim} needs {ScratchLength(dim)} (TopK.ScratchLength).", nameof(scratch));
        Dispatch(rows, dim, k, values, indices, 0, count, scratch, relu, Best);
    }

    private static void Dispatch<TIndex>(ReadOnlySpan<float> source, int dim, int k, Span<float> values, Span<TIndex> indices, int first, int last, uint[] scratch, bool relu, SimdWidth width)
        where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        switch (Supported(width))
        {
            case SimdWidth.Vector512: Rows<Lanes512, TIndex>(source, dim, k, values, indices, first, last, scratch, relu); break;
            case SimdWidth.Vector256: Rows<Lanes256, TIndex>(source, dim, k, values, indices, first, last, scratch, relu); break;
            default: Rows<Lanes1, TIndex>(source, dim, k, values, indices, first, last, scratch, relu); break;
        }
    }

    /// <summary>The widest of <paramref name="width"/> and narrower widths this machine runs.</summary>
    private static SimdWidth Supported(SimdWidth width)
    {
        if (width == SimdWidth.Vector512 && !(Vector512.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Avx512F.IsSupported)) width = SimdWidth.Vector256;
        if (width == SimdWidth.Vector256 && !Vector256.IsHardwareAccelerated) width = SimdWidth.Scalar;
        return width;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<TLanes, TIndex>(ReadOnlySpan<float> source, int dim, int k, Span<float> values, Span<TIndex> indices, int first, int last, uint[] scratch, bool relu)
        where TLanes : struct, ILanes where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int row = first;
        if (TLanes.Width == 16 && SmallRow.Applies(dim, k))
        {
            // Two rows per call: each row's networks are one dependent chain, and two independent ones keep the vector
            // units busy where one leaves them waiting on its latency (about 1.5x the rows per second at dim 64, k 16).
            ref float x = ref MemoryMarshal.GetReference(source);
            ref float v = ref MemoryMarshal.GetReference(values);
            ref TIndex c = ref MemoryMarshal.GetReference(indices);
            for (; row + 1 < last; row += 2)
                SmallRow.SelectPair(ref Unsafe.Add(ref x, (nint)row * dim), ref Unsafe.Add(ref x, (nint)(row + 1) * dim), dim, k,
                    ref Unsafe.Add(ref v, (nint)row * k), ref Unsafe.Add(ref c, (nint)row * k),
                    ref Unsafe.Add(ref v, (nint)(row + 1) * k), ref Unsafe.Add(ref c, (nint)(row + 1) * k), relu);
        }
        for (; row < last; row++)
            Run<TLanes, TIndex>(source.Slice(row * dim, dim), k, values.Slice(row * k, k), indices.Slice(row * k, k), scratch, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Run<TLanes, TIndex>(ReadOnlySpan<float> row, int k, Span<float> values, Span<TIndex> indices, Span<uint> scratch, bool relu)
        where TLanes : struct, ILanes where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        int n = row.Length;
        ref float x = ref MemoryMarshal.GetReference(row);
        ref uint keys = ref MemoryMarshal.GetReference(scratch);
        ref uint candidates = ref Unsafe.Add(ref keys, n);
        ref uint columns = ref Unsafe.Add(ref candidates, n + 32);
        ref uint selectedKeys = ref Unsafe.Add(ref columns, n + 32);
        ref uint selected = ref Unsafe.Add(ref selectedKeys, n + 32);
        if (k == n)
        {
            for (int c = 0; c < n; c++) Keep(ref MemoryMarshal.GetReference(values), ref MemoryMarshal.GetReference(indices), c, c, Unsafe.Add(ref x, c), relu);
            return;
        }
        if (TLanes.Width == 16 && SmallRow.Applies(n, k))
        {
            SmallRow.Select(ref x, n, k, ref MemoryMarshal.GetReference(values), ref MemoryMarshal.GetReference(indices), relu);
            return;
        }
        if (TLanes.Width == 16 && n >= 64
            && Bracket.TrySelect(ref x, n, k, ref keys, ref Unsafe.Add(ref candidates, 16), ref columns, ref selectedKeys,
                ref MemoryMarshal.GetReference(values), ref MemoryMarshal.GetReference(indices), relu))
            return;
        TLanes.ToKeys(ref x, ref keys, n);

        // The threshold: first the row's mean plus the normal quantile of the share to keep times its standard
        // deviation (pre-activations are near normal); if that keeps fewer than k or far too many, an order statistic
        // of a strided sample, lowered until at least k keys reach it.
        uint threshold = 0, hint = 0;
        int above = n; // keys ≥ threshold
        int limit = Math.Max(64, 4 * k);
        int sample = n >= 256 ? 32 : n >= 64 ? 16 : 0;
        if (sample > 0)
        {
            var (sum, squares) = TLanes.Moments(ref x, n);
            double mean = sum / n, deviation = Math.Sqrt(Math.Max(0, squares / n - mean * mean));
            float estimate = (float)(mean + Quantiles[(int)Math.Min(QuantileSteps, (1.25 * k + 4) * QuantileSteps / n)] * deviation);
            float expected = (float)(mean + Quantiles[(int)Math.Min(QuantileSteps, (double)k * QuantileSteps / n)] * deviation);
            if (float.IsFinite(expected)) hint = Key(expected); // where the k-th largest should be: the cut's first probe
            if (float.IsFinite(estimate))
            {
                threshold = Key(estimate);
                above = TLanes.CountAtLeast(ref keys, n, threshold);
            }
        }
        if (sample > 0 && (above < k || above > limit))
        {
            ref uint samples = ref candidates; // the candidates' space is free until the candidates are kept
            for (int s = 0; s < sample; s++) Unsafe.Add(ref samples, s) = Unsafe.Add(ref keys, (int)((long)s * n / sample));
            int wanted = (int)Math.Min(sample, Math.Ceiling(sample * (1.25 * k + 4) / n));
            var (low, high) = TLanes.MinMax(ref samples, sample);
            threshold = Kth<TLanes>(ref samples, sample, wanted, low, high);
            above = TLanes.CountAtLeast(ref keys, n, threshold);
            if (above < k)
            {
                threshold = low;
                above = TLanes.CountAtLeast(ref keys, n, threshold);
                if (above < k) (threshold, above) = (0, n);
            }
        }

        ref float valuesOut = ref MemoryMarshal.GetReference(values);
        ref TIndex indicesOut = ref MemoryMarshal.GetReference(indices);
        int kept = 0;
        uint kth;
        if (above > limit)
        {
            // Too many candidates (rows full of ties, odd distributions): select over the whole row.
            var rowKeys = MemoryMarshal.CreateReadOnlySpan(ref keys, n);
            kth = Selection.KthLargest(rowKeys, k);
            int ties = k - (kth == uint.MaxValue ? 0 : Selection.CountAtLeast(rowKeys, kth + 1));
            for (int c = 0; c < n && kept < k; c++)
            {
                uint key = Unsafe.Add(ref keys, c);
                if (key < kth || (key == kth && ties-- <= 0)) continue;
                Keep(ref valuesOut, ref indicesOut, kept++, c, Unsafe.Add(ref x, c), relu);
            }
            return;
        }

        // The candidates, in column order, padded to whole vectors with key 0 (never counted: every count below is of
        // keys ≥ a value of at least 1). The k-th largest candidate is the k-th largest of the row.
        int m = TLanes.KeepAtLeast(ref keys, n, threshold, ref candidates, ref columns);
        int padded = (m + TLanes.Width - 1) / TLanes.Width * TLanes.Width;
        for (int p = m; p < padded; p++) Unsafe.Add(ref candidates, p) = 0;
        var (_, largest) = TLanes.MinMax(ref candidates, padded);
        var (cut, greater) = Cut<TLanes>(ref candidates, padded, k, threshold, m, largest, hint);
        if (greater == k)
        {
            // No tie to cut (the usual case): the candidates at or above the cut are the top k, in column order.
            TLanes.KeepAtLeast(ref candidates, m, cut, ref selectedKeys, ref selected);
            for (int j = 0; j < k; j++)
            {
                int column = (int)Unsafe.Add(ref columns, (int)Unsafe.Add(ref selected, j));
                Keep(ref valuesOut, ref indicesOut, j, column, Unsafe.Add(ref x, column), relu);
            }
            return;
        }
        // Ties at the k-th largest: keep those above it and the lowest-column ones equal to it.
        kth = cut;
        int keepTies = k - greater;
        for (int i = 0; i < m && kept < k; i++)
        {
            uint key = Unsafe.Add(ref candidates, i);
            if (key < kth || (key == kth && keepTies-- <= 0)) continue;
            int column = (int)Unsafe.Add(ref columns, i);
            Keep(ref valuesOut, ref indicesOut, kept++, column, Unsafe.Add(ref x, column), relu);
        }
    }

    /// <summary>
    /// A cut between the k largest of <paramref name="count"/> keys and the rest: (cut, k) when exactly k keys are ≥
    /// cut, else (the k-th largest, how many keys are larger) when ties straddle it. An interpolation search (in value
    /// space, its first probe at <paramref name="hint"/> when that lies inside) between a key that <paramref name="atLow"/>
    /// ≥ k keys reach and one above the largest, one count per probe;
    /// every fourth probe bisects in key space, so it ends within 128 probes whatever the distribution.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (uint Cut, int Greater) Cut<TLanes>(ref uint keys, int count, int k, uint low, int atLow, uint largest, uint hint) where TLanes : struct, ILanes
    {
        if (atLow == k) return (low, k);
        ulong lo = low, hi = (ulong)largest + 1;
        int nlo = atLow, nhi = 0;
        for (int probe = 0; hi - lo > 1; probe++)
        {
            // Interpolate in value space (keys are log-like across exponents), every fourth probe bisect in key space.
            double share = (double)(nlo - k) / (nlo - nhi);
            float from = Value((uint)lo), to = Value((uint)Math.Min(hi, uint.MaxValue));
            ulong guess = probe % 4 != 3 && float.IsFinite(from) && float.IsFinite(to)
                ? Key((float)(from + (to - (double)from) * share))
                : (lo + hi) / 2;
            if (probe == 0 && hint > lo && hint < hi) guess = hint; // the estimate of the k-th largest itself
            guess = Math.Clamp(guess, lo + 1, hi - 1);
            int at = TLanes.CountAtLeast(ref keys, count, (uint)guess);
            if (at == k) return ((uint)guess, k);
            if (at > k) (lo, nlo) = (guess, at);
            else (hi, nhi) = (guess, at);
        }
        return ((uint)lo, nhi); // ≥ k keys reach lo, fewer than k exceed it: lo is the k-th largest
    }

    /// <summary>
    /// The <paramref name="r"/>-th largest of <paramref name="count"/> keys (a whole number of vectors, padding 0),
    /// known to lie in [<paramref name="low"/>, <paramref name="high"/>]: the bits the two share are the answer's, the
    /// rest are decided two at a time, most significant first, by three independent counts per pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Kth<TLanes>(ref uint keys, int count, int r, uint low, uint high) where TLanes : struct, ILanes
    {
        uint differ = low ^ high;
        if (differ == 0) return low;
        int top = 31 - BitOperations.LeadingZeroCount(differ);
        uint threshold = top == 31 ? 0 : low & ~((2u << top) - 1);
        int bit = top - 1;
        for (; bit >= 0; bit -= 2)
        {
            uint c1 = threshold | (1u << bit), c2 = threshold | (2u << bit), c3 = threshold | (3u << bit);
            var (n1, n2, n3) = TLanes.CountAtLeast3(ref keys, count, c1, c2, c3);
            threshold = n3 >= r ? c3 : n2 >= r ? c2 : n1 >= r ? c1 : threshold;
        }
        if (bit == -1) // one bit left: bit 0
        {
            uint c1 = threshold | 1u;
            if (TLanes.CountAtLeast(ref keys, count, c1) >= r) threshold = c1;
        }
        return threshold;
    }

    /// <summary>
    /// Rows of at most 64 with k ≤ 16 on AVX-512 (Dynamic-ReLU's and small layers' widths): the row's keys in four
    /// registers, each sorted by a bitonic network (descending), merged pairwise keeping the larger 16, merged again; the
    /// k-th lane of the result is the k-th largest key. No data-dependent branch and no pass over memory: where the
    /// general path estimates, counts and cuts per row, this is a fixed ~200 vector instructions. The kept set is every
    /// key above it plus the lowest-column keys equal to it (PDEP picks them from the equal ones' bit mask), written by
    /// compressing each register and appending in registers (with the networks' immediate shuffles 64/16 went from about
    /// 90 to 67 ns a row on normal rows and 85 to 70 on uniform ones, one thread; a loop over the k entries before). At k = 16
    /// the last merge is skipped: the 16th largest is the smallest lane of the unsorted top 16 (62 → 56 ns a row at 64/16,
    /// 36 → 30 at 32/16, the two variants interleaved in one process). A block of
    /// rows (<see cref="SelectRows{TIndex}(ReadOnlySpan{float}, int, int, float[], TIndex[], int, int, uint[], bool)"/>)
    /// goes two rows per call (<see cref="SelectPair"/>): one row's networks are a single dependent chain.
    /// </summary>
    private static class SmallRow
    {
        public const int MaxDim = 64, MaxK = 16;

        /// <summary>Whether a row of <paramref name="n"/> keeping <paramref name="k"/> (1 ≤ k &lt; n) takes this path; the caller has AVX-512.</summary>
        public static bool Applies(int n, int k) => n <= MaxDim && k <= MaxK && k < n && System.Runtime.Intrinsics.X86.Bmi2.X64.IsSupported;

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static void Select<TIndex>(ref float x, int n, int k, ref float values, ref TIndex indices, bool relu) where TIndex : unmanaged, IBinaryInteger<TIndex>
        {
            // Keys of the four 16-lane blocks; lanes past the row are 0, below every key but the one of the NaN with all
            // bits set (0xFFFFFFFF), which the valid-lane mask below keeps out of the ties. A row that ends inside a
            // block is read from a copy padded to whole blocks.
            scoped ref float row = ref x;
            Span<float> padded = (n & 15) != 0 ? stackalloc float[MaxDim] : default;
            if ((n & 15) != 0)
            {
                MemoryMarshal.CreateReadOnlySpan(ref x, n).CopyTo(padded);
                row = ref MemoryMarshal.GetReference(padded);
            }
            var r0 = Load(ref row, n, 0);
            var r1 = Load(ref row, n, 16);
            var r2 = Load(ref row, n, 32);
            var r3 = Load(ref row, n, 48);
            uint kth;
            if (n <= 16) kth = Sort(r0).GetElement(k - 1);
            else
            {
                var (p, u) = n <= 32 ? (Sort(r0), Sort(r1)) : (Top16(Sort(r0), Sort(r1)), Top16(Sort(r2), Sort(r3)));
                kth = k == MaxK ? Smallest(Top16Set(p, u)) : Top16(p, u).GetElement(k - 1);
            }
            Write(n, k, r0, r1, r2, r3, kth, ref values, ref indices, relu);
        }

        /// <summary>
        /// As <see cref="Select"/> for two rows of the same width at once, their networks written side by side so the
        /// processor overlaps the two dependent chains.
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static void SelectPair<TIndex>(ref float x, ref float y, int n, int k, ref float valuesX, ref TIndex indicesX,
            ref float valuesY, ref TIndex indicesY, bool relu) where TIndex : unmanaged, IBinaryInteger<TIndex>
        {
            scoped ref float rowX = ref x;
            scoped ref float rowY = ref y;
            Span<float> padded = (n & 15) != 0 ? stackalloc float[2 * MaxDim] : default;
            if ((n & 15) != 0)
            {
                MemoryMarshal.CreateReadOnlySpan(ref x, n).CopyTo(padded);
                MemoryMarshal.CreateReadOnlySpan(ref y, n).CopyTo(padded.Slice(MaxDim));
                rowX = ref MemoryMarshal.GetReference(padded);
                rowY = ref padded[MaxDim];
            }
            var a0 = Load(ref rowX, n, 0);
            var b0 = Load(ref rowY, n, 0);
            var a1 = Load(ref rowX, n, 16);
            var b1 = Load(ref rowY, n, 16);
            var a2 = Load(ref rowX, n, 32);
            var b2 = Load(ref rowY, n, 32);
            var a3 = Load(ref rowX, n, 48);
            var b3 = Load(ref rowY, n, 48);
            uint kthX, kthY;
            if (n <= 16)
            {
                kthX = Sort(a0).GetElement(k - 1);
                kthY = Sort(b0).GetElement(k - 1);
            }
            else
            {
                Vector512<uint> p, q, u, v; // the k-th largest of row x is in the top 16 of p and u, of row y in q and v
                if (n <= 32)
                    (p, q, u, v) = (Sort(a0), Sort(b0), Sort(a1), Sort(b1));
                else
                    (p, q, u, v) = (Top16(Sort(a0), Sort(a1)), Top16(Sort(b0), Sort(b1)), Top16(Sort(a2), Sort(a3)), Top16(Sort(b2), Sort(b3)));
                if (k == MaxK)
                {
                    kthX = Smallest(Top16Set(p, u));
                    kthY = Smallest(Top16Set(q, v));
                }
                else
                {
                    kthX = Top16(p, u).GetElement(k - 1);
                    kthY = Top16(q, v).GetElement(k - 1);
                }
            }
            Write(n, k, a0, a1, a2, a3, kthX, ref valuesX, ref indicesX, relu);
            Write(n, k, b0, b1, b2, b3, kthY, ref valuesY, ref indicesY, relu);
        }

        /// <summary>
        /// Writes the kept entries of a row whose keys are r0..r3 and whose k-th largest key is <paramref name="kth"/>, in
        /// column order: each register's kept keys and columns compressed, appended in registers (one two-table permute
        /// each), turned back into floats bit for bit and written with one masked store — no loop over the k entries.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void Write<TIndex>(int n, int k, Vector512<uint> r0, Vector512<uint> r1, Vector512<uint> r2, Vector512<uint> r3,
            uint kth, ref float values, ref TIndex indices, bool relu) where TIndex : unmanaged, IBinaryInteger<TIndex>
        {
            var threshold = Vector512.Create(kth);
            ulong greater = Mask(Vector512.GreaterThan(r0, threshold), Vector512.GreaterThan(r1, threshold),
                Vector512.GreaterThan(r2, threshold), Vector512.GreaterThan(r3, threshold));
            ulong equal = Mask(Vector512.Equals(r0, threshold), Vector512.Equals(r1, threshold),
                Vector512.Equals(r2, threshold), Vector512.Equals(r3, threshold));
            ulong valid = n == 64 ? ulong.MaxValue : (1UL << n) - 1;
            greater &= valid;
            equal &= valid;
            int ties = k - BitOperations.PopCount(greater);
            ulong keep = greater | System.Runtime.Intrinsics.X86.Bmi2.X64.ParallelBitDeposit((1UL << ties) - 1, equal); // the lowest `ties` equal columns

            var lane = Lane;
            var keys = System.Runtime.Intrinsics.X86.Avx512F.Compress(Vector512<uint>.Zero, Lanes((uint)keep), r0);
            var columns = System.Runtime.Intrinsics.X86.Avx512F.Compress(Vector512<uint>.Zero, Lanes((uint)keep), lane);
            int count = BitOperations.PopCount((uint)keep & 0xFFFF);
            if (n > 16) Append(ref keys, ref columns, ref count, r1, lane + Vector512.Create(16u), (uint)(keep >> 16));
            if (n > 32) Append(ref keys, ref columns, ref count, r2, lane + Vector512.Create(32u), (uint)(keep >> 32));
            if (n > 48) Append(ref keys, ref columns, ref count, r3, lane + Vector512.Create(48u), (uint)(keep >> 48));

            var value = (keys ^ (~Vector512.ShiftRightArithmetic(keys.AsInt32(), 31).AsUInt32() | Vector512.Create(0x80000000u))).AsSingle();
            if (relu) value = Vector512.ConditionalSelect(Vector512.GreaterThan(value, Vector512<float>.Zero), value, Vector512<float>.Zero);
            var first = Vector512.LessThan(lane, Vector512.Create((uint)k)); // the k lanes written
            fixed (float* to = &values)
                System.Runtime.Intrinsics.X86.Avx512F.MaskStore(to, first.AsSingle(), value);
            if (k == 16 && typeof(TIndex) == typeof(byte))
                System.Runtime.Intrinsics.X86.Avx512F.ConvertToVector128Byte(columns).StoreUnsafe(ref Unsafe.As<TIndex, byte>(ref indices));
            else if (k == 16 && typeof(TIndex) == typeof(ushort))
                System.Runtime.Intrinsics.X86.Avx512F.ConvertToVector256UInt16(columns).StoreUnsafe(ref Unsafe.As<TIndex, ushort>(ref indices));
            else if (typeof(TIndex) == typeof(int) || typeof(TIndex) == typeof(uint))
            {
                fixed (TIndex* to = &indices)
                    System.Runtime.Intrinsics.X86.Avx512F.MaskStore((uint*)to, first, columns);
            }
            else
            {
                for (int j = 0; j < k; j++) Unsafe.Add(ref indices, j) = TIndex.CreateTruncating(columns.GetElement(j));
            }
        }

        /// <summary>Appends the lanes of <paramref name="keys"/> kept by <paramref name="bits"/> (and their columns) behind the first <paramref name="count"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Append(ref Vector512<uint> kept, ref Vector512<uint> columns, ref int count, Vector512<uint> keys, Vector512<uint> keyColumns, uint bits)
        {
            var mask = Lanes(bits);
            var lane = Lane;
            // Lane i < count keeps its own; lane i ≥ count takes the (i − count)-th compressed one (table 2: index 16 + i − count).
            var index = lane + (Vector512.GreaterThanOrEqual(lane, Vector512.Create((uint)count)) & Vector512.Create(16u - (uint)count));
            kept = System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(kept, index, System.Runtime.Intrinsics.X86.Avx512F.Compress(Vector512<uint>.Zero, mask, keys));
            columns = System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32x2(columns, index, System.Runtime.Intrinsics.X86.Avx512F.Compress(Vector512<uint>.Zero, mask, keyColumns));
            count += BitOperations.PopCount(bits & 0xFFFF);
        }

        /// <summary>All ones in the lanes whose bit is set in the low 16 of <paramref name="bits"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<uint> Lanes(uint bits) => Vector512.Equals(Vector512.Create(bits) & LaneBit, LaneBit);

        private static readonly Vector512<uint> Lane = Vector512.Create(0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u, 15u);
        private static readonly Vector512<uint> LaneBit = Vector512.Create(1u, 2u, 4u, 8u, 16u, 32u, 64u, 128u, 256u, 512u, 1024u, 2048u, 4096u, 8192u, 16384u, 32768u);

        /// <summary>The keys of lanes from .. from + 15 (0 past the row); <paramref name="x"/> holds whole blocks up to n.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<uint> Load(ref float x, int n, int from)
        {
            if (from >= n) return Vector512<uint>.Zero;
            var bits = Vector512.LoadUnsafe(ref x, (nuint)from).AsUInt32();
            var sign = Vector512.ShiftRightArithmetic(bits.AsInt32(), 31).AsUInt32();
            var keys = bits ^ (sign | Vector512.Create(0x80000000u));
            var lane = Vector512.Create(0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u, 15u);
            return Vector512.ConditionalSelect(Vector512.LessThan(lane, Vector512.Create((uint)(n - from))), keys, Vector512<uint>.Zero);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Mask(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c, Vector512<uint> d) =>
            a.ExtractMostSignificantBits() | (b.ExtractMostSignificantBits() << 16) | (c.ExtractMostSignificantBits() << 32) | (d.ExtractMostSignificantBits() << 48);

        /// <summary>
        /// One compare-exchange step: lane i meets lane i ^ <paramref name="d"/>; where <paramref name="takeMax"/> is set it
        /// keeps the larger. The partner comes from an immediate shuffle (in-lane vpshufd for 1 and 2, vpermq for 4,
        /// vshufi32x4 for 8) rather than a permute by an index register: a shorter latency on each step of the chain.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<uint> Step(Vector512<uint> v, [ConstantExpected(Min = 1, Max = 8)] int d, Vector512<uint> takeMax)
        {
            var other = d switch
            {
                1 => System.Runtime.Intrinsics.X86.Avx512F.Shuffle(v, 0b10_11_00_01),
                2 => System.Runtime.Intrinsics.X86.Avx512F.Shuffle(v, 0b01_00_11_10),
                4 => System.Runtime.Intrinsics.X86.Avx512F.Permute4x64(v.AsUInt64(), 0b01_00_11_10).AsUInt32(),
                _ => System.Runtime.Intrinsics.X86.Avx512F.Shuffle4x128(v, v, 0b01_00_11_10),
            };
            return Vector512.ConditionalSelect(takeMax, Vector512.Max(v, other), Vector512.Min(v, other));
        }

        /// <summary>The 16 lanes sorted descending (a bitonic sorting network, 10 steps).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<uint> Sort(Vector512<uint> v)
        {
            v = Step(v, 1, Sort2);
            v = Step(v, 2, Sort4a);
            v = Step(v, 1, Sort4b);
            v = Step(v, 4, Sort8a);
            v = Step(v, 2, Sort8b);
            v = Step(v, 1, Sort8c);
            return Merge(v);
        }

        /// <summary>A bitonic sequence of 16 sorted descending (4 steps).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<uint> Merge(Vector512<uint> v)
        {
            v = Step(v, 8, Lower8);
            v = Step(v, 4, Lower4);
            v = Step(v, 2, Lower2);
            return Step(v, 1, Lower1);
        }

        /// <summary>The 16 largest of two descending registers, descending: the larger of each lane against the other reversed is bitonic.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<uint> Top16(Vector512<uint> a, Vector512<uint> b) => Merge(Top16Set(a, b));

        /// <summary>
        /// The 16 largest of two descending registers, in no order (a bitonic sequence): enough where only the 16th largest
        /// is wanted (k = 16), whose smallest lane it is — a 4-step reduction in place of the 4-step merge and a lane read.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<uint> Top16Set(Vector512<uint> a, Vector512<uint> b) => Vector512.Max(a, System.Runtime.Intrinsics.X86.Avx512F.PermuteVar16x32(b, Reverse));

        /// <summary>The smallest lane.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static uint Smallest(Vector512<uint> v)
        {
            var half = Vector256.Min(v.GetLower(), v.GetUpper());
            var quarter = Vector128.Min(half.GetLower(), half.GetUpper());
            quarter = Vector128.Min(quarter, Vector128.Shuffle(quarter, Vector128.Create(2u, 3u, 0u, 1u)));
            return Vector128.Min(quarter, Vector128.Shuffle(quarter, Vector128.Create(1u, 0u, 3u, 2u))).ToScalar();
        }

        /// <summary>Lane i keeps the larger when it is the lower of its pair (i &amp; d = 0) in a block sorted descending ((i &amp; s) = 0), or the upper in an ascending one.</summary>
        private static Vector512<uint> TakeMax(int s, int d) =>
            Vector512.Create(Enumerable.Range(0, 16).Select(i => ((i & d) == 0) == ((i & s) == 0 || s == 16) ? uint.MaxValue : 0u).ToArray());

        internal static readonly Vector512<uint> Reverse = Vector512.Create(Enumerable.Range(0, 16).Select(i => (uint)(15 - i)).ToArray());
        private static readonly Vector512<uint> Sort2 = TakeMax(2, 1), Sort4a = TakeMax(4, 2), Sort4b = TakeMax(4, 1);
        private static readonly Vector512<uint> Sort8a = TakeMax(8, 4), Sort8b = TakeMax(8, 2), Sort8c = TakeMax(8, 1);
        private static readonly Vector512<uint> Lower8 = TakeMax(16, 8), Lower4 = TakeMax(16, 4), Lower2 = TakeMax(16, 2), Lower1 = TakeMax(16, 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep<TIndex>(ref float values, ref TIndex indices, int slot, int column, float value, bool relu) where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        Unsafe.Add(ref values, slot) = relu && !(value > 0f) ? 0f : value;
        Unsafe.Add(ref indices, slot) = TIndex.CreateTruncating(column);
    }

    /// <summary>One SIMD width: the passes over a row of keys, each written once for every width.</summary>
    internal interface ILanes
    {
        /// <summary>Lanes per vector.</summary>
        static abstract int Width { get; }

        /// <summary>keys[c] = the totalOrder key of x[c].</summary>
        static abstract void ToKeys(ref float x, ref uint keys, int n);

        /// <summary>How many keys are ≥ <paramref name="value"/>.</summary>
        static abstract int CountAtLeast(ref uint keys, int n, uint value);

        /// <summary>Copies the keys ≥ <paramref name="value"/> and their columns, in column order; returns how many.</summary>
        static abstract int KeepAtLeast(ref uint keys, int n, uint value, ref uint kept, ref uint columns);

        /// <summary>How many of <paramref name="n"/> keys (a whole number of vectors) are ≥ each of three values.</summary>
        static abstract (int, int, int) CountAtLeast3(ref uint keys, int n, uint a, uint b, uint c);

        /// <summary>Σ x and Σ x² over a row (an estimate's inputs: float accumulation is enough).</summary>
        static abstract (double Sum, double Squares) Moments(ref float x, int n);

        /// <summary>The smallest and largest of <paramref name="n"/> keys (a whole number of vectors).</summary>
        static abstract (uint Min, uint Max) MinMax(ref uint keys, int n);
    }

    private const int QuantileSteps = 512;

    /// <summary>
    /// The upper normal quantile on a grid of shares p = i / 512 (entry i, at the grid's lower end so the estimate errs
    /// towards more candidates): a table lookup instead of a logarithm per row.
    /// </summary>
    private static readonly double[] Quantiles = Enumerable.Range(0, QuantileSteps + 1)
        .Select(i => NormalUpperQuantile(Math.Min(1.0, (i + 1.0) / QuantileSteps))).ToArray();

    /// <summary>
    /// z with P(Z &gt; z) = <paramref name="p"/> for a standard normal Z (Abramowitz and Stegun 26.2.23, |error| &lt; 4.5e-4):
    /// only an estimate's input, checked by a count.
    /// </summary>
    private static double NormalUpperQuantile(double p)
    {
        if (p >= 1) return -10;
        if (p > 0.5) return -NormalUpperQuantile(1 - p);
        double t = Math.Sqrt(-2 * Math.Log(Math.Max(p, 1e-300)));
        return t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308)));
    }

    /// <summary>The float whose totalOrder key is <paramref name="key"/> (the inverse of <see cref="Key"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Value(uint key) => BitConverter.UInt32BitsToSingle(key >= 0x80000000u ? key ^ 0x80000000u : ~key);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Key(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return bits ^ ((uint)((int)bits >> 31) | 0x80000000u);
    }

    /// <summary>The scalar tails every width shares.</summary>
    private static class Tail
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static int CountAtLeast(ref uint keys, int from, int n, uint value)
        {
            int count = 0;
            for (int c = from; c < n; c++) count += Unsafe.Add(ref keys, c) >= value ? 1 : 0;
            return count;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static int KeepAtLeast(ref uint keys, int from, int n, uint value, ref uint kept, ref uint columns, int m)
        {
            for (int c = from; c < n; c++)
            {
                uint key = Unsafe.Add(ref keys, c);
                Unsafe.Add(ref kept, m) = key;
                Unsafe.Add(ref columns, m) = (uint)c;
                m += key >= value ? 1 : 0; // branch-free: the slot is overwritten unless kept
            }
            return m;
        }
    }

    private struct Lanes1 : ILanes
    {
        public static int Width => 1;

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static void ToKeys(ref float x, ref uint keys, int n)
        {
            for (int c = 0; c < n; c++) Unsafe.Add(ref keys, c) = Key(Unsafe.Add(ref x, c));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static int CountAtLeast(ref uint keys, int n, uint value) => Tail.CountAtLeast(ref keys, 0, n, value);

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static int KeepAtLeast(ref uint keys, int n, uint value, ref uint kept, ref uint columns) =>
            Tail.KeepAtLeast(ref keys, 0, n, value, ref kept, ref columns, 0);

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static (int, int, int) CountAtLeast3(ref uint keys, int n, uint a, uint b, uint c)
        {
            int na = 0, nb = 0, nc = 0;
            for (int i = 0; i < n; i++)
            {
                uint key = Unsafe.Add(ref keys, i);
                na += key >= a ? 1 : 0;
                nb += key >= b ? 1 : 0;
                nc += key >= c ? 1 : 0;
            }
            return (na, nb, nc);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static (double Sum, double Squares) Moments(ref float x, int n)
        {
            float sum = 0, squares = 0;
            for (int i = 0; i < n; i++)
            {
                float v = Unsafe.Add(ref x, i);
                sum += v;
                squares += v * v;
            }
            return (sum, squares);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static (uint Min, uint Max) MinMax(ref uint keys, int n)
        {
            uint min = uint.MaxValue, max = 0;
            for (int i = 0; i < n; i++)
            {
                uint key = Unsafe.Add(ref keys, i);
                min = Math.Min(min, key);
                max = Math.Max(max, key);
            }
            return (min, max);
        }
    }

    private struct Lanes256 : ILanes
    {
        public static int Width => W;

        private const int W = 8;

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static void ToKeys(ref float x, ref uint keys, int n)
        {
            int c = 0;
            for (; c <= n - W; c += W)
            {
                var bits = Vector256.LoadUnsafe(ref x, (nuint)c).AsUInt32();
                var sign = Vector256.ShiftRightArithmetic(bits.AsInt32(), 31).AsUInt32();
                (bits ^ (sign | Vector256.Create(0x80000000u))).StoreUnsafe(ref keys, (nuint)c);
            }
            for (; c < n; c++) Unsafe.Add(ref keys, c) = Key(Unsafe.Add(ref x, c));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static int CountAtLeast(ref uint keys, int n, uint value)
        {
            var target = Vector256.Create(value);
            int c = 0, count = 0;
            for (; c <= n - W; c += W)
                count += BitOperations.PopCount(Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref keys, (nuint)c), target).ExtractMostSignificantBits());
            return count + Tail.CountAtLeast(ref keys, c, n, value);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static int KeepAtLeast(ref uint keys, int n, uint value, ref uint kept, ref uint columns)
        {
            var target = Vector256.Create(value);
            int c = 0, m = 0;
            for (; c <= n - W; c += W)
            {
                uint mask = Vector256.GreaterThanOrEqual(Vector256.LoadUnsafe(ref keys, (nuint)c), target).ExtractMostSignificantBits();
                for (; mask != 0; mask &= mask - 1)
                {
                    int lane = c + BitOperations.TrailingZeroCount(mask);
                    Unsafe.Add(ref kept, m) = Unsafe.Add(ref keys, lane);
                    Unsafe.Add(ref columns, m++) = (uint)lane;
                }
            }
            return Tail.KeepAtLeast(ref keys, c, n, value, ref kept, ref columns, m);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static (int, int, int) CountAtLeast3(ref uint keys, int n, uint a, uint b, uint c)
        {
            var va = Vector256.Create(a);
            var vb = Vector256.Create(b);
            var vc = Vector256.Create(c);
            int na = 0, nb = 0, nc = 0;
            for (int i = 0; i < n; i += W)
            {
                var v = Vector256.LoadUnsafe(ref keys, (nuint)i);
                na += BitOperations.PopCount(Vector256.GreaterThanOrEqual(v, va).ExtractMostSignificantBits());
                nb += BitOperations.PopCount(Vector256.GreaterThanOrEqual(v, vb).ExtractMostSignificantBits());
                nc += BitOperations.PopCount(Vector256.GreaterThanOrEqual(v, vc).ExtractMostSignificantBits());
            }
            return (na, nb, nc);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static (double Sum, double Squares) Moments(ref float x, int n)
        {
            var sum = Vector256<float>.Zero;
            var squares = Vector256<float>.Zero;
            int c = 0;
            for (; c <= n - W; c += W)
            {
                var v = Vector256.LoadUnsafe(ref x, (nuint)c);
                sum += v;
                squares += v * v;
            }
            float s = Vector256.Sum(sum), q = Vector256.Sum(squares);
            for (; c < n; c++)
            {
                float v = Unsafe.Add(ref x, c);
                s += v;
                q += v * v;
            }
            return (s, q);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static (uint Min, uint Max) MinMax(ref uint keys, int n)
        {
            var min = Vector256.Create(uint.MaxValue);
            var max = Vector256<uint>.Zero;
            for (int i = 0; i < n; i += W)
            {
                var v = Vector256.LoadUnsafe(ref keys, (nuint)i);
                min = Vector256.Min(min, v);
                max = Vector256.Max(max, v);
            }
            var min128 = Vector128.Min(min.GetLower(), min.GetUpper());
            var max128 = Vector128.Max(max.GetLower(), max.GetUpper());
            uint lo = Math.Min(Math.Min(min128.GetElement(0), min128.GetElement(1)), Math.Min(min128.GetElement(2), min128.GetElement(3)));
            uint hi = Math.Max(Math.Max(max128.GetElement(0), max128.GetElement(1)), Math.Max(max128.GetElement(2), max128.GetElement(3)));
            return (lo, hi);
        }
    }

    private struct Lanes512 : ILanes
    {
        public static int Width => W;

        private const int W = 16;

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static void ToKeys(ref float x, ref uint keys, int n)
        {
            int c = 0;
            for (; c <= n - W; c += W)
            {
                var bits = Vector512.LoadUnsafe(ref x, (nuint)c).AsUInt32();
                var sign = Vector512.ShiftRightArithmetic(bits.AsInt32(), 31).AsUInt32();
                (bits ^ (sign | Vector512.Create(0x80000000u))).StoreUnsafe(ref keys, (nuint)c);
            }
            for (; c < n; c++) Unsafe.Add(ref keys, c) = Key(Unsafe.Add(ref x, c));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static int CountAtLeast(ref uint keys, int n, uint value)
        {
            var target = Vector512.Create(value);
            int c = 0, count = 0;
            for (; c <= n - W; c += W)
                count += BitOperations.PopCount(Vector512.GreaterThanOrEqual(Vector512.LoadUnsafe(ref keys, (nuint)c), target).ExtractMostSignificantBits());
            return count + Tail.CountAtLeast(ref keys, c, n, value);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static int KeepAtLeast(ref uint keys, int n, uint value, ref uint kept, ref uint columns)
        {
            // vpcompressd into a register, then a whole-vector store: the lanes past the kept ones are overwritten by
            // the next store or lie in the buffer's slack (a compress straight to memory is microcoded on some CPUs).
            var target = Vector512.Create(value);
            var column = Vector512.Create(0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u, 15u);
            var step = Vector512.Create((uint)W);
            int c = 0, m = 0;
            for (; c <= n - W; c += W, column += step)
            {
                var v = Vector512.LoadUnsafe(ref keys, (nuint)c);
                var mask = Vector512.GreaterThanOrEqual(v, target);
                System.Runtime.Intrinsics.X86.Avx512F.Compress(Vector512<uint>.Zero, mask, v).StoreUnsafe(ref kept, (nuint)m);
                System.Runtime.Intrinsics.X86.Avx512F.Compress(Vector512<uint>.Zero, mask, column).StoreUnsafe(ref columns, (nuint)m);
                m += BitOperations.PopCount(mask.ExtractMostSignificantBits());
            }
            return Tail.KeepAtLeast(ref keys, c, n, value, ref kept, ref columns, m);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static (int, int, int) CountAtLeast3(ref uint keys, int n, uint a, uint b, uint c)
        {
            var va = Vector512.Create(a);
            var vb = Vector512.Create(b);
            var vc = Vector512.Create(c);
            int na = 0, nb = 0, nc = 0;
            for (int i = 0; i < n; i += W)
            {
                var v = Vector512.LoadUnsafe(ref keys, (nuint)i);
                na += BitOperations.PopCount(Vector512.GreaterThanOrEqual(v, va).ExtractMostSignificantBits());
                nb += BitOperations.PopCount(Vector512.GreaterThanOrEqual(v, vb).ExtractMostSignificantBits());
                nc += BitOperations.PopCount(Vector512.GreaterThanOrEqual(v, vc).ExtractMostSignificantBits());
            }
            return (na, nb, nc);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static (double Sum, double Squares) Moments(ref float x, int n)
        {
            var sum = Vector512<float>.Zero;
            var squares = Vector512<float>.Zero;
            int c = 0;
            for (; c <= n - W; c += W)
            {
                var v = Vector512.LoadUnsafe(ref x, (nuint)c);
                sum += v;
                squares += v * v;
            }
            float s = Vector512.Sum(sum), q = Vector512.Sum(squares);
            for (; c < n; c++)
            {
                float v = Unsafe.Add(ref x, c);
                s += v;
                q += v * v;
            }
            return (s, q);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public static (uint Min, uint Max) MinMax(ref uint keys, int n)
        {
            var min = Vector512.Create(uint.MaxValue);
            var max = Vector512<uint>.Zero;
            for (int i = 0; i < n; i += W)
            {
                var v = Vector512.LoadUnsafe(ref keys, (nuint)i);
                min = Vector512.Min(min, v);
                max = Vector512.Max(max, v);
            }
            var min256 = Vector256.Min(min.GetLower(), min.GetUpper());
            var max256 = Vector256.Max(max.GetLower(), max.GetUpper());
            var min128 = Vector128.Min(min256.GetLower(), min256.GetUpper());
            var max128 = Vector128.Max(max256.GetLower(), max256.GetUpper());
            uint lo = Math.Min(Math.Min(min128.GetElement(0), min128.GetElement(1)), Math.Min(min128.GetElement(2), min128.GetElement(3)));
            uint hi = Math.Max(Math.Max(max128.GetElement(0), max128.GetElement(1)), Math.Max(max128.GetElement(2), max128.GetElement(3)));
            return (lo, hi);
        }
    }
}
