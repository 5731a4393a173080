using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using KernelDsl.Tests.Support;

namespace KernelDsl.Tests.Ptx;

/// <summary>What ptxas reported for one kernel.</summary>
public sealed record PtxasReport(string Kernel, int Registers, int SharedBytes, int SpillStoreBytes, int SpillLoadBytes, string Output);

/// <summary>Compiles generated kernels to PTX with ILGPU's PTXBackend (no GPU needed) and assembles them with ptxas.</summary>
public static partial class PtxAssembler
{
    /// <summary>SM 9.0 (H100/H200); ILGPU writes .target sm_80 for it, which the driver JITs for newer GPUs.</summary>
    public static readonly CudaArchitecture Architecture = CudaArchitecture.SM_90;

    /// <summary>PTX ISA 7.8: the newest the Debian ptxas (CUDA 11.8) accepts.</summary>
    public static readonly CudaInstructionSet InstructionSet = CudaInstructionSet.ISA_78;

    public static string PtxasPath
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("KERNELDSL_PTXAS");
            if (!string.IsNullOrEmpty(env)) return env;
            var local = Path.Combine(RepoPaths.Root, "artifacts", "tools", "ptxas", "ptxas");
            if (File.Exists(local)) return local;
            throw new FileNotFoundException($"ptxas not found at {local}; run eng/ptxas/fetch-ptxas.sh (the test project's build does this when the Debian mirror is reachable) or set KERNELDSL_PTXAS.");
        }
    }

    /// <summary>Every method of <paramref name="assembly"/> marked [GeneratedKernel].</summary>
    public static IEnumerable<MethodInfo> GeneratedKernels(Assembly assembly) => assembly.GetTypes()
        .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
        .Where(m => m.GetCustomAttribute<GeneratedKernelAttribute>() is not null)
        .OrderBy(m => m.DeclaringType!.FullName + "." + m.Name, StringComparer.Ordinal);

    public static string CompileToPtx(Context context, MethodInfo kernel)
    {
        using var backend = new PTXBackend(context, new CudaCapabilityContext(Architecture), Architecture, InstructionSet, null!);
        var grouping = kernel.GetCustomAttribute<GeneratedKernelAttribute>()!.Grouping;
        var entry = grouping == KernelGrouping.Explicit
            ? EntryPointDescription.FromExplicitlyGroupedKernel(kernel)
            : EntryPointDescription.FromImplicitlyGroupedKernel(kernel);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }

    public static PtxasReport Assemble(string name, string ptx)
    {
        var dir = Directory.CreateTempSubdirectory("kerneldsl-ptx");
        try
        {
            var ptxFile = Path.Combine(dir.FullName, "kernel.ptx");
            File.WriteAllText(ptxFile, ptx);
            var start = new ProcessStartInfo(PtxasPath, ["-arch=sm_90", "-v", ptxFile, "-o", Path.Combine(dir.FullName, "kernel.cubin")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"ptxas failed on {name} (exit {process.ExitCode}):\n{output}");
            int Match(Regex regex) => regex.Match(output) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
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
