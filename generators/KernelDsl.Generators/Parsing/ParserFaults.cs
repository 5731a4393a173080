using System;

namespace KernelDsl.Generators.Parsing;

/// <summary>
/// The one test hook of the parsers: called with each declaration's method name before it is parsed; throwing from it
/// simulates a bug of ours, which <see cref="DeclarationShape.Guarded"/> must turn into KDSL9001 on that declaration alone.
/// </summary>
internal static class ParserFaults
{
    internal static Func<string, bool>? Inject;
}
