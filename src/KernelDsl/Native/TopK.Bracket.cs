using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KernelDsl.Native;

public static partial class TopK
{
    /// <summary>
    /// The AVX-512 path for rows wider than the small-row path's: a few passes over the row and a selection in registers.
    /// Pass 1 turns the row into keys and sums x and x² (fused), and counts the exact zeros. From the mean and deviation of
    /// the nonzero entries (dropout leaves half a layer's entries 0, a spike no normal fits), three thresholds T1 ≤ T2 ≤ T3
    /// at or above which about k + δ, k and k − δ keys should lie (the normal quantiles of the nonzero share; δ about twice
    /// the count's standard deviation). Pass 2 compresses the candidates — the keys ≥ T1 and their columns — in column
    /// order; the counts ≥ T2 and ≥ T3 and the band [T1, T3) come from the candidates (about k + δ keys, not the row).
    /// When the counts bracket k, the k-th largest lies in the band, or in the half of it that brackets k; with at most 16
    /// keys there it is found by ranking them against each other (15 rotations of one register), with up to 32 by the
    /// bitonic networks of the small-row path. When they do not (rows far from normal: a trained layer's pre-activations
    /// put about k values in a tight cluster at the top), the counts narrow a bracket that starts at the row's extremes,
    /// and pass 2 runs again on thresholds interpolated inside it (regula falsi), up to <see cref="MaxAttempts"/> times —
    /// over the candidates alone once more than k keys reached T1, since every later threshold lies above it. On a trained
    /// GCN's hidden layer after dropout (Cora's and an SBM's, 256 wide, k 32) these two took the selection from 266 to 201
    /// and from 281 to 207 ns a row (one thread, the variants interleaved in one process), normal and uniform rows within
    /// 2 %. The last pass keeps, in column order, the candidates at or above the k-th largest (compress, in place: a few
    /// vectors instead of a third pass over the row; with the networks' immediate shuffles, 256/32 about 19 % faster on
    /// normal rows and 23 % on uniform ones, one thread, medians of six alternated process runs), and the values are the
    /// keys turned back into floats, bit for bit. When keys equal to the k-th largest are more than the k leave room for,
    /// the last pass keeps those above it and the lowest-column equal ones. A row with dropout's exact zeros and fewer than
    /// k positive entries has +0 as its k-th largest, tied across half the row, which no band around it holds: after two
    /// misses one counting pass tests +0 directly (7 000 → 700 cycles a row at dim 256, k 32). Every decision is a count,
    /// whatever the estimate: a row whose moments are not finite or that no attempt brackets returns false, and the
    /// general path selects it exactly.
    /// </summary>
    private static class Bracket
    {
        /// <summary>The most keys the in-register selection takes (two registers).</summary>
        private const int MaxBand = 32;

        /// <summary>Estimates tried before the general path takes the row: the normal quantiles, then interpolations.</summary>
        private const int MaxAttempts = 6;

        /// <summary>The widest band the one-register ranking takes.</summary>
        private const int RankedBand = 16;

