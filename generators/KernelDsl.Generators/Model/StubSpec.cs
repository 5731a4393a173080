namespace KernelDsl.Generators.Model;

/// <summary>
/// The implementing half of a declaration the generator refuses (it has KDSL errors): the signature as declared,
/// fully qualified, and a body that throws. Without it the C# compiler would report CS8795 (no implementation),
/// and a command-line build reports analyzer diagnostics — the KDSL rules — only when compilation has no errors.
/// </summary>
internal sealed record StubSpec(
    string Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string MethodName,
    string Modifiers,
    string ReturnType,
    string TypeParameters,
    EquatableArray<string> Parameters) : IDeclaration
{
    public string AttributeName => "kernel";

    public string DeclarationName => Declarations.Name(this);
}
