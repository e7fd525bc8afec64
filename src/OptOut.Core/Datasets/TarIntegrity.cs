using System.Globalization;
using System.Text;

namespace OptOut.Core.Datasets;

/// <summary>
/// Checks a tar's framing before its members are read. .NET's TarReader (through .NET 10) does not
/// verify header checksums and takes a zeroed header for the end of the archive, so a damaged shard
/// would import silently with samples missing or with a neighbour's bytes in an image. Here every
/// 512-byte header's checksum is verified, every member's data must fit in the file, and nothing but
/// zeros may follow the end-of-archive marker.
/// </summary>
internal static class TarIntegrity
{
    private const int Block = 512;

    public static void Check(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var header = new byte[Block];
        long length = stream.Length;
        int member = 0;
        while (true)
        {
            long at = stream.Position;
            int read = stream.ReadAtLeast(header, Block, throwOnEndOfStream: false);
            if (read == 0)
            {
                return;  // no end-of-archive marker: tolerated, as GNU tar does, when the last member is whole
            }
            if (read < Block)
            {
                throw new DatasetFormatException(path, $"the tar ends inside the header of member {member} (offset {at:N0}; the file is truncated).");
            }
            if (header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            {
                CheckOnlyZerosFollow(stream, path, at);
                return;
            }
            if (!ChecksumMatches(header))
            {
                throw new DatasetFormatException(path, $"the header of member {member} (offset {at:N0}) fails its checksum: the tar is damaged.");
            }
            long size = ParseSize(header, path, member, at);
            long dataBlocks = (size + Block - 1) / Block;
            long next = stream.Position + dataBlocks * Block;
            if (stream.Position + size > length)
            {
                throw new DatasetFormatException(path, $"member {member} '{Name(header)}' needs {size:N0} bytes but the file ends first (truncated).");
            }
            stream.Position = Math.Min(next, length);
            member++;
        }
    }

    private static void CheckOnlyZerosFollow(Stream stream, string path, long markerAt)
    {
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (buffer.AsSpan(0, read).IndexOfAnyExcept((byte)0) >= 0)
            {
                throw new DatasetFormatException(path, $"an empty header at offset {markerAt:N0} ends the archive, but data follows it: a member header was zeroed (the tar is damaged).");
            }
        }
    }

    private static bool ChecksumMatches(byte[] header)
    {
        long unsignedSum = 0, signedSum = 0;
        for (int i = 0; i < Block; i++)
        {
            byte b = i is >= 148 and < 156 ? (byte)' ' : header[i];
            unsignedSum += b;
            signedSum += (sbyte)b;
        }
        var field = Encoding.ASCII.GetString(header, 148, 8).Trim('\0', ' ');
        if (!long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out _)) return false;
        long stored = Convert.ToInt64(field, 8);
        return stored == unsignedSum || stored == signedSum;  // some old writers summed signed bytes
    }

    private static long ParseSize(byte[] header, string path, int member, long at)
    {
        if ((header[124] & 0x80) != 0)
        {
            // GNU base-256 for sizes of 8 GiB and more.
            long value = 0;
            for (int i = 125; i < 136; i++) value = (value << 8) | header[i];
            return value;
        }
        var field = Encoding.ASCII.GetString(header, 124, 12).Trim('\0', ' ');
        if (field.Length == 0) return 0;
        if (field.Any(c => c is < '0' or > '7'))
        {
            throw new DatasetFormatException(path, $"member {member} (offset {at:N0}) has a size field that is not a number: the tar is damaged.");
        }
        return Convert.ToInt64(field, 8);
    }

    private static string Name(byte[] header) => Encoding.UTF8.GetString(header, 0, 100).TrimEnd('\0');
}
