using System.Globalization;
using KernelDsl.Graphs;
using KernelDsl.IO;

namespace KernelDsl.Gnn;

/// <summary>A file of a node-classification dataset is malformed: which file, which line (0 when the whole file), what to do.</summary>
public sealed class DatasetFormatException(string file, int line, string problem)
    : FormatException(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Problem { get; } = problem;
}

/// <summary>
/// A node-classification dataset: a graph, sparse node features, one label per node (-1 = none) and
/// disjoint train / validation / test node sets.
/// </summary>
public sealed record NodeDataset(string Name, CsrMatrix<float> Adjacency, CsrMatrix<float> Features, int[] Labels, int Classes,
    int[] Train, int[] Validation, int[] Test, bool PublicSplit)
{
    public int Nodes => Adjacency.Rows;

    /// <summary>
    /// The same dataset with its nodes renumbered by <paramref name="order"/> (built from <see cref="Adjacency"/>, e.g.
    /// <see cref="LocalityOrder.ReverseCuthillMcKee{T}"/>): the adjacency P·A·Pᵀ, the feature rows, the labels and the
    /// train / validation / test sets, so a model trained on it aggregates neighbours that lie near each other in memory.
    /// The node sets hold the same nodes (new ids), so accuracies are comparable; map per-node outputs back with
    /// <see cref="LocalityOrder.RestoreRows{T}"/>. An order built for another graph is refused.
    /// </summary>
    public NodeDataset Reordered(LocalityOrder order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return this with
        {
            Adjacency = order.Apply(Adjacency),
            Features = order.PermuteRows(Features),
            Labels = order.PermuteRows<int>(Labels, 1),
            Train = order.MapIds(Train),
            Validation = order.MapIds(Validation),
            Test = order.MapIds(Test),
        };
    }

    /// <summary>
    /// Reads a dataset folder in the formats of ../shared/data: <c>adjacency.mtx</c> (Matrix Market, pattern or
    /// valued, general or symmetric), <c>labels.txt</c> or <c>node_labels.txt</c> (one class per line, -1 = unlabelled),
    /// optional <c>features.mtx</c> (one row per node; without it each node gets a one-hot identity feature),
    /// optional <c>classes.txt</c> (class names: bounds the labels), optional <c>train.txt</c>/<c>val.txt</c>/<c>test.txt</c>
    /// (0-based node ids; without them <see cref="RandomSplit"/> with <paramref name="splitSeed"/>).
    /// Every inconsistency is reported before training with the file, the line and the fix.
    /// </summary>
    public static NodeDataset Read(string folder, int splitSeed = 0)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"dataset folder '{folder}' does not exist.");
        string name = Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar));
        string adjacencyPath = Path.Combine(folder, "adjacency.mtx");
        if (!System.IO.File.Exists(adjacencyPath))
            throw new DatasetFormatException(adjacencyPath, 0, "missing: a dataset folder needs adjacency.mtx (the graph in Matrix Market format).");
        var adjacency = MatrixMarket.ReadCsr<float>(adjacencyPath);
        if (adjacency.Rows != adjacency.ColumnCount)
            throw new DatasetFormatException(adjacencyPath, 0, $"the adjacency is {adjacency.Rows} x {adjacency.ColumnCount}; a graph's adjacency is square (nodes x nodes).");
        int n = adjacency.Rows;
        if (n == 0)
            throw new DatasetFormatException(adjacencyPath, 0, "the graph has no nodes (its size line says 0 x 0); a dataset needs at least one node per class.");

        string labelsPath = new[] { "labels.txt", "node_labels.txt" }.Select(f => Path.Combine(folder, f)).FirstOrDefault(System.IO.File.Exists)
            ?? throw new DatasetFormatException(Path.Combine(folder, "labels.txt"), 0, "missing: node classification needs labels.txt (one class index per line, -1 for none).");
        var (labels, labelLines) = ReadIntegers(labelsPath, n, "labels");
        string classesPath = Path.Combine(folder, "classes.txt");
        int classes;
        for (int i = 0; i < n; i++)
            if (labels[i] < -1) throw new DatasetFormatException(labelsPath, labelLines[i], $"label {labels[i]} is negative; use -1 for an unlabelled node, else 0..classes-1.");
        if (System.IO.File.Exists(classesPath))
        {
            int named = System.IO.File.ReadLines(classesPath).Count(l => l.Trim().Length > 0);
            for (int i = 0; i < n; i++)
                if (labels[i] >= named)
                    throw new DatasetFormatException(labelsPath, labelLines[i], $"label {labels[i]} is out of range: {classesPath} names {named} classes (0..{named - 1}).");
            classes = named;
        }
        else
        {
            // Class ids are 0..C-1 and a class needs a node, so an id of n or more is a typo (say 1000000000 for 1), not a class.
            for (int i = 0; i < n; i++)
                if (labels[i] >= n)
                    throw new DatasetFormatException(labelsPath, labelLines[i], $"label {labels[i]} is out of range: class ids are 0..C-1 and the graph has {n} nodes, so C <= {n}. Fix the label, or name the classes in classes.txt.");
            classes = labels.Max() + 1;
        }
        int present = labels.Where(l => l >= 0).Distinct().Count();
        if (present < 2) throw new DatasetFormatException(labelsPath, 0, $"only {present} class{(present == 1 ? " is" : "es are")} labelled; node classification needs nodes of at least two classes.");

        string featuresPath = Path.Combine(folder, "features.mtx");
        CsrMatrix<float> features;
        if (System.IO.File.Exists(featuresPath))
        {
            features = MatrixMarket.ReadCsr<float>(featuresPath);
            if (features.Rows != n)
                throw new DatasetFormatException(featuresPath, 0, $"has {features.Rows} rows but {adjacencyPath} has {n} nodes; features need one row per node.");
        }
        else features = Identity(n);

        int[] train, validation, test;
        bool publicSplit = System.IO.File.Exists(Path.Combine(folder, "train.txt"));
        var partial = new[] { "val.txt", "test.txt" }.Where(f => System.IO.File.Exists(Path.Combine(folder, f))).ToArray();
        if (!publicSplit && partial.Length > 0)
            throw new DatasetFormatException(Path.Combine(folder, "train.txt"), 0,
                $"missing, but {string.Join(" and ", partial)} {(partial.Length == 1 ? "is" : "are")} there: give train.txt, val.txt and test.txt together, or none of them for a random split.");
        if (publicSplit)
        {
            train = ReadIds(Path.Combine(folder, "train.txt"), n, labels);
            validation = ReadIds(Path.Combine(folder, "val.txt"), n, labels);
            test = ReadIds(Path.Combine(folder, "test.txt"), n, labels);
            Disjoint(folder, ("train.txt", train), ("val.txt", validation), ("test.txt", test));
        }
        else (train, validation, test) = RandomSplit(labels, classes, splitSeed);
        return new NodeDataset(name, adjacency, features, labels, classes, train, validation, test, publicSplit);
    }

    /// <summary>
    /// The usual random split of the GCN literature: 20 labelled nodes per class for training (at most half of
    /// a class), then 500 for validation and 1000 for test from the rest (each at most a third of the labelled
    /// nodes for small graphs). Deterministic for <paramref name="seed"/>.
    /// </summary>
    public static (int[] Train, int[] Validation, int[] Test) RandomSplit(int[] labels, int classes, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (classes < 1 || classes > Math.Max(1, labels.Length))
            throw new ArgumentOutOfRangeException(nameof(classes), $"{classes} classes for {labels.Length} nodes: a class needs a node, so use 1..{Math.Max(1, labels.Length)}.");
        for (int i = 0; i < labels.Length; i++)
            if (labels[i] < -1 || labels[i] >= classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"node {i} has label {labels[i]}, outside -1..{classes - 1} (-1 = unlabelled).");
        var rng = new Random(seed);
        var labelled = Enumerable.Range(0, labels.Length).Where(i => labels[i] >= 0).OrderBy(_ => rng.Next()).ToArray();
        var train = new List<int>();
        var perClass = new int[classes];
        var classSize = new int[classes];
        foreach (int i in labelled) classSize[labels[i]]++;
        foreach (int i in labelled)
            if (perClass[labels[i]] < Math.Min(20, Math.Max(1, classSize[labels[i]] / 2))) { perClass[labels[i]]++; train.Add(i); }
        var used = new HashSet<int>(train);
        var rest = labelled.Where(i => !used.Contains(i)).ToArray();
        int val = Math.Min(500, rest.Length / 3), tst = Math.Min(1000, rest.Length - val);
        return (train.Order().ToArray(), rest[..val].Order().ToArray(), rest[val..(val + tst)].Order().ToArray());
    }

    /// <summary>
    /// A stochastic block model with class-dependent features, so the sample runs with no files: <paramref name="nodes"/>
    /// nodes in <paramref name="classes"/> equal blocks; each node links to about <paramref name="degree"/> others, a share
    /// <paramref name="homophily"/> of them in its own block; features are sparse bags of <paramref name="featureWords"/> words
    /// in which each class favours its own tenth of the vocabulary (10 words per node, 2 of them from the class's tenth;
    /// fewer for tiny vocabularies).
    /// </summary>
    public static NodeDataset StochasticBlockModel(int nodes = 3000, int classes = 6, double degree = 8, double homophily = 0.65, int featureWords = 500, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodes, classes * 4);
        if (nodes > MaxGeneratedNodes)
            throw new ArgumentOutOfRangeException(nameof(nodes), $"{nodes:N0} nodes: the generated graph is for trying the library and holds at most {MaxGeneratedNodes:N0}; read a larger graph from a dataset folder.");
        ArgumentOutOfRangeException.ThrowIfLessThan(featureWords, 1);
        if (!(degree >= 0 && degree <= nodes - 1))
            throw new ArgumentOutOfRangeException(nameof(degree), $"degree {degree} must be a number in 0..{nodes - 1} (edges per node).");
        if (!(homophily >= 0 && homophily <= 1))
            throw new ArgumentOutOfRangeException(nameof(homophily), $"homophily {homophily} is a share of edges: use a number in 0..1.");
        if (nodes * degree / 2 > Array.MaxLength / 2)
            throw new ArgumentOutOfRangeException(nameof(degree), $"{nodes:N0} nodes of degree {degree} make {nodes * degree / 2:N0} edges, more than one adjacency holds; lower the degree.");
        var rng = new Random(seed);
        var labels = Enumerable.Range(0, nodes).Select(i => i * classes / nodes).ToArray();
        var rows = new List<int>();
        var cols = new List<int>();
        int edges = (int)(nodes * degree / 2);
        for (int e = 0; e < edges; e++)
        {
            int u = rng.Next(nodes);
            int v;
            if (rng.NextDouble() < homophily)
            {
                int block = labels[u];
                int lo = (int)((long)block * nodes / classes), hi = (int)((long)(block + 1) * nodes / classes);
                v = lo + rng.Next(hi - lo);
            }
            else v = rng.Next(nodes);
            if (u == v) continue;
            rows.Add(u); cols.Add(v);
        }
        var adjacency = CsrMatrix<float>.FromCoo(nodes, nodes, rows.ToArray(), cols.ToArray(), Enumerable.Repeat(1f, rows.Count).ToArray(), DuplicatePolicy.Sum);
        var fr = new List<int>();
        var fc = new List<int>();
        int band = Math.Max(1, featureWords / 10);
        int favoured = Math.Min(2, band), total = Math.Min(10, featureWords);
        for (int i = 0; i < nodes; i++)
        {
            var words = new HashSet<int>();
            while (words.Count < favoured) words.Add(labels[i] % 10 * band + rng.Next(band));
            while (words.Count < total) words.Add(rng.Next(featureWords));
            foreach (int w in words) { fr.Add(i); fc.Add(w); }
        }
        var features = CsrMatrix<float>.FromCoo(nodes, featureWords, fr.ToArray(), fc.ToArray(), Enumerable.Repeat(1f, fr.Count).ToArray());
        var (train, validation, test) = RandomSplit(labels, classes, seed);
        return new NodeDataset($"SBM ({nodes} nodes, {classes} classes)", adjacency.AsPattern().WithValues(1f), features, labels, classes, train, validation, test, false);
    }

    /// <summary>The largest graph <see cref="StochasticBlockModel"/> generates (about a minute and a few GB on one core).</summary>
    public const int MaxGeneratedNodes = 10_000_000;

    private static CsrMatrix<float> Identity(int n) =>
        new(n, n, Enumerable.Range(0, n + 1).ToArray(), Enumerable.Range(0, n).ToArray(), Enumerable.Repeat(1f, n).ToArray());

    /// <summary>One integer per non-blank line, with the line each came from.</summary>
    private static (int[] Values, int[] Lines) ReadIntegers(string path, int expected, string what)
    {
        var values = new List<int>();
        var lines = new List<int>();
        int line = 0;
        foreach (var raw in System.IO.File.ReadLines(path))
        {
            line++;
            var text = raw.Trim();
            if (text.Length == 0) continue;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
                throw new DatasetFormatException(path, line, $"'{text}' is not an integer; {what} are one integer per line.");
            values.Add(v);
            lines.Add(line);
        }
        if (values.Count != expected)
            throw new DatasetFormatException(path, 0, $"has {values.Count} {what} but the adjacency has {expected} nodes; give one line per node (-1 for unlabelled).");
        return (values.ToArray(), lines.ToArray());
    }

    private static int[] ReadIds(string path, int nodes, int[] labels)
    {
        if (!System.IO.File.Exists(path))
            throw new DatasetFormatException(path, 0, "missing: a folder with train.txt also needs val.txt and test.txt (0-based node ids, one per line).");
        var ids = new List<int>();
        int line = 0;
        foreach (var raw in System.IO.File.ReadLines(path))
        {
            line++;
            var text = raw.Trim();
            if (text.Length == 0) continue;
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id) || id < 0 || id >= nodes)
                throw new DatasetFormatException(path, line, $"'{text}' is not a node id in 0..{nodes - 1}.");
            if (labels[id] < 0)
                throw new DatasetFormatException(path, line, $"node {id} has no label (-1); a split may list labelled nodes only.");
            ids.Add(id);
        }
        if (ids.Count == 0)
            throw new DatasetFormatException(path, 0, "lists no node; each of train.txt, val.txt and test.txt needs at least one labelled node (0-based ids, one per line).");
        return ids.ToArray();
    }

    private static void Disjoint(string folder, params (string File, int[] Ids)[] sets)
    {
        for (int a = 0; a < sets.Length; a++)
        {
            var seen = new HashSet<int>(sets[a].Ids);
            if (seen.Count != sets[a].Ids.Length)
                throw new DatasetFormatException(Path.Combine(folder, sets[a].File), 0, "lists a node twice; each node once.");
            for (int b = a + 1; b < sets.Length; b++)
                foreach (int id in sets[b].Ids)
                    if (seen.Contains(id))
                        throw new DatasetFormatException(Path.Combine(folder, sets[b].File), 0, $"node {id} is also in {sets[a].File}; the splits must not overlap.");
        }
    }
}
