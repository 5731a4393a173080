using KernelDsl.Generators.Families;
using Microsoft.CodeAnalysis;

namespace KernelDsl.Generators;

/// <summary>
/// The KernelDsl incremental generator: for every kernel family of <see cref="KernelFamilies.All"/>, its declarations →
/// a spec (Parsing, Model) → the family's files (Emitting): checked dispatch bodies, ILGPU kernels with their launchers,
/// native CPU implementations, heterogeneous layers; a refused declaration gets a throwing stub.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class KernelDslGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        foreach (var family in KernelFamilies.All) family.Register(context);
    }
}
