using System.Globalization;
using System.Numerics;
using System.Text;

namespace KernelDsl.IO;

/// <summary>
/// Reads and writes Matrix Market files: coordinate (real, integer, pattern; general, symmetric,
/// skew-symmetric) as CSR, and array (or coordinate) as dense row-major matrices. Every error
/// names the file and the 1-based line.
/// </summary>
public static class MatrixMarket
{
    /// <summary>Reads a coordinate file as CSR. Symmetric files are expanded to both triangles (a diagonal entry once).</summary>
    /// <param name="path">The .mtx file.</param>
    /// <param name="duplicates">What to do with repeated coordinates.</param>
    public static CsrMatrix<T> ReadCsr<T>(string path, DuplicatePolicy duplicates = DuplicatePolicy.Keep) where T : unmanaged, INumber<T>
    {
        using var reader = OpenText(path);
        return ReadCsr<T>(reader, path, duplicates);
    }

    /// <summary>Reads a coordinate matrix as CSR from <paramref name="reader"/>; <paramref name="sourceName"/> appears in errors.</summary>
    public static CsrMatrix<T> ReadCsr<T>(TextReader reader, string sourceName, DuplicatePolicy duplicates = DuplicatePolicy.Keep)
        where T : unmanaged, INumber<T>
    {
        var parser = new Parser(reader, sourceName);
        var header = parser.ReadHeader();
        if (header.Format != MatrixMarketFormat.Coordinate)
            throw parser.Error(1, "this is an array (dense) file; read it with MatrixMarket.ReadDense, or write the matrix in coordinate format.");
        bool symmetric = header.Symmetry != MatrixMarketSymmetry.General;
        if (symmetric && header.Rows != header.Columns)
            throw parser.Error(parser.SizeLine, $"a {header.Symmetry} matrix must be square but the size line says {header.Rows} x {header.Columns}.");
        long capacity = symmetric ? header.Entries * 2 : header.Entries;
        if (capacity > Array.MaxLength) throw parser.Error(parser.SizeLine, $"{header.Entries} entries are more than one CSR matrix can hold.");
        // The size line is a claim, not a fact: reserve at most what a first slice of the file can hold, grow as entries arrive.
        int reserve = (int)Math.Min(capacity, InitialReserve);
        var rows = new List<int>(reserve);
        var cols = new List<int>(reserve);
        var vals = header.Field == MatrixMarketField.Pattern ? null : new List<T>(reserve);
        long read = 0;
        // DuplicatePolicy.Throw: a repeated coordinate is named where it repeats (file:line, 1-based, as the file writes it).
        var seen = duplicates == DuplicatePolicy.Throw ? new Dictionary<long, long>() : null;
        while (parser.NextDataLine(out var line))
        {
            if (read == header.Entries)
                throw parser.Error(parser.Line, $"more entries than the {header.Entries} the size line announces; fix the size line or remove the extra lines.");
            var fields = new FieldReader(line, parser);
            int r = fields.Index(header.Rows, "row");
            int c = fields.Index(header.Columns, "column");
            T v = T.One;
            if (vals is not null) v = fields.Value<T>(header.Field);
            fields.End();
            if (header.Symmetry == MatrixMarketSymmetry.SkewSymmetric && r == c)
                throw parser.Error(parser.Line, $"a skew-symmetric matrix has a zero diagonal, but entry ({r + 1}, {c + 1}) is stored.");
            if (symmetric && r < c)
                throw parser.Error(parser.Line, $"a {header.Symmetry} file stores the lower triangle only (row ≥ column), but entry ({r + 1}, {c + 1}) is above the diagonal; store ({c + 1}, {r + 1}) instead, or declare the file 'general'.");
            if (seen is not null)
            {
                long key = (long)r * header.Columns + c;
                if (seen.TryGetValue(key, out long first))
                    throw parser.Error(parser.Line, $"entry ({r + 1}, {c + 1}) appears again (first at line {first}); use DuplicatePolicy.Sum or Keep to accept repeated coordinates.");
                seen[key] = parser.Line;
            }
            rows.Add(r); cols.Add(c); vals?.Add(v);
            if (symmetric && r != c)
            {
                rows.Add(c); cols.Add(r);
                vals?.Add(header.Symmetry == MatrixMarketSymmetry.SkewSymmetric ? -v : v);
            }
            read++;
        }
        if (read != header.Entries)
            throw parser.Error(parser.Line, $"the size line announces {header.Entries} entries but the file has {read}; the file is truncated or the size line is wrong.");
        return CsrMatrix<T>.FromCoo(header.Rows, header.Columns, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows),
            System.Runtime.InteropServices.CollectionsMarshal.AsSpan(cols),
            vals is null ? ReadOnlySpan<T>.Empty : System.Runtime.InteropServices.CollectionsMarshal.AsSpan(vals), duplicates);
    }

    /// <summary>Reads a dense matrix: an array file (column-major, as the format specifies), or a coordinate file (missing entries are 0; repeated ones are summed).</summary>
    public static DenseMatrix<T> ReadDense<T>(string path) where T : unmanaged, INumber<T>
    {
        using var reader = OpenText(path);
        return ReadDense<T>(reader, path);
    }

    /// <summary>Reads a dense matrix from <paramref name="reader"/>.</summary>
    public static DenseMatrix<T> ReadDense<T>(TextReader reader, string sourceName) where T : unmanaged, INumber<T>
    {
        var parser = new Parser(reader, sourceName);
        var header = parser.ReadHeader();
        if ((long)header.Rows * header.Columns > Array.MaxLength)
            throw parser.Error(parser.SizeLine, $"a dense {header.Rows} x {header.Columns} matrix has {(long)header.Rows * header.Columns} entries, more than one array holds ({Array.MaxLength}); check the size line.");
        var m = new DenseMatrix<T>(header.Rows, header.Columns);
        if (header.Format == MatrixMarketFormat.Coordinate)
        {
            long read = 0;
            while (parser.NextDataLine(out var line))
            {
                if (read == header.Entries)
                    throw parser.Error(parser.Line, $"more entries than the {header.Entries} the size line announces.");
                var fields = new FieldReader(line, parser);
                int r = fields.Index(header.Rows, "row");
                int c = fields.Index(header.Columns, "column");
                T v = header.Field == MatrixMarketField.Pattern ? T.One : fields.Value<T>(header.Field);
                fields.End();
                m[r, c] += v;
                if (header.Symmetry != MatrixMarketSymmetry.General && r != c)
                    m[c, r] += header.Symmetry == MatrixMarketSymmetry.SkewSymmetric ? -v : v;
                read++;
            }
            if (read != header.Entries)
                throw parser.Error(parser.Line, $"the size line announces {header.Entries} entries but the file has {read}.");
            return m;
        }

        if (header.Field == MatrixMarketField.Pattern)
            throw parser.Error(1, "an array file cannot have the pattern field; use real or integer.");
        // Array format: column-major; symmetric stores the lower triangle incl. diagonal, skew the strict lower triangle.
        long index = 0;
        long expected = header.Symmetry switch
        {
            MatrixMarketSymmetry.General => (long)header.Rows * header.Columns,
            MatrixMarketSymmetry.Symmetric => (long)header.Rows * (header.Rows + 1) / 2,
            _ => (long)header.Rows * (header.Rows - 1) / 2,
        };
        int col = 0, row = 0;
        if (header.Symmetry == MatrixMarketSymmetry.SkewSymmetric) row = 1;
        while (parser.NextDataLine(out var line))
        {
            if (index == expected)
                throw parser.Error(parser.Line, $"more values than the {expected} a {header.Rows} x {header.Columns} {header.Symmetry} array holds.");
            var fields = new FieldReader(line, parser);
            T v = fields.Value<T>(header.Field);
            fields.End();
            m[row, col] = v;
            if (header.Symmetry == MatrixMarketSymmetry.Symmetric) m[col, row] = v;
            else if (header.Symmetry == MatrixMarketSymmetry.SkewSymmetric) m[col, row] = -v;
            index++;
            row++;
            if (row == header.Rows)
            {
                col++;
                row = header.Symmetry switch { MatrixMarketSymmetry.General => 0, MatrixMarketSymmetry.Symmetric => col, _ => col + 1 };
            }
        }
        if (index != expected)
            throw parser.Error(parser.Line, $"the array should hold {expected} values but the file has {index}; the file is truncated.");
        return m;
    }

    /// <summary>Reads only the banner and size line.</summary>
    public static MatrixMarketHeader ReadHeader(string path)
    {
        using var reader = OpenText(path);
        return new Parser(reader, path).ReadHeader();
    }

    /// <summary>Writes a CSR matrix as a coordinate general file (real, or pattern when it has no values).</summary>
    public static void Write<T>(TextWriter writer, CsrMatrix<T> matrix) where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(matrix);
        writer.Write($"%%MatrixMarket matrix coordinate {(matrix.HasValues ? "real" : "pattern")} general\n");
        writer.Write(string.Create(CultureInfo.InvariantCulture, $"{matrix.Rows} {matrix.ColumnCount} {matrix.Nonzeros}\n"));
        var sb = new StringBuilder();
        for (int r = 0; r < matrix.Rows; r++)
            for (int e = matrix.RowOffsets[r]; e < matrix.RowOffsets[r + 1]; e++)
            {
                sb.Clear();
                sb.Append(CultureInfo.InvariantCulture, $"{r + 1} {matrix.ColumnIndices[e] + 1}");
                if (matrix.Values is not null) sb.Append(' ').Append(FormatValue(matrix.Values[e]));
                sb.Append('\n');
                writer.Write(sb);
            }
    }

    /// <summary>Writes a dense matrix as an array real general file (column-major).</summary>
    public static void Write<T>(TextWriter writer, DenseMatrix<T> matrix) where T : unmanaged, INumber<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(matrix);
        writer.Write("%%MatrixMarket matrix array real general\n");
        writer.Write(string.Create(CultureInfo.InvariantCulture, $"{matrix.Rows} {matrix.Columns}\n"));
        for (int c = 0; c < matrix.Columns; c++)
            for (int r = 0; r < matrix.Rows; r++)
                writer.Write(FormatValue(matrix[r, c]) + "\n");
    }

    /// <summary>Writes to a file.</summary>
    public static void Write<T>(string path, CsrMatrix<T> matrix) where T : unmanaged, INumber<T>
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        Write(w, matrix);
    }

    /// <summary>Writes to a file.</summary>
    public static void Write<T>(string path, DenseMatrix<T> matrix) where T : unmanaged, INumber<T>
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false));
        Write(w, matrix);
    }

    /// <summary>Entries reserved before reading; lists grow beyond it as the file proves it has more.</summary>
    private const int InitialReserve = 1 << 20;

    private static string FormatValue<T>(T value) where T : unmanaged, INumber<T> =>
        value is float f ? f.ToString("R", CultureInfo.InvariantCulture)
        : value is double d ? d.ToString("R", CultureInfo.InvariantCulture)
        : value.ToString(null, CultureInfo.InvariantCulture);

    private static StreamReader OpenText(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Matrix Market file '{path}' does not exist.", path);
        return new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    private sealed class Parser(TextReader reader, string source)
    {
        public long Line { get; private set; }
        public long SizeLine { get; private set; }

        public MatrixMarketFormatException Error(long line, string problem) => new(source, line, problem);

        public MatrixMarketHeader ReadHeader()
        {
            string? banner = reader.ReadLine();
            Line = 1;
            if (banner is null) throw Error(1, "the file is empty; a Matrix Market file starts with '%%MatrixMarket matrix <format> <field> <symmetry>'.");
            var parts = banner.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 5 || !parts[0].Equals("%%MatrixMarket", StringComparison.OrdinalIgnoreCase) || !parts[1].Equals("matrix", StringComparison.OrdinalIgnoreCase))
                throw Error(1, $"the banner '{banner}' is not '%%MatrixMarket matrix <format> <field> <symmetry>'.");
            var format = parts[2].ToLowerInvariant() switch
            {
                "coordinate" => MatrixMarketFormat.Coordinate,
                "array" => MatrixMarketFormat.Array,
                var f => throw Error(1, $"unknown format '{f}'; expected coordinate or array."),
            };
            var field = parts[3].ToLowerInvariant() switch
            {
                "real" or "double" => MatrixMarketField.Real,
                "integer" => MatrixMarketField.Integer,
                "pattern" => MatrixMarketField.Pattern,
                "complex" => throw Error(1, "complex matrices are not supported; convert the file to real."),
                var f => throw Error(1, $"unknown field '{f}'; expected real, integer or pattern."),
            };
            var symmetry = parts[4].ToLowerInvariant() switch
            {
                "general" => MatrixMarketSymmetry.General,
                "symmetric" => MatrixMarketSymmetry.Symmetric,
                "skew-symmetric" => MatrixMarketSymmetry.SkewSymmetric,
                "hermitian" => throw Error(1, "hermitian matrices are complex and not supported."),
                var s => throw Error(1, $"unknown symmetry '{s}'; expected general, symmetric or skew-symmetric."),
            };
            if (!NextDataLine(out var sizeLine))
                throw Error(Line, "the size line is missing after the banner and comments.");
            SizeLine = Line;
            var size = sizeLine.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            int expectedCount = format == MatrixMarketFormat.Coordinate ? 3 : 2;
            if (size.Length != expectedCount)
                throw Error(Line, $"the size line must hold {(expectedCount == 3 ? "'rows columns entries'" : "'rows columns'")}, found '{sizeLine.ToString()}'.");
            if (!int.TryParse(size[0], NumberStyles.None, CultureInfo.InvariantCulture, out int rows) ||
                !int.TryParse(size[1], NumberStyles.None, CultureInfo.InvariantCulture, out int cols))
                throw Error(Line, $"rows and columns must be non-negative integers that fit in 32 bits, found '{sizeLine.ToString()}'.");
            long entries = 0;
            if (expectedCount == 3 && !long.TryParse(size[2], NumberStyles.None, CultureInfo.InvariantCulture, out entries))
                throw Error(Line, $"the entry count must be a non-negative integer, found '{size[2]}'.");
            if (rows >= Array.MaxLength || cols >= Array.MaxLength)
                throw Error(Line, $"{rows} x {cols} is larger than KernelDsl's matrices hold: rows and columns are at most {Array.MaxLength - 1} (the row offsets hold rows + 1 entries); check the size line.");
            return new MatrixMarketHeader(format, field, symmetry, rows, cols, entries);
        }

        /// <summary>Next line that is neither a comment nor blank.</summary>
        public bool NextDataLine(out ReadOnlySpan<char> line)
        {
            while (reader.ReadLine() is { } text)
            {
                Line++;
                var span = text.AsSpan().Trim();
                if (span.IsEmpty || span[0] == '%') continue;
                line = text.AsSpan().Trim();
                return true;
            }
            line = default;
            return false;
        }
    }

    private ref struct FieldReader(ReadOnlySpan<char> line, Parser parser)
    {
        private ReadOnlySpan<char> _rest = line;

        private ReadOnlySpan<char> Next(string what)
        {
            _rest = _rest.TrimStart();
            if (_rest.IsEmpty) throw parser.Error(parser.Line, $"the {what} is missing.");
            int end = _rest.IndexOfAny(' ', '\t');
            if (end < 0) end = _rest.Length;
            var token = _rest[..end];
            _rest = _rest[end..];
            return token;
        }

        public int Index(int limit, string what)
        {
            var token = Next($"{what} index");
            if (!int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i))
                throw parser.Error(parser.Line, $"the {what} index '{token.ToString()}' is not an integer.");
            if (i < 1 || i > limit)
                throw parser.Error(parser.Line, $"the {what} index {i} is outside 1..{limit} (indices are 1-based).");
            return i - 1;
        }

        public T Value<T>(MatrixMarketField field) where T : unmanaged, INumber<T>
        {
            var token = Next("value");
            if (field == MatrixMarketField.Integer)
            {
                if (!long.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l))
                    throw parser.Error(parser.Line, $"the value '{token.ToString()}' is not an integer, but the banner says integer.");
                if (!TryConvert(l, out T integer))
                    throw parser.Error(parser.Line, $"the value {l} does not fit in {typeof(T).Name}.");
                return integer;
            }
            if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
                throw parser.Error(parser.Line, $"the value '{token.ToString()}' is not a number.");
            // NaN and infinities (written out, or a number too large for T) would flow through every kernel into a loss of NaN.
            if (!double.IsFinite(d) || !TryConvert(d, out T value) || !T.IsFinite(value))
                throw parser.Error(parser.Line, $"the value '{token.ToString()}' is not a finite {typeof(T).Name}; values must be finite numbers (replace missing values, e.g. with 0).");
            return value;
        }

        private static bool TryConvert<TFrom, T>(TFrom from, out T value) where TFrom : INumber<TFrom> where T : unmanaged, INumber<T>
        {
            try
            {
                value = T.CreateChecked(from);
                return true;
            }
            catch (OverflowException)
            {
                value = default;
                return false;
            }
        }

        public void End()
        {
            var rest = _rest.Trim();
            if (!rest.IsEmpty) throw parser.Error(parser.Line, $"unexpected text '{rest.ToString()}' after the entry.");
        }
    }
}
