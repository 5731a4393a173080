namespace KernelDsl;

/// <summary>Whether the sparse operand's stored values take part in the product.</summary>
public enum Adjacency
{
    /// <summary>Each edge carries a value <c>a_ij</c>; the default message is <c>a_ij · x[j,c]</c>.</summary>
    Weighted = 0,
    /// <summary>Only the pattern counts; the edge value passed to a message is 1 and the default message is <c>x[j,c]</c>.</summary>
    Pattern = 1,
}
