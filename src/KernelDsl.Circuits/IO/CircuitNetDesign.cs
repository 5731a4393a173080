using System.Globalization;

namespace KernelDsl.IO;

/// <summary>A placed cell of a CircuitNet design: master type and placement box in g-cell units (null when unplaced).</summary>
public sealed record PlacedCell(int Id, string Name, string CellType, (int Left, int Bottom, int Right, int Top)? Box)
{
    /// <summary>Centre of the placement box, or null when the cell is unplaced.</summary>
    public (double X, double Y)? Center => Box is { } b ? ((b.Left + b.Right) / 2.0, (b.Bottom + b.Top) / 2.0) : null;
}

/// <summary>
/// A CircuitNet-N28 design folder (cells.tsv, nets.txt, cell_net.mtx; see ../shared/data/README.md) read
/// as the heterogeneous graph circuit GNNs train on: node types <c>cell</c> and <c>net</c>; relations
/// <c>pins</c> (cell → net) and <c>pinned</c> (net → cell) from the cell–net incidence (value = pins of
/// the cell on the net), and the geometric <c>near</c> (cell → cell): each placed cell aggregates from
/// the <see cref="NearNeighbours"/> nearest placed cells whose box centres lie within
/// <see cref="NearRadius"/> g-cells (Euclidean; ties by cell id). Cell features: pins, box width, box
/// height, centre x and y (over the die extent), placed flag; net features: degree (cells), and the
/// half-perimeter of the pinned cells' bounding box over the die extent (0 without two placed cells).
/// </summary>
public static class CircuitNetDesign
{
    /// <summary>Radius of the near relation, in g-cells.</summary>
    public const double NearRadius = 2.0;

    /// <summary>Neighbours kept per cell in the near relation.</summary>
    public const int NearNeighbours = 8;

    public static (HeteroGraph Graph, IReadOnlyList<PlacedCell> Cells, IReadOnlyList<string> Nets) Read(string folder)
    {
        var cells = ReadCells(Path.Combine(folder, "cells.tsv"));
        var nets = File.Exists(Path.Combine(folder, "nets.txt"))
            ? File.ReadAllLines(Path.Combine(folder, "nets.txt"))
            : throw new FileNotFoundException($"CircuitNet design '{folder}' has no nets.txt.", Path.Combine(folder, "nets.txt"));
        string incidencePath = Path.Combine(folder, "cell_net.mtx");
        var incidence = MatrixMarket.ReadCsr<float>(incidencePath); // rows = cells, columns = nets
        if (cells.Count == 0)
            throw new FormatException($"{Path.Combine(folder, "cells.tsv")}: the design has no cells; a CircuitNet design lists one cell per line ('id name cell_type left bottom right top').");
        if (nets.Length == 0)
            throw new FormatException($"{Path.Combine(folder, "nets.txt")}: the design has no nets; list one net name per line.");
        if (incidence.Rows != cells.Count || incidence.ColumnCount != nets.Length)
            throw new FormatException($"{incidencePath}: the incidence is {incidence.Rows} x {incidence.ColumnCount} but the design has {cells.Count} cells (cells.tsv) and {nets.Length} nets (nets.txt); the files are from different designs.");
        // The value of an incidence entry is the number of pins the cell has on the net; a pattern file means one each.
        if (!incidence.HasValues) incidence = incidence.WithValues(1f);

        var near = Near(cells);
        var pins = incidence.Transpose(); // rows = nets
        double extentX = Math.Max(1, cells.Max(c => c.Box?.Right ?? 0)), extentY = Math.Max(1, cells.Max(c => c.Box?.Top ?? 0));

        var cellFeatures = new DenseMatrix<float>(cells.Count, 6);
        for (int c = 0; c < cells.Count; c++)
        {
            float pinCount = 0;
            for (int e = incidence.RowOffsets[c]; e < incidence.RowOffsets[c + 1]; e++) pinCount += incidence.Values![e];
            cellFeatures[c, 0] = pinCount;
            if (cells[c].Box is { } b && cells[c].Center is { } center)
            {
                cellFeatures[c, 1] = b.Right - b.Left;
                cellFeatures[c, 2] = b.Top - b.Bottom;
                cellFeatures[c, 3] = (float)(center.X / extentX);
                cellFeatures[c, 4] = (float)(center.Y / extentY);
                cellFeatures[c, 5] = 1f;
            }
        }
        var netFeatures = new DenseMatrix<float>(nets.Length, 2);
        for (int n = 0; n < nets.Length; n++)
        {
            netFeatures[n, 0] = pins.Degree(n);
            double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
            int placed = 0;
            for (int e = pins.RowOffsets[n]; e < pins.RowOffsets[n + 1]; e++)
                if (cells[pins.ColumnIndices[e]].Center is { } p)
                {
                    placed++;
                    minX = Math.Min(minX, p.X); maxX = Math.Max(maxX, p.X); minY = Math.Min(minY, p.Y); maxY = Math.Max(maxY, p.Y);
                }
            netFeatures[n, 1] = placed < 2 ? 0f : (float)((maxX - minX) / extentX + (maxY - minY) / extentY);
        }

        var graph = new HeteroGraph()
            .AddNodeType("cell", cells.Count)
            .AddNodeType("net", nets.Length)
            .AddRelation("pins", "cell", "net", pins)
            .AddRelation("pinned", "net", "cell", incidence)
            .AddRelation("near", "cell", "cell", near)
            .SetFeatures("cell", cellFeatures)
            .SetFeatures("net", netFeatures);
        return (graph, cells, nets);
    }

