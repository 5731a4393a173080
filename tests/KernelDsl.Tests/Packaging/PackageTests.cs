using System.Text.RegularExpressions;
using System.Diagnostics;
using System.IO.Compression;
using KernelDsl.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace KernelDsl.Tests.Packaging;

/// <summary>
/// `dotnet pack` makes one KernelDsl package with the runtime and the generator, and a consumer
/// project that references the package (not the projects) builds, generates its kernel and runs it.
/// Works on a copy of the sources in a temporary folder, so it never races the test build's outputs.
/// </summary>
public sealed class PackageTests(ITestOutputHelper output)
{
    [Fact]
    public void PackedPackageBuildsAndRunsAConsumer()
    {
        var temp = Directory.CreateTempSubdirectory("kerneldsl-pack");
        try
        {
            var repo = Path.Combine(temp.FullName, "repo");
            CopySources(RepoPaths.Root, repo);
            var feed = Path.Combine(temp.FullName, "feed");
            Dotnet(repo, "pack", "src/KernelDsl/KernelDsl.csproj", "-c", "Release", "-o", feed);

            var package = Assert.Single(Directory.GetFiles(feed, "KernelDsl.*.nupkg"));
            // Each local pack has its own pre-release version, so NuGet's cache never serves an older build of it.
            string version = Path.GetFileNameWithoutExtension(package)["KernelDsl.".Length..];
            Assert.Matches(@"^0\.1\.0-dev\.\d{12}$", version);
            using (var zip = ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("lib/net10.0/KernelDsl.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/KernelDsl.Generators.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/KernelDsl.CodeFixes.dll", entries);
                // Every diagnostic's page, since the diagnostics carry no help link.
                var pages = Directory.GetFiles(Path.Combine(repo, "generators", "KernelDsl.Generators", "docs", "diagnostics"), "KDSL*.md");
                Assert.NotEmpty(pages);
                Assert.All(pages, page => Assert.Contains("docs/diagnostics/" + Path.GetFileName(page), entries));
                var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).ReadToEnd();
                Assert.Contains("id=\"ILGPU\"", nuspec, StringComparison.Ordinal);
                Assert.DoesNotContain("Microsoft.CodeAnalysis", nuspec, StringComparison.Ordinal);
            }

            var consumer = Path.Combine(temp.FullName, "consumer");
            Directory.CreateDirectory(consumer);
            File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $$"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="KernelDsl" Version="{{version}}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(consumer, "Program.cs"), """
                using KernelDsl;
                using KernelDsl.Runtime;

                using var backend = ComputeBackend.Create(BackendKind.NativeCpu);
                var a = CsrMatrix<float>.FromCoo(2, 3, [0, 0, 1], [0, 2, 1], [1f, 2f, 3f]);
                var x = new DenseMatrix<float>(3, 2, [1f, 10f, 2f, 20f, 3f, 30f]);
                using var ab = backend.Upload(a);
                using var xb = backend.Upload(x);
                using var yb = backend.AllocateDense<float>(2, 2);
                Consumer.Kernels.Aggregate(backend.DefaultStream, ab, xb, yb);
                var y = yb.ToHost().Data;
                Console.WriteLine("result " + string.Join(",", y));
                return y.SequenceEqual(new[] { 7f, 70f, 6f, 60f }) ? 0 : 1;

                namespace Consumer
                {
                    public static partial class Kernels
                    {
                        [SpMM(Reduce = Reduce.Sum)]
                        public static partial void Aggregate(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
                    }
                }
                """);
            // A private package folder: the global cache must not serve an older KernelDsl 0.1.0.
            var packages = Path.Combine(temp.FullName, "packages");
            string run = Dotnet(consumer, ["run", "-c", "Release"], ("NUGET_PACKAGES", packages));
            Assert.Contains("result 7,70,6,60", run, StringComparison.Ordinal);

