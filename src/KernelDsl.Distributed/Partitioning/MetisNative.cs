using System.Runtime.InteropServices;

namespace KernelDsl.Distributed.Partitioning;

/// <summary>
/// METIS 5.1 (Debian's <c>libmetis5</c>, 32-bit <c>idx_t</c> and <c>real_t</c>) through P/Invoke: the k-way partitioner
/// and its default options. Only what <see cref="GraphPartition.Metis"/> needs.
/// </summary>
internal static partial class MetisNative
{
    private const string Library = "libmetis.so.5";

    /// <summary>METIS_NOPTIONS.</summary>
    public const int OptionCount = 40;

    /// <summary>METIS_OPTION_SEED and METIS_OPTION_NUMBERING in the options array.</summary>
    public const int OptionSeed = 8, OptionNumbering = 17;

    /// <summary>METIS_OK.</summary>
    public const int Ok = 1;

    [LibraryImport(Library, EntryPoint = "METIS_SetDefaultOptions")]
    public static partial int SetDefaultOptions([Out] int[] options);

    [LibraryImport(Library, EntryPoint = "METIS_PartGraphKway")]
    public static partial int PartGraphKway(ref int vertices, ref int constraints, int[] xadj, int[] adjncy, int[]? vertexWeights,
        int[]? vertexSizes, int[]? edgeWeights, ref int parts, float[]? targetWeights, float[]? imbalance, int[] options,
        out int edgeCut, [Out] int[] part);

    /// <summary>True when the library can be loaded.</summary>
    public static bool Available => NativeLibrary.TryLoad(Library, out _);
}
