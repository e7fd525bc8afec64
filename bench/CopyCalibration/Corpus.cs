using System.Security.Cryptography;
using System.Text.RegularExpressions;
using SixLabors.ImageSharp;

namespace CopyCalibration;

/// <summary>One source image file chosen for the benchmark.</summary>
public sealed record SourceImage(string Path, string RelativePath, string Sha256, byte[] Content, int Width, int Height);

/// <summary>
/// Picks the originals (queries) and the distractors from a folder of images, deterministically:
/// the files sorted by relative path (ordinal), symbolic links skipped, one file kept per content
/// (SHA-256) and per "family" (file name without a trailing number: openclipart stores variants of one
/// drawing as name_01, name_02...), then a fixed stride through the list.
/// </summary>
public sealed class Corpus
{
    private static readonly Regex TrailingNumber = new(@"[_\-. ]*\d+$", RegexOptions.CultureInvariant);

    public required IReadOnlyList<SourceImage> Queries { get; init; }
    public required IReadOnlyList<SourceImage> Distractors { get; init; }

    /// <summary>How many distractors were asked for (more than <see cref="Distractors"/> holds after <see cref="KeepDistractors"/>).</summary>
    public int DistractorsAsked { get; init; }

    /// <summary>The same corpus with only the distractors <paramref name="keep"/> accepts.</summary>
    public Corpus KeepDistractors(Func<SourceImage, bool> keep) => new()
    {
        Queries = Queries,
        Distractors = Distractors.Where(keep).ToList(),
        DistractorsAsked = DistractorsAsked,
        HardNegatives = HardNegatives,
        FilesSeen = FilesSeen,
        SymlinksSkipped = SymlinksSkipped,
        DuplicateContentSkipped = DuplicateContentSkipped,
        SameFamilySkipped = SameFamilySkipped,
        Unreadable = Unreadable,
        OverLimits = OverLimits,
        Unique = Unique,
        QueryEligible = QueryEligible,
        ExtraFilesSeen = ExtraFilesSeen,
        ExtraDistinct = ExtraDistinct,
    };

    /// <summary>Hard negatives: other drawings whose file name shares a word with an original's (same subject or same artist); empty unless asked for.</summary>
    public IReadOnlyList<SourceImage> HardNegatives { get; init; } = [];
    public int FilesSeen { get; init; }
    public int SymlinksSkipped { get; init; }
    public int DuplicateContentSkipped { get; init; }
    public int SameFamilySkipped { get; init; }
    public int Unreadable { get; init; }
    public int OverLimits { get; init; }
    public int Unique { get; init; }
    public int QueryEligible { get; init; }

    /// <summary>PNG files seen in the extra distractor folders, and the distinct pictures kept from them.</summary>
    public int ExtraFilesSeen { get; init; }
    public int ExtraDistinct { get; init; }

    public static string FamilyOf(string path)
    {
        var name = System.IO.Path.GetFileNameWithoutExtension(path).ToLowerInvariant();
        var stem = TrailingNumber.Replace(name, "");
        return stem.Length == 0 ? name : stem;
    }

    private static readonly Regex Word = new("[a-z]{4,}", RegexOptions.CultureInvariant);
    private static readonly HashSet<string> CommonWords = new(StringComparer.Ordinal)
    {
        "with", "from", "clip", "clipart", "icon", "icons", "simple", "line", "lineart", "outline", "black", "white",
        "color", "colour", "symbol", "small", "image", "picture", "drawing", "cartoon", "style", "blank", "button",
    };

    /// <summary>Words of four letters or more in a file's name, minus a few that say nothing of its subject.</summary>
    public static IReadOnlySet<string> TitleWords(string path) =>
        Word.Matches(System.IO.Path.GetFileNameWithoutExtension(path).ToLowerInvariant()).Select(m => m.Value).Where(w => !CommonWords.Contains(w)).ToHashSet(StringComparer.Ordinal);

    public static bool ShareTitleWord(string a, string b) => TitleWords(a).Overlaps(TitleWords(b));

