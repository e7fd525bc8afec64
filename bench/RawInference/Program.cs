// Raw ONNX Runtime inference rate of the module's bundled model (preprocessing graph + ResNet18),
// batch of one, with the session settings of src/OptOut.Core/Embedding/EmbeddingModel.cs:
// intra-op threads = core count, inter-op 1, sequential, ORT_ENABLE_ALL, allow_spinning 0.
// --spinning 1 measures ONNX Runtime's default instead, to show what the module's choice costs.
//
// Usage: RawInference --model-dir <dir> [--iterations 200] [--warmup 20] [--threads <cores>]
//                     [--spinning 0|1] [--runs 1]
// Prints one JSON object per run on stdout (the bench script parses it) and a summary on stderr.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

var arguments = ParseArguments(args);
string modelDirectory = Required(arguments, "model-dir");
int iterations = Int(arguments, "iterations", 200);
int warmup = Int(arguments, "warmup", 20);
int threads = Int(arguments, "threads", Environment.ProcessorCount);
int spinning = Int(arguments, "spinning", 0);
int runs = Int(arguments, "runs", 1);

// Names as the module's default spec gives them (EmbeddingModelSpec.Default).
const string ModelInput = "Input247";
const string ModelOutput = "Pooling395_Output_0";
string preprocessPath = Path.Combine(modelDirectory, "ResNetPreprocess.onnx");
string modelPath = Path.Combine(modelDirectory, "ResNet18.onnx");
long[] shape = [1, 3, 224, 224];

// A fixed picture: pixel values 0..255 (what the preprocessing graph takes), same every run.
var random = new Random(20240601);
var input = new float[3 * 224 * 224];
for (int i = 0; i < input.Length; i++)
{
    input[i] = random.Next(256);
}

var load = Stopwatch.StartNew();
using var options = new SessionOptions
{
    GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
    ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
    IntraOpNumThreads = Math.Max(1, threads),
    InterOpNumThreads = 1,
};
options.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning.ToString(CultureInfo.InvariantCulture));
using var model = new InferenceSession(modelPath, options);
using var preprocess = new InferenceSession(preprocessPath, options);
string preprocessInput = preprocess.InputMetadata.Keys.Single();
string preprocessOutput = preprocess.OutputMetadata.Keys.First();
double loadSeconds = load.Elapsed.TotalSeconds;

// The same calls per image as EmbeddingModel.Run, output copied out as the module does. The
// RunOptions is held (and disposed) across both runs: InferenceSession.Run passes only its raw handle
// to native code, so a RunOptions nothing references any more can be finalized mid-run.
float[] RunOnce()
{
    using var runOptions = new RunOptions();
    using var inputValue = OrtValue.CreateTensorValueFromMemory(input, shape);
    using var prepared = preprocess.Run(runOptions, [preprocessInput], [inputValue], [preprocessOutput]);
    using var outputs = model.Run(runOptions, [ModelInput], [prepared[0]], [ModelOutput]);
    return outputs[0].GetTensorDataAsSpan<float>().ToArray();
}

int dimensions = RunOnce().Length;
for (int i = 0; i < warmup; i++)
{
    RunOnce();
}

for (int run = 0; run < runs; run++)
{
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < iterations; i++)
    {
        RunOnce();
    }
    double seconds = clock.Elapsed.TotalSeconds;
    double rate = iterations / seconds;
    Console.WriteLine(JsonSerializer.Serialize(new
    {
        threads,
        spinning,
        iterations,
        seconds,
        imagesPerSecond = rate,
        loadSeconds,
        dimensions,
        runtime = OrtEnv.Instance().GetVersionString(),
    }));
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"raw ONNX Runtime: {rate:F1} images/s ({iterations} in {seconds:F2} s; {threads} intra-op threads, spinning {spinning}; sessions loaded in {loadSeconds:F2} s)"));
}
return 0;

static Dictionary<string, string> ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    for (int i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
        {
            throw new ArgumentException($"Unexpected argument '{args[i]}'; expected --name value pairs.");
        }
        result[args[i][2..]] = args[++i];
    }
    return result;
}

static string Required(Dictionary<string, string> arguments, string name) =>
    arguments.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required.");

static int Int(Dictionary<string, string> arguments, string name, int fallback) =>
    arguments.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
