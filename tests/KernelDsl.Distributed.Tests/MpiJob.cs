using System.Diagnostics;

namespace KernelDsl.Distributed.Tests;

/// <summary>Starts the worker under <c>mpiexec.mpich -n N</c> and collects its exit code and output, with a deadline.</summary>
public static class MpiJob
{
    public static string Repository { get; } = FindRoot();

    /// <summary>The shared datasets: $KERNELDSL_DATA, else ../shared/data beside the repository.</summary>
    public static string Data(string name)
    {
        var env = Environment.GetEnvironmentVariable("KERNELDSL_DATA");
        var root = !string.IsNullOrEmpty(env) ? env : Path.GetFullPath(Path.Combine(Repository, "..", "shared", "data"));
        var path = Path.Combine(root, name);
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"dataset '{name}' is not at '{path}'; check out ../shared beside the repository or set KERNELDSL_DATA.");
        return path;
    }

    /// <summary>A program built with this test project: the worker, or the main job.</summary>
    public static string Program(string folder, string name)
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(Repository, folder, name, "bin", configuration, "net10.0", name + ".dll");
        if (!File.Exists(path)) throw new FileNotFoundException($"{name} is built with this test project; build it first", path);
        return path;
    }

    /// <summary>Runs <paramref name="ranks"/> processes of the worker; kills the job after <paramref name="timeout"/>.</summary>
    public static (int ExitCode, string Output, TimeSpan Elapsed) Run(int ranks, TimeSpan timeout, params string[] arguments) =>
        RunProgram(Program("tests", "KernelDsl.Distributed.Worker"), ranks, timeout, arguments);

    /// <summary>Runs <paramref name="ranks"/> processes of <paramref name="program"/> under mpiexec.mpich.</summary>
    public static (int ExitCode, string Output, TimeSpan Elapsed) RunProgram(string program, int ranks, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("mpiexec.mpich", ["-n", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet", program, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("mpiexec.mpich did not start; install MPICH (eng/mpi/install-mpi.sh)");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mpiexec -n {ranks} {string.Join(' ', arguments)} did not end within {timeout.TotalSeconds} s:\n{stdout.Result}\n{stderr.Result}");
        }
        process.WaitForExit();
        // MPICH's allocator prints harmless "yaksa: leaked handle pool objects" lines at exit.
        string output = string.Join('\n', (stdout.Result + "\n" + stderr.Result).Split('\n').Where(l => !l.Contains("yaksa", StringComparison.Ordinal)));
        return (process.ExitCode, output, watch.Elapsed);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "KernelDsl.sln"))) return dir.FullName;
        throw new InvalidOperationException("KernelDsl.sln not found above " + AppContext.BaseDirectory);
    }
}
