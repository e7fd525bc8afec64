namespace OptOut.Core;

/// <summary>Where the module keeps its files: $OPTOUT_HOME, else ~/.optout.</summary>
internal static class OptOutPaths
{
    public const string HomeVariable = "OPTOUT_HOME";

    public static string Home
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(HomeVariable);
            return string.IsNullOrWhiteSpace(configured)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".optout")
                : Path.GetFullPath(configured);
        }
    }

    public static string DefaultIndexPath => Path.Combine(Home, "index.db");
    public static string DefaultRegistryPath => Path.Combine(Home, "registry.db");

    /// <summary>The gate's kept turned views of refused pictures (Gate's <c>TurnedViewCache</c>): derived data.</summary>
    public static string TurnedViewCachePath => Path.Combine(Home, "cache", "turned-views.db");
}
