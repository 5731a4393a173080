namespace KernelDsl;

/// <summary>
/// Sizes checked before anything is allocated, so a matrix too large for one array is refused by name (which
/// parameter, how large, the limit, what to do) instead of surfacing as a bare OverflowException or OutOfMemoryException.
/// </summary>
internal static class ArraySizes
{
    /// <summary>The elements of a <paramref name="rows"/> x <paramref name="columns"/> host array, or a named error.</summary>
    public static long HostElements(long rows, long columns, string what, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows, paramName);
        ArgumentOutOfRangeException.ThrowIfNegative(columns, paramName);
        long elements = rows * columns; // both below 2^31: no overflow
        if (elements > Array.MaxLength)
            throw new ArgumentOutOfRangeException(paramName,
                $"a {rows} x {columns} {what} has {elements:N0} elements, more than one host array holds ({Array.MaxLength:N0}); use fewer rows or columns, or split the work.");
        return elements;
    }

    /// <summary>Checks that a CSR matrix of <paramref name="rows"/> rows can hold its rows + 1 offsets.</summary>
    public static void CsrRows(int rows, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows, paramName);
        if (rows >= Array.MaxLength)
            throw new ArgumentOutOfRangeException(paramName,
                $"{rows:N0} rows need {rows + 1L:N0} row offsets, more than one array holds ({Array.MaxLength:N0}); a CSR matrix has at most {Array.MaxLength - 1:N0} rows.");
    }
}
