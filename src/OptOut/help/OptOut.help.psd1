# Help text for every cmdlet; New-MamlHelp.ps1 adds syntax from the compiled cmdlets and fails the
# build when a cmdlet, parameter, description or example is missing here.
@{
    'Get-ImageFingerprint' = @{
        Synopsis    = 'Computes the SHA-256, perceptual hash and embedding of image files.'
        Description = @'
Get-ImageFingerprint reads image files (JPEG, PNG, WebP, GIF, BMP, TIFF), refuses any whose header
claims more pixels than the limits before decoding it, applies EXIF orientation, flattens
transparency onto white, and returns for each file: the SHA-256 of its bytes, a 64-bit DCT
perceptual hash (defined in docs/fingerprints.md) and an L2-normalised embedding from the image
model, tagged with the model's name and the SHA-256 of its ONNX file.

Files are decoded in parallel while the model runs, and results come out in input order. A file
that cannot be read or decoded is a non-terminating error (OptOut.ImageDecodeFailed,
OptOut.ImageTooLarge, OptOut.FileNotFound) with the path as its target; the other files go on.
'@
        Parameters  = @{
            Path             = 'Image files to fingerprint. Wildcards are expanded. A folder is refused unless -Recurse is given.'
            LiteralPath      = 'Image files to fingerprint, taken exactly as written (no wildcards). Bound from the pipeline by the PSPath property, so Get-ChildItem output binds here.'
            Recurse          = 'Takes the image files (by extension) in folders given to -Path or -LiteralPath, and in their subfolders, in sorted order.'
            IncludeEmbedding = 'Adds the embedding vector (float[]) to each output object. Left out by default because it is large.'
            Model            = 'An image model described by New-EmbeddingModel, such as a CLIP image encoder exported to ONNX. Omitted, the bundled ResNet18 is used.'
            MaxPixels        = 'The largest image accepted, in pixels (width x height). Larger images are refused from their header, before any pixel is decoded. Default 100,000,000.'
            MaxSide          = 'The largest width or height accepted, in pixels. Default 30,000.'
        }
        Inputs      = 'System.String (paths); System.IO.FileInfo (bound to -LiteralPath by PSPath)'
        Outputs     = 'OptOut.ImageFingerprint'
        Examples    = @(
            @{
                Title   = 'Fingerprint a folder of artworks'
                Code    = 'Get-ChildItem ~/art -Recurse -File | Get-ImageFingerprint'
                Remarks = 'Every file is fingerprinted; files that are not images are reported as errors and skipped.'
            }
            @{
                Title   = 'Keep the embeddings and save them as JSON'
                Code    = 'Get-ImageFingerprint ~/art -Recurse -IncludeEmbedding | ConvertTo-Json -Depth 3 | Set-Content art.json'
                Remarks = 'The objects are flat, so they survive ConvertTo-Json and Export-Csv.'
            }
            @{
                Title   = 'Compare two files by perceptual hash'
                Code    = '$a, $b = Get-ImageFingerprint original.png, copy.jpg; [System.Numerics.BitOperations]::PopCount([Convert]::ToUInt64($a.PerceptualHash, 16) -bxor [Convert]::ToUInt64($b.PerceptualHash, 16))'
                Remarks = 'The Hamming distance between the two hashes: small for copies of one picture.'
            }
        )
    }
    'New-EmbeddingModel'   = @{
        Synopsis    = 'Describes an ONNX image encoder, such as a CLIP model, for use instead of the bundled ResNet18.'
        Description = @'
New-EmbeddingModel names an ONNX image encoder and how its input is prepared: the square input
size, the input and output tensor names, the resize mode and the per-channel mean and standard
deviation (value = (pixel / 255 - mean) / std, planar RGB). The model is loaded and run once on a
blank image, so a wrong file or description fails here with a clear error. Pass the result to
-Model. Embeddings are tagged with the model's name and the SHA-256 of its ONNX file, so vectors
from different models are never compared.
'@
        Parameters  = @{
            Path          = 'The ONNX file of the image encoder.'
            Name          = 'A short name for the model, shown in fingerprints with the file''s SHA-256. Defaults to the file name without extension.'
            Normalization = 'Preset preprocessing: Clip (centre crop, CLIP mean and std; the default), ImageNet (torchvision mean and std, stretched) or None (pixels scaled to 0..1).'
            InputSize     = 'The model''s square input size in pixels. Default 224.'
            InputName     = 'The image input tensor''s name. Needed only when the model has several inputs.'
            OutputName    = 'The output tensor holding the image embedding, for example image_embeds. Defaults to the model''s first output.'
            Mean          = 'Three per-channel means (R, G, B) in 0..1 units, replacing the preset''s.'
            Std           = 'Three per-channel standard deviations (R, G, B) in 0..1 units, replacing the preset''s.'
            Resize        = 'How pictures are fitted to the input: Stretch (the whole picture) or CenterCrop. Replaces the preset''s.'
        }
        Inputs      = 'None'
        Outputs     = 'OptOut.Core.Embedding.EmbeddingModelSpec'
        Examples    = @(
            @{
                Title   = 'Use an OpenCLIP ViT-B/32 image encoder'
                Code    = '$clip = New-EmbeddingModel ./clip-vit-b32-visual.onnx -Name ViT-B-32 -OutputName image_embeds; Get-ChildItem ~/art | Get-ImageFingerprint -Model $clip'
                Remarks = 'CLIP models need the Clip normalization (the default) and the name of the output holding the image embedding.'
            }
            @{
                Title   = 'Describe the bundled ResNet18 as a model of your own'
                Code    = '$resnet = New-EmbeddingModel (Join-Path (Get-Module OptOut).ModuleBase ''models/ResNet18.onnx'') -Name MyResNet -Normalization ImageNet; $resnet'
                Remarks = 'Shows the input size, resize mode and output the module found in the file.'
            }
            @{
                Title   = 'Fingerprint with a described model'
                Code    = '$model = New-EmbeddingModel (Join-Path (Get-Module OptOut).ModuleBase ''models/ResNet18.onnx'') -Normalization ImageNet; Get-ChildItem ~/art -File -Filter *.png | Get-ImageFingerprint -Model $model | Select-Object Path, ModelId'
                Remarks = 'Each fingerprint names the model and the SHA-256 of its ONNX file, so embeddings of different models are never compared.'
            }
        )
    }
    'Get-OptOutEnvironment' = @{
        Synopsis    = 'Shows where OptOut keeps its data and which native libraries it loaded.'
        Description = @'
Get-OptOutEnvironment reports the module version, the home folder ($env:OPTOUT_HOME, else ~/.optout),
the default index and registry database paths, the gate's cache of turned refused pictures
(TurnedViewCachePath), the bundled model folder, and the versions of the
SQLite, ONNX Runtime and OpenCV libraries actually loaded from the module's runtimes folder. Include
its output in bug reports.

OpenCvCodePaths says which of OpenCV's code paths copy verification uses on this machine: its
optimised ones (Intel IPP and AVX2 kernels) or its plain ones, whichever ran a small SIFT and
template-matching workload faster when OpenCV was first loaded, timed on one thread (on some virtual
machines the optimised paths are several times slower). With the plain paths OpenCV runs on the
calling thread only, so that a picture's keypoints are the same bits on every thread. Set
$env:OPTOUT_OPENCV_OPTIMIZED to on or off before importing the module to fix the choice. Where OpenCV cannot be loaded it says why, and copies are
reported as Similar, not verified.
'@
        Parameters  = @{}
        Inputs      = 'None'
        Outputs     = 'OptOut.Commands.OptOutEnvironment'
        Examples    = @(
            @{
                Title   = 'Check the installation'
                Code    = 'Get-OptOutEnvironment'
                Remarks = 'Loads SQLite and ONNX Runtime and prints their versions with the data paths.'
            }
            @{
                Title   = 'Where are my data?'
                Code    = '(Get-OptOutEnvironment).Home'
                Remarks = 'The folder of the index and the registry: $env:OPTOUT_HOME, else ~/.optout.'
            }
            @{
                Title   = 'Versions for a bug report'
                Code    = 'Get-OptOutEnvironment | Select-Object ModuleVersion, SqliteVersion, OnnxRuntimeVersion, OpenCvVersion, OpenCvCodePaths'
                Remarks = 'The module and native library versions in use, and the OpenCV code paths chosen for this machine.'
            }
        )
    }
    'Import-TrainingSet'    = @{
        Synopsis    = 'Adds a training set (LAION parquet, img2dataset output, clip-retrieval embeddings, or a folder of images) to the local index.'
        Description = @'
Import-TrainingSet reads datasets in the layouts they are published in and adds their rows to the
index (a SQLite file, by default $env:OPTOUT_HOME/index.db, else ~/.optout/index.db; embeddings are
kept beside it in index.db.vectors and the caption search index in index.db.captions, so move or copy
the three together):

- LAION metadata parquet, in either schema (SAMPLE_ID/URL/TEXT/WIDTH/HEIGHT/... or
  url/caption/key/width/height/md5/...); columns are found by name, whatever their case;
- img2dataset output in its "files" layout (shard folders of images, .txt and .json, with the shard
  parquet) and its "webdataset" layout (NNNNN.tar shards); rows whose status is not "success" are
  skipped and counted;
- the clip-retrieval embedding layout (img_emb/img_emb_N.npy aligned with metadata/metadata_N.parquet,
  float16 or float32), with -Model or -ModelId naming the model that produced the vectors;
- a plain folder of images (each file's path is its URL).

Local images are fingerprinted (SHA-256, perceptual hash, embedding) with the index's model as they
are read. Each shard is imported in one transaction and recorded, so running the same import again
adds nothing, and an import that was stopped can simply be run again. A shard that cannot be read
is an error naming the file (OptOut.DatasetReadFailed); the others go on. An index holds embeddings
of one model: mixing models is refused (OptOut.ModelMismatch).
'@
        Parameters  = @{
            Path        = 'Dataset files or folders: parquet files, .tar shards, .npy parts, img2dataset or clip-retrieval output folders, or folders of images. Wildcards are expanded.'
            LiteralPath = 'Dataset files or folders, taken exactly as written.'
            Name        = 'The dataset''s name in the index. Defaults to the name of the first path. Importing more shards under the same name adds them to that dataset.'
            IndexPath   = 'The index database. Defaults to index.db under $env:OPTOUT_HOME, else ~/.optout.'
            Model       = 'The image model (from New-EmbeddingModel) used to fingerprint local images and, for clip-retrieval parts, the model that produced their embeddings. Defaults to the bundled ResNet18.'
            ModelId     = 'For clip-retrieval embeddings whose ONNX model you do not have: the id to record them under (for example ViT-L-14@laion2b). Image searches then match those rows by hash only.'
            MaxPixels   = 'The largest local image accepted, in pixels; larger ones are refused before decoding. Default 100,000,000.'
            LocalFeatures = 'Also stores each local image''s local features (SIFT keypoints, about 12 KB a clip-art row) beside its row, extracted while the image is decoded, so Find-TrainedImage and Add-OptOut verify its candidates without extracting them again (a candidate then costs its decode and the pixel check). Costs import time and index size: see docs/copy-detection.md, "Speed of the wired matcher". Rows imported without it are still verified, by extracting their features at search time; shards already imported without it are skipped, so import into a new index to store their features.'
        }
        Inputs      = 'System.String (paths)'
        Outputs     = 'OptOut.TrainingSetImportSummary'
        Examples    = @(
            @{
                Title   = 'Import LAION metadata parquet files'
                Code    = 'Import-TrainingSet ./laion2B-en/*.parquet -Name laion2B-en'
                Remarks = 'Imports URLs and captions (full-text indexed); rows can then be found by URL, domain or caption.'
            }
            @{
                Title   = 'Import an img2dataset download and fingerprint its images'
                Code    = 'Import-TrainingSet ./my-download -Name scraped-2026 -Verbose'
                Remarks = 'Reads the shard folders or .tar shards, skips failed downloads, and fingerprints every image with the bundled model.'
            }
            @{
                Title   = 'A folder of images you downloaded'
                Code    = 'Import-TrainingSet ~/art -Name my-own-art'
                Remarks = 'Each image is a row keyed by its relative path; its full path is its URL.'
            }
        )
    }
    'Get-TrainingSet'       = @{
        Synopsis    = 'Lists the datasets in a training-set index with their counts and model.'
        Description = 'Get-TrainingSet lists the datasets imported into an index: rows, shards, rows with fingerprints and embeddings, skipped rows, the embedding model and when the dataset was first imported.'
        Parameters  = @{
            Name      = 'Only datasets whose names match these patterns (wildcards allowed, case-insensitive). A name or pattern that matches no dataset is an error (OptOut.UnknownDataset) listing the datasets there. Tab completes the names in the index.'
            IndexPath = 'The index database. Defaults to index.db under $env:OPTOUT_HOME, else ~/.optout.'
        }
        Inputs      = 'None'
        Outputs     = 'OptOut.TrainingSet'
        Examples    = @(
            @{
                Title   = 'List the datasets'
                Code    = 'Get-TrainingSet'
                Remarks = 'One line per dataset in the default index.'
            }
            @{
                Title   = 'Datasets by name pattern'
                Code    = 'Get-TrainingSet ''scraped*'''
                Remarks = 'Wildcards are allowed; a name that matches no dataset is an error listing those there.'
            }
            @{
                Title   = 'How much of each dataset has fingerprints'
                Code    = 'Get-TrainingSet | Select-Object Name, Rows, Fingerprinted, Model'
                Remarks = 'Rows with a local image are fingerprinted at import; URL-only rows are not.'
            }
        )
    }
    'Find-TrainedImage'     = @{
        Synopsis    = 'Finds every row of the indexed training sets that holds your picture, a caption text, a URL or a domain.'
        Description = @'
Find-TrainedImage answers "is my work in there?". Given image files (from the pipeline, -Path or
-LiteralPath) it fingerprints each and returns every row of the index that is the same file
(MatchKind Exact: same SHA-256 or MD5) or a verified copy of the same picture after re-encoding,
resizing, cropping, padding, watermarking, gray conversion, rotation, mirroring or a brightness change
(MatchKind Copy). Candidates come from the perceptual hash and the embedding (thresholds calibrated on
real images, docs/copy-detection.md); each candidate's own pixels, read from the training set where
the index says they lie, are then aligned with the picture (local features and a geometric fit, the
picture also mirrored; a hairline drawing is looked at again with its lines thickened, since its
one-pixel strokes give next to no keypoints) and compared: only a candidate whose aligned pixels agree is a Copy (a fit
with 15 or more inliers, 60% of its matches, may leave a third of the picture out, as a watermark band
spoils it, when the rest agrees at 0.995: watermarked copies 94% -> 96% in the calibration), and the
Verification property holds the evidence (inliers, scale, rotation, mirrored, NCC, the matched
regions; PoseRefined when an alignment that came close was refined by its pixels before it was
judged); the Verified column says it in a few words. A candidate that cannot be verified (a row
without a local image, such as a URL-only parquet row; a picture under 64 px; OpenCV unavailable) or
whose pixels disagree is reported as Similar with the reason, never as Copy. Every copy is returned,
not a capped top list; -Top caps the results only when given. -IncludeSimilar adds other look-alikes
(MatchKind Similar).
Every search also turns each picture 4 degrees either way, so copies turned a few degrees are found
(rotated copies 89% -> 97% in the calibration, for two more model runs a picture), and looks further
down those turned pictures' rankings with the rows' stored keypoints alone: a row whose keypoints fit
the picture's with 15 inliers (or whose hash is near, as for any row) is verified (watermarked copies
91% -> 93%); a picture with fewer keypoints than that (a flag, an outline) has those rows verified in
full (watermarked copies 93% -> 94%). The picture's own ranking is looked at the same way: its first 3
rows that no hash, rule or turned picture's top 3 brings are verified in full, the rest of its top 20 when their stored
keypoints fit (a picture with fewer than 64 keypoints, or a row without stored keypoints, has them
verified in full): the same copies found in the calibration, for less work. -IncludeRotated
also searches it turned 3 and 6 degrees either way, for copies turned further (four more model runs a
picture). -IncludeCropped also searches the picture's centre
(90% and 80% of each side), as a dataset builder's centre crop keeps it: verified cropped copies 96% ->
97% in the calibration before alignments were refined by pixels (resized, cropped JPEG copies 92% ->
93%), for two more model runs a picture.

-Text searches captions (words, "phrases", prefix*), best matches first (BM25 as SQLite's FTS5 ranks
them; the score is in Similarity), every match unless -Top is given; -Url finds rows with the
same address after normalising scheme and host case, default ports and percent-encoding; -Domain
finds rows whose host is the domain or any subdomain.
'@
        Parameters  = @{
            Path              = 'Image files to look for. Wildcards are expanded; a folder needs -Recurse.'
            LiteralPath       = 'Image files to look for, taken exactly as written; Get-ChildItem output binds here.'
            Text              = 'Caption text to search: words (all must occur), "quoted phrases", and prefix* terms.'
            Url               = 'URLs to look up, matched after normalisation (scheme and host case, default port, percent-encoding, fragment).'
            Domain            = 'Domains to look up: rows whose host is the domain or one of its subdomains.'
            Recurse           = 'Takes the images in folders given to -Path and their subfolders.'
            Record            = 'Registry records piped from Get-OptOut: a URL claim searches its URL, a domain claim its domain, a content claim the claimant''s file named in its evidence.'
            TrainingSet       = 'Bound when Get-TrainingSet output is piped in, only to refuse it with advice (OptOut.NothingToSearchFor): a dataset is not something to search for; name it with -Dataset.'
            Dataset           = 'Only rows of this dataset; wildcards name several (''laion*''). A name or pattern that matches no dataset stops the command with OptOut.UnknownDataset, listing the datasets there. Tab completes the names in the index.'
            IndexPath         = 'The index database. Defaults to index.db under $env:OPTOUT_HOME, else ~/.optout.'
            Top               = 'At most this many results per query. Without it, every match is returned.'
            MinimumSimilarity = 'With -IncludeSimilar: the lowest embedding similarity (cosine) reported as Similar. Default 0.75.'
            IncludeSimilar    = 'Also returns rows that look alike without being copies (MatchKind Similar).'
            IncludeRotated    = 'Also searches each picture turned 3 and 6 degrees either way, besides the 4 degrees either way every search turns it, to find copies turned further (four more model runs a picture).'
            IncludeCropped    = 'Also searches the centre of each picture (90% and 80% of each side), to find centre-cropped copies (two more model runs a picture; on the calibration, verified recall of cropped copies 0.960 -> 0.973 at the same precision).'
            Model             = 'The image model whose embeddings the index holds, when it is not the bundled ResNet18 (from New-EmbeddingModel).'
        }
        Inputs      = 'System.String (paths, text, URLs); System.IO.FileInfo (bound to -LiteralPath by PSPath)'
        Outputs     = 'OptOut.TrainedImageMatch'
        Examples    = @(
            @{
                Title   = 'Is my art in the indexed training sets?'
                Code    = 'Get-ChildItem ~/art -File | Find-TrainedImage'
                Remarks = 'Every exact file and every altered copy of each picture, with the dataset, key, URL and caption of the row.'
            }
            @{
                Title   = 'Search captions and domains'
                Code    = 'Find-TrainedImage -Text ''"oil painting" by jane*'' -Top 20; Find-TrainedImage -Domain example-art.com'
                Remarks = 'Caption search ranks the best matches first; a domain search covers its subdomains.'
            }
            @{
                Title   = 'Search one dataset only'
                Code    = 'Get-ChildItem ~/art -File | Find-TrainedImage -Dataset ''scraped*'''
                Remarks = 'Wildcards name datasets; Tab completes them.'
            }
            @{
                Title   = 'Search by URL, whatever its spelling'
                Code    = 'Find-TrainedImage -Url ''HTTPS://Example.com:443/art/1.jpg'''
                Remarks = 'URLs are normalised as the index normalises them (scheme and host case, default port).'
            }
        )
    }
    'Add-OptOut' = @{
        Synopsis    = 'Records opt-outs (refusals to train) for URLs, domains, your own image files, or rows found by Find-TrainedImage.'
        Description = @'
Add-OptOut records refusal (opt-out) claims in the consent registry, each with its provenance: who (-Claimant),
when, why (-Reason) and on what evidence. Targets are URLs (normalised; plain strings from the
pipeline bind to -Url, so Get-Content urls.txt | Add-OptOut handles a whole list in batched
transactions), domains (a host and all its subdomains), the claimant's own image files (-Path /
-LiteralPath: Content claims keyed by SHA-256, perceptual hash and embedding, which cover copies of
the picture at any URL, in datasets indexed now or checked later), or rows found by
Find-TrainedImage piped in (the row's URL, with the query file, matched row and similarity as
evidence). -IncludeCopies also claims every other row of the same picture in the index that is the
same file or a verified copy covering most of the picture (80% or more), with the verification's
figures in the claim's evidence; other candidates (not verified, partial copies) are left for review
with a warning, unless -IncludeUnverified is given. Adding a claim identical to an active one changes nothing. Every change is written to the
append-only audit log (Get-OptOutHistory); nothing is ever deleted.
'@
        Parameters  = @{
            Url           = 'URLs to claim. Strings from the pipeline bind here; with Find-TrainedImage output, the matched row''s URL binds here by property name.'
            Domain        = 'Domains to claim: the host and every subdomain. A site address (https://example.com/) is recorded as its host, with a warning; a domain with a path, port or user info is refused (OptOut.InvalidClaim): claim a page with -Url.'
            Path          = 'The claimant''s own image files (wildcards allowed): each becomes a Content claim keyed by its fingerprints.'
            LiteralPath   = 'The claimant''s own image files, taken exactly as written; Get-ChildItem output binds here.'
            Dataset       = 'From Find-TrainedImage output (by property name): the dataset of the matched row, kept as evidence.'
            Key           = 'From Find-TrainedImage output (by property name): the key of the matched row, kept as evidence.'
            Query         = 'From Find-TrainedImage output: the query (image path or search text), kept as evidence.'
            QuerySha256   = 'From Find-TrainedImage output: the SHA-256 of the query image, kept as evidence.'
            MatchKind     = 'From Find-TrainedImage output: how the row matched, kept as evidence.'
            Similarity    = 'From Find-TrainedImage output: the embedding similarity of the match, kept as evidence.'
            HashDistance  = 'From Find-TrainedImage output: the perceptual-hash distance of the match, kept as evidence.'
            IncludeCopies = 'Also claims the URL of every other row of the same picture in the index (-IndexPath) that is the same file or a verified copy of most of the picture, so one command catches all its copies.'
            IncludeUnverified = 'With -IncludeCopies: also claims the candidates that were not verified as copies of the whole picture (rows without local images, pictures too small to verify, partial copies). Review them first with Find-TrainedImage.'
            Claimant      = 'Who makes the claim (the artist, or the organisation acting for them). Defaults to the current user. The person running the command is recorded separately in the audit log.'
            Reason        = 'Why the claim is made; stored with the record and in the audit log.'
            RegistryPath  = 'The registry: a SQLite file, or a PostgreSQL database given as a connection string (Host=db;Database=consent;Username=jane), a libpq string (host=db dbname=consent) or a postgresql:// URI. Defaults to $env:OPTOUT_REGISTRY, else registry.db under $env:OPTOUT_HOME, else ~/.optout.'
            Credential   = 'For a PostgreSQL registry: the login (user name and password) to use instead of the connection string''s user, PGPASSWORD or ~/.pgpass. The password is never shown in errors, verbose output or the audit log.'
            IndexPath     = 'The training-set index searched by -IncludeCopies. Defaults to index.db under $env:OPTOUT_HOME, else ~/.optout.'
            Model         = 'The image model used to fingerprint -Path files and -IncludeCopies queries (from New-EmbeddingModel). Defaults to the bundled ResNet18.'
            PassThru      = 'Writes the records (new or already present) to the pipeline.'
        }
        Inputs      = 'System.String (URLs); OptOut.TrainedImageMatch; System.IO.FileInfo'
        Outputs     = 'OptOut.ConsentRecord (with -PassThru)'
        Examples    = @(
            @{
                Title   = 'Find your works in the indexed training sets and claim every copy'
                Code    = 'Get-ChildItem ~/art -File | Find-TrainedImage | Add-OptOut -IncludeCopies -Reason ''my portfolio'''
                Remarks = 'Each matched row''s URL is recorded with the query file, the matched row and its similarity as evidence.'
            }
            @{
                Title   = 'A whole list of URLs, and the content of your own files'
                Code    = 'Get-Content urls.txt | Add-OptOut -Claimant ''Studio X''; Add-OptOut -Path ~/art/*.png -Claimant ''Studio X'''
                Remarks = 'URL claims are written in batches; content claims cover copies at any URL. For a list of many thousands of lines, Get-Content urls.txt -ReadCount 10000 | Add-OptOut binds 10,000 lines to -Url at a time instead of one, and records the same claims faster.'
            }
            @{
                Title   = 'Refuse a whole site'
                Code    = 'Add-OptOut -Domain my-portfolio.example -Reason ''my site'''
                Remarks = 'Covers every URL on the host and its subdomains; a path is refused (claim the page with -Url).'
            }
        )
    }
    'Add-OptIn' = @{
        Synopsis    = 'Records consent (grants) to train, for datasets checked under an opt-in policy.'
        Description = @'
Add-OptIn records grant (consent) claims in the consent registry, each with its provenance: who (-Claimant),
when, why (-Reason) and on what evidence. Targets are URLs (normalised; plain strings from the
pipeline bind to -Url, so Get-Content urls.txt | Add-OptIn handles a whole list in batched
transactions), domains (a host and all its subdomains), the claimant's own image files (-Path /
-LiteralPath: Content claims keyed by SHA-256, perceptual hash and embedding, which cover copies of
the picture at any URL, in datasets indexed now or checked later), or rows found by
Find-TrainedImage piped in (the row's URL, with the query file, matched row and similarity as
evidence). -IncludeCopies also claims every other row of the same picture in the index that is the
same file or a verified copy covering most of the picture (80% or more), with the verification's
figures in the claim's evidence; other candidates (not verified, partial copies) are left for review
with a warning, unless -IncludeUnverified is given. Adding a claim identical to an active one changes nothing. Every change is written to the
append-only audit log (Get-OptOutHistory); nothing is ever deleted.
'@
        Parameters  = @{
            Url           = 'URLs to claim. Strings from the pipeline bind here; with Find-TrainedImage output, the matched row''s URL binds here by property name.'
            Domain        = 'Domains to claim: the host and every subdomain. A site address (https://example.com/) is recorded as its host, with a warning; a domain with a path, port or user info is refused (OptOut.InvalidClaim): claim a page with -Url.'
            Path          = 'The claimant''s own image files (wildcards allowed): each becomes a Content claim keyed by its fingerprints.'
            LiteralPath   = 'The claimant''s own image files, taken exactly as written; Get-ChildItem output binds here.'
            Dataset       = 'From Find-TrainedImage output (by property name): the dataset of the matched row, kept as evidence.'
            Key           = 'From Find-TrainedImage output (by property name): the key of the matched row, kept as evidence.'
            Query         = 'From Find-TrainedImage output: the query (image path or search text), kept as evidence.'
            QuerySha256   = 'From Find-TrainedImage output: the SHA-256 of the query image, kept as evidence.'
            MatchKind     = 'From Find-TrainedImage output: how the row matched, kept as evidence.'
            Similarity    = 'From Find-TrainedImage output: the embedding similarity of the match, kept as evidence.'
            HashDistance  = 'From Find-TrainedImage output: the perceptual-hash distance of the match, kept as evidence.'
            IncludeCopies = 'Also claims the URL of every other row of the same picture in the index (-IndexPath) that is the same file or a verified copy of most of the picture, so one command catches all its copies.'
            IncludeUnverified = 'With -IncludeCopies: also claims the candidates that were not verified as copies of the whole picture (rows without local images, pictures too small to verify, partial copies). Review them first with Find-TrainedImage.'
            Claimant      = 'Who makes the claim (the artist, or the organisation acting for them). Defaults to the current user. The person running the command is recorded separately in the audit log.'
            Reason        = 'Why the claim is made; stored with the record and in the audit log.'
            RegistryPath  = 'The registry: a SQLite file, or a PostgreSQL database given as a connection string (Host=db;Database=consent;Username=jane), a libpq string (host=db dbname=consent) or a postgresql:// URI. Defaults to $env:OPTOUT_REGISTRY, else registry.db under $env:OPTOUT_HOME, else ~/.optout.'
            Credential   = 'For a PostgreSQL registry: the login (user name and password) to use instead of the connection string''s user, PGPASSWORD or ~/.pgpass. The password is never shown in errors, verbose output or the audit log.'
            IndexPath     = 'The training-set index searched by -IncludeCopies. Defaults to index.db under $env:OPTOUT_HOME, else ~/.optout.'
            Model         = 'The image model used to fingerprint -Path files and -IncludeCopies queries (from New-EmbeddingModel). Defaults to the bundled ResNet18.'
            PassThru      = 'Writes the records (new or already present) to the pipeline.'
        }
        Inputs      = 'System.String (URLs); OptOut.TrainedImageMatch; System.IO.FileInfo'
        Outputs     = 'OptOut.ConsentRecord (with -PassThru)'
        Examples    = @(
            @{
                Title   = 'Find your works in the indexed training sets and claim every copy'
                Code    = 'Get-ChildItem ~/art -File | Find-TrainedImage | Add-OptIn -IncludeCopies -Reason ''my portfolio'''
                Remarks = 'Each matched row''s URL is recorded with the query file, the matched row and its similarity as evidence.'
            }
            @{
                Title   = 'A whole list of URLs, and the content of your own files'
                Code    = 'Get-Content urls.txt | Add-OptIn -Claimant ''Studio X''; Add-OptIn -Path ~/art/*.png -Claimant ''Studio X'''
                Remarks = 'URL claims are written in batches; content claims cover copies at any URL. For a list of many thousands of lines, Get-Content urls.txt -ReadCount 10000 | Add-OptIn binds 10,000 lines to -Url at a time instead of one, and records the same claims faster.'
            }
            @{
                Title   = 'Grant one page'
                Code    = 'Add-OptIn -Url https://my-portfolio.example/licensed/1.jpg -Reason ''licensed to Studio X'''
                Remarks = 'Under Test-TrainingSet -Policy OptIn, only rows someone granted pass.'
            }
        )
    }
    'Get-OptOut' = @{
        Synopsis    = 'Lists the records of the consent registry.'
        Description = 'Get-OptOut returns every active record by default (no cap), refusals and grants, with their provenance and evidence. Filters narrow the list; -IncludeRevoked adds revoked records, which are never deleted. The filters (-Claimant, -Kind, -Decision, -Url, -Domain, -Since) are those of Export-OptOutList and select the same records there.'
        Parameters  = @{
            Id               = 'Only these records (revoked ones included).'
            Claimant         = 'Only records of this claimant (case-insensitive; * and ? are wildcards, % and _ are literal). A name that matches no claimant is an error (OptOut.UnknownClaimant) that lists the claimants there; an empty name is refused (ParameterArgumentValidationError), as by Export-OptOutList. Tab completes the names in the registry.'
            Kind             = 'Only Url, Domain or Content records.'
            Decision         = 'Only Refuse (opt-out) or Grant (consent) records.'
            Url              = 'Only records of these URLs (after normalisation). Pass a whole list (Get-OptOut -Url (Get-Content urls.txt)) to check it with one open of the registry.'
            Domain           = 'Only records whose URL or domain is this domain or one of its subdomains. An empty domain is refused (ParameterArgumentValidationError), as by Export-OptOutList.'
            Since            = 'Only records created at or after this time.'
            IncludeRevoked   = 'Also returns revoked records.'
            IncludeEmbedding = 'Fills the Embedding of content records.'
            RegistryPath     = 'The registry: a SQLite file, or a PostgreSQL database given as a connection string (Host=db;Database=consent;Username=jane), a libpq string (host=db dbname=consent) or a postgresql:// URI. Defaults to $env:OPTOUT_REGISTRY, else registry.db under $env:OPTOUT_HOME, else ~/.optout.'
            Credential   = 'For a PostgreSQL registry: the login (user name and password) to use instead of the connection string''s user, PGPASSWORD or ~/.pgpass. The password is never shown in errors, verbose output or the audit log.'
        }
        Inputs      = 'None'
        Outputs     = 'OptOut.ConsentRecord'
        Examples    = @(
            @{ Title = 'Everything one claimant has refused'; Code = 'Get-OptOut -Claimant ''Jane Doe'' -Decision Refuse'; Remarks = 'Active records only; add -IncludeRevoked for the full history.' }
            @{ Title = 'Is this URL opted out?'; Code = 'Get-OptOut -Url https://example.com/art/1.jpg'; Remarks = 'The URL is normalised before the lookup.' }
            @{
                Title   = 'Every record of a site, revoked ones too'
                Code    = 'Get-OptOut -Domain example.com -IncludeRevoked'
                Remarks = 'URL and domain claims on the host and its subdomains.'
            }
        )
    }
    'Remove-OptOut' = @{
        Synopsis    = 'Revokes records of the consent registry; the records stay, revoked, and the revocation is audited.'
        Description = 'Remove-OptOut revokes refusals or grants by id or from the pipeline (Get-OptOut output). Nothing is deleted: the record keeps its data and gains a revocation with its time, the user and the reason. It asks for confirmation by default (ConfirmImpact High).'
        Parameters  = @{
            Id           = 'The records to revoke; bound from the pipeline by property name.'
            Reason       = 'Why the record is revoked; stored with the revocation and in the audit log.'
            RegistryPath = 'The registry: a SQLite file, or a PostgreSQL database given as a connection string (Host=db;Database=consent;Username=jane), a libpq string (host=db dbname=consent) or a postgresql:// URI. Defaults to $env:OPTOUT_REGISTRY, else registry.db under $env:OPTOUT_HOME, else ~/.optout.'
            Credential   = 'For a PostgreSQL registry: the login (user name and password) to use instead of the connection string''s user, PGPASSWORD or ~/.pgpass. The password is never shown in errors, verbose output or the audit log.'
            PassThru     = 'Writes the revoked records to the pipeline.'
        }
        Inputs      = 'OptOut.ConsentRecord (by the Id property)'
        Outputs     = 'OptOut.ConsentRecord (with -PassThru)'
        Examples    = @(
            @{ Title = 'Withdraw a claim made by mistake'; Code = 'Get-OptOut -Url https://example.com/a.jpg | Remove-OptOut -Reason ''not my work'' -Confirm:$false'; Remarks = 'The record stays, revoked; Get-OptOut -IncludeRevoked shows it.' }
            @{
                Title   = 'See what would be revoked'
                Code    = 'Get-OptOut -Claimant ''Jane Doe'' | Remove-OptOut -Reason ''moved to a new registry'' -WhatIf'
                Remarks = 'Lists each record without revoking it.'
            }
            @{
                Title   = 'Revoke and keep the result'
                Code    = 'Get-OptOut -Url https://example.com/art/1.jpg | Remove-OptOut -Reason ''licensed now'' -Confirm:$false -PassThru'
                Remarks = 'The record stays in the registry, revoked, with the reason; the revocation is audited.'
            }
        )
    }
    'Export-OptOutList' = @{
        Synopsis    = 'Writes the registry''s records to a CSV, JSON, Parquet or URL-list file.'
        Description = 'Export-OptOutList writes records with everything another registry needs to merge them and another party needs to match them: ids, claimants, dates, status, evidence, and for content claims the SHA-256, perceptual hash, embedding and model id. Records piped in (Get-OptOut output, or anything with an Id) are exported exactly, in their order, revoked ones included, and nothing else: an empty pipeline writes an empty list, never the whole registry. Without pipeline input, the filters (-Claimant, -Kind, -Decision, -Url, -Domain, -Since, -IncludeRevoked) select the records; with none, every active record. UrlList writes one URL a line (active URL refusals) for tools that filter by URL. The file is written under a temporary name and renamed, so no reader sees half a list; temporary files a killed export left beside the same path are removed. The registry, the index, their -wal/-shm/.vectors/.captions files and any other SQLite database are never written over (OptOut.UnsafeOutputPath), however the path reaches them (symbolic links and .. are resolved).'
        Parameters  = @{
            Path           = 'The file to write.'
            LiteralPath    = 'The file to write, taken exactly as written.'
            Id             = 'Exactly these records (revoked ones included), in this order. Bound from piped records; a record that is not in the registry stops the export before anything is written.'
            Format         = 'Csv, Json, Parquet or UrlList. Taken from the extension (.csv, .json, .parquet, .txt) when omitted.'
            IncludeRevoked = 'Also exports revoked records (with their revocation).'
            Claimant       = 'Only records of this claimant (case-insensitive; * and ? are wildcards, % and _ are literal), as Get-OptOut -Claimant. A name that matches no claimant is an error (OptOut.UnknownClaimant) that lists the claimants there; an empty name is refused (ParameterArgumentValidationError). Tab completes the names in the registry.'
            Kind           = 'Only Url, Domain or Content records.'
            Url            = 'Only records of these URLs (after normalisation).'
            Domain         = 'Only URL and domain records of this domain or its subdomains, as Get-OptOut -Domain. An empty domain is refused (ParameterArgumentValidationError).'
            Since          = 'Only records created at or after this time.'
            Decision       = 'Only Refuse or only Grant records.'
            Force          = 'Overwrites a read-only file.'
            NoClobber      = 'Refuses to overwrite an existing file.'
            RegistryPath   = 'The registry: a SQLite file, or a PostgreSQL database given as a connection string (Host=db;Database=consent;Username=jane), a libpq string (host=db dbname=consent) or a postgresql:// URI. Defaults to $env:OPTOUT_REGISTRY, else registry.db under $env:OPTOUT_HOME, else ~/.optout.'
            Credential   = 'For a PostgreSQL registry: the login (user name and password) to use instead of the connection string''s user, PGPASSWORD or ~/.pgpass. The password is never shown in errors, verbose output or the audit log.'
            PassThru       = 'Writes the file''s FileInfo to the pipeline.'
        }
        Inputs      = 'None'
        Outputs     = 'System.IO.FileInfo (with -PassThru)'
        Examples    = @(
            @{ Title = 'Share your registry'; Code = 'Export-OptOutList ./optouts.parquet'; Remarks = 'Readable by DuckDB, pandas or another OptOut registry (Import-OptOutList).' }
            @{ Title = 'A URL list for a download filter'; Code = 'Export-OptOutList ./blocked.txt -Format UrlList'; Remarks = 'One normalised URL a line.' }
            @{ Title = 'Share one claimant''s records only'; Code = 'Get-OptOut -Claimant ''Jane Doe'' | Export-OptOutList ./jane.csv'; Remarks = 'Exports exactly the piped records; Export-OptOutList ./jane.csv -Claimant ''Jane Doe'' does the same.' }
        )
    }
    'Import-OptOutList' = @{
        Synopsis    = 'Merges a list exported by another registry, or a plain URL list, into the registry.'
        Description = 'Import-OptOutList reads a CSV, JSON or Parquet export (keeping its ids, claimants and dates) or a URL list (one URL a line, recorded as refusals by -Claimant). The whole file is checked first: a malformed file is rejected whole, with the line or row that is wrong, and nothing of it is imported. Records already present are skipped; contradictions (a grant where this registry has a refusal, or one id with different content) are reported as warnings and in the result. A list cannot revoke anything on its own say-so: records it marks revoked are skipped and counted (a warning, ''Revoked in list, not applied: N'') unless -IncludeRevocations is given, and then each revocation is recorded as yours, made now, its reason naming the list and what the list said. Domain records follow the rule of Add-OptOut -Domain: a site address is recorded as its host (with a warning), a domain with a path, port or user info rejects the file.'
        Parameters  = @{
            Path         = 'The list files to import.'
            IncludeRevocations = 'Applies the revocations the list carries, as your own revocations (RevokedBy is you; the reason and the audit row name the list and what it said). Without it they are skipped and counted.'
            Format       = 'Csv, Json, Parquet or UrlList. Taken from the extension when omitted.'
            Claimant     = 'For a URL list, which has no claimants: who the refusals are recorded for. Defaults to the current user.'
            RegistryPath = 'The registry: a SQLite file, or a PostgreSQL database given as a connection string (Host=db;Database=consent;Username=jane), a libpq string (host=db dbname=consent) or a postgresql:// URI. Defaults to $env:OPTOUT_REGISTRY, else registry.db under $env:OPTOUT_HOME, else ~/.optout.'
            Credential   = 'For a PostgreSQL registry: the login (user name and password) to use instead of the connection string''s user, PGPASSWORD or ~/.pgpass. The password is never shown in errors, verbose output or the audit log.'
        }
        Inputs      = 'System.String, System.IO.FileInfo (paths)'
        Outputs     = 'OptOut.OptOutListImportResult'
        Examples    = @(
            @{ Title = 'Merge a partner''s export'; Code = 'Import-OptOutList ./partner-optouts.json'; Remarks = 'Reports how many records were added, skipped and in conflict.' }
            @{ Title = 'Restore a backup, revocations included'; Code = 'Import-OptOutList ./backup.csv -IncludeRevocations'; Remarks = 'Revoked records come in revoked, the revocations recorded as yours and naming backup.csv.' }
            @{
                Title   = 'Import a plain URL list for a claimant'
                Code    = 'Import-OptOutList ./urls.txt -Format UrlList -Claimant ''Studio X'''
                Remarks = 'One URL a line; blank lines and # comments are skipped.'
            }
        )
    }
    'Get-OptOutHistory' = @{
        Synopsis    = 'Shows the registry''s append-only audit log.'
        Description = 'Get-OptOutHistory returns every change to the registry in order: time (UTC), user, action (AddOptOut, AddOptIn, Revoke, Import, ImportRevoke, Migrate), record, reason and detail.'
        Parameters  = @{
            Id           = 'Only entries about this record; bound from the pipeline by property name.'
            Since        = 'Only entries at or after this time.'
            Action       = 'Only entries of this action.'
            RegistryPath = 'The registry: a SQLite file, or a PostgreSQL database given as a connection string (Host=db;Database=consent;Username=jane), a libpq string (host=db dbname=consent) or a postgresql:// URI. Defaults to $env:OPTOUT_REGISTRY, else registry.db under $env:OPTOUT_HOME, else ~/.optout.'
            Credential   = 'For a PostgreSQL registry: the login (user name and password) to use instead of the connection string''s user, PGPASSWORD or ~/.pgpass. The password is never shown in errors, verbose output or the audit log.'
        }
        Inputs      = 'OptOut.ConsentRecord (by the Id property)'
        Outputs     = 'OptOut.OptOutAuditEntry'
        Examples    = @(
            @{ Title = 'The story of one record'; Code = 'Get-OptOut -Url https://example.com/a.jpg -IncludeRevoked | Get-OptOutHistory'; Remarks = 'When it was added and revoked, by whom and why.' }
            @{
                Title   = 'What changed today'
                Code    = 'Get-OptOutHistory -Since (Get-Date).Date'
                Remarks = 'Every change since midnight, in order.'
            }
            @{
                Title   = 'Only the revocations'
                Code    = 'Get-OptOutHistory -Action Revoke'
                Remarks = 'Who revoked what, when and why.'
            }
        )
    }
    'Copy-OptOutRegistry' = @{
        Synopsis    = 'Copies a whole consent registry to another backend: a SQLite file into PostgreSQL, or back.'
        Description = 'Copy-OptOutRegistry reads every record of -Source (revoked ones included, with their revocations, embeddings, evidence and origins) and the whole audit trail, and writes them into -Destination in one transaction, keeping ids, claimants, reasons, dates and each audit row''s time, user and action; the destination''s own rows (its creation) come first, and a Copy audit row records the copy. Then every record is read back from the destination and compared with the source''s, field by field; a difference is an error (OptOut.RegistryCopyMismatch). The source is only read. A destination that already holds records is refused untouched (OptOut.RegistryNotEmpty) unless -Append is given; then only the records it lacks (by id) are added, with their audit rows. Either side is a file path or a PostgreSQL connection string, as -RegistryPath of the other registry commands; a record PostgreSQL cannot hold (a NUL character in a text field) stops the copy before anything is written.'
        Parameters  = @{
            Source                = 'The registry to copy: a SQLite file or a PostgreSQL connection string. Only read.'
            Destination           = 'Where to copy it: a SQLite file (created when absent) or a PostgreSQL database (the registry is created in it; the owner''s privileges are needed to create it).'
            Append                = 'Adds to a destination that already holds records: the source records it lacks, by id, with their audit rows. Without it such a destination is refused.'
            SourceCredential      = 'The PostgreSQL login for -Source, instead of the connection string''s user, PGPASSWORD or ~/.pgpass.'
            DestinationCredential = 'The PostgreSQL login for -Destination.'
        }
        Inputs      = 'None'
        Outputs     = 'OptOut.OptOutRegistryCopyResult'
        Examples    = @(
            @{
                Title   = 'Move a registry file into a copy'
                Code    = 'Add-OptOut -Url https://example.com/art/1.jpg -RegistryPath ./mine.db; Copy-OptOutRegistry ./mine.db ./copy.db'
                Remarks = 'Records, revocations and the audit trail, compared record by record after the copy.'
            }
            @{
                Title   = 'Move a personal registry into the organisation''s PostgreSQL database'
                Code    = 'Copy-OptOutRegistry ~/.optout/registry.db ''Host=db.example;Database=consent;Username=optout_admin'' -DestinationCredential (Get-Credential optout_admin)'
                Remarks = 'Creates the registry in the database when it has none; refuses one that already holds records unless -Append.'
            }
            @{
                Title   = 'Add what one registry lacks from another'
                Code    = 'Add-OptOut -Url https://example.com/art/1.jpg -RegistryPath ./jane.db; Add-OptOut -Url https://example.com/art/2.jpg -RegistryPath ./team.db; Copy-OptOutRegistry ./jane.db ./team.db -Append'
                Remarks = 'Only the records team.db lacks (by id) are added, with their audit rows; AlreadyPresent counts the others.'
            }
        )
    }
    'Test-TrainingSet'      = @{
        Synopsis    = 'Checks a training set against the consent registry before training: every row that someone refused (or, under -Policy OptIn, that nobody granted).'
        Description = @'
Test-TrainingSet reads a training set where it lies (LAION metadata parquet, img2dataset "files" or
"webdataset" output, clip-retrieval img_emb/metadata parts, or a folder of images), streaming, a
row group or a batch at a time, without importing it; memory does not grow with the dataset. Each
row is checked against the registry's active claims, and each finding names its rule:

- Url: the row's URL, normalised as in the index, has an active refusal;
- Domain: its host or a parent domain has one;
- Content: its picture matches a content claim: the same SHA-256 (the file's, or the dataset's own
  sha256 column), or a copy by perceptual hash and embedding (local images are fingerprinted on the
  fly when a content claim needs it; clip-retrieval embeddings are compared as they are, with
  claims made with the same model); a row with a local image is then verified against the
  claimant's file (each refused picture proposed, best first, until one verifies): a look-alike
  every proposal of which is refuted is not a finding (unless more than 8 were proposed: then
  it stays one), a row that cannot be verified stays one, its Detail saying "not verified" and why.
  Each refused picture is also compared turned 4 degrees either way; the turns are made once and
  kept in cache/turned-views.db under $env:OPTOUT_HOME (derived data, safe to delete);
- Signal: a local image carries an embedded reservation: IPTC plus:DataMining with a prohibiting
  value in its XMP, or a C2PA / CAWG training-mining assertion that does not allow training;
- NoConsent: under -Policy OptIn, no active grant covers the row's URL, domain or content.

Findings stream out as OptOut.TrainingSetViolation objects (Dataset, Shard, Row, Key, Url, Rule,
RecordId, Claimant, Detail). With -Quiet the command returns only $true when the set is clean and
$false otherwise, like Test-Path; -ReportPath writes a JUnit XML report (a test case a shard) for CI
systems. Shards are checked in parallel (-ThrottleLimit). A shard that cannot be read is an error
naming it (OptOut.ShardReadFailed) and the set is not clean; rows whose image cannot be read or
decoded are errors (OptOut.RowCheckFailed): their URL, domain and listed hashes were checked, their
picture was not, and the set is not reported clean. Rows img2dataset failed to download (status
other than success) are not training samples and are not checked.
'@
        Parameters  = @{
            Path          = 'Dataset files or folders: parquet files, .tar shards, .npy parts, img2dataset or clip-retrieval output folders, or folders of images. Wildcards are expanded.'
            LiteralPath   = 'Dataset files or folders, taken exactly as written.'
            RegistryPath  = 'The consent registry to check against: a SQLite file, or a PostgreSQL database given as a connection string (Host=db;Database=consent;Username=ci), a libpq string or a postgresql:// URI, opened read-only (the optout_reader role suffices). Defaults to $env:OPTOUT_REGISTRY, else registry.db under $env:OPTOUT_HOME, else ~/.optout; a default registry file that does not exist simply has no claims.'
            Credential   = 'For a PostgreSQL registry: the login (user name and password) to use instead of the connection string''s user, PGPASSWORD or ~/.pgpass. The password is never shown in errors, verbose output or the audit log.'
            Policy        = 'OptOut (default): rows are allowed unless a claim refuses them. OptIn: a row also needs an active grant (Add-OptIn) on its URL, domain or content, else it breaks the NoConsent rule; a refusal still wins over a grant.'
            Name          = 'The dataset name shown in findings and reports. Defaults to the name of the first path.'
            ThrottleLimit = 'How many shards are checked at once. Defaults to the number of processors.'
            SiteReservationPath = 'A folder of local copies of sites'' reservation files, one subfolder a host (example.com/robots.txt, ai.txt, .well-known/tdmrep.json, headers.txt), as New-SiteReservation writes them or a crawl saved them. A row whose URL''s site reserves it (Test-SiteReservation''s rules) is a finding under the rule Site. Hosts without a subfolder are not checked this way.'
            Model         = 'The image model (from New-EmbeddingModel) used to fingerprint local images for content claims (default: the bundled ResNet18, loaded only when some content claim needs it). When given, it is also taken as the model that produced clip-retrieval .npy embeddings; without -Model or -ModelId precomputed embeddings are not compared, since their model is unknown.'
            ModelId       = 'For clip-retrieval embeddings whose ONNX model you do not have: the model id your content claims were recorded with, so the precomputed vectors are compared with them.'
            MaxPixels     = 'The largest local image decoded, in pixels; larger ones are refused before decoding and reported. Default 100,000,000.'
            Quiet         = 'Returns only $true (every shard read, no violation, every row fully checked) or $false, instead of the findings. When the check cannot complete it returns $false first, then the terminating error, so a script that goes on after it never reads a missing answer as clean.'
            ReportPath    = 'Writes a JUnit XML report to this file: one test suite for the dataset, one test case a shard, failing with its violations listed (the first 1,000 a shard), or in error when the shard could not be read completely. Text XML cannot hold (control characters) is written as \uXXXX. The registry, the index and their files, and any path inside the dataset, are refused as a report path.'
        }
        Inputs      = 'System.String (paths)'
        Outputs     = 'OptOut.TrainingSetViolation; System.Boolean with -Quiet'
        Examples    = @(
            @{
                Title   = 'Fail a CI job when the training set is not clean'
                Code    = 'pwsh -NoProfile -Command "Import-Module OptOut; if (-not (Test-TrainingSet ./data -ReportPath junit.xml -Quiet)) { exit 1 }"'
                Remarks = 'Exits 1 when any row is refused or a shard cannot be read; junit.xml lists the findings for the CI system to display.'
            }
            @{
                Title   = 'See what is refused, by rule'
                Code    = 'Test-TrainingSet ./laion-part/*.parquet | Group-Object Rule | Select-Object Name, Count'
                Remarks = 'Counts the findings of each rule.'
            }
            @{
                Title   = 'Check under an opt-in policy'
                Code    = 'Test-TrainingSet ./my-download -Policy OptIn | Where-Object Rule -eq NoConsent | Select-Object -First 10 Url'
                Remarks = 'Rows without a recorded grant are findings too.'
            }
        )
    }
    'Export-CleanTrainingSet' = @{
        Synopsis    = 'Writes a copy of a training set without the rows the registry refuses, in the same layout, with a removal report.'
        Description = @'
Export-CleanTrainingSet checks a training set as Test-TrainingSet does and writes a copy without the
rows that break a rule: parquet shards with the same schema, column order, row order, row groups
(minus removed rows), key-value metadata and compression; img2dataset shard folders and .tar shards
without the removed samples' files and members (and their parquet filtered alike); clip-retrieval
.npy parts with the same rows removed as from their metadata parquet, so they stay aligned; image
folders without the removed images. Other files at the top of the input folder are copied as they are.

The copy is written into a staging folder beside the destination, and every shard written is read
back with the same reader and checked again with the same rules: a copy that would still hold a
finding, or whose kept rows do not add up, fails and nothing is published. It is moved into place only
when every shard was checked, written and re-checked. The copy carries a marker file
(.optout-clean-copy.json); an existing destination is kept unless -Force is given, and then replaced
at the end only if it holds that marker, so -Force never deletes a folder the command did not write. A CSV removal report
(shard, row, key, URL, rule, record, claimant, detail) is written beside the copy, and a summary
object is returned.
'@
        Parameters  = @{
            Path              = 'The dataset to copy: one folder (img2dataset or clip-retrieval output, a folder of parquet files, a folder of images) or one shard file. Wildcards are expanded.'
            LiteralPath       = 'The dataset to copy, taken exactly as written.'
            Destination       = 'The folder to write the clean copy to. It must not exist unless -Force is given, must not overlap the source (compared by real path, symbolic links resolved), must not hold the registry or the index, and must not be a symbolic link.'
            Force             = 'Replaces an existing destination once the new copy is complete and checked, but only if it is an earlier clean copy (it holds .optout-clean-copy.json); any other folder or file is refused.'
            RemovalReportPath = 'Where the removal report (CSV) goes. Defaults to the destination path with ".removed.csv" appended, beside the copy.'
            RegistryPath  = 'The consent registry to check against: a SQLite file, or a PostgreSQL database given as a connection string (Host=db;Database=consent;Username=ci), a libpq string or a postgresql:// URI, opened read-only (the optout_reader role suffices). Defaults to $env:OPTOUT_REGISTRY, else registry.db under $env:OPTOUT_HOME, else ~/.optout; a default registry file that does not exist simply has no claims.'
            Credential   = 'For a PostgreSQL registry: the login (user name and password) to use instead of the connection string''s user, PGPASSWORD or ~/.pgpass. The password is never shown in errors, verbose output or the audit log.'
            Policy        = 'OptOut (default): rows are allowed unless a claim refuses them. OptIn: a row also needs an active grant (Add-OptIn) on its URL, domain or content, else it breaks the NoConsent rule; a refusal still wins over a grant.'
            Name          = 'The dataset name shown in findings and reports. Defaults to the name of the first path.'
            ThrottleLimit = 'How many shards are checked at once. Defaults to the number of processors.'
            SiteReservationPath = 'A folder of local copies of sites'' reservation files, one subfolder a host (example.com/robots.txt, ai.txt, .well-known/tdmrep.json, headers.txt), as New-SiteReservation writes them or a crawl saved them. A row whose URL''s site reserves it (Test-SiteReservation''s rules) is a finding under the rule Site. Hosts without a subfolder are not checked this way.'
            Model         = 'The image model (from New-EmbeddingModel) used to fingerprint local images for content claims (default: the bundled ResNet18, loaded only when some content claim needs it). When given, it is also taken as the model that produced clip-retrieval .npy embeddings; without -Model or -ModelId precomputed embeddings are not compared, since their model is unknown.'
            ModelId       = 'For clip-retrieval embeddings whose ONNX model you do not have: the model id your content claims were recorded with, so the precomputed vectors are compared with them.'
            MaxPixels     = 'The largest local image decoded, in pixels; larger ones are refused before decoding and reported. Default 100,000,000.'
        }
        Inputs      = 'System.String (paths)'
        Outputs     = 'OptOut.CleanTrainingSetSummary'
        Examples    = @(
            @{
                Title   = 'Write the clean copy and check it'
                Code    = 'Export-CleanTrainingSet ./my-download ./my-download-clean; Test-TrainingSet ./my-download-clean -Quiet'
                Remarks = 'The copy has none of the refused rows, so the second command returns True.'
            }
            @{
                Title   = 'Clean one LAION metadata part under an opt-in policy'
                Code    = 'Export-CleanTrainingSet ./part-00000.parquet ./clean -Policy OptIn -Force'
                Remarks = 'Keeps only rows someone granted; ./clean.removed.csv lists the others and why.'
            }
            @{
                Title   = 'See what would be written'
                Code    = 'Export-CleanTrainingSet ./my-download ./preview-clean -WhatIf'
                Remarks = 'Checks nothing and writes nothing; says where the copy would go.'
            }
        )
    }
    'Set-ImageReservation'    = @{
        Synopsis    = 'Writes a machine-readable "no AI training" reservation into image files, without re-encoding them.'
        Description = @'
Set-ImageReservation writes the IPTC Photo Metadata "Data Mining" property (XMP plus:DataMining, by
default http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED) into each file's XMP packet, with the
constraint text, copyright notice, creator and web statement when given: JPEG (APP1), PNG (iTXt
XML:com.adobe.xmp), WebP ("XMP " chunk; a simple VP8/VP8L file gains the VP8X header that announces
it), GIF (the XMP application extension) and TIFF (tag 700, in a copy of the first IFD appended
to the file). Nothing is re-encoded: only the XMP changes, an existing packet is updated (its other properties kept, never duplicated), and EXIF, ICC profiles and every
other block are copied byte for byte.

Before a file is replaced, the result is decoded and its pixels compared with the original's, and its
reservation is read back with the reader Test-TrainingSet's Signal rule uses; the file is then
replaced in one rename, keeping its modification time unless -UpdateTimestamp is given. A file that
cannot be rewritten safely (damaged, truncated, BigTIFF, not an image) is a non-terminating error
(OptOut.ReservationWriteFailed) and is left untouched. A file with a C2PA manifest is written with a
warning: the manifest's hash binding no longer matches the changed bytes.
'@
        Parameters  = @{
            Path            = 'Image files to mark. Wildcards are expanded; a path or pattern that names no file is an error.'
            LiteralPath     = 'Image files to mark, taken exactly as written. Bound from the pipeline by the PSPath property, so Get-ChildItem output binds here.'
            DataMining      = 'The plus:DataMining value: Prohibited (the default), ProhibitedAiMlTraining, ProhibitedGenAiMlTraining, ProhibitedExceptSearchEngineIndexing, ProhibitedSeeConstraint (needs -Constraint), Allowed or Unspecified.'
            Constraint      = 'Your own words, written as plus:OtherConstraints (for example the licence terms for training).'
            CopyrightNotice = 'A copyright notice, written as dc:rights (and xmpRights:Marked True).'
            Creator         = 'The creator''s name, written as dc:creator.'
            WebStatement    = 'An http(s) address of a page with the rights and licensing terms, written as xmpRights:WebStatement.'
            Destination     = 'A folder to write marked copies into, leaving the originals alone. A copy that already exists there is an error unless -Force is given.'
            Force           = 'With -Destination, replaces a marked copy that already exists there.'
            UpdateTimestamp = 'Sets the modification time to now instead of keeping the original''s.'
            PassThru        = 'Writes an OptOut.ImageReservationChange for each file marked.'
            MaxPixels       = 'The largest image accepted, in pixels, when the file is decoded to check its pixels are unchanged. Default 100,000,000.'
        }
        Inputs      = 'System.String (paths); System.IO.FileInfo (bound to -LiteralPath by PSPath)'
        Outputs     = 'None, or OptOut.ImageReservationChange with -PassThru'
        Examples    = @(
            @{
                Title   = 'Mark every work in a folder'
                Code    = 'Get-ChildItem ~/art -Recurse -File -Include *.jpg, *.png, *.webp, *.gif, *.tif | Set-ImageReservation -Creator ''Jane Doe'' -CopyrightNotice ''(c) 2026 Jane Doe'''
                Remarks = 'Each file now says DMI-PROHIBITED in its XMP; exiftool and Get-ImageReservation read it back.'
            }
            @{
                Title   = 'Write marked copies for upload, leave the originals alone'
                Code    = 'Set-ImageReservation ~/art/*.png -Destination ~/upload -DataMining ProhibitedExceptSearchEngineIndexing -PassThru'
                Remarks = 'Search engines may still index the copies; AI training is reserved.'
            }
            @{
                Title   = 'See what would change'
                Code    = 'Set-ImageReservation ~/art/*.jpg -WhatIf'
                Remarks = 'Lists each file and the reservation it would get, and writes nothing.'
            }
        )
    }
    'Get-ImageReservation'    = @{
        Synopsis    = 'Shows the AI-training reservations an image file carries, and where in the file each is.'
        Description = @'
Get-ImageReservation reads each file's embedded signals with the reader Test-TrainingSet's Signal rule
uses: the IPTC plus:DataMining property in XMP (JPEG APP1 and Extended XMP, PNG iTXt/zTXt/tEXt, WebP,
and plain XMP packets in TIFF, GIF and other files) and C2PA / CAWG training-and-data-mining
assertions. ProhibitsTraining is true when any of them reserves the picture against AI/ML training.
C2PA signatures are not verified (docs/signals.md).
'@
        Parameters  = @{
            Path        = 'Image files to read. Wildcards are expanded; a path or pattern that names no file is an error.'
            LiteralPath = 'Image files to read, taken exactly as written. Bound from the pipeline by the PSPath property.'
            Recurse     = 'Takes the image files in folders given to -Path or -LiteralPath, and in their subfolders.'
        }
        Inputs      = 'System.String (paths); System.IO.FileInfo (bound to -LiteralPath by PSPath)'
        Outputs     = 'OptOut.ImageReservationInfo'
        Examples    = @(
            @{
                Title   = 'Which of my files are marked?'
                Code    = 'Get-ImageReservation ~/art -Recurse | Where-Object -Not ProhibitsTraining'
                Remarks = 'Lists the files that carry no reservation yet.'
            }
            @{
                Title   = 'Every signal in one file'
                Code    = '(Get-ImageReservation ./work.png).Signals | Format-List'
                Remarks = 'Source, value, whether it prohibits training, and where in the file it was found.'
            }
            @{
                Title   = 'Check after marking'
                Code    = 'Set-ImageReservation ./work.jpg; Get-ImageReservation ./work.jpg'
                Remarks = 'ProhibitsTraining is True, Value DMI-PROHIBITED.'
            }
        )
    }
    'New-SiteReservation'     = @{
        Synopsis    = 'Writes a site''s machine-readable AI-training reservation: robots.txt groups, ai.txt, TDMRep and header snippets.'
        Description = @'
New-SiteReservation writes, into a site's document root (or a folder you deploy from):

- robots.txt: one group naming the AI-training crawlers (the maintained list in the module's
  ai-crawlers.txt: GPTBot, CCBot, Google-Extended, ClaudeBot, anthropic-ai, Bytespider, PerplexityBot,
  Applebot-Extended, meta-externalagent, img2dataset) with Disallow lines for -SitePath. An existing
  robots.txt is merged: the group sits between OptOut's BEGIN and END comments and is replaced on the
  next run; every other line is kept byte for byte. Because RFC 9309 combines the groups that name one
  crawler, a group of yours that allows a reserved crawler can override the reservation: each such
  crawler is a warning naming the line.
- ai.txt (Spawning), .well-known/tdmrep.json (W3C TDMRep: tdm-reservation 1 and -TdmPolicy), and
  optout-headers/nginx.conf, apache.conf and Caddyfile with the header lines TDM-Reservation: 1 and
  X-Robots-Tag: noai, noimageai (which img2dataset honours by default) to add to the server's
  configuration.

Each file is written through a temporary file and a rename. What each signal binds, and what it does
not, is in docs/signals.md.
'@
        Parameters  = @{
            Path      = 'The site''s document root, or a folder to deploy from. Its robots.txt, if any, is merged.'
            Crawler   = 'The robots.txt user-agent tokens to reserve against. Default: every crawler in ai-crawlers.txt.'
            SitePath  = 'Path patterns to reserve, in robots.txt syntax (''*'' wildcard, ''$'' end). Default: the whole site (''/'').'
            TdmPolicy = 'An http(s) address of a TDM licensing policy, written as tdm-policy in tdmrep.json and as the TDM-Policy header.'
            FromRegistryFor = 'A site''s host: reserve what the registry refuses there, the whole site when the host or a parent domain is refused, else each refused URL''s path as an exact pattern (with -SitePath''s patterns added when given). An error when the registry refuses nothing there.'
            RegistryPath = 'The registry -FromRegistryFor reads: a SQLite file, or a PostgreSQL database given as a connection string (Host=db;Database=consent;Username=jane), a libpq string or a postgresql:// URI (default: $env:OPTOUT_REGISTRY, else registry.db under OPTOUT_HOME). It is only read (the optout_reader role suffices).'
            Credential   = 'For a PostgreSQL registry: the login (user name and password) to use instead of the connection string''s user, PGPASSWORD or ~/.pgpass. The password is never shown in errors, verbose output or the audit log.'
        }
        Inputs      = 'None'
        Outputs     = 'System.IO.FileInfo (each file written)'
        Examples    = @(
            @{
                Title   = 'Reserve a whole portfolio site'
                Code    = 'New-SiteReservation /var/www/my-portfolio'
                Remarks = 'robots.txt gains the crawler group (the rest kept as it was); ai.txt, .well-known/tdmrep.json and the header snippets are written beside it.'
            }
            @{
                Title   = 'Reserve only the gallery, and offer a licence'
                Code    = 'New-SiteReservation ./site -SitePath /gallery/ -TdmPolicy https://my-portfolio.example/tdm-policy.json'
                Remarks = 'Crawlers may still read the rest of the site.'
            }
            @{
                Title   = 'Check the result'
                Code    = 'New-SiteReservation ./site; Test-SiteReservation ./site https://my-portfolio.example/gallery/a.jpg'
                Remarks = 'Reserved is True, by robots.txt, ai.txt and tdmrep.json.'
            }
        )
    }
    'Test-SiteReservation'    = @{
        Synopsis    = 'Says which of a site''s signals reserve each URL against AI training, from a local copy of its files.'
        Description = @'
Test-SiteReservation reads a folder holding a site's robots.txt, ai.txt, .well-known/tdmrep.json and
headers.txt (the response headers, "Name: value" a line, as curl -I prints them; or -HeadersPath),
any of them, and for each URL says whether it is reserved and by which signal, following each
format's own rules: robots.txt as RFC 9309 reads it (the groups naming a crawler combined, the most
specific rule wins, allow wins a tie, '*' and '$'), reserved when it disallows one of the AI-training
crawlers; ai.txt the same way for every agent; TDMRep by the first rule whose location matches; the
X-Robots-Tag header's noai and noimageai, and TDM-Reservation: 1.
'@
        Parameters  = @{
            SitePath    = 'The folder with the site''s files.'
            Url         = 'The URLs to check. Blank lines and lines starting with # (from Get-Content) are skipped.'
            HeadersPath = 'A file of response headers to use instead of the folder''s headers.txt.'
            Quiet       = 'Returns only $true (reserved) or $false for each URL.'
        }
        Inputs      = 'System.String (URLs)'
        Outputs     = 'OptOut.SiteReservationVerdict, or System.Boolean with -Quiet'
        Examples    = @(
            @{
                Title   = 'Check a list of URLs'
                Code    = 'Get-Content urls.txt | Test-SiteReservation ./site-copy | Where-Object Reserved'
                Remarks = 'Each reserved URL with the signals that reserve it.'
            }
            @{
                Title   = 'Why is this one reserved?'
                Code    = '(Test-SiteReservation ./site-copy https://site.example/art/1.png).Signals | Format-Table'
                Remarks = 'Every signal with the line or rule that decided it.'
            }
            @{
                Title   = 'A yes or no'
                Code    = 'Test-SiteReservation ./site-copy https://site.example/ -Quiet'
                Remarks = 'True when any signal reserves the URL.'
            }
        )
    }

    'Export-MatchReport' = @{
        Synopsis    = 'Writes a visual match report (one HTML file) to read, review and attach to a claim.'
        Description = 'Export-MatchReport takes Find-TrainedImage matches and Test-TrainingSet findings from the pipeline and writes one self-contained HTML page that opens from disk in any browser and makes no network request: each of your works beside every copy found (thumbnails of the training set''s own images, at most 256 pixels a side), with dataset, key, URL, caption, size, match kind, similarity and hash distance, and for verified copies the matched regions drawn on both pictures and the transform in words (scale, rotation, mirror, crop). The top of the page says how many works were not found, e.g. "212 of 300 works not found in 3 datasets": pipe the works searched too (Get-ChildItem output), or name them with -Work, so the works with no match are counted and listed. In the page each match can be marked "mine" or "not mine" (buttons, or the keys j/k, m, n, u), sorted and filtered by dataset, kind and score, and the decisions exported as JSON or CSV for Import-MatchReview. Printing the page gives an evidence document with the claimant, date, index and model used and every match''s numbers. Captions, URLs, keys and file names are shown as text, never run; only http and https URLs are links; a Content-Security-Policy blocks every network request and any script but the page''s own. Thumbnails are embedded as data URIs up to 1,000 pictures and written to a folder beside the report (<name>_files) beyond that (-Thumbnails chooses). The report is written under a temporary name and renamed; it is never written over the registry, the index, an SQLite database, or the works and training-set images it shows (OptOut.UnsafeOutputPath).'
        Parameters  = @{
            Path        = 'The HTML file to write.'
            InputObject = 'Find-TrainedImage matches (OptOut.TrainedImageMatch), Test-TrainingSet findings (OptOut.TrainingSetViolation), and files (System.IO.FileInfo: the works searched). Anything else is an error (OptOut.UnsupportedReportInput) and is left out.'
            Work        = 'The works searched (paths, wildcards allowed), so those with no match are counted and listed as not found.'
            Claimant    = 'Who makes the claim; shown at the top of the report and in its exported decisions.'
            Title       = 'The report''s title.'
            IndexPath   = 'The training-set index searched: its datasets are counted ("not found in N datasets") and its model named. Defaults to the default index when it exists; without one, the datasets seen in the matches are counted.'
            Thumbnails  = 'Auto (the default: embedded up to 1,000 pictures, else a folder), Embedded (data URIs: one file) or Folder (JPEG files in <name>_files beside the report, loaded lazily).'
            Force       = 'Overwrites a read-only report.'
            NoClobber   = 'Refuses to overwrite an existing file.'
            PassThru    = 'Writes the report''s FileInfo to the pipeline.'
        }
        Inputs      = 'OptOut.TrainedImageMatch, OptOut.TrainingSetViolation, System.IO.FileInfo'
        Outputs     = 'System.IO.FileInfo (with -PassThru)'
        Examples    = @(
            @{
                Title   = 'Search all your works and write the report'
                Code    = 'Get-ChildItem ~/art | Find-TrainedImage | Export-MatchReport ./report.html -Work ''~/art/*'' -Claimant ''Jane Doe'''
                Remarks = 'Open report.html in a browser: works with no match are listed as not found, with the count at the top.'
            }
            @{
                Title   = 'Thumbnails in a folder beside the report'
                Code    = 'Find-TrainedImage ~/art/artwork-01.png | Export-MatchReport ./artwork-01.html -Thumbnails Folder -PassThru'
                Remarks = 'Writes artwork-01.html and artwork-01_files/; keep them together.'
            }
            @{
                Title   = 'A report of the training-set gate''s findings'
                Code    = 'Test-TrainingSet ./my-download | Export-MatchReport ./gate-findings.html -Title ''Rows of my-download that break the registry'''
                Remarks = 'Each finding (dataset, shard, row, key, URL, rule, record, claimant) is listed in a table after the matches.'
            }
        )
    }
    'Import-MatchReview' = @{
        Synopsis    = 'Reads the decisions exported from a match report: the matches you marked "mine".'
        Description = 'Import-MatchReview reads decisions.json or decisions.csv, as the match report''s "Export decisions" buttons write them, and writes each match marked "mine" as a Find-TrainedImage match (OptOut.TrainedImageMatch), so piping it into Add-OptOut opts out only the matches you reviewed, with the same evidence (query, dataset, key, kind, similarity). A file that is not a review, or a decision other than mine / not-mine, is an error (OptOut.InvalidMatchReview) and nothing of that file is written. A leading apostrophe the page put before a CSV cell a spreadsheet would run as a formula is removed.'
        Parameters  = @{
            Path     = 'The decisions files (JSON or CSV).'
            Decision = 'Which reviewed matches to write: Mine (the default), NotMine or All.'
        }
        Inputs      = 'System.String, System.IO.FileInfo (paths)'
        Outputs     = 'OptOut.TrainedImageMatch'
        Examples    = @(
            @{
                Title   = 'Opt out the matches you marked "mine"'
                Code    = 'Import-MatchReview ./decisions.json | Add-OptOut -Claimant ''Jane Doe'''
                Remarks = 'Each reviewed row''s URL is refused, with the report''s evidence.'
            }
            @{ Title = 'See what you marked "not mine"'; Code = 'Import-MatchReview ./decisions.json -Decision NotMine'; Remarks = 'The matches left out of the opt-out.' }
            @{ Title = 'Every reviewed match, as a table'; Code = 'Import-MatchReview ./decisions.json -Decision All | Format-Table Dataset, Key, Url, MatchKind'; Remarks = 'Mine and not mine alike.' }
        )
    }
}
