using System.Buffers.Binary;

namespace OptOut.Core.Matching;

/// <summary>
/// The keypoints and descriptors of one picture (or its mirror image), in its working frame (the picture
/// scaled down to <see cref="VerifierOptions.WorkingSide"/>). Computed once per query and reused over its
/// candidates; compact enough to store (<see cref="ToBytes"/>: a small header, then per keypoint its position
/// in 1/8 px as two 16-bit numbers and its descriptor as bytes).
/// </summary>
public sealed class LocalFeatures
{
    private const byte FormatVersion = 1;
    private const int HeaderBytes = 16;
    private const float PositionUnit = 8f;

    internal LocalFeatures(LocalFeatureKind kind, int width, int height, int sourceWidth, int sourceHeight, float[] x, float[] y, byte[] descriptors)
    {
        int length = DescriptorLengthOf(kind);
        if (x.Length != y.Length || descriptors.Length != x.Length * length)
        {
            throw new ArgumentException($"{x.Length} positions do not fit {descriptors.Length} descriptor bytes of {length} a keypoint.");
        }
        Kind = kind;
        Width = width;
        Height = height;
        SourceWidth = sourceWidth;
        SourceHeight = sourceHeight;
        X = x;
        Y = y;
        Descriptors = descriptors;
    }

    /// <summary>The detector and descriptor the features were made with.</summary>
    public LocalFeatureKind Kind { get; }

    /// <summary>Size of the working frame the positions are in.</summary>
    public int Width { get; }
    /// <summary>Height of the working frame, in pixels.</summary>
    public int Height { get; }

    /// <summary>Size of the decoded picture the working frame was made from.</summary>
    public int SourceWidth { get; }
    /// <summary>Height of the decoded picture, in pixels.</summary>
    public int SourceHeight { get; }

    /// <summary>Number of keypoints.</summary>
    public int Count => X.Length;

    internal int DescriptorLength => DescriptorLengthOf(Kind);

    /// <summary>Bytes <see cref="ToBytes"/> writes.</summary>
    internal int SerializedLength => HeaderBytes + Count * (4 + DescriptorLength);

    internal float[] X { get; }
    internal float[] Y { get; }

    /// <summary>Count x <see cref="DescriptorLength"/> bytes, keypoint after keypoint.</summary>
    internal byte[] Descriptors { get; }

    internal static int DescriptorLengthOf(LocalFeatureKind kind) => kind switch
    {
        LocalFeatureKind.Sift => 128,
        LocalFeatureKind.Orb => 32,
        LocalFeatureKind.Akaze => 61,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown local feature kind"),
    };

    internal static bool IsBinary(LocalFeatureKind kind) => kind != LocalFeatureKind.Sift;

    internal byte[] ToBytes()
    {
        var bytes = new byte[SerializedLength];
        var span = bytes.AsSpan();
        span[0] = FormatVersion;
        span[1] = (byte)Kind;
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], checked((ushort)Count));
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], checked((ushort)Width));
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], checked((ushort)Height));
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], SourceWidth);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], SourceHeight);
        int at = HeaderBytes;
        for (int i = 0; i < Count; i++, at += 4)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[at..], ToUnits(X[i]));
            BinaryPrimitives.WriteUInt16LittleEndian(span[(at + 2)..], ToUnits(Y[i]));
        }
        Descriptors.CopyTo(span[at..]);
        return bytes;
    }

    /// <summary>Reads what <see cref="ToBytes"/> wrote; positions come back to within 1/16 px.</summary>
    internal static LocalFeatures FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderBytes || bytes[0] != FormatVersion || !Enum.IsDefined((LocalFeatureKind)bytes[1]))
        {
            throw new FormatException("Not a local feature set of a known version.");
        }
        var kind = (LocalFeatureKind)bytes[1];
        int count = BinaryPrimitives.ReadUInt16LittleEndian(bytes[2..]);
        int width = BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]);
        int height = BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]);
        int sourceWidth = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        int sourceHeight = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        int length = DescriptorLengthOf(kind);
        if (bytes.Length != HeaderBytes + count * (4 + length))
        {
            throw new FormatException($"A local feature set of {count} keypoints takes {HeaderBytes + count * (4 + length)} bytes, not {bytes.Length}.");
        }
        var x = new float[count];
        var y = new float[count];
        int at = HeaderBytes;
        for (int i = 0; i < count; i++, at += 4)
        {
            x[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]) / PositionUnit;
            y[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(at + 2)..]) / PositionUnit;
        }
        return new LocalFeatures(kind, width, height, sourceWidth, sourceHeight, x, y, bytes[at..].ToArray());
    }

    private static ushort ToUnits(float position) => (ushort)Math.Clamp(MathF.Round(position * PositionUnit), 0, ushort.MaxValue);
}
