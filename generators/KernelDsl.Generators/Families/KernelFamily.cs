using System;
using System.Collections.Generic;
using System.Threading;
using KernelDsl.Generators.Diagnostics;
using KernelDsl.Generators.Emitting;
using KernelDsl.Generators.Model;
using KernelDsl.Generators.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace KernelDsl.Generators.Families;

/// <summary>
/// One kernel family: the attribute that declares it, its parser and the files a valid declaration becomes. The
/// generator registers every family of <see cref="KernelFamilies.All"/> the same way; the analyzer finds a declaration's
/// family there too, so both read one table.
/// </summary>
internal abstract class KernelFamily
{
    protected KernelFamily(string name, string attribute, bool returnsVoid)
    {
        Name = name;
        Attribute = attribute;
        ReturnsVoid = returnsVoid;
    }

    /// <summary>The family's name, as its attribute is written (e.g. "SpGemm").</summary>
    public string Name { get; }

    /// <summary>The attribute's metadata name.</summary>
    public string Attribute { get; }

    /// <summary>The incremental parse step's tracking name (tests check that it stays cached).</summary>
    public string TrackingName => "KernelDsl." + Name + ".Parse";

    /// <summary>Whether declarations return void (a [HeteroLayer] returns the prepared layer).</summary>
    public bool ReturnsVoid { get; }

    /// <summary>Every diagnostic the family's parser finds in <paramref name="declaration"/> (the analyzer's view).</summary>
    public abstract EquatableArray<DiagnosticInfo> Diagnose(KernelDeclaration declaration, CancellationToken ct);

    /// <summary>Adds the family's parse step and its source output to the generator's pipeline.</summary>
    public abstract void Register(IncrementalGeneratorInitializationContext context);
}

/// <summary>A family whose parser produces <typeparamref name="TSpec"/>.</summary>
internal sealed class KernelFamily<TSpec> : KernelFamily where TSpec : class, IDeclaration
{
    private readonly Func<KernelDeclaration, CancellationToken, ParseResult<TSpec>> _parse;
    private readonly Func<TSpec, IEnumerable<(string Hint, string Text)>> _emit;

    public KernelFamily(string name, string attribute, bool returnsVoid,
        Func<KernelDeclaration, CancellationToken, ParseResult<TSpec>> parse, Func<TSpec, IEnumerable<(string Hint, string Text)>> emit)
        : base(name, attribute, returnsVoid)
    {
        _parse = parse;
        _emit = emit;
    }

    public override EquatableArray<DiagnosticInfo> Diagnose(KernelDeclaration declaration, CancellationToken ct) => _parse(declaration, ct).Diagnostics;

    public override void Register(IncrementalGeneratorInitializationContext context)
    {
        var parse = _parse;
        var emit = _emit;
        var results = context.SyntaxProvider
            .ForAttributeWithMetadataName(Attribute,
                static (node, _) => node is MethodDeclarationSyntax,
                (ctx, ct) =>
                {
                    var declaration = KernelDeclaration.From(ctx);
                    return parse(declaration, ct) with { Location = LocationInfo.From(declaration.Syntax.Identifier) };
                })
            .WithTrackingName(TrackingName);
        context.RegisterSourceOutput(results, (spc, result) => Write(spc, result, emit));
    }

    /// <summary>
    /// The generator's side of one parsed declaration. It reports only its own failure (KDSL9001): every other rule comes
    /// from the analyzer, which runs the same parser while the user types. A refused declaration gets its throwing stub,
    /// so only the KDSL errors remain to fix.
    /// </summary>
    private static void Write(SourceProductionContext spc, ParseResult<TSpec> result, Func<TSpec, IEnumerable<(string Hint, string Text)>> emit)
    {
        foreach (var diagnostic in result.Diagnostics)
            if (diagnostic.Id == DiagnosticDescriptors.GeneratorException.Id) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        if (result.Spec is { } spec) AddFiles(spc, spec.DeclarationName, result.Location, () => emit(spec));
        else if (result.Stub is { } stub) AddFiles(spc, stub.DeclarationName, result.Location, () => [(StubEmitter.HintName(stub), StubEmitter.Emit(stub))]);
    }

    /// <summary>
    /// Emits the files of one declaration. A failure of ours becomes KDSL9001 at the declaration instead of an exception
    /// that would drop every generated file of the compilation: in an emitter nothing of the declaration is added, in
    /// <c>AddSource</c> (hint names are unique by construction, see <see cref="SourceFile.HintPrefix(IDeclaration, string, string)"/>)
    /// the files after the failing one are not.
    /// </summary>
    private static void AddFiles(SourceProductionContext spc, string declaration, LocationInfo? location, Func<IEnumerable<(string Hint, string Text)>> emit)
    {
        List<(string Hint, string Text)> files;
        try
        {
            files = [.. emit()];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ReportFailure(spc, declaration, location, ex);
            return;
        }
        foreach (var (hint, text) in files)
        {
            try
            {
                spc.AddSource(hint, SourceText.From(text, System.Text.Encoding.UTF8));
            }
            catch (ArgumentException ex)
            {
                ReportFailure(spc, declaration, location, ex);
                return;
            }
        }
    }

    private static void ReportFailure(SourceProductionContext spc, string declaration, LocationInfo? location, Exception ex) =>
        spc.ReportDiagnostic(DiagnosticInfo.Create(DiagnosticDescriptors.GeneratorException, location, declaration, ex.GetType().Name + ": " + ex.Message).ToDiagnostic());
}
