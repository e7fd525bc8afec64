using System.Globalization;
using System.Text;

namespace IndexBench;

/// <summary>
/// LAION-like captions and URLs. Captions draw words from a Zipf(1.0) vocabulary: a few hundred real
/// caption words at the head (stop words first) and 250,000 made-up words in the tail, about ten
/// words a caption (log-normal length), with stock phrases ("stock photo", "black and white") mixed in.
/// URLs come from about 4,000 hosts with a skewed (Zipf) distribution: well-known image CDNs with
/// their own path shapes, then made-up sites with WordPress-like and generic paths.
/// </summary>
public sealed class TextGen
{
    public const int TailWords = 250_000;
    public const int SyntheticHosts = 4_000;

    // Ordered roughly by frequency in image captions.
    public static readonly string[] HeadWords = """
        the of and a with in for on to is at by from an or this it as are your you be
        photo image white black vector illustration stock background new design set woman man art
        red blue style home green hand old top best free pink size cartoon icon house beautiful
        wedding girl dress vintage print t shirt women men card flower baby dog christmas pattern
        car wall water view city table gold light tree room one two three day summer winter portrait
        modern cat logo kitchen wood garden sale black high dark sign face paper brown love kids
        yellow silver blue small large little big world book chair boho bag glass shoes birthday
        flowers cake party beach sea mountain sunset sky road bridge street river lake forest park
        family christmas tree food chicken salad bread coffee tea wine bottle cup plate bowl fruit
        apple orange banana fish bird horse bear lion tiger elephant butterfly rose leaf leaves grass
        snow rain cloud clouds sun moon star stars night morning evening spring autumn fall season
        holiday travel hotel restaurant office school church castle museum building tower window door
        floor roof bedroom bathroom living interior exterior furniture sofa bed lamp mirror rug curtain
        decor decoration ideas diy craft gift box toy game sport football soccer basketball tennis golf
        player team fan music guitar piano concert dance movie film poster cover album book series
        edition collection limited original classic retro antique rustic farmhouse minimalist luxury
        leather cotton silk wool linen denim jeans jacket coat sweater hoodie skirt pants boots sneakers
        jewelry ring necklace earrings bracelet watch sunglasses hat cap scarf bags handbag wallet
        phone case iphone samsung laptop computer camera lens drone tv screen keyboard mouse headphones
        vehicle truck bike motorcycle boat ship plane train bus engine wheel tire ford toyota bmw
        health fitness yoga workout body hair skin makeup nail beauty bride groom couple people person
        child children boy friends group crowd business meeting work team hands eyes smile happy young
        abstract texture seamless frame border banner template mockup label badge emblem symbol flat
        line outline silhouette sketch drawing painting watercolor oil canvas digital graphic pixel
        isolated closeup close up detail macro top side front back left right open empty full
        """.Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Distinct().ToArray();

    private static readonly string[] Phrases =
    [
        "stock photo", "black and white", "for sale", "royalty free", "on white background", "close up",
        "high resolution", "free shipping", "hand drawn", "new york", "step by step", "top view",
        "happy birthday", "merry christmas", "front view", "in the city", "at night", "of the year",
    ];

    private static readonly string[] Syllables =
        "ka ro li mun ter pa sel vo na dri quo ben tal sha gri lo fen mar tis ul pe zan cor dem ix ra bo nu fi hel gor at wen yo plu stra vin cha der om".Split(' ');

    private static readonly string[] Tlds = ["com", "com", "com", "com", "net", "org", "co.uk", "de", "fr", "ru", "com.au", "ca", "info", "jp", "it", "nl", "es", "pl", "com.br", "in"];

    private static readonly (string Host, double Weight, string Shape)[] KnownHosts =
    [
        ("i.pinimg.com", 9, "pinimg"), ("cdn.shopify.com", 5, "shopify"), ("i.ebayimg.com", 4, "ebay"),
        ("images-na.ssl-images-amazon.com", 3, "amazon"), ("m.media-amazon.com", 3, "amazon"), ("ae01.alicdn.com", 3, "alicdn"),
        ("thumbs.dreamstime.com", 2.5, "dreamstime"), ("image.shutterstock.com", 2.5, "shutterstock"), ("i.etsystatic.com", 2, "etsy"),
        ("live.staticflickr.com", 1.5, "flickr"), ("farm4.staticflickr.com", 1, "flickr"), ("upload.wikimedia.org", 1, "wikimedia"),
        ("images.squarespace-cdn.com", 1, "generic"), ("static.wixstatic.com", 1, "generic"), ("i.ytimg.com", 1, "ytimg"),
        ("media.istockphoto.com", 1, "generic"), ("cdn.pixabay.com", 0.8, "generic"), ("images.unsplash.com", 0.6, "generic"),
        ("s3.amazonaws.com", 0.8, "generic"), ("res.cloudinary.com", 0.8, "generic"), ("i.redd.it", 0.5, "generic"),
        ("img.alicdn.com", 1, "alicdn"), ("www.dhresource.com", 0.6, "generic"), ("c8.alamy.com", 1.2, "generic"),
        ("us.123rf.com", 1, "generic"), ("previews.123rf.com", 1, "generic"), ("st.depositphotos.com", 1, "generic"),
        ("www.picclickimg.com", 0.6, "generic"), ("ssl.c.photoshelter.com", 0.3, "generic"), ("media.gettyimages.com", 1, "generic"),
    ];

