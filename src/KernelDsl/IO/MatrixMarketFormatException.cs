namespace KernelDsl.IO;

/// <summary>A Matrix Market file is malformed; <see cref="LineNumber"/> (1-based) says where.</summary>
public sealed class MatrixMarketFormatException : FormatException
{
    public MatrixMarketFormatException(string source, long lineNumber, string problem)
        : base($"{source}:{lineNumber}: {problem}")
    {
        Source = source;
        LineNumber = lineNumber;
        Problem = problem;
    }

    /// <summary>The file (or source name) being read.</summary>
    public new string Source { get; }

    /// <summary>1-based line number of the offending line.</summary>
    public long LineNumber { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }
}
