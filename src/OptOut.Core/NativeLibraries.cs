using Microsoft.Data.Sqlite;
using Microsoft.ML.OnnxRuntime;

namespace OptOut.Core;

/// <summary>Versions of the native libraries actually loaded, for diagnostics and load tests.</summary>
internal static class NativeLibraries
{
    /// <summary>The SQLite library's version, read by opening an in-memory database.</summary>
    public static string SqliteVersion()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "select sqlite_version()";
        return (string)command.ExecuteScalar()!;
    }

    public static string OnnxRuntimeVersion() => OrtEnv.Instance().GetVersionString();

    /// <summary>OpenCV's version, from the native OpenCvSharpExtern library (loaded on this first call).</summary>
    public static string OpenCvVersion() => OpenCvSharp.Cv2.GetVersionString() ?? "";
}
