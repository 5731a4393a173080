using ILGPU.Runtime.CPU;
using KernelDsl.Runtime;
using KernelDsl.Tests.Kernels;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Backends;

/// <summary>Tests that change KERNELDSL_BACKEND run alone.</summary>
[CollectionDefinition("environment", DisableParallelization = true)]
public sealed class EnvironmentCollection;

[Collection("environment")]
public sealed class BackendSelectionTests
{
    [Theory]
    [InlineData("native", BackendKind.NativeCpu)]
    [InlineData(" CPU ", BackendKind.NativeCpu)]
    [InlineData("ilgpu-cpu", BackendKind.IlgpuCpu)]
    [InlineData("cuda", BackendKind.Cuda)]
    [InlineData("OpenCL", BackendKind.OpenCL)]
    [InlineData("auto", BackendKind.Auto)]
    public void ParsesBackendNames(string name, BackendKind kind) => Assert.Equal(kind, ComputeBackend.ParseKind(name));

    [Fact]
    public void UnknownNameSaysWhatIsAccepted()
    {
        var ex = Assert.Throws<ArgumentException>(() => ComputeBackend.ParseKind("tpu"));
        Assert.Contains("auto, cuda, opencl, ilgpu-cpu or native", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AutomaticChoiceWithoutAGpuIsTheNativeBackend()
    {
        WithEnvironment(null, () =>
        {
            using var backend = ComputeBackend.Create();
            if (backend.Kind is BackendKind.Cuda or BackendKind.OpenCL) return; // a GPU machine: the GPU wins, as documented
            Assert.Equal(BackendKind.NativeCpu, backend.Kind);
            Assert.Null(backend.Accelerator);
            Assert.Contains("no CUDA or OpenCL GPU", backend.SelectionReason, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void EnvironmentVariableOverridesAutoButNotAnExplicitArgument()
    {
        WithEnvironment("ilgpu-cpu", () =>
        {
            using (var fromEnv = ComputeBackend.Create())
            {
                Assert.Equal(BackendKind.IlgpuCpu, fromEnv.Kind);
                Assert.Contains("KERNELDSL_BACKEND=ilgpu-cpu", fromEnv.SelectionReason, StringComparison.Ordinal);
            }
            using var explicitNative = ComputeBackend.Create(BackendKind.NativeCpu);
            Assert.Equal(BackendKind.NativeCpu, explicitNative.Kind);
        });
    }

    [Fact]
    public void MissingCudaIsAClearError()
    {
        using var probe = ComputeBackend.Create(BackendKind.NativeCpu);
        try
        {
            using var cuda = ComputeBackend.Create(BackendKind.Cuda);
            Assert.Equal(BackendKind.Cuda, cuda.Kind); // only on a machine with an NVIDIA GPU
        }
        catch (NotSupportedException ex)
        {
            Assert.Contains("KERNELDSL_BACKEND=native", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void KernelIsLoadedOncePerAccelerator()
    {
        using var backend = ComputeBackend.CreateIlgpuCpu(CPUDevice.Default);
        var graph = TestGraphs.Shape("uniform");
        using var a = backend.Upload(graph);
        using var x = backend.Upload(DenseMatrix<float>.Random(graph.ColumnCount, 8, 1));
        using var y = backend.AllocateDense<float>(graph.Rows, 8);
        Assert.Equal(0, KernelCache.Count(backend.Accelerator!));
        TestKernels.SumWarpPerRow(backend.DefaultStream, a, x, y);
        TestKernels.SumWarpPerRow(backend.DefaultStream, a, x, y);
        Assert.Equal(1, KernelCache.Count(backend.Accelerator!));
        TestKernels.MaxRowPerThread(backend.DefaultStream, a, x, y);
        Assert.Equal(2, KernelCache.Count(backend.Accelerator!));
    }

    private static void WithEnvironment(string? value, Action action)
    {
        var old = Environment.GetEnvironmentVariable(ComputeBackend.EnvironmentVariable);
        Environment.SetEnvironmentVariable(ComputeBackend.EnvironmentVariable, value);
        try { action(); }
        finally { Environment.SetEnvironmentVariable(ComputeBackend.EnvironmentVariable, old); }
    }
}
