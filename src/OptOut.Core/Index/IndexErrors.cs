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

/// <summary>A dataset file cannot be read; the import of that file stops, the others go on.</summary>
public sealed class DatasetFormatException : Exception
{
    public DatasetFormatException(string path, string reason, Exception? inner = null)
        : base($"Cannot read '{path}': {reason}", inner) => Path = path;

    public string Path { get; }
}
