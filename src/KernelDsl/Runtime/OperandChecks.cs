using System.ComponentModel;
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace KernelDsl.Runtime;

/// <summary>
/// Input checks that generated method bodies run before any launch, so that bad input throws an
/// exception naming the parameter and nothing is written. Public for generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Advanced)]
public static class OperandChecks
{
    public static void Stream(ComputeStream? stream, string name)
    {
        if (stream is null) throw new ArgumentNullException(name, $"{name} is null; pass backend.DefaultStream or a stream from backend.CreateStream().");
        if (stream.Backend.IsDisposed) throw new ObjectDisposedException(name, $"{name} belongs to a disposed ComputeBackend.");
    }

    public static void Stream(AcceleratorStream? stream, string name)
    {
        if (stream is null) throw new ArgumentNullException(name, $"{name} is null; pass accelerator.DefaultStream or a stream from accelerator.CreateStream().");
    }

    public static void Csr<T>(CsrBuffer<T>? a, ComputeBackend backend, bool requiresValues, string name) where T : unmanaged, INumber<T>
    {
        if (a is null) throw new ArgumentNullException(name, $"{name} is null; upload the matrix with backend.Upload(csr).");
        if (a.IsDisposed) throw new ObjectDisposedException(name, $"{name} has been disposed; upload the matrix again.");
        if (!ReferenceEquals(a.Backend, backend))
            throw new ArgumentException(OtherBackend(name, a.Backend, backend, "upload it with the stream's backend"), name);
        if (requiresValues && !a.HasValues)
            throw new ArgumentException($"{name} is a pattern matrix (no values) but the declaration is weighted; give the matrix values (CsrMatrix.WithValues) or declare Adjacency = Adjacency.Pattern.", name);
    }

    /// <summary>
    /// An operand made by another backend object than the stream's: which backends (instance and kind, since two of one
    /// kind share a name) and the fix.
    /// </summary>
    private static string OtherBackend(string name, ComputeBackend owner, ComputeBackend stream, string fix) =>
        owner.Name == stream.Name
            ? $"{name} belongs to backend #{owner.Instance} but the stream to backend #{stream.Instance} (both {stream.Name}); buffers are bound to the ComputeBackend that made them: {fix}."
            : $"{name} belongs to backend #{owner.Instance} ({owner.Name}) but the stream to backend #{stream.Instance} ({stream.Name}); {fix}.";

    public static void Dense<T>(DenseBuffer<T>? x, ComputeBackend backend, string name) where T : unmanaged, INumber<T>
    {
        if (x is null) throw new ArgumentNullException(name, $"{name} is null; create it with backend.Upload(matrix) or backend.AllocateDense.");
        if (x.IsDisposed) throw new ObjectDisposedException(name, $"{name} has been disposed.");
        if (!ReferenceEquals(x.Backend, backend))
            throw new ArgumentException(OtherBackend(name, x.Backend, backend, "create it with the stream's backend"), name);
    }

    /// <summary>Shapes of <c>y = A ⊗ x</c>: x has A's column count of rows, y has A's rows and x's width, y is not x.</summary>
    public static void SpMMShapes<T>(CsrBuffer<T> a, DenseBuffer<T> x, DenseBuffer<T> y, string aName, string xName, string yName)
        where T : unmanaged, INumber<T>
    {
        SpMMShapes(a.Rows, a.ColumnCount, x.Rows, x.Columns, y.Rows, y.Columns, aName, xName, yName);
        if (ReferenceEquals(x, y))
            throw new ArgumentException($"{yName} is the same buffer as {xName}; the output must not overlap the input. Allocate a separate output.", yName);
    }