        /// <summary>
        /// The top <paramref name="k"/> of a row of <paramref name="n"/> (≥ 64) into <paramref name="values"/> and
        /// <paramref name="indices"/>, or false (nothing written) when the general path must select it. Scratch: the row's
        /// keys (n rounded up to 16), the candidates and their columns (up to n + 16 each; the kept ones end up in their
        /// first k), the band (from <paramref name="band"/>, up to n + 32).
        /// </summary>
        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
        public static bool TrySelect<TIndex>(ref float x, int n, int k, ref uint keys, ref uint candidates, ref uint candidateColumns, ref uint band,
            ref float values, ref TIndex indices, bool relu) where TIndex : unmanaged, IBinaryInteger<TIndex>
        {
            // Pass 1: keys (lanes past the row 0: below every threshold, which are keys of finite values) and moments.
            int whole = (n + 15) & ~15;
            var sum = Vector512<float>.Zero;
            var squares = Vector512<float>.Zero;
            var signBit = Vector512.Create(0x80000000u);
            var zeros = Vector512<uint>.Zero;
            int c = 0;
            for (; c <= n - 16; c += 16)
            {
                var v = Vector512.LoadUnsafe(ref x, (nuint)c);
                sum += v;
                squares = Vector512.FusedMultiplyAdd(v, v, squares);
                zeros -= Vector512.Equals(v, Vector512<float>.Zero).AsUInt32();
                var bits = v.AsUInt32();
                (bits ^ (Vector512.ShiftRightArithmetic(bits.AsInt32(), 31).AsUInt32() | signBit)).StoreUnsafe(ref keys, (nuint)c);
            }
            // Both sums reduced together: halves added down to one 128-bit lane each, side by side in a 256-bit register,
            // then two in-lane swaps (Vector512.Sum reduces each alone, about 25 instructions apiece).
            var halves = Vector256.Create(
                Vector128.Add(Vector256.Add(sum.GetLower(), sum.GetUpper()).GetLower(), Vector256.Add(sum.GetLower(), sum.GetUpper()).GetUpper()),
                Vector128.Add(Vector256.Add(squares.GetLower(), squares.GetUpper()).GetLower(), Vector256.Add(squares.GetLower(), squares.GetUpper()).GetUpper()));
            halves += Avx.Permute(halves, 0b01_00_11_10);
            halves += Avx.Permute(halves, 0b10_11_00_01);
            float s = halves.ToScalar(), q = halves.GetUpper().ToScalar();
            int zero = (int)Vector512.Sum(zeros);
            for (; c < n; c++)
            {
                float v = Unsafe.Add(ref x, c);
                s += v;
                q += v * v;
                zero += v == 0f ? 1 : 0;
                Unsafe.Add(ref keys, c) = Key(v);
            }
            for (; c < whole; c++) Unsafe.Add(ref keys, c) = 0;
            // The moments of the nonzero entries: dropout (or a ReLU before) leaves a spike of exact zeros beside near-normal
            // values, which would pull the estimate of a normal quantile far off; the zeros add nothing to either sum.
            int nonzero = n - zero;
            if (nonzero <= k) nonzero = n;
            float mean = s / nonzero, variance = q / nonzero - mean * mean;
            if (!(variance > 0f) || !float.IsFinite(variance) || !float.IsFinite(mean)) return false;
            float deviation = MathF.Sqrt(variance);
            var z = Spread.For(n, k);
            int delta = z.Delta;
            // First estimate: the normal quantiles (f1 ≤ f2 ≤ f3: the quantiles descend, float rounding and Key are monotonic).
            float q1 = z.Z1, q2 = z.Z2, q3 = z.Z3;
            if (nonzero != n)
            {
                double perKey = (double)QuantileSteps / nonzero;
                q1 = (float)Quantiles[Math.Clamp((int)((k + delta) * perKey), 0, QuantileSteps)];
                q2 = (float)Quantiles[Math.Clamp((int)(k * perKey), 0, QuantileSteps)];
                q3 = (float)Quantiles[Math.Clamp((int)((k - delta) * perKey), 0, QuantileSteps)];
            }
            float f1 = mean + q1 * deviation;
            float f2 = mean + q2 * deviation;
            float f3 = mean + q3 * deviation;

            uint kth = 0;
            bool straddle = false; // keys equal to the k-th are more than the k leave room for: keep the lowest columns
            bool fromCandidates = true; // every key ≥ the k-th is a candidate (false only for +0 found by its own count)
            int m = 0; // candidates
            bool narrowing = false; // the candidates hold more than k keys: later attempts count over them
            float low = float.NaN, high = float.NaN; // the tightest bracket known: more than k keys ≥ low, fewer than k ≥ high
            int atLow = n, atHigh = 0;
            for (int attempt = 0; ; attempt++)
            {
                uint t1 = Key(f1), t2 = Key(f2), t3 = Key(f3);
                // Pass 2: the candidates — keys ≥ T1 and their columns, in column order; every later count and the kept set
                // come from them (about k + δ keys), not from the row. Once more than k keys reach T1, every later
                // threshold lies above it (inside the bracket), so later attempts count over the candidates alone.
                var v1 = Vector512.Create(t1);
                var v2 = Vector512.Create(t2);
                var v3 = Vector512.Create(t3);
                if (!narrowing)
                {
                    var column = Vector512.Create(0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u, 15u);
                    var step = Vector512.Create(16u);
                    m = 0;
                    for (int i = 0; i < whole; i += 16, column += step)
                    {
                        var key = Vector512.LoadUnsafe(ref keys, (nuint)i);
                        var keep = Vector512.GreaterThanOrEqual(key, v1);
                        Avx512F.Compress(Vector512<uint>.Zero, keep, key).StoreUnsafe(ref candidates, (nuint)m);
                        Avx512F.Compress(Vector512<uint>.Zero, keep, column).StoreUnsafe(ref candidateColumns, (nuint)m);
                        m += BitOperations.PopCount(keep.ExtractMostSignificantBits());
                    }
                    Vector512<uint>.Zero.StoreUnsafe(ref candidates, (nuint)m); // padding: 0, below every threshold (keys of finite values)
                }
                // c1, c2, c3 = candidates ≥ T1, T2, T3 (c1 = m right after the compress); the band [T1, T3) holds c1 − c3.
                int c1 = 0, c2 = 0, c3 = 0;
                for (int i = 0; i < m; i += 16)
                {
                    var key = Vector512.LoadUnsafe(ref candidates, (nuint)i);
                    c3 += BitOperations.PopCount(Vector512.GreaterThanOrEqual(key, v3).ExtractMostSignificantBits());
                    c2 += BitOperations.PopCount(Vector512.GreaterThanOrEqual(key, v2).ExtractMostSignificantBits());
                    c1 += BitOperations.PopCount(Vector512.GreaterThanOrEqual(key, v1).ExtractMostSignificantBits());
                }
                if (c1 > k) narrowing = true; // stays: every later threshold lies above this T1
                int b = c1 - c3;

                // The k-th largest: a threshold itself when exactly k keys reach it, else inside the band that brackets k.
                if (c3 == k) { kth = t3; break; }
                if (c2 == k) { kth = t2; break; }
                if (c1 == k) { kth = t1; break; }
                int above = 0, count = -1; // keys above the band searched, keys in it
                if (k > c3 && k < c1)
                {
                    if (b <= RankedBand) (above, count) = (c3, Filter(ref candidates, m, t1, t3, ref band));
                    else if (k < c2 && c2 - c3 <= MaxBand) (above, count) = (c3, Filter(ref candidates, m, t2, t3, ref band));
                    else if (k > c2 && c1 - c2 <= MaxBand) (above, count) = (c2, Filter(ref candidates, m, t1, t2, ref band));
                }
                if (count < 0)
                {
                    // Missed (the row is not near normal) or too wide: narrow the bracket with the three counts and
                    // estimate again by linear interpolation inside it (regula falsi), with the same spread in keys.
                    if (attempt == MaxAttempts - 1) return false;
                    // Zero can be the k-th only if it lies where the counts put the k-th: below T1, at or above T3, or in the band.
                    bool zeroPossible = c1 < k ? ZeroKey < t1 : c3 > k ? ZeroKey >= t3 : t1 <= ZeroKey && ZeroKey < t3;
                    if (attempt == 1 && zeroPossible && Bmi2.IsSupported && ZeroIsKth(ref keys, whole, k))
                    {
                        // A row with fewer than k entries above 0 and many exact zeros (dropout, a ReLU before it): the k-th
                        // is +0, which no band around it holds and the candidates may not hold. Its ties are placed below.
                        (kth, straddle, fromCandidates) = (ZeroKey, true, false);
                        break;
                    }
                    if (attempt == 0)
                    {
                        // The row's extremes bound the first bracket (whole vectors, then the tail: the padding's 0 is no key).
                        var (smallest, largest) = Lanes512.MinMax(ref keys, n & ~15);
                        for (int t = n & ~15; t < n; t++)
                            (smallest, largest) = (Math.Min(smallest, Unsafe.Add(ref keys, t)), Math.Max(largest, Unsafe.Add(ref keys, t)));
                        (low, high) = (Value(smallest), Value(largest));
                    }
                    if (c1 > k && f1 > low) (low, atLow) = (f1, c1);
                    if (c2 > k && f2 > low) (low, atLow) = (f2, c2);
                    if (c3 > k && f3 > low) (low, atLow) = (f3, c3);
                    if (c3 < k && f3 < high) (high, atHigh) = (f3, c3);
                    if (c2 < k && f2 < high) (high, atHigh) = (f2, c2);
                    if (c1 < k && f1 < high) (high, atHigh) = (f1, c1);
                    float Interpolate(int at) => Math.Clamp(low + (high - low) * (float)(atLow - at) / (atLow - atHigh), low, high);
                    (f1, f2, f3) = (Interpolate(k + delta), Interpolate(k), Interpolate(k - delta));
                    continue;
                }
                int need = k - above; // 1 ≤ need ≤ count
                Vector512<uint>.Zero.StoreUnsafe(ref band, (nuint)count);
                Vector512<uint>.Zero.StoreUnsafe(ref band, (nuint)count + 16);
                var first = Vector512.LoadUnsafe(ref band);
                var second = Vector512.LoadUnsafe(ref band, 16);
                if (count <= RankedBand)
                {
                    kth = Ranked(first, count, need);
                }
                else
                {
                    var descending = SmallRow.Sort(first);
                    var ascending = Avx512F.PermuteVar16x32(SmallRow.Sort(second), SmallRow.Reverse); // max/min with it are bitonic
                    kth = need <= 16
                        ? SmallRow.Merge(Vector512.Max(descending, ascending)).GetElement(need - 1)
                        : SmallRow.Merge(Vector512.Min(descending, ascending)).GetElement(need - 17);
                }
                // Every key equal to it lies in the band; when not all of them fit in the k, the general path keeps the
                // lowest columns among them.
                var at = Vector512.Create(kth);
                int reach = above
                    + BitOperations.PopCount(Vector512.GreaterThanOrEqual(first, at).ExtractMostSignificantBits())
                    + BitOperations.PopCount(Vector512.GreaterThanOrEqual(second, at).ExtractMostSignificantBits());
                if (reach != k)
                {
                    if (!Bmi2.IsSupported) return false;
                    straddle = true;
                }
                break;
            }

            // Pass 3: the k keys ≥ kth and their columns, in column order, compressed in place over the candidates (or, for
            // +0, from the row into the candidates' space) — or, when keys equal to kth are more than the k leave room for,
            // those above it and the lowest-column equal ones (PDEP picks them from each vector's equal lanes).
            ref uint from = ref fromCandidates ? ref candidates : ref keys;
            int length = fromCandidates ? m : whole;
            var threshold = Vector512.Create(kth);
            var lanes = Vector512.Create(0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u, 15u);
            int kept = 0;
            if (!straddle)
            {
                for (int i = 0; i < length; i += 16)
                {
                    var key = Vector512.LoadUnsafe(ref from, (nuint)i);
                    var columns = fromCandidates ? Vector512.LoadUnsafe(ref candidateColumns, (nuint)i) : lanes + Vector512.Create((uint)i);
                    var keep = Vector512.GreaterThanOrEqual(key, threshold);
                    // kept ≤ i: the stores land behind (or on) the vector just read.
                    Avx512F.Compress(Vector512<uint>.Zero, keep, key).StoreUnsafe(ref candidates, (nuint)kept);
                    Avx512F.Compress(Vector512<uint>.Zero, keep, columns).StoreUnsafe(ref candidateColumns, (nuint)kept);
                    kept += BitOperations.PopCount(keep.ExtractMostSignificantBits());
                }
            }
            else
            {
                int ties = k;
                for (int i = 0; i < length; i += 16)
                    ties -= BitOperations.PopCount(Vector512.GreaterThan(Vector512.LoadUnsafe(ref from, (nuint)i), threshold).ExtractMostSignificantBits());
                var bit = Vector512.Create(1u, 2u, 4u, 8u, 16u, 32u, 64u, 128u, 256u, 512u, 1024u, 2048u, 4096u, 8192u, 16384u, 32768u);
                for (int i = 0; i < length; i += 16)
                {
                    var key = Vector512.LoadUnsafe(ref from, (nuint)i);
                    var columns = fromCandidates ? Vector512.LoadUnsafe(ref candidateColumns, (nuint)i) : lanes + Vector512.Create((uint)i);
                    uint bits = (uint)Vector512.GreaterThan(key, threshold).ExtractMostSignificantBits();
                    uint equal = (uint)Vector512.Equals(key, threshold).ExtractMostSignificantBits();
                    if (fromCandidates && length - i < 16) equal &= (1u << (length - i)) - 1; // not the padding
                    if (ties > 0 && equal != 0)
                    {
                        int take = Math.Min(ties, BitOperations.PopCount(equal));
                        bits |= Bmi2.ParallelBitDeposit((1u << take) - 1, equal); // the lowest `take` equal columns of this vector
                        ties -= take;
                    }
                    var keep = Vector512.Equals(Vector512.Create(bits) & bit, bit);
                    Avx512F.Compress(Vector512<uint>.Zero, keep, key).StoreUnsafe(ref candidates, (nuint)kept);
                    Avx512F.Compress(Vector512<uint>.Zero, keep, columns).StoreUnsafe(ref candidateColumns, (nuint)kept);
                    kept += BitOperations.PopCount(bits);
                }
            }
            ref uint keptKeys = ref candidates;
            ref uint keptColumns = ref candidateColumns;

            // The outputs: each value its key turned back (bit for bit), Dynamic-ReLU's non-positive ones 0.
            int j = 0;
            for (; j <= k - 16; j += 16)
            {
                var key = Vector512.LoadUnsafe(ref keptKeys, (nuint)j);
                var value = (key ^ (~Vector512.ShiftRightArithmetic(key.AsInt32(), 31).AsUInt32() | signBit)).AsSingle();
                if (relu) value = Vector512.ConditionalSelect(Vector512.GreaterThan(value, Vector512<float>.Zero), value, Vector512<float>.Zero);
                value.StoreUnsafe(ref values, (nuint)j);
                var columns = Vector512.LoadUnsafe(ref keptColumns, (nuint)j);
                if (typeof(TIndex) == typeof(byte))
                    Avx512F.ConvertToVector128Byte(columns).StoreUnsafe(ref Unsafe.As<TIndex, byte>(ref indices), (nuint)j);
                else if (typeof(TIndex) == typeof(ushort))
                    Avx512F.ConvertToVector256UInt16(columns).StoreUnsafe(ref Unsafe.As<TIndex, ushort>(ref indices), (nuint)j);
                else if (typeof(TIndex) == typeof(int) || typeof(TIndex) == typeof(uint))
                    columns.StoreUnsafe(ref Unsafe.As<TIndex, uint>(ref indices), (nuint)j);
                else
                    for (int l = 0; l < 16; l++) Unsafe.Add(ref indices, j + l) = TIndex.CreateTruncating(Unsafe.Add(ref keptColumns, j + l));
            }
            for (; j < k; j++)
            {
                int col = (int)Unsafe.Add(ref keptColumns, j);
                Keep(ref values, ref indices, j, col, Unsafe.Add(ref x, col), relu);
            }
            return true;
        }

