namespace OptOut.Core.Datasets;

internal static class ImageFiles
{
    public static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"];

    public static bool IsImage(string path) => Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// A sample's key and member extension from a file name: the key runs to the first dot, so
    /// img2dataset's 000000123.jpg, .txt, .json (and webdataset's 000000123.seg.png) share it.
    /// </summary>
    public static (string Key, string Extension) SampleKey(string fileName)
    {
        int dot = fileName.IndexOf('.');
        return dot < 0 ? (fileName, "") : (fileName[..dot], fileName[dot..]);
    }
}