    private readonly string[] vocabulary;
    private readonly Zipf words;
    private readonly Zipf captionPhrases;
    private readonly string[] hosts;
    private readonly string[] shapes;
    private readonly double[] hostCdf;

    public TextGen(ulong seed)
    {
        var rng = new Rng(seed);
        var seen = new HashSet<string>(HeadWords, StringComparer.Ordinal);
        var list = new List<string>(HeadWords);
        while (list.Count < HeadWords.Length + TailWords)
        {
            int syllables = 2 + rng.Next(3);
            var sb = new StringBuilder();
            for (int i = 0; i < syllables; i++) sb.Append(rng.Pick(Syllables));
            if (rng.Chance(0.15)) sb.Append(rng.Next(10));
            var word = sb.ToString();
            if (seen.Add(word)) list.Add(word);
        }
        vocabulary = list.ToArray();
        words = new Zipf(vocabulary.Length, 1.0, 2.7);
        captionPhrases = new Zipf(Phrases.Length, 0.8);

        // Hosts: the known CDNs take about 45% of rows, made-up sites (Zipf 1.05) the rest.
        var hostList = new List<string>();
        var shapeList = new List<string>();
        var weights = new List<double>();
        double known = KnownHosts.Sum(h => h.Weight);
        foreach (var (host, weight, shape) in KnownHosts)
        {
            hostList.Add(host); shapeList.Add(shape); weights.Add(0.45 * weight / known);
        }
        var synthetic = new Zipf(SyntheticHosts, 1.05, 3);
        var hostSeen = new HashSet<string>(hostList);
        for (int i = 0; i < SyntheticHosts; i++)
        {
            string host;
            do
            {
                var name = vocabulary[HeadWords.Length + rng.Next(20_000)] + (rng.Chance(0.5) ? vocabulary[40 + rng.Next(300)] : "");
                var tld = rng.Pick(Tlds);
                host = rng.Next(10) switch
                {
                    < 5 => $"www.{name}.{tld}",
                    5 => $"{name}.files.wordpress.com",
                    6 => $"{name}.blogspot.com",
                    7 => $"cdn.{name}.{tld}",
                    8 => $"images.{name}.{tld}",
                    _ => $"{name}.{tld}",
                };
            } while (!hostSeen.Add(host));
            hostList.Add(host);
            shapeList.Add(host.EndsWith("blogspot.com", StringComparison.Ordinal) ? "blogspot" : rng.Chance(0.55) ? "wordpress" : "generic");
            weights.Add(0.55 * synthetic.Probability(i));
        }
        hosts = hostList.ToArray();
        shapes = shapeList.ToArray();
        hostCdf = new double[weights.Count];
        double sum = 0;
        for (int i = 0; i < weights.Count; i++) { sum += weights[i]; hostCdf[i] = sum; }
        for (int i = 0; i < hostCdf.Length; i++) hostCdf[i] /= sum;
    }

    public IReadOnlyList<string> Vocabulary => vocabulary;
    public int HostCount => hosts.Length;

    /// <summary>The word at a vocabulary rank (0 = most frequent).</summary>
    public string Word(int rank) => vocabulary[rank];

    /// <summary>Expected share of captions that contain the word at this rank, for choosing queries.</summary>
    public double WordProbability(int rank) => words.Probability(rank);

    public (string Caption, string[] Words) Caption(Rng rng)
    {
        // Log-normal word count: median about 7, long tail to 60.
        int count = Math.Clamp((int)Math.Round(Math.Exp(2.0 + 0.55 * rng.NextNormal())), 1, 60);
        var list = new List<string>(count + 4);
        for (int i = 0; i < count; i++) list.Add(vocabulary[words.Sample(rng)]);
        if (rng.Chance(0.18))
        {
            var phrase = Phrases[captionPhrases.Sample(rng)];
            list.Insert(rng.Next(list.Count + 1), phrase);
        }
        var sb = new StringBuilder(count * 7);
        for (int i = 0; i < list.Count; i++)
        {
            if (i > 0) sb.Append(rng.Next(20) switch { 0 => " - ", 1 => ", ", 2 => " | ", _ => " " });
            var w = list[i];
            if (rng.Chance(0.25) && w.Length > 0) w = char.ToUpperInvariant(w[0]) + w[1..];
            sb.Append(w);
        }
        if (rng.Chance(0.08)) sb.Append(' ').Append(1950 + rng.Next(75));
        if (rng.Chance(0.05)) sb.Append(rng.Chance(0.5) ? " (2)" : " - Size M");
        return (sb.ToString(), list.ToArray());
    }

