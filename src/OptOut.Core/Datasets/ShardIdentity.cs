using System.Security.Cryptography;
using System.Text;

namespace OptOut.Core.Datasets;

/// <summary>
/// Recognises a shard imported before without hashing gigabytes: the file name, its size and the
/// SHA-256 of its first and last 64 KiB. A copy of the same shard elsewhere has the same identity;
/// an edited or re-written shard does not.
/// </summary>
internal static class ShardIdentity
{
    private const int Sample = 64 * 1024;

    public static string OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Sample];
        int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        sha.AppendData(buffer, 0, read);
        if (stream.Length > 2 * Sample)
        {
            stream.Seek(-Sample, SeekOrigin.End);
            read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            sha.AppendData(buffer, 0, read);
        }
        else if (stream.Length > Sample)
        {
            read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            sha.AppendData(buffer, 0, read);
        }
        return $"{Path.GetFileName(path)}:{stream.Length}:{Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant()}";
    }

    /// <summary>Several files together (a metadata parquet with its .npy, a shard folder's listing).</summary>
    public static string Combine(params string[] parts)
    {
        var joined = string.Join("\n", parts);
        return "set:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(joined))).ToLowerInvariant();
    }

    public static string OfFolderListing(string folder, IEnumerable<string> files) =>
        Combine(files.Select(f => $"{Path.GetRelativePath(folder, f)}:{new FileInfo(f).Length}").Prepend(Path.GetFileName(folder)).ToArray());
}