            // The README's short example, as a first user copies it: its code block verbatim, on a small pattern graph.
            string readme = File.ReadAllText(Path.Combine(repo, "README.md"));
            const string marker = "<!-- readme-example: runs in tests/KernelDsl.Tests/Packaging/PackageTests.cs -->\n```csharp\n";
            int from = readme.IndexOf(marker, StringComparison.Ordinal);
            Assert.True(from >= 0, "README.md lost its runnable example marker");
            from += marker.Length;
            string example = readme[from..readme.IndexOf("\n```", from, StringComparison.Ordinal)];
            var readmeConsumer = Path.Combine(temp.FullName, "readme-example");
            Directory.CreateDirectory(readmeConsumer);
            File.Copy(Path.Combine(consumer, "nuget.config"), Path.Combine(readmeConsumer, "nuget.config"));
            File.Copy(Path.Combine(consumer, "Consumer.csproj"), Path.Combine(readmeConsumer, "ReadmeExample.csproj"));
            File.WriteAllText(Path.Combine(readmeConsumer, "Program.cs"), example);
            File.WriteAllText(Path.Combine(readmeConsumer, "graph.mtx"),
                "%%MatrixMarket matrix coordinate pattern general\n4 4 6\n1 2\n2 1\n2 3\n3 4\n4 1\n4 2\n");
            string ran = Dotnet(readmeConsumer, ["run", "-c", "Release"], ("NUGET_PACKAGES", packages), ("KERNELDSL_BACKEND", "native"));
            Assert.Contains("y: 256 values; dh:", ran, StringComparison.Ordinal);

            // Mistakes as a first user makes them, in one build: a kernel in a non-partial type (C# adds CS0751 and CS8795,
            // and the command-line compiler then skips every analyzer), an operand of the wrong type, a rule of the
            // attribute, and a C# error elsewhere. Each KDSL rule still reaches `dotnet build`, reported by the generator,
            // at its file and line, once; the refused kernels with a stub add no C# error of their own.
            File.WriteAllText(Path.Combine(consumer, "Broken.cs"), """
                using KernelDsl;
                using KernelDsl.Runtime;

                namespace Consumer;

                public static partial class Broken
                {
                    [SpMM(Reduce = Reduce.Max, Backward = true)]
                    public static partial void Aggregate(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);

                    [SpMM]
                    public static partial void WrongOperand(ComputeStream stream, CsrBuffer<float> a, float[] x, DenseBuffer<float> y);
                }

                public static class NotPartial
                {
                    [SpMM]
                    public static partial void Aggregate(ComputeStream stream, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y);
                }

                public static class Elsewhere
                {
                    public static UnknownType Typo() => default!;
                }
                """);
            string build = Dotnet(consumer, ["build", "-c", "Release", "--no-incremental"], expectFailure: true, ("NUGET_PACKAGES", packages));
            var errors = Regex.Matches(build, @"Broken\.cs\((\d+),(\d+)\): error (\w+)").Select(m => $"{m.Groups[3].Value}@{m.Groups[1].Value}:{m.Groups[2].Value}")
                .Distinct().Order().ToList();
            output.WriteLine(string.Join("\n", errors));
            Assert.Equal(["KDSL1002@15:21", "KDSL1004@12:87", "KDSL3005@8:43"], errors.Where(e => e.StartsWith("KDSL", StringComparison.Ordinal)));
            // C#'s own errors: the non-partial type's two (no stub can be written there) and the typo; none from a stub.
            Assert.Equal(["CS0246@23:19", "CS0751@18:32", "CS8795@18:32"], errors.Where(e => e.StartsWith("CS", StringComparison.Ordinal)));
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private string Dotnet(string directory, params string[] args) => Dotnet(directory, args, expectFailure: false);

    private string Dotnet(string directory, string[] args, params (string Name, string Value)[] environment) => Dotnet(directory, args, false, environment);

    private string Dotnet(string directory, string[] args, bool expectFailure, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet", args)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Do not inherit the test host's MSBuild settings.
        foreach (var name in new[] { "MSBuildSDKsPath", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH" })
            start.Environment.Remove(name);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} took over 5 minutes");
        }
        string text = stdout.Result + stderr.Result;
        output.WriteLine($"$ dotnet {string.Join(' ', args)}\n{text}");
        Assert.True(expectFailure ? process.ExitCode != 0 : process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited {process.ExitCode}:\n{text}");
        return text;
    }

    private static void CopySources(string from, string to)
    {
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "README.md" })
            File.Copy(Path.Combine(from, file), Path.Combine(to, file).EnsureDirectory());
        foreach (var dir in new[] { "src", "generators" })
            foreach (var file in Directory.EnumerateFiles(Path.Combine(from, dir), "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(from, file);
                var parts = relative.Split(Path.DirectorySeparatorChar);
                if (parts.Contains("bin") || parts.Contains("obj")) continue;
                File.Copy(file, Path.Combine(to, relative).EnsureDirectory());
            }
    }
}

internal static class PathExtensions
{
    public static string EnsureDirectory(this string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }
}
