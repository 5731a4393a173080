using System.Globalization;

namespace KernelDsl.Bench;

/// <summary>
/// numpy as the peer a user would pick for a dense element-wise or row-wise step: one Debian <c>/usr/bin/python3</c>
/// process gets the matrix as a float32 file (<c>x</c>, reshaped to rows of <c>columns</c>) and a body that defines
/// <c>run()</c>; it times <c>run()</c> after one warm-up call and prints the median and quartiles in ms. Null when
/// python3 or numpy is missing (<c>apt-get install python3-numpy</c>).
/// </summary>
internal static class NumpyPeer
{
    public static (double Median, double Low, double High)? Time(ReadOnlySpan<float> x, int columns, IEnumerable<string> body, int repeats)
    {
        string file = Path.Combine(Path.GetTempPath(), $"kerneldsl-numpy-{Environment.ProcessId}.f32");
        try
        {
            File.WriteAllBytes(file, System.Runtime.InteropServices.MemoryMarshal.AsBytes(x).ToArray());
            string script = string.Join("\n", new[]
                {
                    "import sys, time, numpy as np",
                    $"x = np.fromfile(sys.argv[1], dtype=np.float32).reshape(-1, {columns})",
                }
                .Concat(body)
                .Concat(new[]
                {
                    "run()",
                    "t = []",
                    $"for _ in range({repeats}):",
                    "    s = time.perf_counter(); run(); t.append((time.perf_counter() - s) * 1e3)",
                    "t.sort(); n = len(t); print(t[n // 2], t[n // 4], t[min(n - 1, 3 * n // 4)])",
                }));
            var start = new System.Diagnostics.ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            start.ArgumentList.Add("-");
            start.ArgumentList.Add(file);
            using var process = System.Diagnostics.Process.Start(start);
            if (process is null) return null;
            process.StandardInput.Write(script);
            process.StandardInput.Close();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var parts = output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (process.ExitCode != 0 || parts.Length != 3) return null;
            var inv = CultureInfo.InvariantCulture;
            return (double.Parse(parts[0], inv), double.Parse(parts[1], inv), double.Parse(parts[2], inv));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no python3
        }
        finally
        {
            File.Delete(file);
        }
    }
}
