using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace OptOut.Core.Tests.Signals;

/// <summary>
/// The signal fixtures (tests/fixtures/signals, made by make-fixtures.sh) and the few byte-level
/// writers the tests use to put hand-built metadata into real files: a PNG chunk after IHDR, JPEG
/// segments after SOI, JUMBF boxes and CBOR items, each written as its specification lays it out.
/// </summary>
internal static class SignalFiles
{
    public static string FixturePath(string name) => Path.Combine(TestEnvironment.RepositoryRoot, "tests", "fixtures", name);

    public static byte[] Fixture(string name) => File.ReadAllBytes(FixturePath(name));

    /// <summary>A PNG with <paramref name="chunks"/> inserted right after its IHDR chunk, CRCs computed.</summary>
    public static byte[] PngWithChunks(byte[] png, params (string Type, byte[] Data)[] chunks)
    {
        var ihdrEnd = 8 + 12 + (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(8));
        using var output = new MemoryStream();
        output.Write(png, 0, ihdrEnd);
        foreach (var (type, data) in chunks) output.Write(PngChunk(type, data));
        output.Write(png, ihdrEnd, png.Length - ihdrEnd);
        return output.ToArray();
    }

    public static byte[] PngChunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.HashToUInt32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>A JPEG with <paramref name="segments"/> (marker, payload) inserted right after SOI.</summary>
    public static byte[] JpegWithSegments(byte[] jpeg, params (byte Marker, byte[] Payload)[] segments)
    {
        using var output = new MemoryStream();
        output.Write(jpeg, 0, 2);
        foreach (var (marker, payload) in segments)
        {
            if (payload.Length + 2 > ushort.MaxValue) throw new ArgumentException("Segment too long.");
            output.Write([0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2)]);
            output.Write(payload);
        }
        output.Write(jpeg, 2, jpeg.Length - 2);
        return output.ToArray();
    }

    /// <summary>
    /// A JUMBF superbox as APP11 payloads (JPEG XT / C2PA): "JP", box instance 1, sequence numbers from
    /// 1; every part after the first repeats the superbox's 8-byte header before its slice of the payload.
    /// </summary>
    public static List<byte[]> App11Parts(byte[] superbox, int payloadPerSegment)
    {
        var header = superbox.AsSpan(0, 8).ToArray();
        var parts = new List<byte[]>();
        var sequence = 1u;
        for (var offset = 0; offset < superbox.Length; sequence++)
        {
            var take = Math.Min(payloadPerSegment, superbox.Length - offset);
            using var part = new MemoryStream();
            part.Write("JP"u8);
            part.Write([0, 1]);
            var z = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(z, sequence);
            part.Write(z);
            if (offset > 0) part.Write(header);
            part.Write(superbox, offset, take);
            parts.Add(part.ToArray());
            offset += take;
        }
        return parts;
    }

    /// <summary>The caBX payload (the JUMBF manifest store) of a PNG.</summary>
    public static byte[] PngChunkData(byte[] png, string type)
    {
        for (var pos = 8; pos + 8 <= png.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (Encoding.ASCII.GetString(png, pos + 4, 4) == type) return png.AsSpan(pos + 8, length).ToArray();
            pos += 12 + length;
        }
        throw new InvalidOperationException($"No {type} chunk.");
    }
}

/// <summary>JUMBF boxes as ISO/IEC 19566-5 and the C2PA specification lay them out.</summary>
internal static class Jumbf
{
    public static byte[] Box(string type, byte[] payload)
    {
        var box = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(box, (uint)box.Length);
        Encoding.ASCII.GetBytes(type, box.AsSpan(4));
        payload.CopyTo(box, 8);
        return box;
    }

    /// <summary>
    /// A superbox: a description box (content-type UUID made of the 4-character type and the ISO
    /// suffix 0011-0010-8000-00AA00389B71, toggles 0x03 = requestable with a label, the label) and its boxes.
    /// </summary>
    public static byte[] Superbox(string contentType, string label, params byte[][] boxes)
    {
        using var description = new MemoryStream();
        description.Write(Encoding.ASCII.GetBytes(contentType));
        description.Write([0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]);
        description.WriteByte(0x03);
        description.Write(Encoding.UTF8.GetBytes(label));
        description.WriteByte(0);
        using var payload = new MemoryStream();
        payload.Write(Box("jumd", description.ToArray()));
        foreach (var box in boxes) payload.Write(box);
        return Box("jumb", payload.ToArray());
    }

    /// <summary>A manifest store holding one manifest per item, each with the given assertions.</summary>
    public static byte[] ManifestStore(params byte[][][] manifestsAssertions)
    {
        var manifests = manifestsAssertions.Select((assertions, i) =>
            Superbox("c2ma", $"urn:uuid:00000000-0000-4000-8000-00000000000{i}",
                Superbox("c2as", "c2pa.assertions", assertions))).ToArray();
        return Superbox("c2pa", "c2pa", manifests);
    }

    public static byte[] CborAssertion(string label, byte[] cbor) => Superbox("cbor", label, Box("cbor", cbor));

    public static byte[] JsonAssertion(string label, string json) => Superbox("json", label, Box("json", Encoding.UTF8.GetBytes(json)));
}

/// <summary>Writes CBOR items (RFC 8949) byte by byte, including the indefinite-length forms.</summary>
internal sealed class CborWriter
{
    private readonly List<byte> output = [];

    public byte[] ToArray() => output.ToArray();

    public CborWriter Head(int major, ulong argument)
    {
        var m = (byte)(major << 5);
        if (argument < 24) output.Add((byte)(m | (byte)argument));
        else if (argument <= byte.MaxValue) output.AddRange([(byte)(m | 24), (byte)argument]);
        else if (argument <= ushort.MaxValue) output.AddRange([(byte)(m | 25), (byte)(argument >> 8), (byte)argument]);
        else if (argument <= uint.MaxValue) { output.Add((byte)(m | 26)); var b = new byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, (uint)argument); output.AddRange(b); }
        else { output.Add((byte)(m | 27)); var b = new byte[8]; BinaryPrimitives.WriteUInt64BigEndian(b, argument); output.AddRange(b); }
        return this;
    }

    public CborWriter Text(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Head(3, (ulong)bytes.Length);
        output.AddRange(bytes);
        return this;
    }

    /// <summary>Text as an indefinite-length string of the given chunks.</summary>
    public CborWriter ChunkedText(params string[] chunks)
    {
        output.Add(0x7F);
        foreach (var chunk in chunks) Text(chunk);
        return Break();
    }

    public CborWriter Map(int count) => Head(5, (ulong)count);
    public CborWriter IndefiniteMap() { output.Add(0xBF); return this; }
    public CborWriter Tag(ulong tag) => Head(6, tag);
    public CborWriter Break() { output.Add(0xFF); return this; }
    public CborWriter Raw(params byte[] bytes) { output.AddRange(bytes); return this; }
}