        /// <summary>
        /// What the first estimate takes from the row's width and k alone: δ and the three normal quantiles. The same for
        /// every row of a call, so each thread keeps the last one (a square root, a division and three 64-bit divisions
        /// per row otherwise, all on the row's critical path).
        /// </summary>
        private readonly record struct Spread(int N, int K, int Delta, float Z1, float Z2, float Z3)
        {
            [ThreadStatic] private static Spread last;

            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            public static Spread For(int n, int k)
            {
                var spread = last;
                if (spread.N == n && spread.K == k) return spread;
                int delta = Math.Clamp((int)(2 * Math.Sqrt(k * (1 - (double)k / n))) + 2, 3, 12);
                return last = new Spread(n, k, delta, (float)Quantiles[QuantileIndex(k + delta, n)], (float)Quantiles[QuantileIndex(k, n)],
                    (float)Quantiles[QuantileIndex(k - delta, n)]);
            }
        }

        /// <summary>The key of +0.</summary>
        private const uint ZeroKey = 0x80000000u;

        /// <summary>Whether +0 is the k-th largest: fewer than k keys above it, at least k at or above it (one counting pass).</summary>
        private static bool ZeroIsKth(ref uint keys, int whole, int k)
        {
            var zero = Vector512.Create(ZeroKey);
            int above = 0, atLeast = 0;
            for (int i = 0; i < whole; i += 16)
            {
                var key = Vector512.LoadUnsafe(ref keys, (nuint)i);
                above += BitOperations.PopCount(Vector512.GreaterThan(key, zero).ExtractMostSignificantBits());
                atLeast += BitOperations.PopCount(Vector512.GreaterThanOrEqual(key, zero).ExtractMostSignificantBits());
            }
            return above < k && atLeast >= k;
        }

