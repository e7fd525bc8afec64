using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OptOut.Core.Registry;

/// <summary>
/// Record ids in the UUID version 7 layout (48-bit Unix milliseconds, then random bits): unique
/// across registries, so exported lists merge without clashes, and time-ordered, so bulk inserts
/// append to the id index instead of scattering through it.
/// </summary>
internal static class ClaimIds
{
    public static string New() => New(DateTimeOffset.UtcNow);

    public static string New(DateTimeOffset time)
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        long milliseconds = time.ToUnixTimeMilliseconds();
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)(milliseconds >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..], (uint)milliseconds);
        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));  // version 7
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));  // RFC 4122 variant
        var hex = Convert.ToHexString(bytes).ToLowerInvariant();
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..]}";
    }

    public static bool IsValid(string id) => Guid.TryParseExact(id, "D", out _);
}
