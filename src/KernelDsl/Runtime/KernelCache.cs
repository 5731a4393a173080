using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ILGPU.Runtime;

namespace KernelDsl.Runtime;

/// <summary>
/// Loads each generated kernel once per accelerator. Generated launchers call
/// <see cref="GetOrLoad{TKernel}"/> with a key unique to the declaration; entries go away with
/// the accelerator.
/// </summary>
public static class KernelCache
{
    private static readonly ConditionalWeakTable<Accelerator, ConcurrentDictionary<string, Lazy<object>>> Caches = new();

    /// <summary>Returns the kernel loaded for <paramref name="key"/> on <paramref name="accelerator"/>, loading it on first use.</summary>
    public static TKernel GetOrLoad<TKernel>(Accelerator accelerator, string key, Func<Accelerator, TKernel> load)
        where TKernel : Delegate
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        var cache = Caches.GetValue(accelerator, static _ => new ConcurrentDictionary<string, Lazy<object>>(StringComparer.Ordinal));
        var lazy = cache.GetOrAdd(key, k => new Lazy<object>(() => load(accelerator), LazyThreadSafetyMode.ExecutionAndPublication));
        return (TKernel)lazy.Value;
    }

    /// <summary>How many kernels are loaded on <paramref name="accelerator"/>.</summary>
    public static int Count(Accelerator accelerator) =>
        Caches.TryGetValue(accelerator, out var cache) ? cache.Count : 0;
}
