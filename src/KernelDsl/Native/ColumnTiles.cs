using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace KernelDsl.Native;

/// <summary>
/// The native SpMM's traversal, chosen per call — the rule, in one place. Row-wise (each output row walks its neighbours'
/// whole feature rows; the default) or in column tiles: all rows for columns [c, c + width), then the next tile, so that
/// the rows × width slice of X a tile gathers from can stay in the last-level cache between its reuses. Both write every
/// output element with the same operations in the same edge order, so they are bit-identical; only the speed differs,
/// and that depends on the machine's caches more than any model of them predicts.
/// <para>
/// The rule: a graph whose X fits in the cache (<see cref="CacheBytes"/>), or a feature width under two 16-column tiles,
/// runs row-wise. Otherwise the tile is the widest multiple of 16 columns whose slice of X fills at most half the cache
/// (<see cref="Width"/>), and the first call for a graph (an adjacency buffer) and width times one tile and the row-wise
/// walk and keeps the tiles only if all of them, at the first one's pace, would be at least <see cref="MinimumGain"/>×
/// faster (<see cref="PrefersTiles"/>); later calls reuse that decision. On the 2-core VM this project is measured on,
/// the tiles lost everywhere (2–5× slower on soc-slashdot0902, soc-brightkite and ca-AstroPh at dims 64 and 256: random
/// gathers of short pieces run no faster from its cache than whole rows from memory), so Auto keeps the row-wise walk
/// there; the tiles are for machines whose memory bandwidth per core is the scarce resource.
/// </para>
/// Public for generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class ColumnTiles
{
    /// <summary>
    /// The cache size used where the OS does not say (not Linux, or no cache in sysfs, as on this project's VM): random
    /// gathers of 64–1024-byte pieces measured there ran at 75–160 GB/s within 8 MB and fell to 23–58 GB/s from 16 MB on.
    /// </summary>
    public const long DefaultCacheBytes = 8L << 20;

    /// <summary>How much faster the tiles must be, timed on the first call, to replace the row-wise walk.</summary>
    public const double MinimumGain = 1.1;

    /// <summary>The columns a tile counts in: one 512-bit vector of floats, a whole cache line of each feature row.</summary>
    public const int ColumnStep = 16;

    private static readonly ConditionalWeakTable<object, ConcurrentDictionary<(int Dim, int Width), bool>> Decisions = new();

    /// <summary>
    /// Tests and benchmarks force the traversal on the calling thread, which is the thread that decides: a tile width
    /// (&gt; 0), the row-wise walk (&lt; 0), or the rule (0).
    /// </summary>
    [ThreadStatic]
    internal static int ForcedWidth;

    /// <summary>The last-level cache, from sysfs (the largest data or unified cache of cpu0), else <see cref="DefaultCacheBytes"/>.</summary>
    public static long CacheBytes { get; } = LargestCache("/sys/devices/system/cpu/cpu0/cache") ?? DefaultCacheBytes;

    /// <summary>
    /// The tile width the rule would try for X of <paramref name="sourceRows"/> × <paramref name="dim"/> elements of
    /// <paramref name="elementBytes"/> bytes in a cache of <paramref name="cacheBytes"/>: 0 (row-wise) when X fits or
    /// <paramref name="dim"/> is under two <see cref="ColumnStep"/>s; else the widest multiple of <see cref="ColumnStep"/>
    /// whose slice fills at most half the cache, at least one step, always less than <paramref name="dim"/>.
    /// </summary>
    public static int Width(int sourceRows, int dim, int elementBytes, long cacheBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sourceRows);
        ArgumentOutOfRangeException.ThrowIfNegative(dim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(elementBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cacheBytes);
        if (dim < 2 * ColumnStep || (long)sourceRows * dim * elementBytes <= cacheBytes) return 0;
        long columnsInHalf = cacheBytes / 2 / ((long)sourceRows * elementBytes);
        long width = Math.Max(ColumnStep, columnsInHalf / ColumnStep * ColumnStep);
        return width < dim ? (int)width : 0;
    }

    /// <summary>Whether the tiles replace the row-wise walk, given one timed run of each (any unit, the same for both).</summary>
    public static bool PrefersTiles(double rowWise, double tiled) => tiled * MinimumGain <= rowWise;

    /// <summary>
    /// Runs one SpMM: <paramref name="sweep"/>(from, to) computes output columns [from, to) of every row. Row-wise is one
    /// sweep over [0, dim); tiles are one sweep per tile. <paramref name="adjacency"/> keys the first call's decision
    /// (an immutable buffer: its graph cannot change under it).
    /// </summary>
    public static void Run(object adjacency, int sourceRows, int dim, int elementBytes, Action<int, int> sweep)
    {
        ArgumentNullException.ThrowIfNull(adjacency);
        ArgumentNullException.ThrowIfNull(sweep);
        if (ForcedWidth != 0)
        {
            if (ForcedWidth > 0) Tiled(dim, ForcedWidth, sweep);
            else sweep(0, dim);
            return;
        }
        int width = Width(sourceRows, dim, elementBytes, CacheBytes);
        if (width == 0)
        {
            sweep(0, dim);
            return;
        }
        var decisions = Decisions.GetOrCreateValue(adjacency);
        if (decisions.TryGetValue((dim, width), out bool tiles))
        {
            if (tiles) Tiled(dim, width, sweep);
            else sweep(0, dim);
            return;
        }
        // The first call for this graph and width: one tile, timed, then the row-wise walk, timed, which writes the whole
        // output (the tile's columns again, with the same values). The tiles are estimated from the first one, so trying
        // them costs about one tile's time; it goes first, so what a first run pays alone (the output's first touch,
        // arrays not yet in cache) counts against the tiles.
        long start = Stopwatch.GetTimestamp();
        sweep(0, width);
        long between = Stopwatch.GetTimestamp();
        sweep(0, dim);
        long end = Stopwatch.GetTimestamp();
        decisions[(dim, width)] = PrefersTiles(end - between, (double)(between - start) * dim / width);
    }

    /// <summary>The decision kept for <paramref name="adjacency"/> at this width (null before its first call), for tests and benchmarks.</summary>
    internal static bool? Decision(object adjacency, int dim, int width) =>
        Decisions.TryGetValue(adjacency, out var decisions) && decisions.TryGetValue((dim, width), out bool tiles) ? tiles : null;

    private static void Tiled(int dim, int width, Action<int, int> sweep)
    {
        for (int from = 0; from < dim; from += width) sweep(from, Math.Min(dim, from + width));
    }

    /// <summary>The largest level-2-or-higher data or unified cache under <paramref name="directory"/> (sysfs layout), or null.</summary>
    internal static long? LargestCache(string directory)
    {
        try
        {
            if (!Directory.Exists(directory)) return null;
            long? largest = null;
            foreach (string index in Directory.EnumerateDirectories(directory, "index*"))
            {
                string Read(string name) => File.ReadAllText(Path.Combine(index, name)).Trim();
                if (!int.TryParse(Read("level"), NumberStyles.None, CultureInfo.InvariantCulture, out int level) || level < 2) continue;
                if (Read("type") is not ("Unified" or "Data")) continue;
                if (ParseSize(Read("size")) is { } bytes && bytes > (largest ?? 0)) largest = bytes;
            }
            return largest;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A sysfs cache size: "1024K", "32M" or bytes.</summary>
    internal static long? ParseSize(string text)
    {
        long unit = text.EndsWith('K') ? 1L << 10 : text.EndsWith('M') ? 1L << 20 : text.EndsWith('G') ? 1L << 30 : 1;
        string digits = unit == 1 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value > 0 ? value * unit : null;
    }
}
