using System.Reflection;

namespace OptOut.Core.Tests;

/// <summary>
/// The engine's public API is the list in docs/public-api.txt: what another host needs. Widening or
/// narrowing it is a change of that file, reviewed with the code (docs/architecture.md, "The public API").
/// </summary>
public sealed class PublicApiTests
{
    private static readonly string ListPath = Path.Combine(TestEnvironment.RepositoryRoot, "docs", "public-api.txt");

    /// <summary>Full names of the types the engine exports (nested ones with '+', as reflection names them).</summary>
    private static SortedSet<string> ExportedTypes() =>
        new(typeof(Fingerprinting.Fingerprinter).Assembly.GetExportedTypes().Select(t => t.FullName!), StringComparer.Ordinal);

    private static List<string> CheckedInList() =>
        File.ReadAllLines(ListPath)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToList();

    [Fact]
    public void The_engine_exports_exactly_the_types_in_docs_public_api_txt()
    {
        var exported = ExportedTypes();
        var listed = CheckedInList().ToHashSet(StringComparer.Ordinal);
        var added = exported.Where(name => !listed.Contains(name)).ToList();
        var removed = listed.Where(name => !exported.Contains(name)).Order(StringComparer.Ordinal).ToList();
        Assert.True(added.Count == 0 && removed.Count == 0,
            "The engine's public API differs from docs/public-api.txt (docs/architecture.md, \"The public API\").\n"
            + $"Public but not listed ({added.Count}):\n  " + string.Join("\n  ", added) + "\n"
            + $"Listed but not public ({removed.Count}):\n  " + string.Join("\n  ", removed));
    }

    [Fact]
    public void The_list_is_sorted_and_names_each_type_once()
    {
        var list = CheckedInList();
        Assert.Equal(list.Order(StringComparer.Ordinal), list);
        Assert.Equal(list.Count, list.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void The_engine_builds_its_XML_documentation_beside_the_assembly()
    {
        // CS1591 (a public member without a summary) and stale crefs fail the build only while the
        // documentation file is generated; its presence is what keeps the API documented.
        var assembly = typeof(Fingerprinting.Fingerprinter).Assembly.Location;
        var documentation = Path.ChangeExtension(assembly, ".xml");
        Assert.True(File.Exists(documentation), $"{documentation} is missing: GenerateDocumentationFile is off for OptOut.Core");
        var members = System.Xml.Linq.XDocument.Load(documentation).Descendants("member").Count();
        Assert.True(members >= ExportedTypes().Count, $"{documentation} documents {members} members for {ExportedTypes().Count} public types");
    }
}
