using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KernelDsl.Generators.Tests.Ide;

/// <summary>
/// A minimal LSP client for csharp-ls (the repository's tool manifest pins it; <c>dotnet tool restore</c> installs it):
/// JSON-RPC over stdio with Content-Length framing. It answers the server's <c>workspace/configuration</c> request with
/// <c>analyzersEnabled: true</c> — csharp-ls runs analyzers only when the editor asks, as an editor configured for
/// KernelDsl would — and every other server request with null.
/// </summary>
public sealed class LanguageServer : IDisposable
{
    private readonly Process _process;
    private readonly Stream _in;
    private readonly Stream _out;
    private readonly StringBuilder _log = new();
    private int _nextId = 1;

    private LanguageServer(Process process)
    {
        _process = process;
        _in = process.StandardInput.BaseStream;
        _out = process.StandardOutput.BaseStream;
        process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        process.BeginErrorReadLine();
    }

    /// <summary>What the server wrote to stderr (for a failure message).</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Restores the repository's tools and starts csharp-ls on <paramref name="root"/>.</summary>
    public static LanguageServer Start(string repository, string root)
    {
        var restore = Process.Start(new ProcessStartInfo("dotnet", ["tool", "restore"]) { WorkingDirectory = repository, RedirectStandardOutput = true, RedirectStandardError = true })!;
        string restored = restore.StandardOutput.ReadToEnd() + restore.StandardError.ReadToEnd();
        restore.WaitForExit();
        if (restore.ExitCode != 0) throw new InvalidOperationException("dotnet tool restore failed:\n" + restored);
        var start = new ProcessStartInfo("dotnet", ["tool", "run", "csharp-ls"])
        {
            WorkingDirectory = repository, // where the tool manifest is; the workspace is the rootUri below
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var server = new LanguageServer(Process.Start(start)!);
        server.Request("initialize", new JsonObject
        {
            ["processId"] = Environment.ProcessId,
            ["rootUri"] = new Uri(root).AbsoluteUri,
            ["capabilities"] = new JsonObject
            {
                ["textDocument"] = new JsonObject { ["diagnostic"] = new JsonObject() },
                ["workspace"] = new JsonObject { ["configuration"] = true },
            },
        }, TimeSpan.FromSeconds(60));
        server.Notify("initialized", new JsonObject());
        return server;
    }

    /// <summary>Opens <paramref name="path"/> as the editor would.</summary>
    public void Open(string path) => Notify("textDocument/didOpen", new JsonObject
    {
        ["textDocument"] = new JsonObject
        {
            ["uri"] = new Uri(path).AbsoluteUri, ["languageId"] = "csharp", ["version"] = 1, ["text"] = File.ReadAllText(path),
        },
    });

    /// <summary>The diagnostics the server shows for <paramref name="path"/> now (a pull request).</summary>
    public IReadOnlyList<(string Code, int Line, int Character, int EndLine, int EndCharacter, string Message)> Diagnostics(string path)
    {
        var result = Request("textDocument/diagnostic", new JsonObject { ["textDocument"] = new JsonObject { ["uri"] = new Uri(path).AbsoluteUri } },
            TimeSpan.FromSeconds(60));
        var items = result?["items"]?.AsArray() ?? [];
        return items.Select(d => (
            d!["code"]?.ToString() ?? "",
            (int)d["range"]!["start"]!["line"]!, (int)d["range"]!["start"]!["character"]!,
            (int)d["range"]!["end"]!["line"]!, (int)d["range"]!["end"]!["character"]!,
            d["message"]?.ToString() ?? "")).ToList();
    }

    private JsonNode? Request(string method, JsonNode? parameters, TimeSpan timeout)
    {
        int id = _nextId++;
        Write(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var message = Read(deadline) ?? throw new TimeoutException($"csharp-ls did not answer {method} within {timeout.TotalSeconds} s:\n{Log}");
            if (message["method"] is { } serverMethod)
            {
                if (message["id"] is { } requestId) // a request of the server's: answer it
                {
                    JsonNode? answer = null;
                    if (serverMethod.ToString() == "workspace/configuration")
                        answer = new JsonArray(message["params"]!["items"]!.AsArray().Select(_ => (JsonNode)new JsonObject { ["analyzersEnabled"] = true }).ToArray());
                    Write(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = requestId.DeepClone(), ["result"] = answer });
                }
                continue;
            }
            if (message["id"] is { } got && got.GetValueKind() == JsonValueKind.Number && (int)got == id)
            {
                if (message["error"] is { } error) throw new InvalidOperationException($"csharp-ls refused {method}: {error.ToJsonString()}");
                return message["result"];
            }
        }
    }

    private void Notify(string method, JsonNode parameters) => Write(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

    private void Write(JsonNode message)
    {
        byte[] body = Encoding.UTF8.GetBytes(message.ToJsonString());
        byte[] header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        _in.Write(header);
        _in.Write(body);
        _in.Flush();
    }

    private JsonNode? Read(DateTime deadline)
    {
        var read = Task.Run(() =>
        {
            int length = -1;
            while (true)
            {
                string line = ReadLine();
                if (line.Length == 0) break;
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line["Content-Length:".Length..].Trim());
            }
            var body = new byte[length];
            _out.ReadExactly(body);
            return JsonNode.Parse(body);
        });
        var left = deadline - DateTime.UtcNow;
        return left > TimeSpan.Zero && read.Wait(left) ? read.Result : null;
    }

    private string ReadLine()
    {
        var bytes = new List<byte>();
        while (true)
        {
            int b = _out.ReadByte();
            if (b < 0) throw new EndOfStreamException("csharp-ls closed its output:\n" + Log);
            if (b == '\n') return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
            bytes.Add((byte)b);
        }
    }

    public void Dispose()
    {
        try
        {
            Request("shutdown", null, TimeSpan.FromSeconds(10));
            Notify("exit", new JsonObject());
            if (!_process.WaitForExit(10_000)) _process.Kill(entireProcessTree: true);
        }
        catch (Exception)
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
