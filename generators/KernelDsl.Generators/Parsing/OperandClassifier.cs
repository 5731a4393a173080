using Microsoft.CodeAnalysis;
using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Parsing;

/// <summary>The role a parameter type plays in a kernel declaration.</summary>
internal enum OperandRole { Unknown, Stream, Sparse, Dense, Cbsr }

/// <summary>Classifies a parameter type into a role, a form and an element type.</summary>
internal static class OperandClassifier
{
    public static (OperandRole Role, OperandForm Form, ITypeSymbol? Element) Classify(ITypeSymbol type)
    {
        if (type is not INamedTypeSymbol named) return (OperandRole.Unknown, OperandForm.Buffers, null);
        string name = MetadataName(named.OriginalDefinition);
        ITypeSymbol? element = named.TypeArguments.Length >= 1 ? named.TypeArguments[0] : null;
        return name switch
        {
            KnownTypes.ComputeStream => (OperandRole.Stream, OperandForm.Buffers, null),
            KnownTypes.AcceleratorStream => (OperandRole.Stream, OperandForm.Views, null),
            KnownTypes.CsrBuffer => (OperandRole.Sparse, OperandForm.Buffers, element),
            KnownTypes.CsrView => (OperandRole.Sparse, OperandForm.Views, element),
            KnownTypes.DenseBuffer => (OperandRole.Dense, OperandForm.Buffers, element),
            KnownTypes.DenseView => (OperandRole.Dense, OperandForm.Views, element),
            KnownTypes.CbsrBuffer => (OperandRole.Cbsr, OperandForm.Buffers, named.TypeArguments[0]),
            _ => (OperandRole.Unknown, OperandForm.Buffers, null),
        };
    }

    public static string MetadataName(INamedTypeSymbol type)
    {
        string ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        return ns + type.MetadataName;
    }

    /// <summary>The C# keyword of a CBSR index type (byte, ushort, int), or null.</summary>
    public static string? IndexKeyword(ITypeSymbol? type) => type?.SpecialType switch
    {
        SpecialType.System_Byte => "byte",
        SpecialType.System_UInt16 => "ushort",
        SpecialType.System_Int32 => "int",
        _ => null,
    };

    /// <summary>The widest row an index type can address.</summary>
    public static long MaxDim(string indexKeyword) => indexKeyword switch { "byte" => 256, "ushort" => 65536, _ => int.MaxValue };

    /// <summary>The C# keyword of a supported element type, or null.</summary>
    public static string? ElementKeyword(ITypeSymbol? type) => type?.SpecialType switch
    {
        SpecialType.System_Single => "float",
        SpecialType.System_Double => "double",
        _ => null,
    };
}
