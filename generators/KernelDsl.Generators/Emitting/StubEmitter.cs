using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Emitting;

/// <summary>Emits the throwing implementation of a refused declaration (see <see cref="StubSpec"/>).</summary>
internal static class StubEmitter
{
    public static string HintName(StubSpec stub) =>
        stub.DeclarationName.Replace('<', '{').Replace('>', '}').Replace(", ", ",").Replace("@", "") + ".Stub.g.cs";

    public static string Emit(StubSpec stub) =>
        SourceFile.Write(stub, "Not generated: the declaration has KernelDsl errors (KDSLnnnn); this body only lets the rest of the project compile.", w =>
        {
            w.Line("/// <summary>Not generated: fix the KernelDsl errors reported on this declaration.</summary>");
            w.Line($"{stub.Modifiers} {stub.ReturnType} {stub.MethodName}{stub.TypeParameters}({string.Join(", ", stub.Parameters)}) =>");
            w.Line($"    throw new global::System.InvalidOperationException(\"KernelDsl did not generate '{stub.MethodName}': its declaration has errors; see the KDSL diagnostics reported on it.\");");
        });
}
