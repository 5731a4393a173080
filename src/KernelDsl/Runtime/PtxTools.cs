using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace KernelDsl.Runtime;

/// <summary>What ptxas reported for one kernel.</summary>
public sealed record PtxasReport(string Kernel, int Registers, int SharedBytes, int SpillStoreBytes, int SpillLoadBytes, string Output)
{
    /// <summary>
    /// Occupancy estimate on an SM of 64 K registers and 2 048 threads (sm_80/sm_90): resident threads
    /// limited by registers (allocated per warp in units of 256) and by the thread limit, over 2 048.
    /// </summary>
    public double EstimatedOccupancy(int threadsPerBlock)
    {
        int warpsPerBlock = Math.Max(1, (threadsPerBlock + 31) / 32);
        int registersPerWarp = Math.Max(256, (Registers * 32 + 255) / 256 * 256);
        int blocksByRegisters = 65536 / (registersPerWarp * warpsPerBlock);
        int blocksByThreads = 2048 / (warpsPerBlock * 32);
        int blocks = Math.Min(Math.Min(blocksByRegisters, blocksByThreads), 32);
        return Math.Min(1.0, blocks * warpsPerBlock * 32 / 2048.0);
    }
}

/// <summary>
/// Compiles generated kernels (methods marked [GeneratedKernel]) to PTX with ILGPU's PTXBackend — no GPU
/// needed — and assembles PTX with a given ptxas. Used by the PTX tests and the benchmark.
/// </summary>
public static partial class PtxTools
{
    /// <summary>SM 9.0 (H100/H200); ILGPU writes .target sm_80 for it, which the driver JITs for newer GPUs.</summary>
    public static readonly CudaArchitecture Architecture = CudaArchitecture.SM_90;

    /// <summary>PTX ISA 7.8: the newest the Debian ptxas (CUDA 11.8) accepts.</summary>
    public static readonly CudaInstructionSet InstructionSet = CudaInstructionSet.ISA_78;

    /// <summary>Every method of <paramref name="assembly"/> marked [GeneratedKernel], in a stable order.</summary>
    public static IEnumerable<MethodInfo> GeneratedKernels(Assembly assembly) => assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
        .Where(m => m.GetCustomAttribute<GeneratedKernelAttribute>() is not null)
        .OrderBy(m => m.DeclaringType!.FullName + "." + m.Name, StringComparer.Ordinal);

    /// <summary>
    /// The PTX of <paramref name="kernel"/>, compiled in <paramref name="context"/> (create it with <c>b.Default().Cuda()</c>);
    /// the grouping is the kernel's [GeneratedKernel] one unless <paramref name="grouping"/> is given (runtime kernels).
    /// </summary>
    public static string CompileToPtx(Context context, MethodInfo kernel, KernelGrouping? grouping = null)
    {
        using var backend = new PTXBackend(context, new CudaCapabilityContext(Architecture), Architecture, InstructionSet, null!);
        grouping ??= kernel.GetCustomAttribute<GeneratedKernelAttribute>()?.Grouping
            ?? throw new ArgumentException($"{kernel.Name} has no [GeneratedKernel]; pass its grouping.", nameof(kernel));
        var entry = grouping == KernelGrouping.Explicit
            ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel)
            : EntryPointDescription.FromImplicitlyGroupedKernel(kernel);
        return ((PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty)).PTXAssembly;
    }

    /// <summary>Runs <c>ptxas -arch=sm_90 -v</c> on <paramref name="ptx"/>; throws with ptxas's output when it fails.</summary>
    public static PtxasReport Assemble(string ptxasPath, string name, string ptx)
    {
        var dir = Directory.CreateTempSubdirectory("kerneldsl-ptx");
        try
        {
            var ptxFile = Path.Combine(dir.FullName, "kernel.ptx");
            File.WriteAllText(ptxFile, ptx);
            var start = new ProcessStartInfo(ptxasPath, ["-arch=sm_90", "-v", ptxFile, "-o", Path.Combine(dir.FullName, "kernel.cubin")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd() + stderr.Result;
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"ptxas failed on {name} (exit {process.ExitCode}):\n{output}");
            int Match(Regex regex) => regex.Match(output) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            return new PtxasReport(name, Match(Registers()), Match(Shared()), Match(SpillStores()), Match(SpillLoads()), output);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"Used (\d+) registers")]
    private static partial Regex Registers();

    [GeneratedRegex(@"(\d+) bytes smem")]
    private static partial Regex Shared();

    [GeneratedRegex(@"(\d+) bytes spill stores")]
    private static partial Regex SpillStores();

    [GeneratedRegex(@"(\d+) bytes spill loads")]
    private static partial Regex SpillLoads();
}
