using System.Diagnostics;
using OptOut.Core.Datasets;
using OptOut.Core.Fingerprinting;
using OptOut.Core.Urls;

namespace OptOut.Core.Index;

/// <summary>A sample's image could not be fingerprinted; its metadata is still imported.</summary>
internal sealed class SampleProblemException : Exception
{
    public SampleProblemException(string message) : base(message) { }
}
