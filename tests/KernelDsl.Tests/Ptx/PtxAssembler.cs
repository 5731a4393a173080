using System.Reflection;
using ILGPU;
using KernelDsl.Runtime;
using KernelDsl.Tests.Support;

namespace KernelDsl.Tests.Ptx;

/// <summary>The tests' access to <see cref="PtxTools"/>, with ptxas located in the repository's artifacts.</summary>
public static class PtxAssembler
{
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

    public static IEnumerable<MethodInfo> GeneratedKernels(Assembly assembly) => PtxTools.GeneratedKernels(assembly);

    public static string CompileToPtx(Context context, MethodInfo kernel, KernelGrouping? grouping = null) => PtxTools.CompileToPtx(context, kernel, grouping);

    public static PtxasReport Assemble(string name, string ptx) => PtxTools.Assemble(PtxasPath, name, ptx);
}
