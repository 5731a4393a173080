namespace KernelDsl;

/// <summary>A CSR matrix breaks one of its invariants; the message names the invariant and the index.</summary>
public sealed class CsrFormatException : ArgumentException
{
    public CsrFormatException(string message, string? paramName = null) : base(message, paramName) { }
}
