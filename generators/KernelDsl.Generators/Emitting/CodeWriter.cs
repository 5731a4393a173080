using System;
using System.Text;

namespace KernelDsl.Generators.Emitting;

/// <summary>Indenting text writer with '\n' line ends, for deterministic output.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    public CodeWriter Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
        return this;
    }

    public CodeWriter Close(string suffix = "")
    {
        _indent--;
        return Line("}" + suffix);
    }

    public IDisposable Block(string line)
    {
        Open(line);
        return new Closer(this);
    }

    internal void Indent() => _indent++;

    internal void Outdent() => _indent--;

    public override string ToString() => _text.ToString();

    private sealed class Closer(CodeWriter writer) : IDisposable
    {
        public void Dispose() => writer.Close();
    }
}

/// <summary>Indents the writer until disposed.</summary>
internal sealed class Indent : IDisposable
{
    private readonly CodeWriter _writer;

    public Indent(CodeWriter writer)
    {
        _writer = writer;
        writer.Indent();
    }

    public void Dispose() => _writer.Outdent();
}
