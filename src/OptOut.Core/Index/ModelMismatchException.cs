namespace OptOut.Core.Index;

/// <summary>The index holds embeddings from one model; vectors from another cannot be added or compared.</summary>
public sealed class ModelMismatchException : Exception
{
    /// <summary>The index holds <paramref name="indexModel"/>'s vectors; <paramref name="otherModel"/> was offered.</summary>
    public ModelMismatchException(string indexModel, string otherModel)
        : base($"The index holds embeddings from model '{indexModel}', not '{otherModel}'. Vectors from different models cannot be compared; use another -IndexPath for this model.")
    {
        IndexModel = indexModel;
        OtherModel = otherModel;
    }

    /// <summary>The model id the index's vectors come from.</summary>
    public string IndexModel { get; }
    /// <summary>The model id that was offered.</summary>
    public string OtherModel { get; }
}
