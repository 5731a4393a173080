namespace KernelDsl.Generators.Tests.Diagnostics;

/// <summary>For each rule: a declaration that breaks it (span marked) and the same declaration fixed.</summary>
public static class DiagnosticCases
{
    private const string Ops = "ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, DenseBuffer<float> y";

    private static string Wrap(string members, string typeHead = "public static partial class K") =>
        Support.Sources.Usings + "namespace Demo;\n" + typeHead + "\n{\n" + members + "\n}\n";

    private const string Good = "[SpMM] public static partial void F(" + Ops + ");";

    private static string HeteroWrap(string members) => "using KernelDsl.Hetero;\n" + Wrap(members);

    /// <summary>A [HeteroLayer] with <paramref name="attribute"/> arguments and the relation parameters <paramref name="relations"/>.</summary>
    private static string Layer(string attribute, string relations, string returns = "HeteroLayer", string first = "HeteroExecution e") =>
        HeteroWrap($"[HeteroLayer({attribute})] public static partial {returns} L({first}, {relations});");

    private const string CellNet = "[Relation(\"cell\", \"net\")] CsrMatrix<float> drives, [Relation(\"net\", \"cell\")] CsrMatrix<float> feeds";
    private const string GoodLayer = "\"cell\", \"net\", K = 8, Dim = 32";

