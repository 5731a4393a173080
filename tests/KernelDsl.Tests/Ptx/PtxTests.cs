using ILGPU;
using ILGPU.Runtime.Cuda;
using Xunit;
using Xunit.Abstractions;

namespace KernelDsl.Tests.Ptx;

/// <summary>Every generated kernel compiles to PTX for SM 9.0 and assembles with ptxas, without spills.</summary>
public sealed class PtxTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Kernels =>
        PtxAssembler.GeneratedKernels(typeof(PtxTests).Assembly).Select(m => new object[] { m.DeclaringType!.Name + "." + m.Name });

    [Fact]
    public void EveryDeclarationOfTheTestAssemblyHasKernels()
    {
        // Every declaration, whatever its attribute, has its kernels (Schedule.Auto has one per schedule it may pick).
        var kernelAttributes = new[] { typeof(SpMMAttribute), typeof(MaxKAttribute), typeof(MaxKBackwardAttribute), typeof(SpGemmAttribute), typeof(SSpMMAttribute), typeof(DynamicReLUAttribute), typeof(DynamicReLUBackwardAttribute) };
        var declared = typeof(PtxTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly))
            .Where(m => kernelAttributes.Any(a => m.GetCustomAttributes(a, false).Length > 0))
            .Select(m => m.DeclaringType!.FullName!.Replace('+', '.') + "." + m.Name)
            .ToHashSet();
        // [SpMM(Backward = true)] adds the adjoint product's kernels.
        foreach (var method in typeof(PtxTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttributes(typeof(SpMMAttribute), false).Cast<SpMMAttribute>().Any(a => a.Backward)))
            declared.Add(method.DeclaringType!.FullName!.Replace('+', '.') + "." + method.Name + "__Adjoint");
        // A [HeteroLayer] declares four kernels: its Dynamic-ReLU forward and backward, SpGEMM and SSpMM.
        var layers = typeof(PtxTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttributes(typeof(HeteroLayerAttribute), false).Length > 0).ToList();
        Assert.NotEmpty(layers);
        foreach (var layer in layers)
            foreach (var suffix in new[] { "Activate", "ActivateBackward", "Aggregate", "Gradient" })
                declared.Add(layer.DeclaringType!.FullName!.Replace('+', '.') + "." + layer.Name + "__" + suffix);
        var kernels = PtxAssembler.GeneratedKernels(typeof(PtxTests).Assembly).ToList();
        Assert.True(declared.Count >= 30);
        Assert.Equal(declared.Order(), kernels.Select(k => k.GetCustomAttributes(typeof(GeneratedKernelAttribute), false).Cast<GeneratedKernelAttribute>().Single().Declaration).ToHashSet().Order());
        Assert.Equal(3, kernels.Count(k => k.DeclaringType!.Name.Contains("SumAuto", StringComparison.Ordinal)));
        Assert.Equal(2, kernels.Count(k => k.DeclaringType!.Name.Contains("MaxAuto", StringComparison.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void CompilesAndAssembles(string kernel)
    {
        var method = PtxAssembler.GeneratedKernels(typeof(PtxTests).Assembly).Single(m => m.DeclaringType!.Name + "." + m.Name == kernel);
        using var context = Context.Create(b => b.Default().Cuda().Optimize(OptimizationLevel.O2));
        string ptx = PtxAssembler.CompileToPtx(context, method);
        Assert.Contains(".version 7.8", ptx, StringComparison.Ordinal);
        Assert.Contains(".entry", ptx, StringComparison.Ordinal);
        var report = PtxAssembler.Assemble(kernel, ptx);
        output.WriteLine($"{kernel}: {report.Registers} registers, {report.SharedBytes} B shared, spills {report.SpillStoreBytes}/{report.SpillLoadBytes} B");
        Assert.True(report.Registers > 0, "ptxas reported no register count:\n" + report.Output);
        Assert.Equal(0, report.SpillStoreBytes);
        Assert.Equal(0, report.SpillLoadBytes);
    }

    public static IEnumerable<object[]> TrainingKernels() => typeof(KernelDsl.Training.TensorOps)
        .GetMethods(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)
        .Where(m => m.Name.EndsWith("Kernel", StringComparison.Ordinal)).Select(m => new object[] { m.Name });

    [Theory]
    [MemberData(nameof(TrainingKernels))]
    public void TheTrainingStacksElementwiseKernelsCompileAndAssemble(string kernel)
    {
        // ReLU, dropout (by position and by row id), bias, Adam: hand-written ILGPU kernels beside the generated ones.
        var method = typeof(KernelDsl.Training.TensorOps).GetMethod(kernel, System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!;
        using var context = Context.Create(b => b.Default().Cuda().Optimize(OptimizationLevel.O2));
        var report = PtxAssembler.Assemble(kernel, PtxAssembler.CompileToPtx(context, method, KernelGrouping.Implicit));
        output.WriteLine($"{kernel}: {report.Registers} registers");
        Assert.True(report.Registers > 0, report.Output);
        Assert.Equal(0, report.SpillStoreBytes);
    }

    [Fact]
    public void TheHeteroLayerElementwiseKernelCompilesAndAssembles()
    {
        var method = typeof(KernelDsl.Hetero.Elementwise).GetMethod("ElementwiseKernel", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!;
        using var context = Context.Create(b => b.Default().Cuda().Optimize(OptimizationLevel.O2));
        var report = PtxAssembler.Assemble("Elementwise", PtxAssembler.CompileToPtx(context, method, KernelGrouping.Implicit));
        Assert.True(report.Registers > 0, report.Output);
        Assert.Equal(0, report.SpillStoreBytes);
    }
}
