using System.Numerics;

namespace KernelDsl.Graphs;

/// <summary>
/// R-MAT power-law graphs (Chakrabarti, Zhan and Faloutsos 2004): each edge picks a quadrant of the
/// adjacency matrix recursively with probabilities (a, b, c, d). a = 0.57, b = c = 0.19 gives the
/// Graph500-like skew; a = b = c = d = 0.25 gives a uniform random graph. Deterministic for a seed.
/// </summary>
public static class RMatGenerator
{
    /// <summary>Generates a graph with <paramref name="nodes"/> nodes and about <paramref name="edges"/> directed edges.</summary>
    /// <param name="nodes">Node count (need not be a power of two: ids beyond it are folded back by modulo).</param>
    /// <param name="edges">Edges to draw (duplicates are merged, so slightly fewer remain).</param>
    /// <param name="seed">Random seed.</param>
    /// <param name="a">Probability of the top-left quadrant (the skew).</param>
    /// <param name="b">Top-right.</param>
    /// <param name="c">Bottom-left.</param>
    /// <param name="withValues">Give each edge a value uniform in (0, 1]; else a pattern matrix.</param>
    public static CsrMatrix<T> Generate<T>(int nodes, long edges, int seed, double a = 0.57, double b = 0.19, double c = 0.19,
        bool withValues = true) where T : unmanaged, INumber<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, 1);
        ArraySizes.CsrRows(nodes, nameof(nodes));
        ArgumentOutOfRangeException.ThrowIfNegative(edges);
        if (edges > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(edges), "too many edges for one CSR matrix.");
        if (!(a >= 0 && b >= 0 && c >= 0 && a + b + c <= 1)) // NaN fails every comparison
            throw new ArgumentException($"quadrant probabilities a={a}, b={b}, c={c} must be non-negative with a + b + c <= 1.");
        int scale = 0;
        while ((1L << scale) < nodes) scale++;
        var rng = new Random(seed);
        var rows = new int[edges];
        var cols = new int[edges];
        var vals = withValues ? new T[edges] : null;
        for (long e = 0; e < edges; e++)
        {
            long r = 0, col = 0;
            for (int level = 0; level < scale; level++)
            {
                double p = rng.NextDouble();
                int bitR = p < a + b ? 0 : 1;
                int bitC = p < a || (p >= a + b && p < a + b + c) ? 0 : 1;
                r = (r << 1) | (uint)bitR;
                col = (col << 1) | (uint)bitC;
            }
            rows[e] = (int)(r % nodes);
            cols[e] = (int)(col % nodes);
            if (vals is not null) vals[e] = T.CreateChecked(1.0 - rng.NextDouble());
        }
        return CsrMatrix<T>.FromCoo(nodes, nodes, rows, cols, vals, DuplicatePolicy.Sum);
    }
}
