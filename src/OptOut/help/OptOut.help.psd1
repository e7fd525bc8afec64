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
        )
    }
    'Get-OptOutEnvironment' = @{
        Synopsis    = 'Shows where OptOut keeps its data and which native libraries it loaded.'
        Description = @'
Get-OptOutEnvironment reports the module version, the home folder ($env:OPTOUT_HOME, else ~/.optout),
the default index and registry database paths, the bundled model folder, and the versions of the
SQLite and ONNX Runtime libraries actually loaded from the module's runtimes folder. Include its
output in bug reports.
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
        )
    }
    'Import-TrainingSet'    = @{
        Synopsis    = 'Adds a training set (LAION parquet, img2dataset output, clip-retrieval embeddings, or a folder of images) to the local index.'
        Description = @'
Import-TrainingSet reads datasets in the layouts they are published in and adds their rows to the
index (a SQLite file, by default $env:OPTOUT_HOME/index.db, else ~/.optout/index.db):

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
        )
    }
    'Get-TrainingSet'       = @{
        Synopsis    = 'Lists the datasets in a training-set index with their counts and model.'
        Description = 'Get-TrainingSet lists the datasets imported into an index: rows, shards, rows with fingerprints and embeddings, skipped rows, the embedding model and when the dataset was first imported.'
        Parameters  = @{
            Name      = 'Only datasets whose names match these patterns (wildcards allowed).'
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
        )
    }
    'Find-TrainedImage'     = @{
        Synopsis    = 'Finds every row of the indexed training sets that holds your picture, a caption text, a URL or a domain.'
        Description = @'
Find-TrainedImage answers "is my work in there?". Given image files (from the pipeline, -Path or
-LiteralPath) it fingerprints each and returns every row of the index that is the same file
(MatchKind Exact: same SHA-256 or MD5) or a copy of the same picture after re-encoding, resizing,
cropping, padding, watermarking, gray conversion, small rotation or a brightness change (MatchKind
Copy), decided from the perceptual-hash distance and the embedding similarity with thresholds
calibrated on real images (docs/copy-detection.md). Every copy is returned, not a capped top list;
-Top caps the results only when given. -IncludeSimilar adds look-alikes (MatchKind Similar).

-Text searches captions (words, "phrases", prefix*), best matches first; -Url finds rows with the
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
            Dataset           = 'Only rows of this dataset.'
            IndexPath         = 'The index database. Defaults to index.db under $env:OPTOUT_HOME, else ~/.optout.'
            Top               = 'At most this many results per query. Without it, every match is returned.'
            MinimumSimilarity = 'With -IncludeSimilar: the lowest embedding similarity (cosine) reported as Similar. Default 0.75.'
            IncludeSimilar    = 'Also returns rows that look alike without being copies (MatchKind Similar).'
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
        )
    }
}
