using System.Text;

namespace OptOut.Core.Index;

/// <summary>The index's key for a row's URL (column url_hash): compact, and re-checked by string on a match.</summary>
internal static class UrlHash
{
    /// <summary>64-bit FNV-1a of the normalised URL's UTF-8 bytes.</summary>
    public static long Of(string normalizedUrl)
    {
        // Over the URL's UTF-8 bytes, encoded on the stack (a row each in bulk imports).
        int most = Encoding.UTF8.GetMaxByteCount(normalizedUrl.Length);
        byte[]? rented = most > 1024 ? System.Buffers.ArrayPool<byte>.Shared.Rent(most) : null;
        Span<byte> buffer = rented ?? stackalloc byte[1024];
        int length = Encoding.UTF8.GetBytes(normalizedUrl, buffer);
        ulong hash = 14695981039346656037UL;
        foreach (var b in buffer[..length])
        {
            hash = (hash ^ b) * 1099511628211UL;
        }
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        return unchecked((long)hash);
    }
}
