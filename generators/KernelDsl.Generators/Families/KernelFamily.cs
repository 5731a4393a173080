using System;
using System.Collections.Generic;
using System.Linq;
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

    /// <summary>Every rule <paramref name="declaration"/> breaks (see <see cref="Rules"/>), as the analyzer reports them.</summary>
    public abstract EquatableArray<DiagnosticInfo> Diagnose(KernelDeclaration declaration, CancellationToken ct);

    /// <summary>
    /// The rules one declaration breaks, whoever reports them (<see cref="ReportingHost"/>): the shape rules every family
    /// shares, then what the family's parser found (<paramref name="parsed"/>, KDSL9001 included). A method is reported
    /// once, through its first kernel attribute; with two of them the intended kernel is unknown, so KDSL1008 stands
    /// alone, without the first attribute's rules.
    /// </summary>
    public EquatableArray<DiagnosticInfo> Rules(KernelDeclaration declaration, EquatableArray<DiagnosticInfo> parsed) =>
        // Guarded like the parsers: a bug in the shape rules becomes KDSL9001 on this method, never a generator crash.
        DeclarationShape.Guarded(declaration.Syntax, () => RulesCore(declaration, parsed), failed => failed);

    private EquatableArray<DiagnosticInfo> RulesCore(KernelDeclaration declaration, EquatableArray<DiagnosticInfo> parsed)
    {
        var ownFailures = parsed.Where(d => d.Id == DiagnosticDescriptors.GeneratorException.Id);
        var first = DeclarationShape.KernelAttributes(declaration.Method).FirstOrDefault();
        if (first is not null && first.ApplicationSyntaxReference?.Span != declaration.Attribute.ApplicationSyntaxReference?.Span)
            return new EquatableArray<DiagnosticInfo>(ownFailures.ToArray());
        var problems = DeclarationShape.Problems(declaration.Syntax, declaration.Method, requireVoid: ReturnsVoid);
        bool ambiguous = problems.Any(p => p.Id == DiagnosticDescriptors.SeveralKernelAttributes.Id);
        return new EquatableArray<DiagnosticInfo>(problems.Concat(ambiguous ? ownFailures : parsed).ToArray());
    }

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

    public override EquatableArray<DiagnosticInfo> Diagnose(KernelDeclaration declaration, CancellationToken ct) =>
        new(Rules(declaration, _parse(declaration, ct).Diagnostics).Where(d => d.Id != DiagnosticDescriptors.GeneratorException.Id).ToArray());

    public override void Register(IncrementalGeneratorInitializationContext context)
    {
        var parse = _parse;
        var emit = _emit;
        var family = this;
        var results = context.SyntaxProvider
            .ForAttributeWithMetadataName(Attribute,
                static (node, _) => node is MethodDeclarationSyntax,
                (ctx, ct) =>
                {
                    var declaration = KernelDeclaration.From(ctx);
                    var result = parse(declaration, ct);
                    return result with { Diagnostics = family.Rules(declaration, result.Diagnostics), Location = LocationInfo.From(declaration.Syntax.Identifier) };
                })
            .WithTrackingName(TrackingName);
        context.RegisterSourceOutput(results, (spc, result) => Write(spc, result, emit));
    }

    /// <summary>
    /// The generator's side of one parsed declaration. It reports its own failure (KDSL9001) and, in the command-line
    /// compiler, every rule the declaration breaks (<see cref="ReportingHost"/>); elsewhere the analyzer reports the
    /// rules while the user types. A refused declaration gets its throwing stub, so only the KDSL errors remain to fix.
    /// </summary>
    private static void Write(SourceProductionContext spc, ParseResult<TSpec> result, Func<TSpec, IEnumerable<(string Hint, string Text)>> emit)
    {
        bool rules = ReportingHost.GeneratorReports;
        foreach (var diagnostic in result.Diagnostics)
            if (rules || diagnostic.Id == DiagnosticDescriptors.GeneratorException.Id) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
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
