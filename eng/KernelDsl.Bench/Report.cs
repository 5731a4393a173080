using System.Text;

namespace KernelDsl.Bench;

/// <summary>
/// A suite's markdown: each line to the console as it is measured, all of them to <c>--out</c> at the end (its folder
/// created first, so <c>--out artifacts/bench/x.md</c> works in a fresh clone).
/// </summary>
internal sealed class Report
{
    private readonly StringBuilder _markdown = new();

    /// <summary>Prints <paramref name="line"/> and keeps it for <see cref="Save"/>.</summary>
    public void Line(string line)
    {
        Console.WriteLine(line);
        _markdown.Append(line).Append('\n');
    }

    /// <summary>Writes the lines so far to <paramref name="file"/> (nothing when null); returns whether it wrote.</summary>
    public bool Save(FileInfo? file)
    {
        if (file is null) return false;
        file.Directory?.Create();
        File.WriteAllText(file.FullName, _markdown.ToString());
        return true;
    }
}
