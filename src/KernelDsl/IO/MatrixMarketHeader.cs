namespace KernelDsl.IO;

/// <summary>Storage format of a Matrix Market file.</summary>
public enum MatrixMarketFormat { Coordinate, Array }

/// <summary>Value field of a Matrix Market file.</summary>
public enum MatrixMarketField { Real, Integer, Pattern }

/// <summary>Symmetry of a Matrix Market file.</summary>
public enum MatrixMarketSymmetry { General, Symmetric, SkewSymmetric }

/// <summary>The banner and size line of a Matrix Market file.</summary>
public sealed record MatrixMarketHeader(MatrixMarketFormat Format, MatrixMarketField Field, MatrixMarketSymmetry Symmetry,
    int Rows, int Columns, long Entries);
