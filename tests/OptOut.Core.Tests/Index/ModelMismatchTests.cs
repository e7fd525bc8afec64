using OptOut.Core.Fingerprinting;
using OptOut.Core.Index;
using static OptOut.Core.Tests.Index.IndexFixtures;
using OptOut.Core.Datasets;

namespace OptOut.Core.Tests.Index;

/// <summary>An index holds vectors of one model: an import from another is refused and writes nothing.</summary>
public sealed class ModelMismatchTests : IDisposable
{
    private readonly string folder = TestEnvironment.NewScratchFolder();
    private readonly IndexStore store;
    private readonly Fingerprinter fingerprinter = NewFingerprinter();

    public ModelMismatchTests()
    {
        store = IndexStore.Open(NewIndexPath(folder));
    }

    public void Dispose() => store.Dispose();

    private long RowsInIndex() => QueryFile<long>(store.Path, "SELECT count(*) FROM rows");

    private string WritePictures(string name, int seed)
    {
        var root = Path.Combine(folder, name);
        Directory.CreateDirectory(root);
        File.WriteAllBytes(Path.Combine(root, "a.png"), Png(seed));
        File.WriteAllBytes(Path.Combine(root, "b.png"), Png(seed + 1));
        return root;
    }

    [Fact]
    public void Embeddings_of_a_second_model_are_refused_after_images_fingerprinted_with_the_real_model()
    {
        Import(store, fingerprinter, null, "pictures", WritePictures("pictures", 8100));
        Assert.Equal(TestEnvironment.DefaultModel.ModelId, store.ModelId);
        long rows = RowsInIndex();

        var clip = Path.Combine(folder, "clip");
        WriteClipRetrievalPart(clip, 0, UnitVectors(4, 512, seed: 5), float16: true);
        var error = Assert.Throws<ModelMismatchException>(() => Import(store, fingerprinter, "ViT-B-32/openai", "clip", clip));
        Assert.Equal(TestEnvironment.DefaultModel.ModelId, error.IndexModel);
        Assert.Equal("ViT-B-32/openai", error.OtherModel);
        Assert.Equal(rows, RowsInIndex());
        Assert.Equal(1L, QueryFile<long>(store.Path, "SELECT count(*) FROM shards"));
        Assert.Equal(TestEnvironment.DefaultModel.ModelId, store.ModelId);
    }

    [Fact]
    public void Images_are_not_fingerprinted_into_an_index_of_another_model()
    {
        var clip = Path.Combine(folder, "clip");
        WriteClipRetrievalPart(clip, 0, UnitVectors(4, 512, seed: 6), float16: true);
        Import(store, null, "ViT-B-32/openai", "clip", clip);
        Assert.Equal("ViT-B-32/openai", store.ModelId);

        var error = Assert.Throws<ModelMismatchException>(() => Import(store, fingerprinter, null, "pictures", WritePictures("pictures", 8200)));
        Assert.Equal(("ViT-B-32/openai", TestEnvironment.DefaultModel.ModelId), (error.IndexModel, error.OtherModel));
        Assert.Equal(4L, RowsInIndex());

        // Metadata without vectors may still join: it makes no claim about the model.
        var laion = Path.Combine(folder, "laion.parquet");
        WriteLaionUpperCase(laion, 0, 5, widthAsDouble: false);
        var (summary, _) = Import(store, fingerprinter, null, "laion", laion);
        Assert.Equal(5L, summary.Rows);
    }

    [Fact]
    public void Embeddings_of_other_dimensions_under_the_same_model_id_are_refused_and_nothing_is_written()
    {
        var clip = Path.Combine(folder, "clip");
        WriteClipRetrievalPart(clip, 0, UnitVectors(3, 64, seed: 7), float16: true);
        Import(store, null, "clip-model", "clip", clip);

        var other = Path.Combine(folder, "clip-wide");
        var (npy, _) = WriteClipRetrievalPart(other, 0, UnitVectors(3, 96, seed: 8), float16: false);
        var (summary, events) = Import(store, null, "clip-model", "clip", other);
        var problem = Assert.Single(Problems(events));
        Assert.Contains(npy, problem.Target);
        // Reported as the shard's failure, naming the file, with the reason inside.
        var error = Assert.IsType<DatasetFormatException>(problem.Error);
        Assert.IsType<InvalidDataException>(error.InnerException);
        Assert.Contains(npy, error.Message);
        Assert.Contains("96", problem.Error.Message);
        Assert.Equal((0L, 1), (summary.Rows, summary.ShardsFailed));
        Assert.Equal(3L, RowsInIndex());
        Assert.Equal(64, store.Dimensions);
    }
}
