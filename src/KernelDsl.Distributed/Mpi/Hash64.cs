namespace KernelDsl.Distributed;

/// <summary>
/// A 64-bit FNV-1a-style hash with an extra shift, for the fingerprints ranks compare (a graph's structure, a dataset,
/// the parameters, the host names): equal inputs give equal hashes on every rank; not for security.
/// </summary>
internal struct Hash64
{
    private ulong _h;

    public static Hash64 Start() => new() { _h = 0xcbf29ce484222325UL };

    public ulong Value => _h;

    public void Add(ulong value)
    {
        _h ^= value;
        _h *= 0x100000001B3UL;
        _h ^= _h >> 29;
    }

    public void Add(ReadOnlySpan<int> values)
    {
        foreach (int v in values) Add((uint)v);
    }

    public void Add(ReadOnlySpan<float> values)
    {
        foreach (float v in values) Add(BitConverter.SingleToUInt32Bits(v));
    }
}