    public static void Cbsr<T, TIndex>(CbsrBuffer<T, TIndex>? x, ComputeBackend backend, string name)
        where T : unmanaged, INumber<T> where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (x is null) throw new ArgumentNullException(name, $"{name} is null; create it with backend.AllocateCbsr or backend.Upload(cbsr).");
        if (x.IsDisposed) throw new ObjectDisposedException(name, $"{name} has been disposed.");
        if (!ReferenceEquals(x.Backend, backend))
            throw new ArgumentException(OtherBackend(name, x.Backend, backend, "create it with the stream's backend"), name);
    }

    /// <summary>A declared constant (0 = not declared) must match the operand's actual value.</summary>
    public static void Declared(int declared, int actual, string what, string attribute, string name)
    {
        if (declared != 0 && declared != actual)
            throw new ArgumentException($"{name} has {what} = {actual} but the declaration says [{attribute}({(what == "k" ? "K" : "Dim")} = {declared})]; pass an operand with {what} = {declared} or change the declaration.", name);
    }

    /// <summary>MaxK: x is N × dim, y is N × dim CBSR with k ≤ dim.</summary>
    public static void MaxKShapes<T, TIndex>(DenseBuffer<T> x, CbsrBuffer<T, TIndex> y, string xName, string yName)
        where T : unmanaged, INumber<T> where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (y.Rows != x.Rows) throw new ArgumentException($"{yName} has {y.Rows} rows but {xName} has {x.Rows}; allocate the CBSR output with one row per input row.", yName);
        if (y.Dim != x.Columns) throw new ArgumentException($"{yName} has dim {y.Dim} but {xName} has {x.Columns} columns; they must agree.", yName);
    }

    /// <summary>MaxK backward: dy is N × dim CBSR, dx is N × dim dense.</summary>
    public static void MaxKBackwardShapes<T, TIndex>(CbsrBuffer<T, TIndex> dy, DenseBuffer<T> dx, string dyName, string dxName)
        where T : unmanaged, INumber<T> where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (dx.Rows != dy.Rows || dx.Columns != dy.Dim)
            throw new ArgumentException($"{dxName} is {dx.Rows} x {dx.Columns} but {dyName} is {dy.Rows} rows of dim {dy.Dim}; the dense gradient must match.", dxName);
    }

    /// <summary>Dynamic-ReLU backward: dy has y's shape (rows, dim, k); dx is rows × dim dense.</summary>
    public static void DynamicReLUBackwardShapes<T, TIndex>(CbsrBuffer<T, TIndex> y, CbsrBuffer<T, TIndex> dy, DenseBuffer<T> dx,
        string yName, string dyName, string dxName)
        where T : unmanaged, INumber<T> where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (dy.Rows != y.Rows || dy.Dim != y.Dim || dy.K != y.K)
            throw new ArgumentException($"{dyName} is {dy.Rows} rows, dim {dy.Dim}, k {dy.K} but {yName} is {y.Rows}, {y.Dim}, {y.K}; the gradient must have the forward output's shape.", dyName);
        if (dx.Rows != y.Rows || dx.Columns != y.Dim)
            throw new ArgumentException($"{dxName} is {dx.Rows} x {dx.Columns} but {yName} is {y.Rows} rows of dim {y.Dim}; the dense gradient must match.", dxName);
    }

    /// <summary>SpGEMM: x has A's column count of rows, y has A's rows and x's dim.</summary>
    public static void SpGemmShapes<T, TIndex>(CsrBuffer<T> a, CbsrBuffer<T, TIndex> x, DenseBuffer<T> y, string aName, string xName, string yName)
        where T : unmanaged, INumber<T> where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (x.Rows != a.ColumnCount) throw new ArgumentException($"{xName} has {x.Rows} rows but {aName} has {a.ColumnCount} columns; the CBSR features need one row per column of the adjacency.", xName);
        if (y.Rows != a.Rows) throw new ArgumentException($"{yName} has {y.Rows} rows but {aName} has {a.Rows}; allocate the output with one row per adjacency row.", yName);
        if (y.Columns != x.Dim) throw new ArgumentException($"{yName} has {y.Columns} columns but {xName} has dim {x.Dim}; the dense output must be as wide as the CBSR features' dim.", yName);
    }

    /// <summary>SSpMM: dy is A.Rows × dim, x is A.Columns rows of dim, dx has x's shape and is not x.</summary>
    /// <summary>Shapes of an [SpMM] backward: dy has a's rows, dx has a's columns, both the same width, distinct buffers.</summary>
    public static void BackwardShapes<T>(CsrBuffer<T> a, DenseBuffer<T> dy, DenseBuffer<T> dx, string aName, string dyName, string dxName)
        where T : unmanaged, INumber<T>
    {
        if (dy.Rows != a.Rows) throw new ArgumentException($"{dyName} has {dy.Rows} rows but {aName} has {a.Rows}; the output gradient has one row per adjacency row.", dyName);
        if (dx.Rows != a.ColumnCount) throw new ArgumentException($"{dxName} has {dx.Rows} rows but {aName} has {a.ColumnCount} columns; the input gradient has one row per input row.", dxName);
        if (dx.Columns != dy.Columns) throw new ArgumentException($"{dxName} has {dx.Columns} columns but {dyName} has {dy.Columns}; they must agree.", dxName);
        if (ReferenceEquals(dx, dy)) throw new ArgumentException($"{dxName} is the same buffer as {dyName}; the gradient needs its own buffer.", dxName);
    }

    public static void SSpMMShapes<T, TIndex>(CsrBuffer<T> a, DenseBuffer<T> dy, CbsrBuffer<T, TIndex> x, CbsrBuffer<T, TIndex> dx,
        string aName, string dyName, string xName, string dxName)
        where T : unmanaged, INumber<T> where TIndex : unmanaged, IBinaryInteger<TIndex>
    {
        if (dy.Rows != a.Rows) throw new ArgumentException($"{dyName} has {dy.Rows} rows but {aName} has {a.Rows}; the output gradient has one row per adjacency row.", dyName);
        if (x.Rows != a.ColumnCount) throw new ArgumentException($"{xName} has {x.Rows} rows but {aName} has {a.ColumnCount} columns.", xName);
        if (dy.Columns != x.Dim) throw new ArgumentException($"{dyName} has {dy.Columns} columns but {xName} has dim {x.Dim}; they must agree.", dyName);
        if (dx.Rows != x.Rows || dx.Dim != x.Dim || dx.K != x.K)
            throw new ArgumentException($"{dxName} is {dx.Rows} rows, dim {dx.Dim}, k {dx.K} but {xName} is {x.Rows}, {x.Dim}, {x.K}; allocate the gradient with x's shape.", dxName);
        if (ReferenceEquals(dx, x)) throw new ArgumentException($"{dxName} is the same buffer as {xName}; the gradient needs its own buffer.", dxName);
    }

    public static void CsrView<T>(in CsrView<T> a, Accelerator accelerator, bool requiresValues, string name) where T : unmanaged
    {
        if (!a.RowOffsets.IsValid)
            throw new ArgumentException($"{name} has an invalid (default or disposed) view.", name);
        if (a.Rows < 0 || a.ColumnCount < 0)
            throw new ArgumentException($"{name} has a negative shape ({a.Rows} x {a.ColumnCount}).", name);
        if (a.RowOffsets.Length != (long)a.Rows + 1)
            throw new ArgumentException($"{name}.RowOffsets has {a.RowOffsets.Length} entries but {a.Rows} rows need {a.Rows + 1}.", name);
        if (requiresValues && a.Values.Length != a.ColumnIndices.Length)
            throw new ArgumentException($"{name}.Values has {a.Values.Length} entries but {name}.ColumnIndices has {a.ColumnIndices.Length}; a weighted declaration needs one value per entry (or declare Adjacency = Adjacency.Pattern).", name);
        SameAccelerator(BufferOf(a.RowOffsets), accelerator, name);
        if (a.ColumnIndices.Length > 0) SameAccelerator(BufferOf(a.ColumnIndices), accelerator, name);
        if (requiresValues && a.Values.Length > 0) SameAccelerator(BufferOf(a.Values), accelerator, name);
    }

    public static void DenseView<T>(in DenseView<T> x, Accelerator accelerator, string name) where T : unmanaged
    {
        if (x.Rows < 0 || x.Columns < 0)
            throw new ArgumentException($"{name} has a negative shape ({x.Rows} x {x.Columns}).", name);
        if (x.Data.Length != (long)x.Rows * x.Columns)
            throw new ArgumentException($"{name}.Data has {x.Data.Length} elements but a {x.Rows} x {x.Columns} matrix needs {(long)x.Rows * x.Columns}.", name);
        if (x.Data.Length > 0)
        {
            if (!x.Data.IsValid) throw new ArgumentException($"{name} has an invalid (default or disposed) view.", name);
            SameAccelerator(BufferOf(x.Data), accelerator, name);
        }
    }

    public static void SpMMViewShapes<T>(in CsrView<T> a, in DenseView<T> x, in DenseView<T> y, string aName, string xName, string yName)
        where T : unmanaged
    {
        SpMMShapes(a.Rows, a.ColumnCount, x.Rows, x.Columns, y.Rows, y.Columns, aName, xName, yName);
        if (x.Data.Length > 0 && y.Data.Length > 0 && ReferenceEquals(BufferOf(x.Data), BufferOf(y.Data))
            && IndexOf(x.Data) < IndexOf(y.Data) + y.Data.Length && IndexOf(y.Data) < IndexOf(x.Data) + x.Data.Length)
            throw new ArgumentException($"{yName} overlaps {xName}; the output must not overlap the input. Allocate a separate output.", yName);
    }

    private static void SpMMShapes(int aRows, int aCols, int xRows, int xCols, int yRows, int yCols, string aName, string xName, string yName)
    {
        if (xRows != aCols)
            throw new ArgumentException($"{xName} has {xRows} rows but {aName} has {aCols} columns; the feature matrix needs one row per column of the adjacency.", xName);
        if (yRows != aRows)
            throw new ArgumentException($"{yName} has {yRows} rows but {aName} has {aRows} rows; allocate the output with one row per adjacency row.", yName);
        if (yCols != xCols)
            throw new ArgumentException($"{yName} has {yCols} columns but {xName} has {xCols}; the output must be as wide as the features.", yName);
    }

    private static MemoryBuffer? BufferOf<T>(ArrayView<T> view) where T : unmanaged => ((IArrayView)view).Buffer;

    private static long IndexOf<T>(ArrayView<T> view) where T : unmanaged => ((IContiguousArrayView)view).Index;

    private static void SameAccelerator(MemoryBuffer? buffer, Accelerator accelerator, string name)
    {
        if (buffer is null) return;
        if (buffer.IsDisposed) throw new ObjectDisposedException(name, $"{name} points into a disposed buffer.");
        if (!ReferenceEquals(buffer.Accelerator, accelerator))
            throw new ArgumentException($"{name} is on accelerator '{buffer.Accelerator.Name}' but the stream is on '{accelerator.Name}'; allocate it on the stream's accelerator.", name);
    }
}
