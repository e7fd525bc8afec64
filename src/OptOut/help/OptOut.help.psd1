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
-IncludeRotated also searches each picture turned 3 and 6 degrees either way: rotated copies are then
found far more often (in the calibration, 52% -> 99% under the default rule) at the cost of four more
model runs a picture and a few more false matches. -IncludeCropped also searches the picture's centre
(90% and 80% of each side), as a dataset builder's centre crop keeps it: centre-cropped copies 91% ->
99% in the calibration, for two more model runs a picture.

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
            Dataset           = 'Only rows of this dataset.'
            IndexPath         = 'The index database. Defaults to index.db under $env:OPTOUT_HOME, else ~/.optout.'
            Top               = 'At most this many results per query. Without it, every match is returned.'
            MinimumSimilarity = 'With -IncludeSimilar: the lowest embedding similarity (cosine) reported as Similar. Default 0.75.'
            IncludeSimilar    = 'Also returns rows that look alike without being copies (MatchKind Similar).'
            IncludeRotated    = 'Also searches each picture turned 3 and 6 degrees either way, to find rotated copies (four more model runs a picture).'
            IncludeCropped    = 'Also searches the centre of each picture (90% and 80% of each side), to find centre-cropped copies (two more model runs a picture).'
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
evidence). -IncludeCopies also claims every other Exact or Copy row of the same picture in the
index. Adding a claim identical to an active one changes nothing. Every change is written to the
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
            IncludeCopies = 'Also claims the URL of every other Exact or Copy row of the same picture in the index (-IndexPath), so one command catches all its copies.'
            Claimant      = 'Who makes the claim (the artist, or the organisation acting for them). Defaults to the current user. The person running the command is recorded separately in the audit log.'
            Reason        = 'Why the claim is made; stored with the record and in the audit log.'
            RegistryPath  = 'The registry database. Defaults to registry.db under $env:OPTOUT_HOME, else ~/.optout.'
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
                Remarks = 'URL claims are written in batches; content claims cover copies at any URL.'
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
evidence). -IncludeCopies also claims every other Exact or Copy row of the same picture in the
index. Adding a claim identical to an active one changes nothing. Every change is written to the
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
            IncludeCopies = 'Also claims the URL of every other Exact or Copy row of the same picture in the index (-IndexPath), so one command catches all its copies.'
            Claimant      = 'Who makes the claim (the artist, or the organisation acting for them). Defaults to the current user. The person running the command is recorded separately in the audit log.'
            Reason        = 'Why the claim is made; stored with the record and in the audit log.'
            RegistryPath  = 'The registry database. Defaults to registry.db under $env:OPTOUT_HOME, else ~/.optout.'
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
                Remarks = 'URL claims are written in batches; content claims cover copies at any URL.'
            }
        )
    }
    'Get-OptOut' = @{
        Synopsis    = 'Lists the records of the consent registry.'
        Description = 'Get-OptOut returns every active record by default (no cap), refusals and grants, with their provenance and evidence. Filters narrow the list; -IncludeRevoked adds revoked records, which are never deleted.'
        Parameters  = @{
            Id               = 'Only these records (revoked ones included).'
            Claimant         = 'Only records of this claimant.'
            Kind             = 'Only Url, Domain or Content records.'
            Decision         = 'Only Refuse (opt-out) or Grant (consent) records.'
            Url              = 'Only records of these URLs (after normalisation). Pass a whole list (Get-OptOut -Url (Get-Content urls.txt)) to check it with one open of the registry.'
            Domain           = 'Only records whose URL or domain is this domain or one of its subdomains.'
            Since            = 'Only records created at or after this time.'
            IncludeRevoked   = 'Also returns revoked records.'
            IncludeEmbedding = 'Fills the Embedding of content records.'
            RegistryPath     = 'The registry database. Defaults to registry.db under $env:OPTOUT_HOME, else ~/.optout.'
        }
        Inputs      = 'None'
        Outputs     = 'OptOut.ConsentRecord'
        Examples    = @(
            @{ Title = 'Everything one claimant has refused'; Code = 'Get-OptOut -Claimant ''Jane Doe'' -Decision Refuse'; Remarks = 'Active records only; add -IncludeRevoked for the full history.' }
            @{ Title = 'Is this URL opted out?'; Code = 'Get-OptOut -Url https://example.com/art/1.jpg'; Remarks = 'The URL is normalised before the lookup.' }
        )
    }
    'Remove-OptOut' = @{
        Synopsis    = 'Revokes records of the consent registry; the records stay, revoked, and the revocation is audited.'
        Description = 'Remove-OptOut revokes refusals or grants by id or from the pipeline (Get-OptOut output). Nothing is deleted: the record keeps its data and gains a revocation with its time, the user and the reason. It asks for confirmation by default (ConfirmImpact High).'
        Parameters  = @{
            Id           = 'The records to revoke; bound from the pipeline by property name.'
            Reason       = 'Why the record is revoked; stored with the revocation and in the audit log.'
            RegistryPath = 'The registry database. Defaults to registry.db under $env:OPTOUT_HOME, else ~/.optout.'
            PassThru     = 'Writes the revoked records to the pipeline.'
        }
        Inputs      = 'OptOut.ConsentRecord (by the Id property)'
        Outputs     = 'OptOut.ConsentRecord (with -PassThru)'
        Examples    = @(
            @{ Title = 'Withdraw a claim made by mistake'; Code = 'Get-OptOut -Url https://example.com/a.jpg | Remove-OptOut -Reason ''not my work'' -Confirm:$false'; Remarks = 'The record stays, revoked; Get-OptOut -IncludeRevoked shows it.' }
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
            Claimant       = 'Only records of this claimant (case-insensitive).'
            Kind           = 'Only Url, Domain or Content records.'
            Url            = 'Only records of these URLs (after normalisation).'
            Domain         = 'Only URL and domain records of this domain or its subdomains.'
            Since          = 'Only records created at or after this time.'
            Decision       = 'Only Refuse or only Grant records.'
            Force          = 'Overwrites a read-only file.'
            NoClobber      = 'Refuses to overwrite an existing file.'
            RegistryPath   = 'The registry database. Defaults to registry.db under $env:OPTOUT_HOME, else ~/.optout.'
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
            RegistryPath = 'The registry database. Defaults to registry.db under $env:OPTOUT_HOME, else ~/.optout.'
        }
        Inputs      = 'System.String, System.IO.FileInfo (paths)'
        Outputs     = 'OptOut.OptOutListImportResult'
        Examples    = @(
            @{ Title = 'Merge a partner''s export'; Code = 'Import-OptOutList ./partner-optouts.json'; Remarks = 'Reports how many records were added, skipped and in conflict.' }
            @{ Title = 'Restore a backup, revocations included'; Code = 'Import-OptOutList ./backup.csv -IncludeRevocations'; Remarks = 'Revoked records come in revoked, the revocations recorded as yours and naming backup.csv.' }
        )
    }
    'Get-OptOutHistory' = @{
        Synopsis    = 'Shows the registry''s append-only audit log.'
        Description = 'Get-OptOutHistory returns every change to the registry in order: time (UTC), user, action (AddOptOut, AddOptIn, Revoke, Import, ImportRevoke, Migrate), record, reason and detail.'
        Parameters  = @{
            Id           = 'Only entries about this record; bound from the pipeline by property name.'
            Since        = 'Only entries at or after this time.'
            Action       = 'Only entries of this action.'
            RegistryPath = 'The registry database. Defaults to registry.db under $env:OPTOUT_HOME, else ~/.optout.'
        }
        Inputs      = 'OptOut.ConsentRecord (by the Id property)'
        Outputs     = 'OptOut.OptOutAuditEntry'
        Examples    = @(
            @{ Title = 'The story of one record'; Code = 'Get-OptOut -Url https://example.com/a.jpg -IncludeRevoked | Get-OptOutHistory'; Remarks = 'When it was added and revoked, by whom and why.' }
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
  claims made with the same model);
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
            RegistryPath  = 'The consent registry to check against. Defaults to registry.db under $env:OPTOUT_HOME, else ~/.optout; a default registry that does not exist simply has no claims.'
            Policy        = 'OptOut (default): rows are allowed unless a claim refuses them. OptIn: a row also needs an active grant (Add-OptIn) on its URL, domain or content, else it breaks the NoConsent rule; a refusal still wins over a grant.'
            Name          = 'The dataset name shown in findings and reports. Defaults to the name of the first path.'
            ThrottleLimit = 'How many shards are checked at once. Defaults to the number of processors.'
            Model         = 'The image model (from New-EmbeddingModel) used to fingerprint local images for content claims (default: the bundled ResNet18, loaded only when some content claim needs it). When given, it is also taken as the model that produced clip-retrieval .npy embeddings; without -Model or -ModelId precomputed embeddings are not compared, since their model is unknown.'
            ModelId       = 'For clip-retrieval embeddings whose ONNX model you do not have: the model id your content claims were recorded with, so the precomputed vectors are compared with them.'
            MaxPixels     = 'The largest local image decoded, in pixels; larger ones are refused before decoding and reported. Default 100,000,000.'
            Quiet         = 'Returns only $true (every shard read, no violation, every row fully checked) or $false, instead of the findings.'
            ReportPath    = 'Writes a JUnit XML report to this file: one test suite for the dataset, one test case a shard, failing with its violations listed (the first 1,000 a shard), or in error when the shard could not be read.'
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

The copy is written into a staging folder beside the destination and moved into place only when
every shard was checked and written; if a shard cannot be read nothing is published. An existing
destination is kept unless -Force is given, and then replaced only at the end. A CSV removal report
(shard, row, key, URL, rule, record, claimant, detail) is written beside the copy, and a summary
object is returned.
'@
        Parameters  = @{
            Path              = 'The dataset to copy: one folder (img2dataset or clip-retrieval output, a folder of parquet files, a folder of images) or one shard file. Wildcards are expanded.'
            LiteralPath       = 'The dataset to copy, taken exactly as written.'
            Destination       = 'The folder to write the clean copy to. It must not exist unless -Force is given, and must not overlap the source.'
            Force             = 'Replaces an existing destination, once the new copy is complete.'
            RemovalReportPath = 'Where the removal report (CSV) goes. Defaults to the destination path with ".removed.csv" appended, beside the copy.'
            RegistryPath  = 'The consent registry to check against. Defaults to registry.db under $env:OPTOUT_HOME, else ~/.optout; a default registry that does not exist simply has no claims.'
            Policy        = 'OptOut (default): rows are allowed unless a claim refuses them. OptIn: a row also needs an active grant (Add-OptIn) on its URL, domain or content, else it breaks the NoConsent rule; a refusal still wins over a grant.'
            Name          = 'The dataset name shown in findings and reports. Defaults to the name of the first path.'
            ThrottleLimit = 'How many shards are checked at once. Defaults to the number of processors.'
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
        )
    }
}
