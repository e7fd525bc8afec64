using System.Security.Cryptography;
using OptOut.Core.Embedding;
using OptOut.Core.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Core.Fingerprinting;

/// <summary>Another view of a query picture (rotated, say): its perceptual hash and embedding.</summary>
public sealed record ImageView(ulong PerceptualHash, float[] Embedding);
