namespace KernelDsl.Generators.Model;

/// <summary>
/// The result of parsing one declaration of any family: its spec when it is valid, the diagnostics found, the throwing
/// stub a refused declaration still gets, and where its name is (for a failure of ours at emit time). Plain data, so the
/// incremental pipeline can compare it.
/// </summary>
internal sealed record ParseResult<TSpec>(TSpec? Spec, EquatableArray<DiagnosticInfo> Diagnostics, StubSpec? Stub = null, LocationInfo? Location = null)
    where TSpec : class, IDeclaration;