    public string Url(Rng rng, string[] captionWords)
    {
        double u = rng.NextDouble();
        int h = Array.BinarySearch(hostCdf, u);
        if (h < 0) h = ~h;
        h = Math.Min(h, hosts.Length - 1);
        var host = hosts[h];
        var slug = Slug(captionWords, rng);
        string scheme = rng.Chance(0.82) ? "https" : "http";
        return shapes[h] switch
        {
            "pinimg" => $"https://{host}/{rng.Pick(["736x", "564x", "originals", "236x", "474x"])}/{Hex(rng, 2)}/{Hex(rng, 2)}/{Hex(rng, 2)}/{Hex(rng, 32)}.jpg",
            "shopify" => $"https://{host}/s/files/1/{Digits(rng, 4)}/{Digits(rng, 4)}/products/{slug}_{rng.Pick(["1024x1024", "800x", "large", "grande", "1200x"])}.jpg?v={1_400_000_000 + rng.Next(300_000_000)}",
            "ebay" => $"https://{host}/images/g/{Base62(rng, 16)}/s-l{rng.Pick(["500", "1600", "300", "225"])}.jpg",
            "amazon" => $"https://{host}/images/I/{Base62(rng, 11)}._AC_{rng.Pick(["SX355", "UL1500", "SY450", "SL1000"])}_.jpg",
            "alicdn" => $"https://{host}/kf/H{Hex(rng, 32)}{(char)('a' + rng.Next(26))}.jpg",
            "dreamstime" => $"https://{host}/b/{slug}-{Digits(rng, 9)}.jpg",
            "shutterstock" => $"https://{host}/image-{rng.Pick(["photo", "vector", "illustration"])}/{slug}-260nw-{Digits(rng, 9)}.jpg",
            "etsy" => $"https://{host}/{Digits(rng, 8)}/r/il/{Hex(rng, 6)}/{Digits(rng, 10)}/il_{rng.Pick(["570xN", "794xN", "fullxfull"])}.{Digits(rng, 10)}_{Base62(rng, 4).ToLowerInvariant()}.jpg",
            "flickr" => $"https://{host}/{Digits(rng, 4)}/{Digits(rng, 11)}_{Hex(rng, 10)}_{rng.Pick(["b", "z", "c", "o"])}.jpg",
            "wikimedia" => $"https://{host}/wikipedia/commons/thumb/{Hex(rng, 1)}/{Hex(rng, 2)}/{Title(slug)}.jpg/{rng.Pick(["220", "320", "640", "1200"])}px-{Title(slug)}.jpg",
            "ytimg" => $"https://{host}/vi/{Base62(rng, 11)}/{rng.Pick(["hqdefault", "maxresdefault", "mqdefault"])}.jpg",
            "wordpress" => $"{scheme}://{host}/wp-content/uploads/{2009 + rng.Next(15)}/{1 + rng.Next(12):00}/{slug}{(rng.Chance(0.6) ? $"-{rng.Pick(["300x200", "768x512", "1024x683", "150x150", "600x400"])}" : "")}.jpg",
            "blogspot" => $"{scheme}://{host.Replace(".blogspot.com", "", StringComparison.Ordinal)}.bp.blogspot.com/-{Base62(rng, 11)}/{Base62(rng, 11)}/AAAAAAAA{Base62(rng, 3)}/{Base62(rng, 11)}/s1600/{slug}.jpg",
            _ => $"{scheme}://{host}/{rng.Pick(["images", "img", "media", "photos", "uploads", "assets/images", "content/dam"])}/{(rng.Chance(0.5) ? Base62(rng, 6).ToLowerInvariant() + "/" : "")}{slug}.{rng.Pick(["jpg", "jpg", "jpg", "png", "jpeg", "webp"])}{(rng.Chance(0.15) ? $"?w={rng.Pick(["640", "1200", "400"])}&q=80" : "")}",
        };
    }

    private static string Slug(string[] words, Rng rng)
    {
        var sb = new StringBuilder();
        int n = Math.Min(words.Length, 3 + rng.Next(5));
        for (int i = 0; i < n; i++)
        {
            if (i > 0) sb.Append('-');
            foreach (var c in words[i]) sb.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        }
        if (sb.Length == 0) sb.Append("image");
        return sb.ToString();
    }

    private static string Title(string slug) => slug.Length == 0 ? "Image" : char.ToUpperInvariant(slug[0]) + slug[1..].Replace('-', '_');

    private static string Hex(Rng rng, int n)
    {
        Span<char> c = stackalloc char[n];
        for (int i = 0; i < n; i++) c[i] = "0123456789abcdef"[rng.Next(16)];
        return new string(c);
    }

    private static string Digits(Rng rng, int n)
    {
        Span<char> c = stackalloc char[n];
        for (int i = 0; i < n; i++) c[i] = (char)('0' + (i == 0 ? 1 + rng.Next(9) : rng.Next(10)));
        return new string(c);
    }

    private static string Base62(Rng rng, int n)
    {
        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        Span<char> c = stackalloc char[n];
        for (int i = 0; i < n; i++) c[i] = alphabet[rng.Next(62)];
        return new string(c);
    }
}
