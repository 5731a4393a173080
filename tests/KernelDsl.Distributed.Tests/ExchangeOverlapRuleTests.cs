using Xunit;

namespace KernelDsl.Distributed.Tests;

/// <summary>The rule that decides <see cref="ExchangeOverlap.Auto"/>, on each of its choices.</summary>
public sealed class ExchangeOverlapRuleTests
{
    [Theory]
    [InlineData(ExchangeOverlap.Auto, 1, false)] // one machine: the copies use the kernels' cores (measured: no gain)
    [InlineData(ExchangeOverlap.Auto, 2, true)] // a network to hide
    [InlineData(ExchangeOverlap.Auto, 64, true)]
    [InlineData(ExchangeOverlap.On, 1, true)]
    [InlineData(ExchangeOverlap.On, 3, true)]
    [InlineData(ExchangeOverlap.Off, 1, false)]
    [InlineData(ExchangeOverlap.Off, 8, false)]
    public void AutoOverlapsExactlyWhenTheRanksSpanSeveralMachines(ExchangeOverlap mode, int hosts, bool expected) =>
        Assert.Equal(expected, ExchangeOverlapRule.Overlaps(mode, hosts));

    [Fact]
    public void RefusesANonsenseJob()
    {
        Assert.Equal("hosts", Assert.Throws<ArgumentOutOfRangeException>(() => ExchangeOverlapRule.Overlaps(ExchangeOverlap.Auto, 0)).ParamName);
        Assert.Equal("mode", Assert.Throws<ArgumentOutOfRangeException>(() => ExchangeOverlapRule.Overlaps((ExchangeOverlap)7, 1)).ParamName);
    }
}
