namespace KernelDsl;

/// <summary>How a generated ILGPU kernel is launched.</summary>
public enum KernelGrouping
{
    /// <summary>Implicitly grouped: one index per thread, group size chosen by ILGPU.</summary>
    Implicit = 0,
    /// <summary>Explicitly grouped: the launcher picks the group size from the warp size.</summary>
    Explicit = 1,
}

/// <summary>
/// Put by the generator on every ILGPU kernel it emits, so that tools (the PTX check, the
/// benchmark) can find and compile every kernel of an assembly. Not for hand-written code.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class GeneratedKernelAttribute : Attribute
{
    public GeneratedKernelAttribute(string declaration, KernelGrouping grouping)
    {
        Declaration = declaration;
        Grouping = grouping;
    }

    /// <summary>The declaring method, as <c>Namespace.Type.Method</c>.</summary>
    public string Declaration { get; }

    /// <summary>Implicit or explicit grouping.</summary>
    public KernelGrouping Grouping { get; }
}
