namespace KernelDsl;

/// <summary>Summary of the row degrees (stored entries per row) of a sparse matrix.</summary>
/// <param name="Rows">Number of rows.</param>
/// <param name="Nonzeros">Number of stored entries.</param>
/// <param name="Min">Smallest degree (0 for an empty matrix).</param>
/// <param name="Max">Largest degree.</param>
/// <param name="Mean">Mean degree.</param>
/// <param name="StandardDeviation">Population standard deviation of the degree.</param>
/// <param name="Median">Median degree.</param>
/// <param name="P99">99th percentile of the degree.</param>
/// <param name="EmptyRows">Rows with no stored entry.</param>
public readonly record struct DegreeStatistics(
    int Rows, long Nonzeros, int Min, int Max, double Mean, double StandardDeviation, int Median, int P99, int EmptyRows)
{
    /// <summary>Coefficient of variation (σ / mean): 0 for regular graphs, large for power-law ones.</summary>
    public double Skew => Mean > 0 ? StandardDeviation / Mean : 0;

    /// <summary>Computes the statistics from CSR row offsets.</summary>
    public static DegreeStatistics FromRowOffsets(ReadOnlySpan<int> rowOffsets)
    {
        int rows = Math.Max(0, rowOffsets.Length - 1);
        if (rows == 0) return new DegreeStatistics(0, 0, 0, 0, 0, 0, 0, 0, 0);
        var degrees = new int[rows];
        long sum = 0;
        int empty = 0;
        for (int i = 0; i < rows; i++)
        {
            int d = rowOffsets[i + 1] - rowOffsets[i];
            degrees[i] = d;
            sum += d;
            if (d == 0) empty++;
        }
        double mean = (double)sum / rows;
        double variance = 0;
        foreach (int d in degrees) variance += (d - mean) * (d - mean);
        variance /= rows;
        Array.Sort(degrees);
        int P(double q) => degrees[Math.Min(rows - 1, (int)Math.Floor(q * (rows - 1) + 0.5))];
        return new DegreeStatistics(rows, sum, degrees[0], degrees[^1], mean, Math.Sqrt(variance), P(0.5), P(0.99), empty);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"rows {Rows}, nnz {Nonzeros}, degree min {Min} / median {Median} / mean {Mean:F2} / p99 {P99} / max {Max}, σ {StandardDeviation:F2}, empty rows {EmptyRows}");
}