    public static readonly (string Case, string Id, string Bad, string Fixed)[] All =
    [
        ("not static", "KDSL1001", Wrap("[SpMM] public partial void [|F|](" + Ops + ");", "public partial class K"), Wrap(Good, "public partial class K")),
        ("has a body", "KDSL1001", Wrap("[SpMM] public static void [|F|](" + Ops + ") { }"), Wrap(Good)),
        ("type not partial", "KDSL1002", Support.Sources.Usings + "namespace Demo;\npublic class [|Outer|]\n{\n    public static partial class K\n    {\n        " + Good + "\n    }\n}\n",
            Support.Sources.Usings + "namespace Demo;\npublic partial class Outer\n{\n    public static partial class K\n    {\n        " + Good + "\n    }\n}\n"),
        ("missing output", "KDSL1003", Wrap("[SpMM] public static partial void [|F|](ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x);"), Wrap(Good)),
        ("unsupported parameter", "KDSL1004", Wrap("[SpMM] public static partial void F(" + Ops + ", [|int count|]);"), Wrap(Good)),
        ("ref operand", "KDSL1004", Wrap("[SpMM] public static partial void F(ComputeStream s, [|ref CsrBuffer<float> a|], DenseBuffer<float> x, DenseBuffer<float> y);"), Wrap(Good)),
        ("returns a value", "KDSL1005", Wrap("[SpMM] public static partial [|int|] F(" + Ops + ");"), Wrap(Good)),
        ("generic", "KDSL1006", Wrap("[SpMM] public static partial void F[|<T>|](" + Ops + ");"), Wrap(Good)),
        ("element types differ", "KDSL2001", Wrap("[SpMM] public static partial void F(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, [|DenseBuffer<double> y|]);"), Wrap(Good)),
        ("buffer and view mixed", "KDSL2001", Wrap("[SpMM] public static partial void F(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> x, [|DenseView<float> y|]);"), Wrap(Good)),
        ("unknown adjacency", "KDSL2002", Wrap("[SpMM(Adjacency = [|(Adjacency)7|])] public static partial void F(" + Ops + ");"),
            Wrap("[SpMM(Adjacency = Adjacency.Pattern)] public static partial void F(" + Ops + ");")),
        ("unknown schedule", "KDSL3001", Wrap("[SpMM(Schedule = [|(Schedule)9|])] public static partial void F(" + Ops + ");"),
            Wrap("[SpMM(Schedule = Schedule.RowPerThread)] public static partial void F(" + Ops + ");")),
        ("message missing", "KDSL4001", Wrap("[SpMM(Message = [|\"Nope\"|])] public static partial void F(" + Ops + ");"),
            Wrap("[Message] static float Nope(float e, float v) => e * v;\n[SpMM(Message = \"Nope\")] public static partial void F(" + Ops + ");")),
        ("message not marked", "KDSL4001", Wrap("static float M(float e, float v) => e * v;\n[SpMM(Message = [|nameof(M)|])] public static partial void F(" + Ops + ");"),
            Wrap("[Message] static float M(float e, float v) => e * v;\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");")),
        ("message signature", "KDSL4001", Wrap("[Message] static double [|M|](double e, double v) => e * v;\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");"),
            Wrap("[Message] static float M(float e, float v) => e * v;\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");")),
        ("message instance", "KDSL4002", Wrap("[Message] float [|M|](float e, float v) => e * v;\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");", "public partial class K"),
            Wrap("[Message] static float M(float e, float v) => e * v;\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");", "public partial class K")),
        ("message reads a field", "KDSL4003", Wrap("static float Scale = 2f;\n[Message] static float M(float e, float v) => e * v * [|Scale|];\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");"),
            Wrap("const float Scale = 2f;\n[Message] static float M(float e, float v) => e * v * Scale;\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");")),
        ("message allocates", "KDSL4004", Wrap("[Message] static float M(float e, float v)\n{\n    var t = [|new float[2]|];\n    return e * v;\n}\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");"),
            Wrap("[Message] static float M(float e, float v)\n{\n    var t = e;\n    return t * v;\n}\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");")),
        ("message calls Console", "KDSL4005", Wrap("[Message] static float M(float e, float v) => e * v + [|Console.Read()|];\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");"),
            Wrap("[Message] static float M(float e, float v) => e * v + MathF.Sqrt(MathF.Abs(v));\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");")),
        ("message makes a virtual call", "KDSL4005", Wrap("[Message] static float M(float e, float v) => e * v + [|v.GetHashCode()|];\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");"),
            Wrap("[Message] static float M(float e, float v) => e * v + MathF.Abs(v);\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");")),
        ("reduce on int", "KDSL4006", Wrap("[SpMM(Reduce = [|Reduce.Max|])] public static partial void F(ComputeStream s, CsrBuffer<int> a, DenseBuffer<int> x, DenseBuffer<int> y);"),
            Wrap("[SpMM(Reduce = Reduce.Max)] public static partial void F(ComputeStream s, CsrBuffer<double> a, DenseBuffer<double> x, DenseBuffer<double> y);")),
        ("unknown reduce", "KDSL4006", Wrap("[SpMM(Reduce = [|(Reduce)8|])] public static partial void F(" + Ops + ");"),
            Wrap("[SpMM(Reduce = Reduce.Min)] public static partial void F(" + Ops + ");")),
        ("k not positive", "KDSL2003", Wrap("[MaxK(K = [|0|])] public static partial void F(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, byte> y);"),
            Wrap("[MaxK(K = 8)] public static partial void F(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, byte> y);")),
        ("k larger than dim", "KDSL2004", Wrap("[SpGemm(K = [|300|], Dim = 256)] public static partial void F(ComputeStream s, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);"),
            Wrap("[SpGemm(K = 32, Dim = 256)] public static partial void F(ComputeStream s, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);")),
        ("index type too small", "KDSL2005", Wrap("[SpGemm(Dim = [|300|])] public static partial void F(ComputeStream s, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);"),
            Wrap("[SpGemm(Dim = 300)] public static partial void F(ComputeStream s, CsrBuffer<float> a, CbsrBuffer<float, ushort> x, DenseBuffer<float> y);")),
        ("CBSR operand on SpMM", "KDSL3002", Wrap("[SpMM] public static partial void F(ComputeStream s, CsrBuffer<float> a, [|CbsrBuffer<float, byte> x|], DenseBuffer<float> y);"),
            Wrap("[SpGemm] public static partial void F(ComputeStream s, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);")),
        ("SpGemm with a dense schedule", "KDSL3002", Wrap("[SpGemm(Schedule = [|Schedule.WarpPerRow|])] public static partial void F(ComputeStream s, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);"),
            Wrap("[SpGemm(Schedule = Schedule.RowProductSharedAccumulator)] public static partial void F(ComputeStream s, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);")),
        ("SpMM with the SpGemm schedule", "KDSL3001", Wrap("[SpMM(Schedule = [|Schedule.RowProductSharedAccumulator|])] public static partial void F(" + Ops + ");"),
            Wrap("[SpMM(Schedule = Schedule.WarpPerRow)] public static partial void F(" + Ops + ");")),
        ("training without backward", "KDSL3003", Wrap("[SpGemm(Training = [|true|])] public static partial void F(ComputeStream s, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);"),
            Wrap("[SpGemm(Training = true)] public static partial void F(ComputeStream s, CsrBuffer<float> a, CbsrBuffer<float, byte> x, DenseBuffer<float> y);\n[SSpMM] public static partial void FBackward(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x, CbsrBuffer<float, byte> dx);")),
        ("MaxK on double", "KDSL4006", Wrap("[[|MaxK|]] public static partial void F(ComputeStream s, DenseBuffer<double> x, CbsrBuffer<double, byte> y);"),
            Wrap("[MaxK] public static partial void F(ComputeStream s, DenseBuffer<float> x, CbsrBuffer<float, byte> y);")),
        ("SSpMM missing its gradient", "KDSL1003", Wrap("[SSpMM] public static partial void [|F|](ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x);"),
            Wrap("[SSpMM] public static partial void F(ComputeStream s, CsrBuffer<float> a, DenseBuffer<float> dy, CbsrBuffer<float, byte> x, CbsrBuffer<float, byte> dx);")),
        ("block size not a warp multiple", "KDSL3004", Wrap("[SpMM(Schedule = Schedule.DegreeSortedBlocks, BlockSize = [|100|])] public static partial void F(" + Ops + ");"),
            Wrap("[SpMM(Schedule = Schedule.DegreeSortedBlocks, BlockSize = 128)] public static partial void F(" + Ops + ");")),
        ("zero edges per warp", "KDSL3004", Wrap("[SpMM(Schedule = Schedule.DegreeSortedBlocks, MaxEdgesPerWarp = [|0|])] public static partial void F(" + Ops + ");"),
            Wrap("[SpMM(Schedule = Schedule.DegreeSortedBlocks, MaxEdgesPerWarp = 32)] public static partial void F(" + Ops + ");")),
        ("warps per block out of range", "KDSL3004", Wrap("[SpMM(Schedule = Schedule.DegreeSortedBlocks, WarpsPerBlock = [|40|])] public static partial void F(" + Ops + ");"),
            Wrap("[SpMM(Schedule = Schedule.DegreeSortedBlocks, WarpsPerBlock = 16)] public static partial void F(" + Ops + ");")),
        ("plan parameter on another schedule", "KDSL3004", Wrap("[SpMM(Schedule = Schedule.WarpPerRow, WarpsPerBlock = [|8|])] public static partial void F(" + Ops + ");"),
            Wrap("[SpMM(Schedule = Schedule.DegreeSortedBlocks, WarpsPerBlock = 8)] public static partial void F(" + Ops + ");")),
        ("degree-sorted Max", "KDSL3001", Wrap("[SpMM(Reduce = Reduce.Max, Schedule = [|Schedule.DegreeSortedBlocks|])] public static partial void F(" + Ops + ");"),
            Wrap("[SpMM(Reduce = Reduce.Max, Schedule = Schedule.WarpPerRow)] public static partial void F(" + Ops + ");")),
        ("degree-sorted views", "KDSL3001", Wrap("[SpMM(Schedule = [|Schedule.DegreeSortedBlocks|])] public static partial void F(AcceleratorStream s, CsrView<float> a, DenseView<float> x, DenseView<float> y);"),
            Wrap("[SpMM(Schedule = Schedule.WarpPerRow)] public static partial void F(AcceleratorStream s, CsrView<float> a, DenseView<float> x, DenseView<float> y);")),
        ("Dynamic-ReLU index types differ", "KDSL2001", Wrap("[DynamicReLUBackward] public static partial void F(ComputeStream s, CbsrBuffer<float, byte> y, [|CbsrBuffer<float, ushort> dy|], DenseBuffer<float> dx);"),
            Wrap("[DynamicReLUBackward] public static partial void F(ComputeStream s, CbsrBuffer<float, byte> y, CbsrBuffer<float, byte> dy, DenseBuffer<float> dx);")),
        ("message throws", "KDSL4007", Wrap("[Message] static float M(float e, float v)\n{\n    if (v < 0) [|throw null!;|]\n    return e * v;\n}\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");"),
            Wrap("[Message] static float M(float e, float v)\n{\n    if (v < 0) return 0f;\n    return e * v;\n}\n[SpMM(Message = nameof(M))] public static partial void F(" + Ops + ");")),
        ("backward of Max", "KDSL3005", Wrap("[SpMM(Reduce = Reduce.Max, Backward = [|true|])] public static partial void F(" + Ops + ");"),
            Wrap("[SpMM(Reduce = Reduce.Sum, Backward = true)] public static partial void F(" + Ops + ");")),
        ("backward with a message", "KDSL3005", Wrap("[Message] static float M(float e, float v) => e * v;\n[SpMM(Message = nameof(M), Backward = [|true|])] public static partial void F(" + Ops + ");"),
            Wrap("[SpMM(Backward = true)] public static partial void F(" + Ops + ");")),
        ("backward on views", "KDSL3005", Wrap("[SpMM(Backward = [|true|])] public static partial void F(AcceleratorStream s, CsrView<float> a, DenseView<float> x, DenseView<float> y);"),
            Wrap("[SpMM(Backward = true)] public static partial void F(" + Ops + ");")),
        ("relation names an unknown node type", "KDSL5001", Layer(GoodLayer, "[Relation(\"cell\", [|\"pin\"|])] CsrMatrix<float> drives"),
            Layer("\"cell\", \"net\", \"pin\", K = 8, Dim = 32", "[Relation(\"cell\", \"pin\")] CsrMatrix<float> drives")),
        ("relation listed twice", "KDSL5002", Layer(GoodLayer, CellNet + ", [[|Relation(\"cell\", \"net\", Name = \"drives\")|]] CsrMatrix<float> again"),
            Layer(GoodLayer, CellNet + ", [Relation(\"cell\", \"net\", Name = \"again\")] CsrMatrix<float> again")),
        ("node type listed twice", "KDSL5002", Layer("\"cell\", \"net\", [|\"cell\"|], K = 8, Dim = 32", CellNet), Layer(GoodLayer, CellNet)),
        ("destination written twice without a reduction", "KDSL5003",
            Layer(GoodLayer + ", Combine = HeteroCombine.None", CellNet + ", [[|Relation(\"cell\", \"cell\")|]] CsrMatrix<float> near"),
            Layer(GoodLayer + ", Combine = HeteroCombine.Sum", CellNet + ", [Relation(\"cell\", \"cell\")] CsrMatrix<float> near")),
        ("no streams", "KDSL5004", Layer(GoodLayer + ", Streams = [|0|]", CellNet), Layer(GoodLayer + ", Streams = 2", CellNet)),
        ("more streams than the pool", "KDSL5004", Layer(GoodLayer + ", Streams = [|64|]", CellNet), Layer(GoodLayer + ", Streams = 16", CellNet)),
        ("layer returns void", "KDSL5005", Layer(GoodLayer, CellNet, returns: "[|void|]"), Layer(GoodLayer, CellNet)),
        ("relation without its attribute", "KDSL1004", Layer(GoodLayer, CellNet + ", [|CsrMatrix<float> near|]"), Layer(GoodLayer, CellNet + ", [Relation(\"cell\", \"cell\")] CsrMatrix<float> near")),
        ("relation of doubles", "KDSL1004", Layer(GoodLayer, "[|[Relation(\"cell\", \"net\")] CsrMatrix<double> drives|]"), Layer(GoodLayer, "[Relation(\"cell\", \"net\")] CsrMatrix<float> drives")),
        ("layer without its execution", "KDSL1004", Layer(GoodLayer, CellNet, first: "[|ComputeBackend b|]"), Layer(GoodLayer, CellNet)),
        ("layer without node types", "KDSL1003", HeteroWrap("[[|HeteroLayer(K = 8, Dim = 32)|]] public static partial HeteroLayer L(HeteroExecution e, " + CellNet + ");"), Layer(GoodLayer, CellNet)),
        ("layer without k", "KDSL2003", Layer("\"cell\", \"net\", Dim = 32", CellNet).Replace("[HeteroLayer(", "[[|HeteroLayer(").Replace("Dim = 32)]", "Dim = 32)|]]"), Layer(GoodLayer, CellNet)),
        ("layer k above dim", "KDSL2004", Layer("\"cell\", \"net\", K = [|40|], Dim = 32", CellNet), Layer(GoodLayer, CellNet)),
    ];
}
