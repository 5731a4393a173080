namespace KernelDsl;

/// <summary>How the messages of a row's edges are combined into one output row.</summary>
public enum Reduce
{
    /// <summary><c>y[i,:] = Σ_j m(a_ij, x[j,:])</c>.</summary>
    Sum = 0,
    /// <summary>The sum divided by the row's number of stored edges; an empty row gives 0.</summary>
    Mean = 1,
    /// <summary>Element-wise maximum over the row's edges; an empty row gives 0.</summary>
    Max = 2,
    /// <summary>Element-wise minimum over the row's edges; an empty row gives 0.</summary>
    Min = 3,
}
