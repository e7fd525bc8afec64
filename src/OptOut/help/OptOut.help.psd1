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
}
