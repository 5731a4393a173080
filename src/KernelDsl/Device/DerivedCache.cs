namespace KernelDsl;

/// <summary>
/// What a buffer derives from its immutable contents and keeps until it is disposed — scheduling plans, row-chunk work
/// lists, row blocks, transposes and adjoints, with their device copies — behind one small API: get an entry or build it
/// once (under the cache's lock), replace one, and dispose every entry with the buffer. Keys are small records, one type
/// per kind of entry, so kinds never collide.
/// </summary>
internal sealed class DerivedCache : IDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<object, object> _entries = new();
    private bool _disposed;

    /// <summary>The entry under <paramref name="key"/>, built by <paramref name="build"/> on first use.</summary>
    public TValue GetOrAdd<TValue>(object key, Func<TValue> build) where TValue : class
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(key, out var cached)) return (TValue)cached;
            var built = build();
            _entries[key] = built;
            return built;
        }
    }

    /// <summary>Puts <paramref name="value"/> under <paramref name="key"/>, disposing the entry it replaces.</summary>
    public void Replace<TValue>(object key, TValue value) where TValue : class
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_entries.TryGetValue(key, out var old) && !ReferenceEquals(old, value)) (old as IDisposable)?.Dispose();
            _entries[key] = value;
        }
    }

    /// <summary>Disposes every entry that owns resources (device copies, derived buffers).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var entry in _entries.Values) (entry as IDisposable)?.Dispose();
            _entries.Clear();
        }
    }
}