    public static Corpus Select(string folder, int queryCount, int distractorCount, int minQuerySide, int hardPerQuery = 0, IReadOnlyList<string>? extraFolders = null)
    {
        var root = System.IO.Path.GetFullPath(folder);
        var files = new List<string>();
        int symlinks = 0;
        foreach (var path in Directory.EnumerateFiles(root, "*.png", SearchOption.AllDirectories))
        {
            if (new FileInfo(path).LinkTarget is not null) { symlinks++; continue; }
            files.Add(path);
        }
        files.Sort((a, b) => string.CompareOrdinal(System.IO.Path.GetRelativePath(root, a), System.IO.Path.GetRelativePath(root, b)));

        var seenContent = new HashSet<string>(StringComparer.Ordinal);
        var seenFamily = new HashSet<string>(StringComparer.Ordinal);
        var unique = new List<SourceImage>();
        int duplicates = 0, family = 0, unreadable = 0, overLimits = 0;
        foreach (var path in files)
        {
            var bytes = File.ReadAllBytes(path);
            var sha = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
            if (!seenContent.Add(sha)) { duplicates++; continue; }
            if (!seenFamily.Add(FamilyOf(path))) { family++; continue; }
            IImageInfo? info;
            try { info = Image.Identify(bytes); }
            catch (Exception) { info = null; }
            if (info is null || info.Width < 1 || info.Height < 1) { unreadable++; continue; }
            // The module refuses these before decoding (ImageLimits.Default); they cannot be in an index.
            if (!OptOut.Core.Imaging.ImageLimits.Default.Allows(info.Width, info.Height)) { overLimits++; continue; }
            unique.Add(new SourceImage(path, System.IO.Path.GetRelativePath(root, path), sha, bytes, info.Width, info.Height));
        }

        var eligible = unique.Where(i => Math.Min(i.Width, i.Height) >= minQuerySide).ToList();
        int primaryUnique = unique.Count, extraFiles = 0;
        foreach (var extra in extraFolders ?? [])
        {
            var (added, seen) = ExtraDistractors(extra, seenContent);
            unique.AddRange(added);
            extraFiles += seen;
        }
        if (eligible.Count < queryCount)
        {
            throw new InvalidOperationException($"Only {eligible.Count} images of at least {minQuerySide} px a side in '{root}'; {queryCount} originals were asked for.");
        }
        var queries = Stride(eligible, queryCount);
        var chosen = new HashSet<string>(queries.Select(q => q.Sha256), StringComparer.Ordinal);
        var rest = unique.Where(i => !chosen.Contains(i.Sha256)).ToList();
        // Hard negatives first (so the distractor stride cannot use them up): for each original, up to
        // hardPerQuery other drawings sharing a title word, in path order.
        var hard = new List<SourceImage>();
        if (hardPerQuery > 0)
        {
            var taken = new HashSet<string>(StringComparer.Ordinal);
            foreach (var query in queries)
            {
                var words = TitleWords(query.RelativePath);
                foreach (var other in rest.Where(r => !taken.Contains(r.Sha256) && TitleWords(r.RelativePath).Overlaps(words)).Take(hardPerQuery))
                {
                    taken.Add(other.Sha256);
                    hard.Add(other);
                }
            }
            rest = rest.Where(r => !taken.Contains(r.Sha256)).ToList();
        }
        if (rest.Count < distractorCount)
        {
            throw new InvalidOperationException($"Only {rest.Count} other images in '{root}'; {distractorCount} distractors were asked for.");
        }
        var distractors = Stride(rest, distractorCount);
        // The bytes of the unchosen files are not kept.
        return new Corpus
        {
            Queries = queries,
            Distractors = distractors,
            DistractorsAsked = distractorCount,
            HardNegatives = hard,
            FilesSeen = files.Count + symlinks,
            ExtraFilesSeen = extraFiles,
            ExtraDistinct = unique.Count - primaryUnique,
            SymlinksSkipped = symlinks,
            DuplicateContentSkipped = duplicates,
            SameFamilySkipped = family,
            Unreadable = unreadable,
            OverLimits = overLimits,
            Unique = primaryUnique,
            QueryEligible = eligible.Count,
        };
    }

    /// <summary>
    /// Distractors from another collection (an icon theme): one picture per icon name within the folder
    /// (the largest file of that name: themes render one drawing at many sizes), none whose bytes were
    /// already seen. Names are not shared with the primary folder's families: the same name in another
    /// theme is another artist's drawing. Their relative paths start with the folder's name.
    /// </summary>
    private static (List<SourceImage> Added, int Seen) ExtraDistractors(string folder, HashSet<string> seenContent)
    {
        var root = System.IO.Path.GetFullPath(folder);
        var label = System.IO.Path.GetFileName(root.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        var files = Directory.EnumerateFiles(root, "*.png", SearchOption.AllDirectories)
            .Where(p => new FileInfo(p).LinkTarget is null)
            .OrderBy(p => System.IO.Path.GetRelativePath(root, p), StringComparer.Ordinal)
            .ToList();
        var added = new List<SourceImage>();
        foreach (var family in files.GroupBy(FamilyOf, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var path = family.OrderByDescending(p => new FileInfo(p).Length).ThenBy(p => p, StringComparer.Ordinal).First();
            var bytes = File.ReadAllBytes(path);
            var sha = Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();
            if (!seenContent.Add(sha)) continue;
            IImageInfo? info;
            try { info = Image.Identify(bytes); }
            catch (Exception) { info = null; }
            if (info is null || info.Width < 1 || info.Height < 1 || !OptOut.Core.Imaging.ImageLimits.Default.Allows(info.Width, info.Height)) continue;
            added.Add(new SourceImage(path, label + "/" + System.IO.Path.GetRelativePath(root, path), sha, bytes, info.Width, info.Height));
        }
        return (added, files.Count);
    }

    /// <summary>Items at positions floor(k * n / count), k = 0..count-1: spread evenly over the sorted list.</summary>
    private static List<T> Stride<T>(List<T> items, int count)
    {
        var result = new List<T>(count);
        for (int k = 0; k < count; k++)
        {
            result.Add(items[(int)((long)k * items.Count / count)]);
        }
        return result;
    }
}
