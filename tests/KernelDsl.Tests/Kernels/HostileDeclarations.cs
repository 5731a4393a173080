using KernelDsl;
using KernelDsl.Runtime;

namespace KernelDsl.Tests.Kernels;

/// <summary>
/// Declarations that once made the generator throw, drop every generated file or emit code that does not compile
/// (issue 11): names that differ only in case, a [MaxK] and its [MaxKBackward] sharing a name, a keyword type name,
/// keyword parameter names, and the unsafe and new modifiers. This project builds with warnings as errors, so a
/// generator failure (CS8785) fails the build; the tests run each kernel against the reference.
/// </summary>
public static partial class HostileDeclarations
{
    [SpMM(Reduce = Reduce.Sum)]
    public static partial void Aggregate(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Reduce = Reduce.Max)]
    public static partial void aggregate(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [MaxK(K = 2, Dim = 8)]
    public static partial void Pick(ComputeStream stream, DenseBuffer<float> x, CbsrBuffer<float, byte> y);

    [MaxKBackward]
    public static partial void Pick(ComputeStream stream, CbsrBuffer<float, byte> dy, DenseBuffer<float> dx);

    [SpMM(Reduce = Reduce.Mean)]
    internal static unsafe partial void Unsafe(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
}

/// <summary>A base with a member the derived kernel hides ('new').</summary>
public class HostileBase
{
    /// <summary>Hidden by <see cref="HostileDerived.Hidden"/>.</summary>
    public static int Hidden;
}

/// <summary>A kernel declared 'new' in a derived type.</summary>
public partial class HostileDerived : HostileBase
{
    [SpMM(Reduce = Reduce.Min)]
    public static new partial void Hidden(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
}

#pragma warning disable CS8981 // a lowercase type name, on purpose: the keyword @event must survive generation
/// <summary>A type named with a keyword, kernels and parameters too.</summary>
public static partial class @event
{
    [SpMM(Reduce = Reduce.Sum)]
    public static partial void @fixed(ComputeStream @in, CsrBuffer<float> @out, DenseBuffer<float> @class, DenseBuffer<float> @ref);
}
#pragma warning restore CS8981

/// <summary>
/// Messages whose intermediates are double in a float kernel: the native SIMD path, its scalar tail and the ILGPU kernel
/// must compute the same function (C#'s: double arithmetic, then the conversion), not float arithmetic throughout.
/// </summary>
public static partial class MixedPrecisionMessages
{
    /// <summary>1e-40 underflows in float but not in double: float arithmetic gives 0 or ∞ where C# gives edge · source.</summary>
    [Message]
    public static float Wide(float edge, float source) => (float)(edge * 1e-40 * 1e40) * source;

    /// <summary>A double literal makes the product double: in float arithmetic the result rounds differently.</summary>
    [Message]
    public static float Third(float edge, float source) => (float)(source / 3.0 + edge * 0.1);

    /// <summary>Math.Sqrt computes in double.</summary>
    [Message]
    public static float Root(float edge, float source) => edge * (float)Math.Sqrt(Math.Abs(source) + 1e-30);

    /// <summary>All float: stays on the SIMD path, and must agree too.</summary>
    [Message]
    public static float Plain(float edge, float source) => edge * MathF.Max(source, 0f) + 0.5f;

    [SpMM(Message = nameof(Wide))]
    public static partial void AggregateWide(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Message = nameof(Third), Reduce = Reduce.Max, Schedule = Schedule.RowPerThread)]
    public static partial void AggregateThird(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Message = nameof(Root), Reduce = Reduce.Mean)]
    public static partial void AggregateRoot(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

    [SpMM(Message = nameof(Plain))]
    public static partial void AggregatePlain(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
}
