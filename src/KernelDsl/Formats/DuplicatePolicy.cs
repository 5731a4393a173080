namespace KernelDsl;

/// <summary>What <see cref="CsrMatrix{T}.FromCoo"/> does with several entries at the same (row, column).</summary>
public enum DuplicatePolicy
{
    /// <summary>Keep every entry (a multigraph): each one is an edge of its own.</summary>
    Keep = 0,
    /// <summary>Merge them into one entry whose value is the sum (pattern matrices keep one entry).</summary>
    Sum = 1,
    /// <summary>Throw an <see cref="ArgumentException"/> naming the first duplicate.</summary>
    Throw = 2,
}
