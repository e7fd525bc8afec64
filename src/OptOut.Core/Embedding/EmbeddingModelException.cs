using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace OptOut.Core.Embedding;

/// <summary>The model file is missing, is not a valid ONNX graph, or does not match its description.</summary>
public sealed class EmbeddingModelException : Exception
{
    internal EmbeddingModelException(string message, Exception? inner = null) : base(message, inner) { }
}