        /// <summary>The quantile table's entry for a share of <paramref name="count"/> keys out of <paramref name="n"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int QuantileIndex(int count, int n) => (int)Math.Clamp((long)count * QuantileSteps / n, 0, QuantileSteps);

        /// <summary>
        /// The <paramref name="need"/>-th largest of the first <paramref name="count"/> lanes (the rest 0, below them all):
        /// each lane counts the lanes above it over the 15 rotations of the register; the answer is the smallest lane fewer
        /// than need exceed. The rotations are immediates (valignd) counted into two sums, so no step waits for the one
        /// before it: a rotation index advanced step by step, one permute each, made a 15-step chain (15 % of the
        /// bracketing path's samples at 256/32 on normal rows; with the ranking's final minimum 10 % after; the whole
        /// MaxK selection 2–5 % faster, 100 000 rows, alternated process runs).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static uint Ranked(Vector512<uint> keys, int count, int need)
        {
            var lane = Vector512.Create(0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u, 15u);
            // Each term is all ones (−1) where the rotated lane is greater: subtracting counts it.
            var even = Vector512<uint>.Zero - Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 1), keys);
            var odd = Vector512<uint>.Zero - Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 2), keys);
            even -= Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 3), keys);
            odd -= Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 4), keys);
            even -= Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 5), keys);
            odd -= Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 6), keys);
            even -= Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 7), keys);
            odd -= Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 8), keys);
            even -= Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 9), keys);
            odd -= Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 10), keys);
            even -= Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 11), keys);
            odd -= Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 12), keys);
            even -= Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 13), keys);
            odd -= Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 14), keys);
            even -= Vector512.GreaterThan(Avx512F.AlignRight32(keys, keys, 15), keys);
            var greater = even + odd;
            var candidate = Vector512.ConditionalSelect(
                Vector512.LessThan(greater, Vector512.Create((uint)need)) & Vector512.LessThan(lane, Vector512.Create((uint)count)),
                keys, Vector512.Create(uint.MaxValue));
            return SmallRow.Smallest(candidate);
        }

        /// <summary>
        /// Copies, in order, the keys in [low, high) among the first <paramref name="count"/> candidates (padded with a
        /// vector of 0, outside the range) into <paramref name="band"/>; returns how many.
        /// </summary>
        private static int Filter(ref uint candidates, int count, uint low, uint high, ref uint band)
        {
            var from = Vector512.Create(low);
            var span = Vector512.Create(high - low);
            int kept = 0;
            for (int i = 0; i < count; i += 16)
            {
                var key = Vector512.LoadUnsafe(ref candidates, (nuint)i);
                var keep = Vector512.LessThan(key - from, span);
                Avx512F.Compress(Vector512<uint>.Zero, keep, key).StoreUnsafe(ref band, (nuint)kept);
                kept += BitOperations.PopCount(keep.ExtractMostSignificantBits());
            }
            return kept;
        }
    }
}