    private static List<PlacedCell> ReadCells(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CircuitNet design file '{path}' does not exist.", path);
        var cells = new List<PlacedCell>();
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0 || line[0] == '#') continue;
            var f = line.Split('\t');
            int Int(int i) => f.Length > i && int.TryParse(f[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
                : throw new FormatException($"{path}:{lineNumber}: expected 7 tab-separated fields 'id name cell_type left bottom right top', found '{line}'.");
            int id = Int(0);
            if (id != cells.Count) throw new FormatException($"{path}:{lineNumber}: cell id {id} out of sequence (expected {cells.Count}).");
            int left = Int(3), bottom = Int(4), right = Int(5), top = Int(6);
            var box = left < 0 ? ((int, int, int, int)?)null : (left, bottom, right, top);
            cells.Add(new PlacedCell(id, f[1], f[2], box));
        }
        return cells;
    }

    /// <summary>Up to <see cref="NearNeighbours"/> nearest placed cells within <see cref="NearRadius"/>, by bucketing centres into g-cells.</summary>
    private static CsrMatrix<float> Near(List<PlacedCell> cells)
    {
        var buckets = new Dictionary<(int, int), List<int>>();
        foreach (var cell in cells)
            if (cell.Center is { } c)
            {
                var key = ((int)Math.Floor(c.X), (int)Math.Floor(c.Y));
                if (!buckets.TryGetValue(key, out var list)) buckets[key] = list = [];
                list.Add(cell.Id);
            }
        int reach = (int)Math.Ceiling(NearRadius);
        var rows = new List<int>();
        var cols = new List<int>();
        var candidates = new List<(double Distance, int Id)>();
        foreach (var cell in cells)
        {
            if (cell.Center is not { } c) continue;
            candidates.Clear();
            int bx = (int)Math.Floor(c.X), by = (int)Math.Floor(c.Y);
            for (int dx = -reach; dx <= reach; dx++)
                for (int dy = -reach; dy <= reach; dy++)
                    if (buckets.TryGetValue((bx + dx, by + dy), out var list))
                        foreach (int other in list)
                        {
                            if (other == cell.Id) continue;
                            var o = cells[other].Center!.Value;
                            double d = Math.Sqrt((o.X - c.X) * (o.X - c.X) + (o.Y - c.Y) * (o.Y - c.Y));
                            if (d <= NearRadius) candidates.Add((d, other));
                        }
            foreach (var (_, other) in candidates.OrderBy(p => p.Distance).ThenBy(p => p.Id).Take(NearNeighbours))
            {
                rows.Add(cell.Id);
                cols.Add(other);
            }
        }
        return CsrMatrix<float>.FromCoo(cells.Count, cells.Count, rows.ToArray(), cols.ToArray(), Enumerable.Repeat(1f, rows.Count).ToArray());
    }
}
