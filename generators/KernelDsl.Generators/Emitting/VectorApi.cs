namespace KernelDsl.Generators.Emitting;

/// <summary>
/// The SIMD vocabulary of generated native code: <c>System.Numerics.Vector&lt;T&gt;</c> (the machine's preferred width, 256
/// bits on AVX2 and on AVX-512 machines alike) or <c>System.Runtime.Intrinsics.Vector512&lt;T&gt;</c> (AVX-512). One renderer
/// writes both, so the two paths differ only in width and the widths give bit-identical results (each lane does the
/// same operations in the same order).
/// </summary>
internal sealed class VectorApi
{
    public static readonly VectorApi Preferred = new("global::System.Numerics.Vector", "Vector&lt;T&gt;", "SquareRoot", [4, 1]);
    public static readonly VectorApi Wide = new("global::System.Runtime.Intrinsics.Vector512", "Vector512", "Sqrt", [8, 4, 1]);

    private readonly string _sqrt;

    private VectorApi(string statics, string docName, string sqrt, int[] tiles)
    {
        Statics = statics;
        DocName = docName;
        _sqrt = sqrt;
        Tiles = tiles;
    }

    /// <summary>The static class (LoadUnsafe, StoreUnsafe, Max, Min, Abs, …).</summary>
    public string Statics { get; }

    /// <summary>The type's name as an XML doc comment writes it.</summary>
    public string DocName { get; }

    /// <summary>Register tiles, in vectors, widest first: a tile's accumulators stay in registers (AVX-512 has 32 of them).</summary>
    public int[] Tiles { get; }

    /// <summary>The vector type of <paramref name="element"/>.</summary>
    public string Type(string element) => $"{Statics}<{element}>";

    /// <summary>A vector with every lane <paramref name="scalar"/>.</summary>
    public string Splat(string element, string scalar) => this == Preferred ? $"new {Type(element)}({scalar})" : $"{Statics}.Create({scalar})";

    /// <summary>The vector form of a System.Math / MathF function the message calls, or null when it has none.</summary>
    public string? Function(string function) => function.Substring(function.IndexOf('.') + 1) switch
    {
        "Abs" => $"{Statics}.Abs",
        "Max" => $"{Statics}.Max",
        "Min" => $"{Statics}.Min",
        "Sqrt" => $"{Statics}.{_sqrt}",
        _ => null,
    };
}
