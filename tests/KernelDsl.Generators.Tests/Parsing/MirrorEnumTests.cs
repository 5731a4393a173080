using KernelDsl.Generators.Model;
using Xunit;

namespace KernelDsl.Generators.Tests.Parsing;

/// <summary>
/// The generator reads attribute enum arguments as their integer values (it cannot load the runtime assembly), so its
/// mirror enums must agree with the runtime's name for name and value for value: a value added, removed or renumbered
/// on one side fails here instead of generating the wrong kernel.
/// </summary>
public sealed class MirrorEnumTests
{
    public static TheoryData<Type, Type> Pairs => new()
    {
        { typeof(ReduceKind), typeof(KernelDsl.Reduce) },
        { typeof(ScheduleKind), typeof(KernelDsl.Schedule) },
        { typeof(AdjacencyKind), typeof(KernelDsl.Adjacency) },
        { typeof(CombineKind), typeof(KernelDsl.HeteroCombine) },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void MirrorMatchesTheRuntimeEnum(Type mirror, Type runtime)
    {
        static string[] Members(Type t) => Enum.GetNames(t).Select(n => n + "=" + Convert.ToInt64(Enum.Parse(t, n), System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Members(runtime), Members(mirror));
    }
}
