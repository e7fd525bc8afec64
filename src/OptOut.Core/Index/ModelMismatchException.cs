namespace OptOut.Core.Index;

/// <summary>The index holds embeddings from one model; vectors from another cannot be added or compared.</summary>
public sealed class ModelMismatchException : Exception
{
    public ModelMismatchException(string indexModel, string otherModel)
        : base($"The index holds embeddings from model '{indexModel}', not '{otherModel}'. Vectors from different models cannot be compared; use another -IndexPath for this model.")
    {
        IndexModel = indexModel;
        OtherModel = otherModel;
    }

    public string IndexModel { get; }
    public string OtherModel { get; }
}
