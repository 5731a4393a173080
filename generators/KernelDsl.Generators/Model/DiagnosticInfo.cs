using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace KernelDsl.Generators.Model;

/// <summary>A source location as plain data (no syntax tree), so diagnostics can travel in the pipeline.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location)
    {
        if (location is null || location.SourceTree is null) return null;
        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }

    public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());

    public static LocationInfo? From(SyntaxToken token) => From(token.GetLocation());
}

/// <summary>A diagnostic as plain data: descriptor id, location and message arguments.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor.Id, location, new EquatableArray<string>(arguments));

    /// <summary>
    /// The diagnostic located in the syntax tree of <paramref name="compilation"/> it points into (analyzers must report
    /// in-source locations for the IDE to underline them).
    /// </summary>
    public Diagnostic ToDiagnostic(Compilation compilation)
    {
        var descriptor = Diagnostics.DiagnosticDescriptors.ById(Id);
        var tree = Location is { } l ? System.Linq.Enumerable.FirstOrDefault(compilation.SyntaxTrees, t => t.FilePath == l.FilePath) : null;
        var location = tree is not null ? tree.GetLocation(Location!.Span) : Location?.ToLocation() ?? Microsoft.CodeAnalysis.Location.None;
        return Diagnostic.Create(descriptor, location, Arguments.ToImmutableArray().ToArray<object>());
    }

    public Diagnostic ToDiagnostic()
    {
        var descriptor = Diagnostics.DiagnosticDescriptors.ById(Id);
        return Diagnostic.Create(descriptor, Location?.ToLocation(), Arguments.ToImmutableArray().ToArray<object>());
    }
}

internal static class ArrayExtensions
{
    public static TOut[] ToArray<TOut>(this System.Collections.Immutable.ImmutableArray<string> items)
    {
        var result = new TOut[items.Length];
        for (int i = 0; i < items.Length; i++) result[i] = (TOut)(object)items[i];
        return result;
    }
}
