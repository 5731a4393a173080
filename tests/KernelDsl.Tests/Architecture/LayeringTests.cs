using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using KernelDsl.Tests.Support;
using Xunit;

namespace KernelDsl.Tests.Architecture;

/// <summary>
/// The runtime's folders are its layers, and references go one way: every type of the four runtime packages (KernelDsl,
/// KernelDsl.Circuits, KernelDsl.Gnn, KernelDsl.Distributed) is placed in the project folder its source lives in, and every type it references — in
/// its signatures (base types, fields, properties, parameters, returns, generic arguments) and in its method bodies (IL
/// tokens: calls, fields, types) — must sit in the same folder or a lower layer. A new folder, or a type whose source is not
/// found, fails here until it is placed.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>The layers, lowest first; folders in one group may reference each other.</summary>
    private static readonly string[][] Layers =
    [
        ["KernelDsl/Dsl"],                      // attributes and their enums: what users declare
        ["KernelDsl/Formats"],                  // host data: CSR, dense, CBSR
        ["KernelDsl/Schedules", "KernelDsl/IO", "KernelDsl/Reference"], // plans over host data, Matrix Market files, the float64 oracle
        ["KernelDsl/Graphs"],                   // graph generators (R-MAT)
        ["KernelDsl/Device", "KernelDsl/Runtime", "KernelDsl/Native"], // device buffers and views, backends and launch, native helpers
        ["KernelDsl/Hetero"],                   // heterogeneous layers and their execution
        ["KernelDsl.Circuits/Formats"],         // heterogeneous graphs
        ["KernelDsl.Circuits/IO"],              // .bench netlists, CircuitNet designs
        ["KernelDsl.Circuits/Graphs"],          // circuit graph builders, random netlists, logic simulation
        ["KernelDsl.Gnn/Training"],             // GEMM, tensor ops, Linear, Adam, losses
        ["KernelDsl.Gnn/Gnn"],                  // the GNN models, their trainer and datasets
        ["KernelDsl.Distributed/Mpi"],          // the MPI job and its collectives
        ["KernelDsl.Distributed/Partitioning"], // graph partitions (a shared one is made on rank 0 and broadcast)
        ["KernelDsl.Distributed/Execution"],    // ranks' rows and halos, halo exchange, distributed training
    ];

    private static readonly Assembly[] Assemblies =
        [typeof(CsrMatrix<>).Assembly, typeof(KernelDsl.Gnn.GnnModel).Assembly, typeof(KernelDsl.Graphs.CircuitGraph).Assembly,
         typeof(KernelDsl.Distributed.MpiCluster).Assembly];

    private static readonly Dictionary<string, string> DeclaringFolder = DeclaredTypes();

    /// <summary>"Project/TypeName" → "Project/Folder", from the source files of each runtime project.</summary>
    private static Dictionary<string, string> DeclaredTypes()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var declaration = new Regex(@"^\s*(?:\[[^\]]*\]\s*)*(?:(?:public|internal|private|protected|static|sealed|abstract|readonly|partial|ref|unsafe|file)\s+)*(?:class|struct|record struct|record class|record|interface|enum|delegate\s+\S+)\s+(@?\w+)", RegexOptions.Multiline);
        foreach (var assembly in Assemblies)
        {
            string project = assembly.GetName().Name!;
            var root = Path.Combine(RepoPaths.Root, "src", project);
            foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file);
                if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal)) continue;
                string folder = project + "/" + relative.Split(Path.DirectorySeparatorChar)[0];
                if (!Layers.Any(l => l.Contains(folder))) throw new InvalidOperationException($"src/{folder}/ is in no layer of {nameof(LayeringTests)}: place it.");
                foreach (Match m in declaration.Matches(File.ReadAllText(file))) map.TryAdd(project + "/" + m.Groups[1].Value.TrimStart('@'), folder);
            }
        }
        return map;
    }

    private static int Rank(string folder) => Array.FindIndex(Layers, l => l.Contains(folder));

    /// <summary>The folder of a KernelDsl type: that of its outermost declaring type (generated helpers nest in the declaring type).</summary>
    private static string? Folder(Type type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        if (!Assemblies.Contains(type.Assembly)) return null;
        string name = type.Name.Split('`')[0];
        if (name.StartsWith('<') || name.StartsWith("__KernelDsl", StringComparison.Ordinal) || type.Namespace is null) return null; // compiler-generated
        return DeclaringFolder.TryGetValue(type.Assembly.GetName().Name + "/" + name, out var folder) ? folder
            : throw new InvalidOperationException($"no source file under src/KernelDsl declares {type.FullName}");
    }

    [Fact]
    public void ReferencesGoDownTheLayers()
    {
        var violations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in Assemblies.SelectMany(a => a.GetTypes()))
        {
            string? from = Folder(type);
            if (from is null) continue;
            foreach (var referenced in References(type))
            {
                string? to = Folder(referenced);
                if (to is null || to == from) continue;
                int rf = Rank(from), rt = Rank(to);
                if (rt < rf || (rt == rf && Layers[rf][0] == "KernelDsl/Device")) continue;
                violations.Add($"{from} → {to}: {type.Name} uses {referenced.Name}");
            }
        }
        Assert.True(violations.Count == 0, "references against the layers:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void EveryFolderIsPlacedAndTheScannerSeesMethodBodies()
    {
        Assert.NotEmpty(DeclaringFolder);
        // CsrBuffer's bodies call into the runtime (ComputeBackend): a scanner that missed IL would miss that.
        Assert.Contains(References(typeof(CsrBuffer<>)), t => t.Name == "DeviceArrays" || t.Name == "ComputeBackend");
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>Every type <paramref name="type"/> references in its signatures and method bodies, generic arguments unwrapped.</summary>
    private static IEnumerable<Type> References(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            if (t.IsGenericParameter) return;
            if (t.IsGenericType) { foreach (var a in t.GetGenericArguments()) Add(a); t = t.GetGenericTypeDefinition(); }
            found.Add(t);
        }
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var f in type.GetFields(all)) Add(f.FieldType);
        foreach (var p in type.GetProperties(all)) Add(p.PropertyType);
        var methods = type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all));
        foreach (var m in methods)
        {
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            foreach (var t in BodyReferences(m)) Add(t);
        }
        return found;
    }

    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArguments = method.DeclaringType!.IsGenericType ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            int size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                Type? resolved = null;
                try
                {
                    var member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArguments, methodArguments);
                    resolved = member as Type ?? member?.DeclaringType;
                    if (member is FieldInfo field) resolved = field.DeclaringType;
                }
                catch (ArgumentException)
                {
                }
                if (resolved is not null) yield return resolved;
            }
            i += size;
        }
    }
}
