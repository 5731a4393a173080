using KernelDsl.Generators.Model;

namespace KernelDsl.Generators.Emitting;

/// <summary>Emits the throwing implementation of a refused declaration (see <see cref="StubSpec"/>).</summary>
internal static class StubEmitter
{
    /// <summary>Unique per overload: the parameter list is hashed into the name.</summary>
    public static string HintName(StubSpec stub) =>
        SourceFile.HintPrefix(stub, "", string.Join(",", stub.Parameters)) + ".Stub.g.cs";

    public static string Emit(StubSpec stub) =>
        SourceFile.Write(stub, "Not generated: the declaration has KernelDsl errors (KDSLnnnn); this body only lets the rest of the project compile.", w =>
        {
            if (stub.TypeParameters.Length > 0)
                w.Line("#pragma warning disable CS0693 // the declaration's own type parameters: C# already warns at the declaration");
            w.Line("/// <summary>Not generated: fix the KernelDsl errors reported on this declaration.</summary>");
            w.Line($"{stub.Modifiers} {stub.ReturnType} {stub.MethodName}{stub.TypeParameters}({string.Join(", ", stub.Parameters)}) =>");
            w.Line($"    throw new global::System.InvalidOperationException(\"KernelDsl did not generate '{stub.MethodName}': its declaration has errors; see the KDSL diagnostics reported on it.\");");
        });
}
