using System.Collections;

namespace KernelDsl.Hetero;

/// <summary>Dense features (or gradients) per node type: one <see cref="DenseBuffer{T}"/> per type name.</summary>
public sealed class HeteroFeatures : IEnumerable<KeyValuePair<string, DenseBuffer<float>>>
{
    private readonly Dictionary<string, DenseBuffer<float>> _buffers = new(StringComparer.Ordinal);

    /// <summary>Adds the buffer of <paramref name="nodeType"/> (one row per node).</summary>
    public void Add(string nodeType, DenseBuffer<float> buffer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeType);
        ArgumentNullException.ThrowIfNull(buffer);
        if (!_buffers.TryAdd(nodeType, buffer))
            throw new ArgumentException($"node type '{nodeType}' already has a buffer.", nameof(nodeType));
    }

    /// <summary>The buffer of <paramref name="nodeType"/>.</summary>
    public DenseBuffer<float> this[string nodeType] => _buffers.TryGetValue(nodeType, out var buffer) ? buffer
        : throw new KeyNotFoundException($"no buffer for node type '{nodeType}'; these have one: {string.Join(", ", _buffers.Keys)}.");

    /// <summary>Whether <paramref name="nodeType"/> has a buffer.</summary>
    public bool Contains(string nodeType) => _buffers.ContainsKey(nodeType);

    /// <summary>Node types with a buffer.</summary>
    public IEnumerable<string> NodeTypes => _buffers.Keys;

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, DenseBuffer<float>>> GetEnumerator() => _buffers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
