using KernelDsl.Runtime;
using Xunit;

namespace KernelDsl.Tests.Native;

/// <summary>
/// The native backend's dense buffers start on a 64-byte boundary (HostStorage): a plain managed array starts 8-byte
/// aligned, so most sizes would land off the boundary and these assertions would fail for most of them.
/// </summary>
public sealed class HostStorageTests
{
    public static TheoryData<int, int> Shapes => new()
    {
        { 0, 0 }, { 1, 1 }, { 3, 5 }, { 17, 16 }, { 100, 64 }, { 1000, 256 }, { 40_000, 33 }, // small, odd, and large-object-heap sizes
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryDenseBufferStartsOnACacheLine(int rows, int columns)
    {
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        for (int copy = 0; copy < 8; copy++) // several in a row: the GC places each somewhere else
        {
            using var floats = backend.AllocateDense<float>(rows, columns);
            using var doubles = backend.AllocateDense<double>(rows, columns);
            using var ints = backend.AllocateDense<int>(rows, columns);
            Assert.Equal(0, HostStorage.Misalignment(floats.HostMemory));
            Assert.Equal(0, HostStorage.Misalignment(doubles.HostMemory));
            Assert.Equal(0, HostStorage.Misalignment(ints.HostMemory));
            Assert.Equal(rows * columns, floats.HostSpan.Length);
        }
    }

    [Fact]
    public void TheWindowIsZeroedAndHoldsWhatIsCopiedIn()
    {
        using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
        var data = DenseMatrix<float>.Random(37, 19, 5);
        using var buffer = backend.AllocateDense<float>(37, 19);
        Assert.All(buffer.HostSpan.ToArray(), v => Assert.Equal(0f, v));
        buffer.CopyFrom(data.Data);
        Assert.Equal(data.Data, buffer.HostSpan.ToArray());
        Assert.Equal(data.Data, buffer.ToHost().Data);
        buffer.Clear();
        Assert.All(buffer.ToHost().Data, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void AnIlgpuBufferHasNoHostMemory()
    {
        using var backend = ComputeBackend.CreateIlgpuCpu();
        using var buffer = backend.AllocateDense<float>(2, 2);
        var error = Assert.Throws<InvalidOperationException>(() => buffer.HostMemory);
        Assert.Contains("native CPU backend", error.Message);
    }

    [Fact]
    public void ANegativeLengthIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => HostStorage.Aligned<float>(-1));
}
