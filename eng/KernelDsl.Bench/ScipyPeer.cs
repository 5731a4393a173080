using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace KernelDsl.Bench;

/// <summary>
/// scipy as the peer a user would pick for SpMM: one Debian <c>/usr/bin/python3</c> process holding the same CSR
/// matrix and features as ours (passed as raw binary files), timing one <c>A @ X</c> per request so its runs can
/// alternate with ours in one loop. <see cref="Start"/> returns null when python3 or scipy is missing
/// (<c>apt-get install python3-scipy</c>).
/// </summary>
public sealed class ScipyPeer : IDisposable
{
    private const string Script = """
        import sys, time, numpy as np, scipy, scipy.sparse as sp
        print("ready", scipy.__version__, flush=True)
        a = x = None
        for line in sys.stdin:
            cmd = line.split()
            if cmd[0] == "matrix":
                rows, cols, nnz = int(cmd[1]), int(cmd[2]), int(cmd[3])
                indptr = np.fromfile(cmd[4], dtype=np.int32)
                indices = np.fromfile(cmd[5], dtype=np.int32)
                data = np.fromfile(cmd[6], dtype=np.float32)
                a = sp.csr_matrix((data, indices, indptr), shape=(rows, cols))
                print("ok", flush=True)
            elif cmd[0] == "features":
                x = np.fromfile(cmd[1], dtype=np.float32).reshape(-1, int(cmd[2]))
                print("ok", flush=True)
            elif cmd[0] == "sparsefeatures":
                rows, cols = int(cmd[1]), int(cmd[2])
                x = sp.csr_matrix((np.fromfile(cmd[5], dtype=np.float32), np.fromfile(cmd[4], dtype=np.int32), np.fromfile(cmd[3], dtype=np.int32)), shape=(rows, cols))
                print("ok", flush=True)
            elif cmd[0] == "rcm":
                from scipy.sparse.csgraph import reverse_cuthill_mckee
                s = time.perf_counter(); p = reverse_cuthill_mckee(a, symmetric_mode=False); t = (time.perf_counter() - s) * 1e3
                print(t, len(p), flush=True)
            elif cmd[0] == "run":
                s = time.perf_counter(); y = a @ x; t = (time.perf_counter() - s) * 1e3
                print(t, float(y[min(int(cmd[1]), y.shape[0] - 1)].sum()), flush=True)
            else:
                break
        """;

    private readonly Process _process;
    private readonly string _folder;

    private ScipyPeer(Process process, string folder, string version)
    {
        _process = process;
        _folder = folder;
        Version = version;
    }

    /// <summary>scipy's version, as the peer reports it.</summary>
    public string Version { get; }

    /// <summary>Starts the peer, or returns null (with the reason in <paramref name="why"/>) when it cannot run here.</summary>
    public static ScipyPeer? Start(out string why)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"kerneldsl-scipy-{Environment.ProcessId}");
        try
        {
            var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(Script);
            var process = Process.Start(start);
            string? first = process?.StandardOutput.ReadLine();
            if (process is null || first is null || !first.StartsWith("ready ", StringComparison.Ordinal))
            {
                why = "scipy missing (apt-get install python3-scipy): " + (process?.StandardError.ReadToEnd().Split('\n').LastOrDefault(l => l.Length > 0) ?? "no python3");
                process?.Dispose();
                return null;
            }
            Directory.CreateDirectory(folder);
            why = "";
            return new ScipyPeer(process, folder, first["ready ".Length..]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            why = "no /usr/bin/python3";
            return null;
        }
    }

    /// <summary>Hands the peer the matrix (its arrays as they are: same rows, columns and values).</summary>
    public void SetMatrix(CsrMatrix<float> a)
    {
        string Write<T>(string name, T[] array) where T : unmanaged
        {
            string path = Path.Combine(_folder, name);
            File.WriteAllBytes(path, MemoryMarshal.AsBytes(array.AsSpan()).ToArray());
            return path;
        }
        var values = a.Values ?? Enumerable.Repeat(1f, (int)a.Nonzeros).ToArray();
        Send($"matrix {a.Rows} {a.ColumnCount} {a.Nonzeros} {Write("indptr", a.RowOffsets)} {Write("indices", a.ColumnIndices)} {Write("data", values)}");
    }

    /// <summary>Hands the peer the features (row-major, <paramref name="x"/>'s own values).</summary>
    public void SetFeatures(DenseMatrix<float> x)
    {
        string path = Path.Combine(_folder, "x");
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(x.Data.AsSpan()).ToArray());
        Send($"features {path} {x.Columns}");
    }

    /// <summary>
    /// Hands the peer sparse features instead (a CBSR matrix as the CSR scipy holds: k entries per row at their columns),
    /// so <see cref="Run"/> times scipy's sparse × sparse product, the form a scipy user has for MaxK's output.
    /// </summary>
    public void SetSparseFeatures<TIndex>(CbsrMatrix<float, TIndex> x) where TIndex : unmanaged, System.Numerics.IBinaryInteger<TIndex>
    {
        var indptr = Enumerable.Range(0, x.Rows + 1).Select(r => r * x.K).ToArray();
        var indices = x.Indices.Select(i => int.CreateTruncating(i)).ToArray();
        string Write<T>(string name, T[] array) where T : unmanaged
        {
            string path = Path.Combine(_folder, name);
            File.WriteAllBytes(path, MemoryMarshal.AsBytes(array.AsSpan()).ToArray());
            return path;
        }
        Send($"sparsefeatures {x.Rows} {x.Dim} {Write("xindptr", indptr)} {Write("xindices", indices)} {Write("xdata", x.Values)}");
    }

    /// <summary>scipy's own reverse Cuthill–McKee order of the matrix (<c>scipy.sparse.csgraph</c>, over A + Aᵀ): its milliseconds.</summary>
    public double ReverseCuthillMcKee()
    {
        _process.StandardInput.WriteLine("rcm");
        return double.Parse(ReadLine().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>One timed <c>A @ X</c> in the peer: its milliseconds and the sum of output row <paramref name="row"/> (a check).</summary>
    public (double Milliseconds, double RowSum) Run(int row)
    {
        _process.StandardInput.WriteLine($"run {row}");
        var parts = ReadLine().Split(' ');
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private void Send(string command)
    {
        _process.StandardInput.WriteLine(command);
        string reply = ReadLine();
        if (reply != "ok") throw new InvalidOperationException($"scipy peer answered '{reply}' to '{command.Split(' ')[0]}'.");
    }

    private string ReadLine() => _process.StandardOutput.ReadLine()
        ?? throw new InvalidOperationException("scipy peer exited: " + _process.StandardError.ReadToEnd());

    public void Dispose()
    {
        try
        {
            _process.StandardInput.WriteLine("quit");
            _process.WaitForExit(5000);
        }
        catch (IOException)
        {
        }
        _process.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
