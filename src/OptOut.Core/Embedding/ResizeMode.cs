namespace OptOut.Core.Embedding;

/// <summary>How the picture is fitted to the model's square input.</summary>
public enum ResizeMode
{
    /// <summary>Scale the whole picture to the input size, ignoring aspect ratio (nothing is cut off).</summary>
    Stretch,

    /// <summary>Scale the short side to the input size, then cut the centre (what CLIP's preprocessing does).</summary>
    CenterCrop,
}
